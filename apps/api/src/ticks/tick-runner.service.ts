import { Injectable, Logger } from '@nestjs/common';
import { type Command, type CommandOutcome, encodeFrame, encodeVms } from '@overcommit/contracts';
import { reasonFields, type SimState, step, ticksSkipped } from '@overcommit/sim';
import { ClusterStateRepository } from '../storage/cluster-state.repository';
import { FrameHistoryRepository } from '../storage/frame-history.repository';
import { PresenceRepository } from '../storage/presence.repository';
import { AHEAD_BATCH_MS, AHEAD_BATCH_TICKS, MAX_CATCH_UP, MAX_REPLAY } from './ticks.constants';
import type { ClusterMeta } from '../storage/cluster-state.repository';
import type { Frame } from '@overcommit/contracts';
import { tickMs, TicksScheduler } from './ticks.scheduler';
import { Metrics } from '../observability/metrics';

export interface TickResult {
  stepped: number;
  lagMs: number;
}

/** How early a job may run its tick (clock differences between machines). */
const EARLY_MARGIN_MS = 50;

/**
 * Runs a cluster's due ticks: loads the state (or keeps the warm copy when
 * the stored tick matches), drains the command stream in order, steps the
 * engine, and commits each tick with a compare-and-set on the tick number.
 * Idempotent: a job run twice finds no tick due, and a lost race is dropped.
 */
@Injectable()
export class TickRunner {
  private readonly logger = new Logger('Ticks');
  private readonly warm = new Map<string, SimState>();
  /** Clusters this process is running ahead now: a second job for one (its schedule's) waits its turn. */
  private readonly ahead = new Set<string>();

  constructor(
    private readonly repo: ClusterStateRepository,
    private readonly frames: FrameHistoryRepository,
    private readonly presence: PresenceRepository,
    private readonly metrics: Metrics,
    private readonly scheduler: TicksScheduler,
  ) {}

  async run(clusterId: string, now = Date.now()): Promise<TickResult> {
    const meta = await this.repo.meta(clusterId);
    if (meta && meta.aheadUntil > meta.time) {
      // Another job of this cluster (its schedule's, a command's) while a batch runs here: that
      // batch queues the next.
      if (this.ahead.has(clusterId)) return { stepped: 0, lagMs: 0 };
      this.ahead.add(clusterId);
      let batch: { result: TickResult; next: number | null };
      try {
        batch = await this.runAhead(meta);
      } finally {
        this.ahead.delete(clusterId);
      }
      // Queued once this batch has let go of the cluster, so the next job never finds it held.
      if (batch.next !== null) await this.scheduler.kick(clusterId, batch.next);
      return batch.result;
    }
    if (!meta || meta.paused) {
      this.warm.delete(clusterId);
      return { stepped: 0, lagMs: 0 };
    }
    const interval = tickMs(meta);
    // Ticks due by now, less those done. Jobs fire on the anchor's phase
    // (alignedAnchor); the margin only absorbs clocks a few ms apart, so a
    // frame is never published much before its time.
    const margin = Math.min(EARLY_MARGIN_MS, interval / 2);
    let due = Math.floor((now - meta.anchorAt + margin) / interval) - (meta.tick - meta.anchorTick);
    if (due <= 0) return { stepped: 0, lagMs: 0 };
    let skipped = 0;
    if (due > MAX_REPLAY) {
      // Back from an outage longer than is worth replaying: move the anchor along
      // the same phase so exactly one tick is due now, and say so in the frame.
      skipped = due - 1;
      meta.anchorAt += (meta.tick - meta.anchorTick + skipped) * interval;
      meta.anchorTick = meta.tick;
      await this.repo.updateMeta(clusterId, {
        anchorAt: meta.anchorAt,
        anchorTick: meta.anchorTick,
      });
      this.logger.warn(
        { clusterId },
        `cluster ${clusterId} was not ticked for ${Math.round((skipped * interval) / 1000)} s; resuming without replaying ${skipped} ticks`,
      );
      due = 1;
    }
    let state = this.warm.get(clusterId);
    if (!state || state.tick !== meta.tick) {
      const stored = await this.repo.state(clusterId);
      if (!stored) return { stepped: 0, lagMs: 0 };
      state = stored;
    }
    const steps = Math.min(due, MAX_CATCH_UP);
    // Per-VM metrics cost work and bytes: computed only while someone watches them.
    const vmMetrics = (await this.presence.vmWatchers(clusterId)) > 0;
    let lastCommandId = meta.lastCommandId;
    let lagMs = 0;
    for (let i = 0; i < steps; i++) {
      const fromTick = state.tick;
      let commands: Command[] = [];
      if (i === 0) {
        const pending = await this.repo.pendingCommands(clusterId, lastCommandId);
        commands = pending.commands;
        lastCommandId = pending.lastId;
      }
      const { frame, vms } = step(state, commands, { vmMetrics });
      if (skipped > 0 && i === 0) {
        const seconds = Math.round((skipped * interval) / 1000);
        frame.events.push({
          type: 'ticks-skipped',
          time: frame.time,
          target: clusterId,
          by: 'system',
          ...reasonFields(ticksSkipped(seconds, skipped)),
          ticks: skipped,
        });
      }
      // How late this tick is against its due time on the cluster's schedule.
      lagMs = Math.max(0, now - (meta.anchorAt + (frame.tick - meta.anchorTick) * interval));
      const outcomes: CommandOutcome[] = [];
      for (const event of frame.events) {
        if (event.commandId === undefined) continue;
        const accepted = event.type === 'command-accepted';
        if (!accepted && event.type !== 'command-refused') continue;
        outcomes.push({
          id: event.commandId,
          status: accepted ? 'accepted' : 'refused',
          reason: event.reason,
          // The engine's refusal as code and params (refusalCodes), for the dashboard's languages.
          ...(event.reasonCode !== undefined ? { code: event.reasonCode } : {}),
          ...(event.reasonParams !== undefined ? { params: event.reasonParams } : {}),
          ...(event.reasonCauses !== undefined ? { causes: event.reasonCauses } : {}),
          tick: frame.tick,
        });
      }
      const committed = await this.repo.commit(clusterId, {
        fromTick,
        state,
        frame,
        wire: encodeFrame(frame),
        lastCommandId,
        lagMs,
        outcomes,
      });
      if (committed) for (const o of outcomes) this.metrics.commands.inc({ outcome: o.status });
      if (committed && vms) await this.frames.publishVms(clusterId, frame.tick, encodeVms(vms));
      if (!committed) {
        // Another run applied this tick first: our copy is stale.
        this.warm.delete(clusterId);
        return { stepped: i, lagMs };
      }
    }
    this.warm.set(clusterId, state);
    if (state.exercise?.finished) {
      // The exercise's time is up: its score is final, so the cluster stops (the report reads it).
      await this.repo.updateMeta(clusterId, { paused: true });
      await this.scheduler.unschedule(clusterId);
      this.warm.delete(clusterId);
      this.logger.log({ clusterId }, `cluster ${clusterId}: its exercise has ended; paused`);
      return { stepped: steps, lagMs };
    }
    if (due > MAX_CATCH_UP)
      this.logger.warn(
        { clusterId },
        `cluster ${clusterId} is ${due} ticks behind; catching up ${MAX_CATCH_UP} per job`,
      );
    return { stepped: steps, lagMs };
  }

