import { Injectable } from '@nestjs/common';
import {
  type Command,
  type CommandOutcome,
  type Frame,
  quantizeCluster,
} from '@overcommit/contracts';
import type { SimState } from '@overcommit/sim';
import { FRAME_HISTORY_LENGTH, liveMessage } from './frame-history.repository';
import { clusterIndexKey, clusterKeys, type ClusterKeys, creatorKey } from './keys';
import { RedisRepository } from './redis-repository';
import { LuaScript } from './lua-script';
import { batch } from '../redis/batch';
import { isCluster } from '../redis/redis.module';
import { publishCommand } from '../redis/pubsub';
import { decodeState, encodeState } from './state-codec';

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
  /** For a what-if fork: the cluster it copies ('' for none) and the tick it copied. */
  forkOfId: string;
  forkOfTick: number;
  /** While running ahead: the simulated time (seconds) to run to as fast as the engine goes; 0 otherwise. */
  aheadUntil: number;
}

/** A cluster as one committed tick left it, read atomically: meta, engine state, recent frames. */
export interface ClusterSnapshot {
  meta: ClusterMeta;
  /** The engine state as stored (state-codec.ts): copied as is unless something in it must change. */
  state: Buffer;
  /** The newest frames up to the snapshot's tick, oldest first: `[entry id, wire]`. */
  frames: [string, string][];
}

/**
 * Atomically: room for the new cluster ids in the deployment (at most `total`) and for the creator
 * (at most `perCreator`)? Then they are reserved in both sets. Returns 0 (reserved), 1 (the
 * deployment is full) or 2 (the creator has its share).
 */
export const RESERVE = new LuaScript({
  name: 'ocReserve',
  keys: ['clusterIndex', 'creatorClusters'],
  args: ['total', 'perCreator'],
  rest: 'the cluster ids to reserve',
  body: `
local n = #ARGV - restAt + 1
if redis.call('SCARD', clusterIndex) + n > tonumber(total) then return 1 end
if redis.call('SCARD', creatorClusters) + n > tonumber(perCreator) then return 2 end
for i = restAt, #ARGV do
  redis.call('SADD', clusterIndex, ARGV[i])
  redis.call('SADD', creatorClusters, ARGV[i])
end
return 0
`,
});

/**
 * How many command outcomes a cluster keeps (the newest; as many as its command queue can hold):
 * enough for any client's retry of a command to find its first outcome, and a bound on the
 * outcomes hash, which a long-lived cluster would otherwise grow by one field per command for
 * ever (the soak, bench/soak.ts, found it).
 */
export const OUTCOMES_KEPT = 10_000;

/** Lua: forget the oldest outcomes beyond `outcomesKept` (the order set holds ids by queue time). */
const TRIM_OUTCOMES = `
local excess = redis.call('ZCARD', outcomeOrderKey) - tonumber(outcomesKept)
if excess > 0 then
  local old = redis.call('ZPOPMIN', outcomeOrderKey, excess)
  for i = 1, #old, 2 do redis.call('HDEL', outcomesKey, old[i]) end
end`;

/**
 * Atomically: if the stored tick is still the one the worker started from,
 * save the new state, advance the meta, append the frame to the capped
 * history (entry id `<tick>-1`), drop the commands it consumed from the queue
 * (all before the last, which stays as the queue's mark), record command
 * outcomes and publish the frame (`publish`: PUBLISH, or SPUBLISH on a Redis
 * Cluster, where the channel shares the keys' slot). A job run twice, or two
 * workers, can never apply a tick twice.
 */
