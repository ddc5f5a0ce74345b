import {
  type AlarmFrame,
  type ClusterCommandRequest,
  type CommandOutcome,
  decodeFrameColumns,
  decodeVmColumns,
  type Frame,
  type FrameColumns,
  frameRows,
  type FrameEvent,
  type FrameEventPayload,
  type JoinReply,
  type Presence,
  type Role,
  socketEvents,
  type VmColumns,
  type VmsEventPayload,
} from '@overcommit/contracts';
import type { Socket } from 'socket.io-client';
import { FrameSlicer } from './frame-slicer';
import { gapPoint, pointOf, Series } from './series';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'resumed' | 'failed';

export interface Connection {
  state: ConnectionState;
  /** Frames recovered from the history after the last reconnect or hole. */
  recovered?: number;
  /** Ticks that could not be recovered (older than the history): drawn as a gap. */
  missing?: number;
  /** Why joining failed (no such cluster, bad link), in English; errorCode for the reader's language. */
  error?: string;
  errorCode?: string;
  errorParams?: Record<string, string | number>;
}

export interface ActivityItem {
  key: string;
  tick: number;
  event: FrameEvent;
}

/** What the panels read; each field is replaced only when it changes, so a panel re-renders only for its own data. */
export interface FeedView {
  frame: Frame | null;
  connection: Connection;
  role: Role | null;
  presence: Presence | null;
  /** Bumped when the chart series changes. */
  seriesVersion: number;
  activity: readonly ActivityItem[];
  /** Alarms that resolved while this page was open (or in the history it loaded), newest first. */
  resolvedAlarms: readonly AlarmFrame[];
  /** Per-VM metrics as columns (rows are built for what is shown), while some panel watches them. */
  vms: VmColumns | null;
  /** Ticks of simulated time per frame. */
  stepSeconds: number;
}

const ACTIVITY_MAX = 300;
const RESOLVED_MAX = 200;
const OUTCOMES_MAX = 500;
/** An hour of simulated time at one second per tick, plus slack. */
const SERIES_CAPACITY = 3700;
const RESUMED_SHOWN_MS = 8000;
const JOIN_TIMEOUT_MS = 10_000;

type Timer = ReturnType<typeof setTimeout>;

/**
 * One cluster's live data in this tab: joins over the shared socket, keeps
 * the latest frame, a bounded chart series, the activity, resolved alarms
 * and presence, and closes every hole in the ticks through `sinceTick`
 * (after a reconnect, or when a frame arrives out of sequence), so a chart
 * never shows a gap silently. Listeners are told at most once per animation
 * frame: a hidden tab stops drawing and catches up at once when shown.
 */
export class ClusterFeed {
  readonly series = new Series(SERIES_CAPACITY);
  view: FeedView = {
    frame: null,
    connection: { state: 'connecting' },
    role: null,
    presence: null,
    seriesVersion: 0,
    activity: [],
    resolvedAlarms: [],
    vms: null,
    stepSeconds: 1,
  };
  hostNames: string[] = [];
  private lastTick: number | null = null;
  private joining = false;
  private pending: FrameColumns[] = [];
  private everJoined = false;
  private readonly listeners = new Set<() => void>();
  private readonly slicer = new FrameSlicer();
  private readonly outcomes = new Map<string, CommandOutcome>();
  private readonly waiters = new Map<string, (outcome: CommandOutcome) => void>();
  private vmWatchers = 0;
  private resumedTimer: Timer | undefined;
  private activeAlarms = new Map<string, AlarmFrame>();
  /**
   * Alarms the loaded history saw resolve, not yet shown: the resolving event, and the fired event
   * once seen (older chunks come later), until a frame before the resolution lists the alarm.
   */
  private readonly historyResolved = new Map<
    string,
    { time: number; tick: number; fired: FrameEvent | null }
  >();
  private closed = false;
  private readonly off: Array<() => void> = [];