  /**
   * One batch of a run-ahead (paused or not): ticks stepped back to back for at most
   * AHEAD_BATCH_MS (yielding between them, so this process's other jobs go on), committed in one
   * script with every frame in the history and the last one published; then the next batch's job,
   * or, at the target, the schedule re-anchored at the new tick. Commands queued before it apply
   * at its first tick, as at any tick.
   */
  private async runAhead(meta: ClusterMeta): Promise<{ result: TickResult; next: number | null }> {
    const clusterId = meta.id;
    const none = { result: { stepped: 0, lagMs: 0 }, next: null };
    let state = this.warm.get(clusterId);
    if (!state || state.tick !== meta.tick) {
      const stored = await this.repo.state(clusterId);
      if (!stored) return none;
      state = stored;
    }
    const fromTick = state.tick;
    const pending = await this.repo.pendingCommands(clusterId, meta.lastCommandId);
    const frames: { frame: Frame; wire: string }[] = [];
    const outcomes: CommandOutcome[] = [];
    const started = Date.now();
    while (
      state.time < meta.aheadUntil &&
      frames.length < AHEAD_BATCH_TICKS &&
      Date.now() - started < AHEAD_BATCH_MS
    ) {
      const { frame } = step(state, frames.length === 0 ? pending.commands : [], {
        vmMetrics: false,
      });
      for (const event of frame.events) {
        if (event.commandId === undefined) continue;
        const accepted = event.type === 'command-accepted';
        if (!accepted && event.type !== 'command-refused') continue;
        outcomes.push({
          id: event.commandId,
          status: accepted ? 'accepted' : 'refused',
          reason: event.reason,
          tick: frame.tick,
        });
      }
      frames.push({ frame, wire: encodeFrame(frame) });
      if (state.exercise?.finished) break;
      // Other clusters' jobs in this process run between two ticks of this one.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const done = state.time >= meta.aheadUntil || state.exercise?.finished === true;
    const interval = tickMs(meta);
    const committed = await this.repo.commitAhead(clusterId, {
      fromTick,
      state,
      frames,
      lastCommandId: pending.lastId,
      outcomes,
      done,
      // The next tick one interval from now, on the cluster's own place in the interval.
      anchorAt: this.scheduler.restartAnchor(meta, interval, Date.now()),
    });
    if (!committed) {
      // A tick committed meanwhile (a scheduled job that read the meta before the run-ahead
      // began): start the batch again from there, unless the cluster is gone or no longer ahead.
      this.warm.delete(clusterId);
      const now = await this.repo.meta(clusterId);
      return {
        result: { stepped: 0, lagMs: 0 },
        next: now && now.aheadUntil > now.time ? now.tick : null,
      };
    }
    for (const o of outcomes) this.metrics.commands.inc({ outcome: o.status });
    this.warm.set(clusterId, state);
    if (state.exercise?.finished) {
      await this.repo.updateMeta(clusterId, { paused: true, aheadUntil: 0 });
      await this.scheduler.unschedule(clusterId);
      this.warm.delete(clusterId);
    }
    return {
      result: { stepped: frames.length, lagMs: 0 },
      next: done || state.exercise?.finished ? null : state.tick,
    };
  }
}
