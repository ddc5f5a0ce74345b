import { Inject, Injectable } from '@nestjs/common';
import type { Scenario, SweepResult, SweepStatus, Visibility } from '@overcommit/contracts';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { REDIS, type RedisClient } from '../redis/redis.module';

/**
 * A sweep's keys (docs/api.md, "Sweeps"), each under REDIS_PREFIX:
 * - `oc:sweep:{<id>}`: the record (a hash: status, progress, token hash, scenario, request,
 *   result), kept SWEEP_TTL_SECONDS from its creation;
 * - `oc:{<cluster id>}:sweeps`: a live cluster's sweeps (sorted set, id by creation time), in the
 *   cluster's slot, kept as long as its newest sweep;
 * - `oc:sweeps:{active}` and `oc:sweeps:{active}:<creator>`: the sweeps queued or running, over
 *   the deployment and per address (sorted sets, id by deadline: one that outlived a dead worker
 *   stops counting then), checked and added to in one script (SWEEP_MAX_ACTIVE*);
 * - `oc:sweep-progress`: the channel of progress messages (every API instance subscribes).
 */
export const sweepKey = (prefix: string, id: string) => `${prefix}:sweep:{${id}}`;
export const clusterSweepsKey = (prefix: string, clusterId: string) =>
  `${prefix}:{${clusterId}}:sweeps`;
export const activeSweepsKey = (prefix: string) => `${prefix}:sweeps:{active}`;
export const creatorSweepsKey = (prefix: string, creator: string) =>
  `${prefix}:sweeps:{active}:${creator}`;
export const sweepProgressChannel = (prefix: string) => `${prefix}:sweep-progress`;

/** How long a sweep counts as active at most (a worker that died with it frees its place then). */
export const ACTIVE_DEADLINE_MS = 60 * 60 * 1000;

export interface SweepRecord {
  id: string;
  status: SweepStatus;
  done: number;
  total: number;
  tokenHash: string;
  creator: string;
  clusterId: string | null;
  visibility: Visibility;
  createdAt: number;
  finishedAt: number | null;
  scenario: Scenario;
  /** The request as it came (planSweep validates it again in the job). */
  request: unknown;
  error: string | null;
  result: SweepResult | null;
  expiresAt: number;
}

const RESERVE = `
local all, mine = KEYS[1], KEYS[2]
local now, deadline, maxAll, maxMine, id = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
redis.call('ZREMRANGEBYSCORE', all, '-inf', now)
redis.call('ZREMRANGEBYSCORE', mine, '-inf', now)
if redis.call('ZCARD', all) >= maxAll then return 'full' end
if redis.call('ZCARD', mine) >= maxMine then return 'creator-full' end
redis.call('ZADD', all, deadline, id)
redis.call('ZADD', mine, deadline, id)
redis.call('PEXPIREAT', mine, deadline)
return 'ok'
`;

