import { Inject, Injectable } from '@nestjs/common';
import {
  type Command,
  type CommandOutcome,
  decodeFrame,
  type Frame,
  type LiveMessage,
  quantizeCluster,
} from '@overcommit/contracts';
import type { SimState } from '@overcommit/sim';
import { Redis } from 'ioredis';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { REDIS } from '../redis/redis.module';
import {
  clusterIndexKey,
  clusterKeys,
  type ClusterKeys,
  creatorKey,
  instancesKey,
} from './cluster-keys';
import { decodeState, encodeState } from './state-codec';

/** An API instance missing its heartbeats this long is taken for dead, with its sockets. */
export const INSTANCE_TTL_MS = 15_000;

/** One watcher in the presence hash. */
export interface Watcher {
  name: string;
  role: 'operator' | 'viewer';
  since: number;
}

/** What a cluster's meta hash holds, parsed. */
export interface ClusterMeta {
  id: string;
  name: string;
  visibility: 'public' | 'private';
  /** The scenario's tick interval at speed 1. */
  baseTickMs: number;
  speed: number;
  paused: boolean;
  createdAt: number;
  /** Wall-clock anchor of the tick schedule: tick `anchorTick` was due at `anchorAt`. */
  anchorAt: number;
  anchorTick: number;
  tick: number;
  time: number;
  lastCommandId: string;
  operatorHash: string;
  viewerHash: string;
  /** The last frame's cluster figures (JSON), for listings. */
  summary: string;
  lagMs: number;
  /** The exercise this cluster is a team's copy of ('' for none), the team, the instructor's token hash. */
  exerciseId: string;
  team: string;
  instructorHash: string;
  /** A hash of the client address that created it ('' for older clusters): its share of MAX_CLUSTERS_PER_ADDRESS. */
  creator: string;
}

/**
 * Atomically: room for ARGV[3..] new cluster ids in the deployment (at most ARGV[1]) and for the
 * creator (at most ARGV[2])? Then they are reserved in both sets. Returns 0 (reserved), 1 (the
 * deployment is full) or 2 (the creator has its share).
 */
const RESERVE = `
local n = #ARGV - 2
if redis.call('SCARD', KEYS[1]) + n > tonumber(ARGV[1]) then return 1 end
if redis.call('SCARD', KEYS[2]) + n > tonumber(ARGV[2]) then return 2 end
for i = 3, #ARGV do
  redis.call('SADD', KEYS[1], ARGV[i])
  redis.call('SADD', KEYS[2], ARGV[i])
end
return 0
`;

/**
 * Atomically: if the stored tick is still the one the worker started from,
 * save the new state, advance the meta, append the frame to the capped
 * history (entry id `<tick>-1`), record command outcomes and publish the
 * frame. A job run twice, or two workers, can never apply a tick twice.
 */
const COMMIT = `
local current = tonumber(redis.call('HGET', KEYS[2], 'tick') or '-1')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], 'tick', ARGV[2], 'time', ARGV[4], 'lastCommandId', ARGV[5], 'summary', ARGV[6], 'lagMs', ARGV[7])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[8], ARGV[2] .. '-1', 'f', ARGV[9])
for i = 12, #ARGV, 2 do redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]) end
redis.call('PUBLISH', ARGV[10], ARGV[11])
return 1
`;

export interface CommitInput {
  fromTick: number;
  state: SimState;
  frame: Frame;
  /** The frame in its wire form (encodeFrame): what the history keeps and the channel carries. */
  wire: string;
  lastCommandId: string;
  lagMs: number;
  /** Command outcomes settled by this tick. */
  outcomes: CommandOutcome[];
}