export const COMMIT = new LuaScript({
  name: 'ocCommit',
  keys: ['stateKey', 'metaKey', 'framesKey', 'commandsKey', 'outcomesKey', 'outcomeOrderKey'],
  args: [
    'fromTick',
    'tick',
    'state',
    'time',
    'lastCommandId',
    'summary',
    'lagMs',
    'historyLength',
    'wire',
    'publish',
    'channel',
    'message',
    'outcomesKept',
  ],
  rest: 'command id, outcome (JSON), for each outcome the tick settled',
  body: `
local current = tonumber(redis.call('HGET', metaKey, 'tick') or '-1')
if current ~= tonumber(fromTick) then return 0 end
redis.call('SET', stateKey, state)
redis.call('HSET', metaKey, 'tick', tick, 'time', time, 'lastCommandId', lastCommandId, 'summary', summary, 'lagMs', lagMs)
redis.call('XADD', framesKey, 'MAXLEN', '~', historyLength, tick .. '-1', 'f', wire)
if lastCommandId ~= '0' then redis.call('XTRIM', commandsKey, 'MINID', lastCommandId) end
-- Commands queued by ENQUEUE have their place in the order already; another outcome (one whose
-- place was trimmed meanwhile) takes the place of the last command this tick consumed.
local at = tonumber((string.match(lastCommandId, '^(%d+)')) or '0')
for i = restAt, #ARGV, 2 do
  redis.call('HSET', outcomesKey, ARGV[i], ARGV[i + 1])
  redis.call('ZADD', outcomeOrderKey, 'NX', at, ARGV[i])
end
${TRIM_OUTCOMES}
redis.call(publish, channel, message)
return 1
`,
});

/**
 * Run-ahead's commit (TickRunner.runAhead): several ticks at once. Atomically, if the stored tick
 * is still the one the batch started from: save the batch's last state, advance the meta, append
 * every tick's frame to the history (`rest`: tick, wire, tick, wire...; outcomes go in `outcomes`
 * as JSON pairs), drop the consumed commands and publish only the last frame (watchers get a few a
 * second, and a gap they fill from the history). With `done` = 1 the run-ahead is over: its
 * target is cleared and the schedule re-anchored at the last tick (`anchorAt`), so the cluster
 * carries on at its speed from there.
 */
export const COMMIT_AHEAD = new LuaScript({
  name: 'ocCommitAhead',
  keys: ['stateKey', 'metaKey', 'framesKey', 'commandsKey', 'outcomesKey', 'outcomeOrderKey'],
  args: [
    'fromTick',
    'tick',
    'state',
    'time',
    'lastCommandId',
    'summary',
    'historyLength',
    'outcomes',
    'done',
    'anchorAt',
    'publish',
    'channel',
    'message',
    'outcomesKept',
  ],
  rest: 'tick, wire, for each tick of the batch in order',
  body: `
local current = tonumber(redis.call('HGET', metaKey, 'tick') or '-1')
if current ~= tonumber(fromTick) then return 0 end
redis.call('SET', stateKey, state)
redis.call('HSET', metaKey, 'tick', tick, 'time', time, 'lastCommandId', lastCommandId, 'summary', summary, 'lagMs', 0)
if done == '1' then
  redis.call('HSET', metaKey, 'aheadUntil', 0, 'anchorAt', anchorAt, 'anchorTick', tick)
end
for i = restAt, #ARGV, 2 do
  redis.call('XADD', framesKey, 'MAXLEN', '~', historyLength, ARGV[i] .. '-1', 'f', ARGV[i + 1])
end
if lastCommandId ~= '0' then redis.call('XTRIM', commandsKey, 'MINID', lastCommandId) end
local at = tonumber((string.match(lastCommandId, '^(%d+)')) or '0')
local settled = cjson.decode(outcomes)
for i = 1, #settled, 2 do
  redis.call('HSET', outcomesKey, settled[i], settled[i + 1])
  redis.call('ZADD', outcomeOrderKey, 'NX', at, settled[i])
end
${TRIM_OUTCOMES}
redis.call(publish, channel, message)
return 1
`,
});

/**
 * Atomically: queue a command unless its id already has an outcome (queued, accepted or refused).
 * Returns the outcome in force (the new `queued` or the one there), or 0 when the cluster has no
 * meta. Two requests with one id (a client's retry while the first is still in flight) cannot
 * both queue it: the engine would refuse the second as already applied, and that refusal would
 * overwrite the first one's outcome.
 */