@Injectable()
export class SweepsRepository {
  private readonly prefix: string;
  private readonly ttlSeconds: number;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.prefix = config.REDIS_PREFIX;
    this.ttlSeconds = config.SWEEP_TTL_SECONDS;
  }

  get channel(): string {
    return sweepProgressChannel(this.prefix);
  }

  /** Takes a place among the active sweeps, within both limits, or says which one is full. */
  async reserve(
    id: string,
    creator: string,
    limits: { total: number; perCreator: number },
    now = Date.now(),
  ): Promise<'ok' | 'full' | 'creator-full'> {
    return (await this.redis.eval(
      RESERVE,
      2,
      activeSweepsKey(this.prefix),
      creatorSweepsKey(this.prefix, creator),
      now,
      now + ACTIVE_DEADLINE_MS,
      limits.total,
      limits.perCreator,
      id,
    )) as 'ok' | 'full' | 'creator-full';
  }

  /** Gives back a sweep's place (finished, failed, cancelled, or never queued). */
  async release(id: string, creator: string): Promise<void> {
    await this.redis.zrem(activeSweepsKey(this.prefix), id);
    await this.redis.zrem(creatorSweepsKey(this.prefix, creator), id);
  }

  async create(record: SweepRecord): Promise<void> {
    const key = sweepKey(this.prefix, record.id);
    await this.redis
      .multi()
      .hset(key, {
        id: record.id,
        status: record.status,
        done: record.done,
        total: record.total,
        tokenHash: record.tokenHash,
        creator: record.creator,
        clusterId: record.clusterId ?? '',
        visibility: record.visibility,
        createdAt: record.createdAt,
        scenario: JSON.stringify(record.scenario),
        request: JSON.stringify(record.request),
        expiresAt: record.expiresAt,
      })
      .expire(key, this.ttlSeconds)
      .exec();
    if (record.clusterId) {
      const list = clusterSweepsKey(this.prefix, record.clusterId);
      await this.redis
        .multi()
        .zadd(list, record.createdAt, record.id)
        .expire(list, this.ttlSeconds)
        .exec();
    }
  }

  async get(id: string): Promise<SweepRecord | null> {
    const raw = await this.redis.hgetall(sweepKey(this.prefix, id));
    if (!raw['id']) return null;
    return {
      id: raw['id'],
      status: raw['status'] as SweepStatus,
      done: Number(raw['done']),
      total: Number(raw['total']),
      tokenHash: raw['tokenHash'] ?? '',
      creator: raw['creator'] ?? '',
      clusterId: raw['clusterId'] || null,
      visibility: raw['visibility'] === 'public' ? 'public' : 'private',
      createdAt: Number(raw['createdAt']),
      finishedAt: raw['finishedAt'] ? Number(raw['finishedAt']) : null,
      scenario: JSON.parse(raw['scenario'] ?? 'null') as Scenario,
      request: JSON.parse(raw['request'] ?? 'null') as unknown,
      error: raw['error'] || null,
      result: raw['result'] ? (JSON.parse(raw['result']) as SweepResult) : null,
      expiresAt: Number(raw['expiresAt']),
    };
  }

  async status(id: string): Promise<SweepStatus | null> {
    return (await this.redis.hget(sweepKey(this.prefix, id), 'status')) as SweepStatus | null;
  }

  /** Updates fields of a sweep that still exists (a forgotten one is not brought back). */
  async update(id: string, fields: Record<string, string | number>): Promise<void> {
    const key = sweepKey(this.prefix, id);
    if ((await this.redis.exists(key)) === 0) return;
    await this.redis.hset(key, fields);
  }

  /** Sets the status to `to` only while it is one of `from`; whether it did. */
  async transition(
    id: string,
    from: SweepStatus[],
    to: SweepStatus,
    fields: Record<string, string | number> = {},
  ): Promise<boolean> {
    // The status and its fields in one step: a reader never sees `done` without its result.
    const script = `
local s = redis.call('HGET', KEYS[1], 'status')
if not s then return 0 end
local n = tonumber(ARGV[2])
for i = 3, 2 + n do if ARGV[i] == s then
  redis.call('HSET', KEYS[1], 'status', ARGV[1])
  for j = 3 + n, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[j], ARGV[j + 1]) end
  return 1
end end
return 0`;
    const pairs = Object.entries(fields).flatMap(([k, v]) => [k, String(v)]);
    return (
      (await this.redis.eval(
        script,
        1,
        sweepKey(this.prefix, id),
        to,
        String(from.length),
        ...from,
        ...pairs,
      )) === 1
    );
  }

  /** A cluster's sweeps still kept, newest first. */
  async ofCluster(clusterId: string): Promise<SweepRecord[]> {
    const list = clusterSweepsKey(this.prefix, clusterId);
    const ids = await this.redis.zrevrange(list, 0, 99);
    const records = await Promise.all(ids.map((id) => this.get(id)));
    const gone = ids.filter((_, i) => records[i] === null);
    if (gone.length > 0) await this.redis.zrem(list, ...gone);
    return records.filter((r): r is SweepRecord => r !== null);
  }

  async publishProgress(message: {
    sweepId: string;
    status: SweepStatus;
    done: number;
    total: number;
  }): Promise<void> {
    // Classic PUBLISH, also on a Redis Cluster: a few messages a second at most, to every instance.
    await this.redis.publish(this.channel, JSON.stringify(message));
  }
}