  constructor(
    readonly clusterId: string,
    private readonly socket: Socket,
    private readonly token: string | undefined,
    private readonly name: () => string,
  ) {
    const on = <T>(event: string, handler: (payload: T) => void) => {
      socket.on(event, handler);
      this.off.push(() => socket.off(event, handler));
    };
    on<FrameEventPayload>(socketEvents.frame, (p) => {
      if (p.clusterId === this.clusterId) this.onFrame(p);
    });
    on<VmsEventPayload>(socketEvents.vms, (p) => {
      if (p.clusterId === this.clusterId && this.vmWatchers > 0)
        this.set({ vms: decodeVmColumns(p.vms) });
    });
    on<Presence>(socketEvents.presence, (p) => {
      if (p.clusterId === this.clusterId) this.set({ presence: p });
    });
    on<CommandOutcome & { clusterId: string }>(socketEvents.commandOutcome, (o) => {
      if (o.clusterId === this.clusterId) this.settle(o);
    });
    on<void>('connect', () => {
      void this.join();
    });
    on<void>('disconnect', () => {
      if (this.everJoined) this.set({ connection: { state: 'reconnecting' } });
    });
    if (socket.connected) void this.join();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      this.slicer.forget(listener);
    };
  };

  /** Leaves the cluster and stops listening. */
  close(): void {
    this.closed = true;
    for (const off of this.off) off();
    clearTimeout(this.resumedTimer);
    if (this.socket.connected) this.socket.emit(socketEvents.leave, { clusterId: this.clusterId });
  }

  /** Per-VM metrics flow only while some panel wants them. */
  watchVms(on: boolean): void {
    this.vmWatchers += on ? 1 : -1;
    if ((on && this.vmWatchers === 1) || (!on && this.vmWatchers === 0)) {
      if (!on) this.set({ vms: null });
      if (this.everJoined && this.socket.connected)
        this.socket.emit(socketEvents.watchVms, { clusterId: this.clusterId, on });
    }
  }

  /**
   * Sends a command; the acknowledgement says queued or refused at once, and
   * `outcome` resolves with the tick that applied it (or refused it).
   */
  async command(
    request: ClusterCommandRequest,
  ): Promise<{ ack: CommandOutcome; outcome: Promise<CommandOutcome> }> {
    const id = request.id ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    let ack: CommandOutcome;
    try {
      ack = (await this.socket.timeout(JOIN_TIMEOUT_MS).emitWithAck(socketEvents.command, {
        clusterId: this.clusterId,
        ...request,
        id,
      })) as CommandOutcome;
    } catch {
      ack = {
        id,
        status: 'refused',
        reason: 'no answer from the server (connection lost?): try again',
        code: 'no-answer',
      };
    }
    if (ack.status !== 'queued') return { ack, outcome: Promise.resolve(ack) };
    return { ack, outcome: this.outcomeOf(ack.id) };
  }

  private outcomeOf(id: string): Promise<CommandOutcome> {
    const known = this.outcomes.get(id);
    if (known && known.status !== 'queued') return Promise.resolve(known);
    return new Promise((resolve) => this.waiters.set(id, resolve));
  }

  private settle(outcome: CommandOutcome): void {
    this.outcomes.set(outcome.id, outcome);
    if (this.outcomes.size > OUTCOMES_MAX) {
      const first = this.outcomes.keys().next().value;
      if (first !== undefined) this.outcomes.delete(first);
    }
    const waiter = this.waiters.get(outcome.id);
    if (waiter && outcome.status !== 'queued') {
      this.waiters.delete(outcome.id);
      waiter(outcome);
    }
  }

  private async join(): Promise<void> {
    if (this.joining || this.closed) return;
    this.joining = true;
    const since = this.lastTick;
    const resuming = this.everJoined;
    let again = false;
    try {
      const reply = (await this.socket.timeout(JOIN_TIMEOUT_MS).emitWithAck(socketEvents.join, {
        clusterId: this.clusterId,
        name: this.name(),
        ...(this.token ? { token: this.token } : {}),
        ...(since !== null ? { sinceTick: since } : {}),
      })) as JoinReply;
      if (!reply.ok) {
        this.set({
          connection: {
            state: 'failed',
            error: reply.error,
            ...(reply.code ? { errorCode: reply.code } : {}),
            ...(reply.params ? { errorParams: reply.params } : {}),
          },
        });
        return;
      }
      this.everJoined = true;
      const frames = reply.frames.map(decodeFrameColumns);
      const snapshot = reply.snapshot === null ? null : decodeFrameColumns(reply.snapshot);
      let missing = 0;
      if (since !== null && frames.length > 0 && frames[0]!.tick > since + 1) {
        missing = frames[0]!.tick - since - 1;
      } else if (since !== null && frames.length === 0 && snapshot && snapshot.tick > since + 1) {
        missing = snapshot.tick - since - 1;
      }
      if (missing > 0) this.series.add(gapPoint(since! + 1, this.view.frame?.time ?? 0));
      const before = this.lastTick;
      for (const frame of frames) this.apply(frame);
      if (snapshot) this.apply(snapshot);
      const pending = this.pending;
      this.pending = [];
      for (const frame of pending) {
        if (this.lastTick !== null && frame.tick > this.lastTick + 1) {
          // Still a hole after this join (frames came on while it ran): join again.
          this.pending.push(frame);
          again = true;
        } else this.apply(frame);
      }
      if (this.vmWatchers > 0)
        this.socket.emit(socketEvents.watchVms, { clusterId: this.clusterId, on: true });
      const recovered = before === null ? 0 : Math.max(0, (this.lastTick ?? 0) - before - missing);
      this.set({
        role: reply.role,
        frame: this.latest ?? null,
        seriesVersion: this.series.version,
      });
      if (resuming || missing > 0) this.showResumed(recovered, missing);
      else this.set({ connection: { state: 'live' } });
    } catch {
      // No answer: the socket reconnects and joins again, or the next frame retries.
      this.set({ connection: { state: 'reconnecting' } });
    } finally {
      this.joining = false;
    }
    if (again) void this.join();
  }

  private showResumed(recovered: number, missing: number): void {
    this.set({ connection: { state: 'resumed', recovered, missing } });
    clearTimeout(this.resumedTimer);
    this.resumedTimer = setTimeout(() => {
      if (this.view.connection.state === 'resumed') this.set({ connection: { state: 'live' } });
    }, RESUMED_SHOWN_MS);
  }

  private latest: Frame | null = null;

  private onFrame(payload: FrameEventPayload): void {
    if (this.lastTick !== null && payload.tick <= this.lastTick) return;
    const frame = decodeFrameColumns(payload.frame);
    if (this.joining) {
      this.pending.push(frame);
      return;
    }
    if (this.lastTick !== null && frame.tick > this.lastTick + 1) {
      // A hole (this socket was left out while it lagged, or a frame was lost):
      // fetch the missing ticks from the history before going on.
      this.pending.push(frame);
      void this.join();
      return;
    }
    this.apply(frame);
    this.set({ frame: this.latest, seriesVersion: this.series.version });
  }

  /**
   * Takes one frame in tick order into the series (from its columns, as they came), the latest
   * view (rows, for the panels that list hosts and alarms), the activity and the alarm history.
   */
  private apply(columns: FrameColumns): void {
    if (this.lastTick !== null && columns.tick <= this.lastTick) return;
    this.lastTick = columns.tick;
    if (this.hostNames.length === 0) this.hostNames = [...columns.hosts.column('name')];
    this.series.add(pointOf(columns, this.hostNames));
    const frame = frameRows(columns);
    this.latest = frame;
    if (frame.events.length > 0) {
      const items = frame.events.map((event, i) => ({
        key: `${frame.tick}:${i}`,
        tick: frame.tick,
        event,
      }));
      this.view = {
        ...this.view,
        activity: [...items.reverse(), ...this.view.activity].slice(0, ACTIVITY_MAX),
      };
    }
    const active = new Map<string, AlarmFrame>();
    const resolved: AlarmFrame[] = [];
    for (const alarm of frame.alarms) {
      if (alarm.state === 'resolved') resolved.push(alarm);
      else active.set(alarm.id, alarm);
    }
    for (const [id, alarm] of this.activeAlarms) {
      if (!active.has(id) && !resolved.some((a) => a.id === id))
        resolved.push({ ...alarm, state: 'resolved', resolvedAt: alarm.resolvedAt ?? frame.time });
    }
    this.activeAlarms = active;
    if (resolved.length > 0) {
      const known = new Set(this.view.resolvedAlarms.map((a) => a.id));
      const fresh = resolved.filter((a) => !known.has(a.id));
      if (fresh.length > 0)
        this.view = {
          ...this.view,
          resolvedAlarms: [...fresh, ...this.view.resolvedAlarms].slice(0, RESOLVED_MAX),
        };
    }
    if (frame.stepSeconds !== this.view.stepSeconds)
      this.view = { ...this.view, stepSeconds: frame.stepSeconds };
  }

  /**
   * The events of frames from the HTTP history (the activity before this page joined, so a reload
   * does not open on an empty feed): merged under the live ones, newest first, each once. Returns
   * how many were new.
   */
  addActivity(frames: readonly FrameColumns[]): number {
    const known = new Set(this.view.activity.map((a) => a.key));
    const items: ActivityItem[] = [];
    for (const frame of frames)
      frame.events.forEach((event, i) => {
        const key = `${frame.tick}:${i}`;
        if (!known.has(key)) items.push({ key, tick: frame.tick, event });
      });
    if (items.length === 0) return 0;
    const order = (a: ActivityItem) => Number(a.key.slice(a.key.indexOf(':') + 1));
    const activity = [...this.view.activity, ...items]
      .sort((a, b) => b.tick - a.tick || order(b) - order(a))
      .slice(0, ACTIVITY_MAX);
    this.set({ activity });
    return items.length;
  }

  /**
   * The alarms that resolved in frames from the HTTP history (so a reload does not open on an empty
   * resolved list): each `alarm-resolved` event with its alarm as the last frame before it listed
   * it (severity, since, acknowledgement), merged into the resolved list, newest first, each once.
   * History comes newest first in chunks; an alarm not listed in this chunk is looked for in the
   * next (older) ones, and written from its `alarm-fired` event if no frame listed it. Returns how
   * many were added.
   */
  addResolvedAlarms(frames: readonly FrameColumns[]): number {
    const shown = new Set(this.view.resolvedAlarms.map((a) => a.id));
    const pending = this.historyResolved;
    for (const frame of frames)
      for (const event of frame.events) {
        const id = typeof event['alarmId'] === 'string' ? event['alarmId'] : null;
        if (id === null || shown.has(id)) continue;
        if (event.type === 'alarm-resolved' && !pending.has(id))
          pending.set(id, { time: event.time, tick: frame.tick, fired: null });
        else if (event.type === 'alarm-fired' && pending.has(id)) {
          // The last word on its severity: an escalation to critical wins.
          const at = pending.get(id)!;
          if (!at.fired || event['severity'] === 'critical') at.fired = event;
        }
      }
    if (pending.size === 0) return 0;
    // Each alarm's last row before it resolved: the newest frame that lists it.
    const last = new Map<string, { tick: number; frame: FrameColumns; row: number }>();
    for (const frame of frames) {
      const ids = frame.alarms.column('id');
      for (let i = 0; i < ids.length; i++) {
        const at = pending.get(ids[i]!);
        const seen = last.get(ids[i]!);
        if (at && frame.tick < at.tick && (!seen || seen.tick < frame.tick))
          last.set(ids[i]!, { tick: frame.tick, frame, row: i });
      }
    }
    const found: AlarmFrame[] = [];
    for (const [id, at] of pending) {
      const seen = last.get(id);
      const fired = at.fired;
      if (seen)
        found.push({ ...seen.frame.alarms.row(seen.row), state: 'resolved', resolvedAt: at.time });
      else if (fired && (fired['severity'] === 'warning' || fired['severity'] === 'critical'))
        found.push({
          id,
          rule: fired['rule'] as AlarmFrame['rule'],
          target: fired.target,
          severity: fired['severity'],
          state: 'resolved',
          since: fired.time,
          firedAt: fired.time,
          value: typeof fired['value'] === 'number' ? fired['value'] : 0,
          threshold: typeof fired['threshold'] === 'number' ? fired['threshold'] : 0,
          ackedBy: null,
          ackNote: null,
          ackedAt: null,
          resolvedAt: at.time,
        });
      else continue;
      pending.delete(id);
    }
    if (found.length === 0) return 0;
    const resolvedAlarms = [...this.view.resolvedAlarms, ...found]
      .sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0))
      .slice(0, RESOLVED_MAX);
    this.set({ resolvedAlarms });
    return found.length;
  }

  /** Older frames from the HTTP history (chart windows opening on the past): only the series takes them. */
  addHistory(frames: readonly FrameColumns[]): void {
    if (this.hostNames.length === 0 && frames[0])
      this.hostNames = [...frames[0].hosts.column('name')];
    this.series.addAll(frames.map((frame) => pointOf(frame, this.hostNames)));
    this.set({ seriesVersion: this.series.version });
  }

  private set(patch: Partial<FeedView>): void {
    this.view = { ...this.view, ...patch };
    this.slicer.notify(this.listeners);
  }
}