export const ENQUEUE = new LuaScript({
  name: 'ocEnqueue',
  keys: ['metaKey', 'commandsKey', 'outcomesKey', 'outcomeOrderKey'],
  args: ['commandId', 'command', 'queued', 'outcomesKept'],
  body: `
if redis.call('EXISTS', metaKey) == 0 then return 0 end
local previous = redis.call('HGET', outcomesKey, commandId)
if previous then return previous end
local entry = redis.call('XADD', commandsKey, 'MAXLEN', '~', '10000', '*', 'c', command)
redis.call('HSET', outcomesKey, commandId, queued)
-- Ordered by the queue entry's time (its id's milliseconds).
redis.call('ZADD', outcomeOrderKey, tonumber((string.match(entry, '^(%d+)'))), commandId)
${TRIM_OUTCOMES}
return queued
`,
});

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

/**
 * A cluster's own state: its meta hash and engine state, its place in the index and in its
 * creator's share, the command queue and the outcomes, and the tick's atomic commit (which also
 * appends to the frame history and publishes the frame). Deleting a cluster deletes every key it has.
 */
@Injectable()
export class ClusterStateRepository extends RedisRepository {
  // Field initializers run after RedisRepository's constructor: the connection is there.
  private readonly runCommit = COMMIT.define(this.redis);
  private readonly runReserve = RESERVE.define(this.redis);
  private readonly runEnqueue = ENQUEUE.define(this.redis);
  private readonly runCommitAhead = COMMIT_AHEAD.define(this.redis);
  /** How many command outcomes each cluster keeps (a test lowers it to see the oldest go). */
  outcomesKept = OUTCOMES_KEPT;