@Injectable()
export class ClustersRepository {
  readonly prefix: string;
  /** Frames kept per cluster: one hour at one tick a second. */
  readonly historyLength = 3600;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.prefix = config.REDIS_PREFIX;
    this.redis.defineCommand('ocCommit', { numberOfKeys: 4, lua: COMMIT });
    this.redis.defineCommand('ocReserve', { numberOfKeys: 2, lua: RESERVE });
  }

  /**
   * Reserves places for new clusters (listed in the index before they exist; readers skip ids
   * without a meta), within the deployment's and the creator's limits.
   */
  async reserve(
    ids: readonly string[],
    creator: string,
    limits: { total: number; perCreator: number },
  ): Promise<'reserved' | 'full' | 'creator-full'> {
    const result = await (
      this.redis as Redis & { ocReserve(...args: (string | number)[]): Promise<number> }
    ).ocReserve(
      clusterIndexKey(this.prefix),
      creatorKey(this.prefix, creator),
      limits.total,
      limits.perCreator,
      ...ids,
    );
    return result === 0 ? 'reserved' : result === 1 ? 'full' : 'creator-full';
  }

  /** Gives back places reserved for clusters that were not created. */
  async release(ids: readonly string[], creator: string): Promise<void> {
    await this.redis
      .multi()
      .srem(clusterIndexKey(this.prefix), ...ids)
      .srem(creatorKey(this.prefix, creator), ...ids)
      .exec();
  }

  keys(id: string): ClusterKeys {
    return clusterKeys(this.prefix, id);
  }

  async create(meta: ClusterMeta, state: SimState): Promise<void> {
    const k = this.keys(meta.id);
    await this.redis
      .multi()
      .hset(k.meta, serializeMeta(meta))
      .set(k.state, encodeState(state))
      .sadd(clusterIndexKey(this.prefix), meta.id)
      .exec();
  }

  async ids(): Promise<string[]> {
    return this.redis.smembers(clusterIndexKey(this.prefix));
  }

  async meta(id: string): Promise<ClusterMeta | null> {
    const raw = await this.redis.hgetall(this.keys(id).meta);
    return raw['id'] ? parseMeta(raw) : null;
  }

  async updateMeta(id: string, fields: Partial<ClusterMeta>): Promise<void> {
    await this.redis.hset(this.keys(id).meta, serializeMeta(fields));
  }

  async state(id: string): Promise<SimState | null> {
    const raw = await this.redis.getBuffer(this.keys(id).state);
    return raw ? decodeState(raw) : null;
  }

  /** Sockets asking for per-VM metrics, on live instances only. */
  async vmWatchers(id: string): Promise<number> {
    const key = this.keys(id).vmWatchers;
    return (await this.alive(key, await this.redis.hkeys(key))).length;
  }

  /** An API instance says it is alive; its sockets count as watchers while it does. */
  async heartbeat(instance: string): Promise<void> {
    const key = instancesKey(this.prefix);
    const now = Date.now();
    await this.redis
      .multi()
      .zadd(key, now, instance)
      .zremrangebyscore(key, '-inf', now - 10 * INSTANCE_TTL_MS)
      .exec();
  }

  async forgetInstance(instance: string): Promise<void> {
    await this.redis.zrem(instancesKey(this.prefix), instance);
  }

  /**
   * Instances seen within the last INSTANCE_TTL_MS. Every tick and join asks,
   * so a reading is kept for a second unless `fresh` is asked for.
   */
  async liveInstances(fresh = false): Promise<Set<string>> {
    const now = Date.now();
    if (!fresh && this.live && now - this.live.at < 1_000) return this.live.ids;
    const ids = new Set(
      await this.redis.zrangebyscore(instancesKey(this.prefix), now - INSTANCE_TTL_MS, '+inf'),
    );
    this.live = { at: now, ids };
    return ids;
  }
  private live: { at: number; ids: Set<string> } | undefined;

  /**
   * The fields of live instances; those of instances that died without
   * cleaning up (a crash, a kill) are deleted on the way.
   */
  private async alive(key: string, fields: string[]): Promise<string[]> {
    const instanceOf = (field: string) => field.split('|')[0]!;
    let live = await this.liveInstances();
    // An instance missing from the kept reading may have started since: ask Redis before deleting.
    if (fields.some((field) => !live.has(instanceOf(field)))) live = await this.liveInstances(true);
    const alive: string[] = [];
    const dead: string[] = [];
    for (const field of fields) (live.has(instanceOf(field)) ? alive : dead).push(field);
    if (dead.length > 0) this.redis.hdel(key, ...dead).catch(() => 0);
    return alive;
  }

  /** Who watches a cluster (on live instances), oldest first. */
  async presence(id: string): Promise<Watcher[]> {
    const key = this.keys(id).presence;
    const entries = await this.redis.hgetall(key);
    return (await this.alive(key, Object.keys(entries)))
      .map((field) => JSON.parse(entries[field]!) as Watcher)
      .sort((a, b) => a.since - b.since);
  }

  /** Every cluster's meta and watcher count in one round trip. */
  async metasWithWatchers(): Promise<{ meta: ClusterMeta; watchers: number }[]> {
    const ids = await this.ids();
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys(id).meta).hkeys(this.keys(id).presence);
    const replies = (await pipeline.exec()) ?? [];
    const out = await Promise.all(
      ids.map(async (id, i) => {
        const raw = replies[2 * i]?.[1] as Record<string, string> | undefined;
        const fields = (replies[2 * i + 1]?.[1] as string[] | undefined) ?? [];
        if (!raw?.['id']) return null;
        const watchers = (await this.alive(this.keys(id).presence, fields)).length;
        return { meta: parseMeta(raw), watchers };
      }),
    );
    return out.filter((entry) => entry !== null);
  }

  /** Per-VM metrics go on their own channel, so the frame stream and its subscribers stay host-level. */
  async publishVms(id: string, tick: number, vms: string): Promise<void> {
    await this.redis.publish(this.keys(id).vmChannel, JSON.stringify({ clusterId: id, tick, vms }));
  }

  async watchers(id: string): Promise<number> {
    return (await this.presence(id)).length;
  }

  async delete(id: string): Promise<void> {
    const k = this.keys(id);
    const creator = await this.redis.hget(k.meta, 'creator');
    const multi = this.redis
      .multi()
      .del(k.meta, k.state, k.commands, k.frames, k.outcomes, k.presence, k.vmWatchers)
      .srem(clusterIndexKey(this.prefix), id);
    if (creator) multi.srem(creatorKey(this.prefix, creator), id);
    await multi.exec();
  }

  /** Queues a command for the cluster's next tick; returns false when the cluster does not exist. */
  async enqueueCommand(id: string, command: Command): Promise<boolean> {
    const k = this.keys(id);
    const exists = await this.redis.exists(k.meta);
    if (!exists) return false;
    await this.redis
      .multi()
      .xadd(k.commands, 'MAXLEN', '~', '10000', '*', 'c', JSON.stringify(command))
      .hset(k.outcomes, command.id, JSON.stringify({ id: command.id, status: 'queued' }))
      .exec();
    return true;
  }

  /** Commands queued after `afterId`, in order, with the id of the last. */
  async pendingCommands(
    id: string,
    afterId: string,
  ): Promise<{ commands: Command[]; lastId: string }> {
    const entries = await this.redis.xrange(
      this.keys(id).commands,
      afterId === '0' ? '-' : `(${afterId}`,
      '+',
      'COUNT',
      1000,
    );
    const commands = entries.map(([, fields]) => JSON.parse(fields[1]!) as Command);
    return { commands, lastId: entries.at(-1)?.[0] ?? afterId };
  }

  async outcome(id: string, commandId: string): Promise<string | null> {
    return this.redis.hget(this.keys(id).outcomes, commandId);
  }

  /** Applies a tick atomically; false when another run got there first. */
  async commit(id: string, input: CommitInput): Promise<boolean> {
    const k = this.keys(id);
    const message: LiveMessage = {
      event: {
        clusterId: id,
        tick: input.frame.tick,
        sentAt: Date.now(),
        lagMs: Math.round(input.lagMs),
        frame: input.wire,
      },
      outcomes: input.outcomes,
    };
    const result = await (
      this.redis as Redis & { ocCommit(...args: (string | number | Buffer)[]): Promise<number> }
    ).ocCommit(
      k.state,
      k.meta,
      k.frames,
      k.outcomes,
      input.fromTick,
      input.frame.tick,
      encodeState(input.state),
      input.frame.time,
      input.lastCommandId,
      JSON.stringify(quantizeCluster(input.frame.cluster)),
      Math.round(input.lagMs),
      this.historyLength,
      input.wire,
      k.channel,
      JSON.stringify(message),
      ...input.outcomes.flatMap((o) => [o.id, JSON.stringify(o)]),
    );
    return result === 1;
  }

  /**
   * Wire frames between two ticks (inclusive), oldest first, every `every`th
   * tick counted from `from`, from at most `limit` ticks of the history.
   * Every tick is one entry `<tick>-1` and ticks are consecutive, so with
   * `every > 1` only the wanted entries are read (one `XRANGE t-1 t-1` each,
   * pipelined) instead of the whole range: a 60-minute window of a 50-host
   * cluster at every=10 reads a tenth of the bytes.
   */
  async wireFramesBetween(
    id: string,
    from: number,
    to: number,
    every = 1,
    limit = this.historyLength,
  ): Promise<string[]> {
    const key = this.keys(id).frames;
    if (every <= 1) {
      const entries = await this.redis.xrange(key, `${from}-0`, `${to}-1`, 'COUNT', limit);
      return entries.map(([, fields]) => fields[1]!);
    }
    // What the history holds of the range: the same span one XRANGE with COUNT `limit` would read.
    const bounds = await this.redis
      .pipeline()
      .xrange(key, `${from}-0`, `${to}-1`, 'COUNT', 1)
      .xrevrange(key, `${to}-1`, `${from}-0`, 'COUNT', 1)
      .exec();
    const tickOf = (reply: [Error | null, unknown] | undefined) => {
      if (reply?.[0]) throw reply[0];
      const [entry] = (reply?.[1] as [string, string[]][] | undefined) ?? [];
      return entry ? Number(entry[0].split('-')[0]) : null;
    };
    const first = tickOf(bounds?.[0]);
    const last = tickOf(bounds?.[1]);
    if (first === null || last === null) return [];
    const end = Math.min(last, first + limit - 1);
    const pipeline = this.redis.pipeline();
    // The first wanted tick at or after the oldest one kept.
    for (let t = from + Math.ceil((first - from) / every) * every; t <= end; t += every)
      pipeline.xrange(key, `${t}-1`, `${t}-1`);
    if (pipeline.length === 0) return [];
    const replies = (await pipeline.exec()) ?? [];
    const frames: string[] = [];
    for (const [error, entries] of replies) {
      if (error) throw error;
      for (const [, fields] of entries as [string, string[]][]) frames.push(fields[1]!);
    }
    return frames;
  }

  /** The oldest tick still in the history, or null when it is empty. */
  async oldestTick(id: string): Promise<number | null> {
    const [first] = await this.redis.xrange(this.keys(id).frames, '-', '+', 'COUNT', 1);
    return first ? Number(first[0].split('-')[0]) : null;
  }

  async latestWireFrame(id: string): Promise<string | null> {
    const [last] = await this.redis.xrevrange(this.keys(id).frames, '+', '-', 'COUNT', 1);
    return last ? last[1][1]! : null;
  }

  async latestFrame(id: string): Promise<Frame | null> {
    const wire = await this.latestWireFrame(id);
    return wire === null ? null : decodeFrame(wire);
  }
}

function serializeMeta(meta: Partial<ClusterMeta>): Record<string, string> {
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, String(v)]));
}

function parseMeta(raw: Record<string, string>): ClusterMeta {
  const num = (k: string) => Number(raw[k] ?? 0);
  return {
    id: raw['id']!,
    name: raw['name'] ?? '',
    visibility: raw['visibility'] === 'private' ? 'private' : 'public',
    baseTickMs: num('baseTickMs'),
    speed: num('speed') || 1,
    paused: raw['paused'] === 'true',
    createdAt: num('createdAt'),
    anchorAt: num('anchorAt'),
    anchorTick: num('anchorTick'),
    tick: num('tick'),
    time: num('time'),
    lastCommandId: raw['lastCommandId'] ?? '0',
    operatorHash: raw['operatorHash'] ?? '',
    viewerHash: raw['viewerHash'] ?? '',
    summary: raw['summary'] ?? '',
    lagMs: num('lagMs'),
    exerciseId: raw['exerciseId'] ?? '',
    team: raw['team'] ?? '',
    instructorHash: raw['instructorHash'] ?? '',
    creator: raw['creator'] ?? '',
  };
}
