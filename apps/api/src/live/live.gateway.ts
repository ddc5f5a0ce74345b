import { type BeforeApplicationShutdown, Inject, Logger } from '@nestjs/common';
import { type OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import {
  type ErrorCode,
  type ErrorParams,
  type CommandOutcome,
  displayNameSchema,
  formatInputErrors,
  type LiveMessage,
  type JoinReply,
  joinRequestSchema,
  type Presence,
  PRESENCE_LIST_MAX,
  type Role,
  socketEvents,
  sweepSocketEvents,
  type VmsEventPayload,
  watchVmsSchema,
  wireTick,
  zodIssuesToInputErrors,
} from '@overcommit/contracts';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { randomBytes } from 'node:crypto';
import proxyaddr from 'proxy-addr';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { ClustersService, parseClusterCommand } from '../clusters/clusters.service';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { Metrics } from '../observability/metrics';
import { ClusterStateRepository } from '../storage/cluster-state.repository';
import { FrameHistoryRepository } from '../storage/frame-history.repository';
import { INSTANCE_TTL_MS, PresenceRepository } from '../storage/presence.repository';
import { broadcastPreEncoded } from './frame-broadcast';
import { LiveSubscriber } from './live.subscriber';
import { SweepsLive } from '../sweeps/sweeps.live';

interface SocketData {
  name: string;
  /** The client's address (X-Forwarded-For only from a trusted front door): its event limit. */
  address: string;
  /** Clusters this socket joined, with its role on each. */
  clusters: Record<string, Role>;
  /** Clusters whose per-VM metrics this socket asked for. */
  vms: Record<string, true>;
}

const handshakeSchema = z.object({ name: displayNameSchema });
const room = (clusterId: string) => `cluster:${clusterId}`;
/**
 * Joins and leaves this close together make one presence announcement; a crowd waits longer
 * (a watcher's share of a millisecond each, up to 2 s), so a class of thousands joining at once
 * costs a few lists a second, not one per join to everyone.
 */
const PRESENCE_COALESCE_MS = 250;
const PRESENCE_COALESCE_MAX_MS = 2_000;
const presenceDelay = (watchers: number) =>
  Math.min(PRESENCE_COALESCE_MAX_MS, Math.max(PRESENCE_COALESCE_MS, watchers / 5));
const vmRoom = (clusterId: string) => `cluster:${clusterId}:vms`;

/**
 * Live frames and commands over socket.io. Identity is checked in socket.io
 * middleware before anything is joined; the cluster's token is checked on join.
 */
// Origins: the adapter's allow-list (CORS_ORIGINS). Payloads: at most 64 KiB per message.

/** An acknowledgement without data: done, or why not (English `error`, `code` for the dashboard). */
type AckReply = { ok: true } | { ok: false; error: string; code: ErrorCode; params?: ErrorParams };

@WebSocketGateway({ maxHttpBufferSize: 64 * 1024 })
export class LiveGateway implements OnGatewayInit, BeforeApplicationShutdown {
  @WebSocketServer() server!: Server;
  private readonly logger = new Logger('Live');
  private closing = false;
  /** This instance, in presence fields: its sockets count while its heartbeat does. */
  private readonly instance = randomBytes(6).toString('hex');
  private heartbeat: NodeJS.Timeout | undefined;
  /** Clusters with a presence announcement pending. */
  private readonly presenceDue = new Map<string, NodeJS.Timeout>();
  /** How many watched each cluster at its last announcement (its next one's delay). */
  private readonly lastTotal = new Map<string, number>();
  /** Which proxies' X-Forwarded-For to believe (TRUST_PROXY, as Express reads it for HTTP). */
  private readonly trustProxy: ReturnType<typeof proxyaddr.compile>;

  constructor(
    private readonly clusters: ClustersService,
    private readonly state: ClusterStateRepository,
    private readonly frames: FrameHistoryRepository,
    private readonly presence: PresenceRepository,
    private readonly subscriber: LiveSubscriber,
    private readonly metrics: Metrics,
    private readonly sweeps: SweepsLive,
    @InjectThrottlerStorage() private readonly limits: ThrottlerStorage,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    this.trustProxy = proxyaddr.compile(
      (config.TRUST_PROXY ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    );
  }

  afterInit(server: Server): void {
    this.metrics.onScrape(() => {
      this.metrics.socketClients.set(server.engine?.clientsCount ?? 0);
      this.metrics.liveSubscriptions.set(this.subscriber.subscriptions);
    });
    // One warning when heartbeats start failing (Redis away), one line when they are back.
    let failing = false;
    const beat = (): void => {
      this.presence.heartbeat(this.instance).then(
        () => {
          if (failing)
            this.logger.log(
              { instance: this.instance },
              "heartbeat written again: this instance's sockets count as watchers",
            );
          failing = false;
        },
        (error: Error) => {
          if (!failing)
            this.logger.warn(
              { instance: this.instance },
              `heartbeat failed: ${error.message}; after ${INSTANCE_TTL_MS / 1000} s without one, other instances stop counting this one's watchers`,
            );
          failing = true;
        },
      );
    };
    beat();
    this.heartbeat = setInterval(beat, INSTANCE_TTL_MS / 3);
    this.heartbeat.unref();
    server.use((socket, next) => {
      const parsed = handshakeSchema.safeParse(socket.handshake.auth);
      if (!parsed.success) {
        next(
          new Error(
            `a display name is required: connect with auth { name: "..." } (1-60 characters, no control characters): ${formatInputErrors(zodIssuesToInputErrors(parsed.error.issues, { at: ['auth'] }), '; ')}`,
          ),
        );
        return;
      }
      (socket.data as SocketData) = {
        name: parsed.data.name,
        address: proxyaddr(socket.request, this.trustProxy),
        // Without a prototype: a cluster id such as `constructor` or `__proto__` is no joined
        // cluster (found by the socket fuzzing: `command` on `constructor` passed as joined).
        clusters: Object.create(null) as Record<string, Role>,
        vms: Object.create(null) as Record<string, true>,
      };
      next();
    });
    // One listener per socket, dispatched here, instead of NestJS's
    // @SubscribeMessage bindings: those cost about 37 KB of rxjs pipelines
    // per socket and handler, which at 1,000 watchers is most of the server's memory.
    server.on('connection', (socket: Socket) => {
      socket.onAny((event: string, ...args: unknown[]) => this.dispatch(socket, event, args));
      // The only disconnect path. (Not a method named handleDisconnect: NestJS calls that one too,
      // and a socket released twice released the cluster for every other watcher.)
      socket.on('disconnect', () => this.forgetSocket(socket));
    });
    this.subscriber.onMessage((clusterId, feed, payload) => {
      if (feed === 'vms') {
        this.deliver(vmRoom(clusterId), socketEvents.vms, JSON.parse(payload) as VmsEventPayload);
        return;
      }
      const message = JSON.parse(payload) as LiveMessage;
      if ('presence' in message) {
        this.lastTotal.set(clusterId, message.presence.total);
        this.deliver(room(clusterId), socketEvents.presence, message.presence);
        return;
      }
      // The worker built the event's payload; it is relayed as is (the frame inside is one
      // string: parsing only unescapes it, and the broadcast encodes it once for every socket).
      this.deliver(room(clusterId), socketEvents.frame, message.event);
      for (const outcome of message.outcomes) {
        this.server.local
          .to(room(clusterId))
          .emit(socketEvents.commandOutcome, { clusterId, ...outcome });
      }
    });
  }

  private readonly handlers: Record<string, (socket: Socket, body: unknown) => Promise<unknown>> = {
    [socketEvents.join]: (socket, body) => this.join(socket, body),
    [socketEvents.watchVms]: (socket, body) => this.watchVms(socket, body),
    [socketEvents.leave]: (socket, body) => this.leave(socket, body),
    [socketEvents.command]: (socket, body) => this.command(socket, body),
    [sweepSocketEvents.watchSweep]: (socket, body) => this.sweeps.watch(socket, body),
  };

  /**
   * Runs a client's event and answers its acknowledgement, if it asked for
   * one: an unknown event or a failure (Redis away) gets an error reply, and
   * never takes the socket or the process down.
   */
  private dispatch(socket: Socket, event: string, args: unknown[]): void {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (reply: unknown) => void) : undefined;
    const body = args[0] === last && ack ? undefined : args[0];
    const handler = Object.hasOwn(this.handlers, event) ? this.handlers[event] : undefined;
    if (!handler) {
      ack?.({
        ok: false,
        error: `unknown event "${String(event).slice(0, 60)}": expected one of ${Object.keys(this.handlers).join(', ')}`,
        code: 'event-unknown',
        params: { event: String(event).slice(0, 60) },
      });
      return;
    }
    this.withinLimit(socket)
      .then((over) => {
        if (over === null) return handler(socket, body);
        if (event === socketEvents.command) this.metrics.commands.inc({ outcome: 'rate-limited' });
        const { reason, limit } = over;
        const coded = { code: 'rate-limited', params: { limit } };
        return event === socketEvents.command
          ? { id: '', status: 'refused', reason, ...coded }
          : { ok: false, error: reason, ...coded };
      })
      .then(
        (reply) => ack?.(reply),
        (error: unknown) => {
          const clusterId = (body as { clusterId?: unknown } | undefined)?.clusterId;
          this.logger.warn(
            { event, ...(typeof clusterId === 'string' ? { clusterId } : {}) },
            `${event} failed: ${(error as Error).message}`,
          );
          const reason = `the server could not do this now (${(error as Error).message}); try again`;
          ack?.(
            event === socketEvents.command
              ? { id: '', status: 'refused', reason, code: 'try-again' }
              : { ok: false, error: reason, code: 'try-again' },
          );
        },
      );
  }

  /**
   * Counts one event against the connection's limit and its address's (over all its connections):
   * @nestjs/throttler's storage, 10 s windows. The reason when over, or null.
   */
  private async withinLimit(socket: Socket): Promise<{ reason: string; limit: number } | null> {
    const perSocket = this.config.RATE_LIMIT_SOCKET;
    const perAddress = this.config.RATE_LIMIT_SOCKET_ADDRESS;
    const { address } = socket.data as SocketData;
    const [own, all] = await Promise.all([
      this.limits.increment(`socket:${socket.id}`, 10_000, perSocket, 0, 'socket'),
      this.limits.increment(`socket-address:${address}`, 10_000, perAddress, 0, 'socket'),
    ]);
    if (own.totalHits > perSocket)
      return {
        reason: `too many events: at most ${perSocket} per 10 s on one connection (RATE_LIMIT_SOCKET); wait a few seconds`,
        limit: perSocket,
      };
    if (all.totalHits > perAddress)
      return {
        reason: `too many events: at most ${perAddress} per 10 s from one address over all its connections (RATE_LIMIT_SOCKET_ADDRESS); wait a few seconds`,
        limit: perAddress,
      };
    return null;
  }

  /**
   * A local broadcast (every instance gets the publish and serves its own sockets), encoded and
   * framed once, written to each WebSocket directly; sockets too far behind skip it.
   */
  private deliver(roomName: string, event: string, payload: unknown): void {
    const count = broadcastPreEncoded(this.server, roomName, event, payload);
    if (count.skipped > 0) this.metrics.deliveriesSkipped.inc({ event }, count.skipped);
  }

  async join(socket: Socket, body: unknown): Promise<JoinReply> {
    const parsed = joinRequestSchema.safeParse(body);
    if (!parsed.success) {
      const details = formatInputErrors(zodIssuesToInputErrors(parsed.error.issues), '; ');
      return {
        ok: false,
        error: `bad join: ${details}`,
        code: 'join-invalid',
        params: { details },
      };
    }
    const { clusterId, sinceTick, token, name } = parsed.data;
    const meta = await this.state.meta(clusterId);
    const role = meta ? this.clusters.roleFor(meta, token) : null;
    if (!meta || role === null)
      return {
        ok: false,
        error: `no cluster ${clusterId}`,
        code: 'cluster-not-found',
        params: { id: clusterId },
      };
    const data = socket.data as SocketData;
    data.name = name;
    const first = !(clusterId in data.clusters);
    data.clusters[clusterId] = role;
    if (first) {
      await this.subscriber.watch(clusterId, socket.id);
      await socket.join(room(clusterId));
    }
    // Gone while its join was in flight: release what the join took.
    if (socket.disconnected) {
      this.forgetSocket(socket);
      return { ok: false, error: 'disconnected', code: 'join-interrupted' };
    }
    await this.presence.addWatcher(clusterId, this.instance, socket.id, {
      name,
      role,
      since: Date.now(),
    });
    // A leave or a disconnect that ran while the entry was written has removed it already.
    if (!(clusterId in data.clusters)) {
      await this.presence.removeWatcher(clusterId, this.instance, socket.id);
      return {
        ok: false,
        error: `left cluster ${clusterId} while joining`,
        code: 'join-interrupted',
      };
    }
    this.announcePresence(clusterId);
    const snapshot = await this.frames.latestWireFrame(clusterId);
    let frames: string[] = [];
    let gap = false;
    const snapshotTick = snapshot === null ? null : wireTick(snapshot);
    if (sinceTick !== undefined && snapshotTick !== null && sinceTick < snapshotTick) {
      const oldest = await this.frames.oldestTick(clusterId);
      gap = oldest === null || sinceTick + 1 < oldest;
      // Up to the snapshot exactly: later ticks arrive as live frames (the room is already joined).
      frames = await this.frames.wireFramesBetween(clusterId, sinceTick + 1, snapshotTick);
    }
    return { ok: true, role, snapshot, frames, gap };
  }

  /** Per-VM metrics flow only to sockets that ask (the VM table is open), and are computed only then. */
  async watchVms(socket: Socket, body: unknown): Promise<AckReply> {
    const parsed = watchVmsSchema.safeParse(body);
    if (!parsed.success)
      return { ok: false, error: 'expected { clusterId, on: true | false }', code: 'invalid-body' };
    const { clusterId, on } = parsed.data;
    const data = socket.data as SocketData;
    if (!(clusterId in data.clusters))
      return {
        ok: false,
        error: `join cluster ${clusterId} first`,
        code: 'not-joined',
        params: { id: clusterId },
      };
    const watching = clusterId in data.vms;
    if (on && !watching) {
      data.vms[clusterId] = true;
      await this.subscriber.watch(clusterId, socket.id, 'vms');
      await socket.join(vmRoom(clusterId));
      await this.presence.addVmWatcher(clusterId, this.instance, socket.id);
      if (!(clusterId in data.vms))
        await this.presence.removeVmWatcher(clusterId, this.instance, socket.id);
    } else if (!on && watching) {
      await this.stopVms(socket, clusterId);
    }
    return { ok: true };
  }

  private async stopVms(socket: Socket, clusterId: string): Promise<void> {
    const data = socket.data as SocketData;
    if (!(clusterId in data.vms)) return;
    delete data.vms[clusterId];
    await socket.leave(vmRoom(clusterId));
    await this.subscriber.unwatch(clusterId, socket.id, 'vms');
    await this.presence
      .removeVmWatcher(clusterId, this.instance, socket.id)
      .catch((error: Error) =>
        this.logFailure(clusterId, socket, 'removing a per-VM watcher', error),
      );
  }

  async leave(socket: Socket, body: unknown): Promise<AckReply> {
    const clusterId =
      typeof body === 'object' && body !== null
        ? (body as { clusterId?: unknown }).clusterId
        : undefined;
    const data = socket.data as SocketData;
    if (typeof clusterId !== 'string')
      return { ok: false, error: 'expected { clusterId }', code: 'invalid-body' };
    if (!(clusterId in data.clusters))
      return {
        ok: false,
        error: `not joined to cluster ${clusterId.slice(0, 64)}`,
        code: 'not-joined',
        params: { id: clusterId.slice(0, 64) },
      };
    await this.drop(socket, clusterId);
    return { ok: true };
  }

  async command(socket: Socket, body: unknown): Promise<CommandOutcome> {
    const { clusterId, ...rest } =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const parsed = parseClusterCommand(rest);
    if (typeof clusterId !== 'string' || !parsed.ok) {
      const errors = parsed.ok ? [] : parsed.errors.map((e) => `${e.path}: ${e.message}`);
      if (typeof clusterId !== 'string')
        errors.unshift('clusterId: expected the id of a joined cluster');
      const details = errors.join('; ');
      return {
        id: '',
        status: 'refused',
        reason: `not a valid command: ${details}`,
        code: 'invalid-command',
        params: { details },
      };
    }
    const request = parsed.request;
    const data = socket.data as SocketData;
    const role = data.clusters[clusterId];
    if (role === undefined)
      return {
        id: request.id ?? '',
        status: 'refused',
        reason: `join cluster ${clusterId} first`,
        code: 'not-joined',
        params: { id: clusterId.slice(0, 64) },
      };
    return this.clusters.command(clusterId, request, data.name, role);
  }

  /**
   * On SIGTERM, before the connections close: take this instance's watchers out of presence, then
   * tell every socket to reconnect and close its transport; socket.io clients reconnect by themselves
   * (through the front door, to another instance, since this one stops accepting) and resume with
   * sinceTick, so watchers lose no frame.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    for (const timer of this.presenceDue.values()) clearTimeout(timer);
    // Best effort, logged: what is left behind stops counting when this instance's heartbeat expires.
    const left = `they stop counting within ${INSTANCE_TTL_MS / 1000} s, when this instance's heartbeat expires`;
    const joined = [...this.server.sockets.sockets.values()].map((socket) => ({
      socketId: socket.id,
      clusterIds: Object.keys((socket.data as SocketData | undefined)?.clusters ?? {}),
    }));
    await Promise.all([
      this.presence
        .forgetInstance(this.instance)
        .catch((error: Error) =>
          this.logger.warn(
            { instance: this.instance },
            `shutting down: this instance's heartbeat not removed (${error.message}); ${left}`,
          ),
        ),
      this.presence
        .removeSockets(this.instance, joined)
        .catch((error: Error) =>
          this.logger.warn(
            { instance: this.instance },
            `shutting down: watchers of ${joined.length} sockets not all removed (${error.message}); ${left}`,
          ),
        ),
    ]);
    const sockets = [...this.server.sockets.sockets.values()];
    if (sockets.length > 0)
      this.logger.log(`shutting down: ${sockets.length} sockets told to reconnect`);
    for (const socket of sockets) {
      socket.emit(socketEvents.serverShutdown, { reason: 'this API instance is shutting down' });
      // A transport close (not a server-side disconnect) is what makes the client reconnect.
      socket.conn.close();
    }
  }

  /** A socket gone (closed, lost, crashed): it lets go of every cluster it watched. */
  private forgetSocket(socket: Socket): void {
    const data = socket.data as SocketData | undefined;
    if (!data?.clusters || this.closing) return;
    for (const clusterId of Object.keys(data.clusters))
      this.drop(socket, clusterId).catch((error: Error) =>
        this.logFailure(clusterId, socket, 'releasing a watcher that disconnected', error),
      );
  }

  /**
   * The socket stops watching the cluster. Idempotent: the first call takes the socket out of
   * the cluster's watchers before anything else runs, so a leave racing a disconnect drops once.
   */
  private async drop(socket: Socket, clusterId: string): Promise<void> {
    const data = socket.data as SocketData;
    if (!(clusterId in data.clusters)) return;
    delete data.clusters[clusterId];
    await this.stopVms(socket, clusterId);
    await socket.leave(room(clusterId));
    await this.subscriber.unwatch(clusterId, socket.id);
    await this.presence
      .removeWatcher(clusterId, this.instance, socket.id)
      .catch((error: Error) =>
        this.logFailure(clusterId, socket, 'removing a watcher from presence', error),
      );
    this.announcePresence(clusterId);
  }

  private logFailure(clusterId: string, socket: Socket, what: string, error: Error): void {
    this.logger.warn({ clusterId, socketId: socket.id }, `${what} failed: ${error.message}`);
  }

  /**
   * Who is watching a cluster, across instances: published on the cluster's live channel, which
   * every instance with watchers of it relays to its own sockets like a frame. Coalesced (see
   * presenceDelay).
   */
  private announcePresence(clusterId: string): void {
    if (this.presenceDue.has(clusterId)) return;
    const timer = setTimeout(
      () => {
        this.presenceDue.delete(clusterId);
        this.sendPresence(clusterId).catch((error: Error) =>
          // The next join or leave announces again; until then watchers see the last list.
          this.logger.warn({ clusterId }, `announcing who watches failed: ${error.message}`),
        );
      },
      presenceDelay(this.lastTotal.get(clusterId) ?? 0),
    );
    timer.unref();
    this.presenceDue.set(clusterId, timer);
  }

  private async sendPresence(clusterId: string): Promise<void> {
    const all = await this.presence.presence(clusterId);
    const watchers = [
      ...all.filter((w) => w.role === 'operator'),
      ...all.filter((w) => w.role !== 'operator'),
    ].slice(0, PRESENCE_LIST_MAX);
    const presence: Presence = { clusterId, total: all.length, watchers };
    if (all.length === 0) this.lastTotal.delete(clusterId);
    await this.presence.publishPresence(presence);
  }
}