  private keys(id: string): ClusterKeys {
    return clusterKeys(this.prefix, id);
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
    const result = await this.runReserve({
      keys: {
        clusterIndex: clusterIndexKey(this.prefix),
        creatorClusters: creatorKey(this.prefix, creator),
      },
      args: { total: limits.total, perCreator: limits.perCreator },
      rest: ids,
    });
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

  /**
   * Writes a new cluster's meta and state (one slot, one MULTI) and lists it in the index, where
   * its reservation put it already (the index is in another slot on a Redis Cluster).
   */
  async create(meta: ClusterMeta, state: SimState): Promise<void> {
    const k = this.keys(meta.id);
    await this.redis
      .multi()
      .hset(k.meta, serializeMeta(meta))
      .set(k.state, encodeState(state))
      .exec();
    await this.redis.sadd(clusterIndexKey(this.prefix), meta.id);
  }

  /**
   * The cluster as its last committed tick left it: meta, state and the newest `frames` frames, in
   * one MULTI on the cluster's slot, so a tick committed meanwhile (one script) is wholly in it or
   * wholly not. Null when the cluster has no meta or no state (deleted, or being deleted).
   */
  async snapshot(id: string, frames: number): Promise<ClusterSnapshot | null> {
    const k = this.keys(id);
    const replies = await this.redis
      .multi()
      .hgetall(k.meta)
      .getBuffer(k.state)
      .xrevrange(k.frames, '+', '-', 'COUNT', frames)
      .exec();
    if (!replies) return null;
    for (const [error] of replies) if (error) throw error;
    const raw = replies[0]![1] as Record<string, string>;
    const state = replies[1]![1] as Buffer | null;
    if (!raw['id'] || !state) return null;
    const entries = (replies[2]![1] as [string, string[]][]).map(
      ([entryId, fields]) => [entryId, fields[1]!] as [string, string],
    );
    return { meta: parseMeta(raw), state, frames: entries.reverse() };
  }

  /**
   * On one Redis (not a Redis Cluster, where the fork's keys live in another slot): copies the
   * source's state and newest `frames` frames to the fork's keys inside Redis, in one MULTI with
   * the read of its meta (one committed tick, as `snapshot`), without carrying megabytes through
   * this process. Returns the source's meta, or null when it has none (nothing is left behind).
   * The caller then writes the fork's meta (`createFork` with no state).
   */
  async copyForFork(sourceId: string, forkId: string, frames: number): Promise<ClusterMeta | null> {
    if (isCluster(this.redis)) throw new Error('copyForFork is for one Redis');
    const s = this.keys(sourceId);
    const f = this.keys(forkId);
    const replies = await this.redis
      .multi()
      .hgetall(s.meta)
      .copy(s.state, f.state)
      .copy(s.frames, f.frames)
      .xtrim(f.frames, 'MAXLEN', frames)
      .exec();
    for (const [error] of replies ?? []) if (error) throw error;
    const raw = replies?.[0]?.[1] as Record<string, string> | undefined;
    if (!raw?.['id'] || replies?.[1]?.[1] !== 1) {
      await this.redis.del(f.state, f.frames);
      return null;
    }
    return parseMeta(raw);
  }

  /** Whether keys may be copied inside Redis (`copyForFork`): one Redis, not a Redis Cluster. */
  get copiesInPlace(): boolean {
    return !isCluster(this.redis);
  }

  /**
   * Writes a fork (a new cluster copied from a snapshot): meta, state and the copied frames under
   * their entry ids, in one MULTI on the new cluster's slot, then lists it in the index, where its
   * reservation put it already.
   */
  async createFork(
    meta: ClusterMeta,
    /** The state to write, or null when `copyForFork` copied it already (and the frames). */
    state: SimState | Buffer | null,
    frames: [string, string][],
  ): Promise<void> {
    const k = this.keys(meta.id);
    const multi = this.redis.multi().hset(k.meta, serializeMeta(meta));
    if (state !== null) multi.set(k.state, Buffer.isBuffer(state) ? state : encodeState(state));
    for (const [entryId, wire] of frames) multi.xadd(k.frames, entryId, 'f', wire);
    const replies = await multi.exec();
    for (const [error] of replies ?? []) if (error) throw error;
    await this.redis.sadd(clusterIndexKey(this.prefix), meta.id);
  }

  async ids(): Promise<string[]> {
    return this.redis.smembers(clusterIndexKey(this.prefix));
  }

  async meta(id: string): Promise<ClusterMeta | null> {
    const raw = await this.redis.hgetall(this.keys(id).meta);
    return raw['id'] ? parseMeta(raw) : null;
  }

  /** The clusters' metas in one round trip, null for an id without one (reserved, or deleted). */
  async metas(ids: readonly string[]): Promise<(ClusterMeta | null)[]> {
    const replies = await batch(
      this.redis,
      ids.map((id) => ['hgetall', this.keys(id).meta] as const),
    );
    return ids.map((_, i) => {
      const raw = replies[i]?.[1] as Record<string, string> | undefined;
      return raw?.['id'] ? parseMeta(raw) : null;
    });
  }

  async updateMeta(id: string, fields: Partial<ClusterMeta>): Promise<void> {
    await this.redis.hset(this.keys(id).meta, serializeMeta(fields));
  }

  async state(id: string): Promise<SimState | null> {
    const raw = await this.redis.getBuffer(this.keys(id).state);
    return raw ? decodeState(raw) : null;
  }

  /**
   * Deletes every key of the cluster (state, history, presence; one slot), then gives back its
   * places in the index and its creator's set (another slot on a Redis Cluster). Readers skip an
   * id without a meta, so between the two it is already gone for them.
   */
  async delete(id: string): Promise<void> {
    const k = this.keys(id);
    const creator = await this.redis.hget(k.meta, 'creator');
    await this.redis.del(
      k.meta,
      k.state,
      k.commands,
      k.frames,
      k.outcomes,
      k.outcomeOrder,
      k.presence,
      k.vmWatchers,
    );
    const multi = this.redis.multi().srem(clusterIndexKey(this.prefix), id);
    if (creator) multi.srem(creatorKey(this.prefix, creator), id);
    await multi.exec();
  }

  /**
   * Queues a command for the cluster's next tick, unless its id already has an outcome (a client
   * sending it again, e.g. after a timeout): in one script, so two requests with the same id at
   * once queue it once. Returns the outcome in force (JSON: the new `queued`, or the one already
   * there), or null when the cluster does not exist.
   */
  async enqueueCommand(id: string, command: Command): Promise<string | null> {
    const k = this.keys(id);
    const result = await this.runEnqueue({
      keys: {
        metaKey: k.meta,
        commandsKey: k.commands,
        outcomesKey: k.outcomes,
        outcomeOrderKey: k.outcomeOrder,
      },
      args: {
        commandId: command.id,
        command: JSON.stringify(command),
        queued: JSON.stringify({ id: command.id, status: 'queued' }),
        outcomesKept: this.outcomesKept,
      },
    });
    return typeof result === 'string' ? result : null;
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
    const message = liveMessage(id, input.frame, input.wire, input.lagMs, input.outcomes);
    const result = await this.runCommit({
      keys: {
        stateKey: k.state,
        metaKey: k.meta,
        framesKey: k.frames,
        commandsKey: k.commands,
        outcomesKey: k.outcomes,
        outcomeOrderKey: k.outcomeOrder,
      },
      args: {
        fromTick: input.fromTick,
        tick: input.frame.tick,
        state: encodeState(input.state),
        time: input.frame.time,
        lastCommandId: input.lastCommandId,
        summary: JSON.stringify(quantizeCluster(input.frame.cluster)),
        lagMs: Math.round(input.lagMs),
        historyLength: FRAME_HISTORY_LENGTH,
        wire: input.wire,
        publish: publishCommand(this.redis),
        channel: k.channel,
        message: JSON.stringify(message),
        outcomesKept: this.outcomesKept,
      },
      rest: input.outcomes.flatMap((o) => [o.id, JSON.stringify(o)]),
    });
    return result === 1;
  }

  /** Applies a run-ahead batch atomically (COMMIT_AHEAD); false when another run got there first. */
  async commitAhead(
    id: string,
    input: {
      fromTick: number;
      state: SimState;
      /** Every tick's frame, in order, with its wire form. */
      frames: { frame: Frame; wire: string }[];
      lastCommandId: string;
      outcomes: CommandOutcome[];
      /** The run-ahead is over: re-anchor the schedule at `anchorAt` for the last tick. */
      done: boolean;
      anchorAt: number;
    },
  ): Promise<boolean> {
    const k = this.keys(id);
    const last = input.frames.at(-1)!;
    const message = liveMessage(id, last.frame, last.wire, 0, input.outcomes);
    const result = await this.runCommitAhead({
      keys: {
        stateKey: k.state,
        metaKey: k.meta,
        framesKey: k.frames,
        commandsKey: k.commands,
        outcomesKey: k.outcomes,
        outcomeOrderKey: k.outcomeOrder,
      },
      args: {
        fromTick: input.fromTick,
        tick: last.frame.tick,
        state: encodeState(input.state),
        time: last.frame.time,
        lastCommandId: input.lastCommandId,
        summary: JSON.stringify(quantizeCluster(last.frame.cluster)),
        historyLength: FRAME_HISTORY_LENGTH,
        outcomes: JSON.stringify(input.outcomes.flatMap((o) => [o.id, JSON.stringify(o)])),
        done: input.done ? 1 : 0,
        anchorAt: input.anchorAt,
        publish: publishCommand(this.redis),
        channel: k.channel,
        message: JSON.stringify(message),
        outcomesKept: this.outcomesKept,
      },
      rest: input.frames.flatMap(({ frame, wire }) => [String(frame.tick), wire]),
    });
    return result === 1;
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
    forkOfId: raw['forkOfId'] ?? '',
    forkOfTick: num('forkOfTick'),
    aheadUntil: num('aheadUntil'),
  };
}
