import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { isCluster, REDIS, type RedisClient } from '../redis/redis.module';
import type { ClusterMeta } from '../storage/cluster-state.repository';
import { schedulesPlacedKey } from '../storage/keys';
import { TICK_JOB } from './ticks.constants';
import { TickQueues } from './tick-queues';

/** The tick interval at the cluster's speed. */
export function tickMs(meta: Pick<ClusterMeta, 'baseTickMs' | 'speed'>): number {
  return Math.max(50, Math.round(meta.baseTickMs / meta.speed));
}

/** The golden ratio's fractional part: n * GOLDEN mod 1 spreads any run of consecutive n evenly over [0, 1). */
const GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * The n-th cluster's place in the tick interval, as a fraction in [0, 1): a
 * Weyl sequence, so the clusters created one after another fall evenly over
 * the interval (any N consecutive ones at least about 0.38/N apart), where
 * random phases would bunch (the worker then gets several ticks at once).
 */
export function phaseFraction(n: number): number {
  return (n * GOLDEN) % 1;
}

/**
 * The phase, in ms past each multiple of `every`, for a place in the
 * interval: in [1, every). Never 0: BullMQ reads an offset of 0 as "none" and
 * starts the schedule at the moment of the upsert instead.
 */
export function phaseMs(fraction: number, every: number): number {
  return Math.min(every - 1, Math.max(1, Math.round(fraction * every)));
}

/** A cluster's place in its tick interval, from its schedule's anchor. */
export function fractionOf(anchorAt: number, every: number): number {
  return (((anchorAt % every) + every) % every) / every;
}

/**
 * The schedule's anchor for a cluster (re)started at `now` with ticks every
 * `every` ms on `phase`: the latest instant at or before `now` that is `phase`
 * ms past a multiple of `every`. BullMQ fires an `every` job scheduler with
 * that offset at exactly those instants, so with this anchor each job fires
 * when its tick falls due (anchorAt + n * every); with any other anchor the
 * frames would come up to half an interval early or late, and two ticks
 * could share one job.
 */
export function alignedAnchor(phase: number, every: number, now = Date.now()): number {
  return now - ((((now - phase) % every) + every) % every);
}

/**
 * Redis's timer frequency (`hz`) below which tick jobs start noticeably late:
 * a worker waiting for the next delayed job wakes on Redis's timer, so a job
 * starts up to 1000/hz ms after its time (about 100 ms at Redis's default 10).
 */
const MIN_REDIS_HZ = 100;

/** One BullMQ job scheduler per running cluster, in the tick queue its id picks (TickQueues). */
@Injectable()
export class TicksScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('TicksQueue');

  /** A counter: how many cluster schedules were ever placed (the Weyl sequence's n). */
  private readonly placedKey: string;

  constructor(
    private readonly queues: TickQueues,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(API_CONFIG) config: Pick<ApiConfig, 'REDIS_PREFIX'>,
  ) {
    const onError = quietly(this.logger);
    for (const queue of queues.queues) queue.on('error', onError);
    this.placedKey = schedulesPlacedKey(config.REDIS_PREFIX);
  }

  /** The anchor of a new cluster's schedule: the next place in the interval (phaseFraction). */
  async newAnchor(every: number, now = Date.now()): Promise<number> {
    const n = await this.redis.incr(this.placedKey);
    return alignedAnchor(phaseMs(phaseFraction(n), every), every, now);
  }

  /** The anchor of a cluster restarted (resume, a new speed): the same place in its (new) interval. */
  restartAnchor(meta: ClusterMeta, every: number, now = Date.now()): number {
    return alignedAnchor(phaseMs(fractionOf(meta.anchorAt, tickMs(meta)), every), every, now);
  }

  onApplicationBootstrap(): void {
    // In the background: start-up never waits on Redis for a warning.
    void this.checkRedisHz();
  }

  /**
   * Warns once when Redis's timer would make ticks late (docs/architecture.md, "Tick timing"): on a
   * Redis Cluster, the slowest master's.
   */
  async checkRedisHz(): Promise<number | undefined> {
    try {
      const masters = isCluster(this.redis) ? this.redis.nodes('master') : [];
      const nodes: Pick<RedisClient, 'config'>[] = masters.length > 0 ? masters : [this.redis];
      const replies = (await Promise.all(
        nodes.map((node) => node.config('GET', 'hz')),
      )) as string[][];
      const hz = Math.min(...replies.map((reply) => Number(reply[1])));
      if (Number.isFinite(hz) && hz < MIN_REDIS_HZ)
        this.logger.warn(
          `Redis runs with hz ${hz}: tick jobs will start up to ${Math.round(1000 / hz)} ms late; start it with --hz ${MIN_REDIS_HZ} (as docker-compose.yml and the private Redis of npm start do)`,
        );
      return hz;
    } catch (error) {
      // CONFIG may be refused (a managed Redis): nothing to check, and nothing wrong.
      this.logger.debug(
        `Redis's hz not checked (CONFIG GET hz: ${error instanceof Error ? error.message : String(error)})`,
      );
      return undefined;
    }
  }

  async schedule(meta: ClusterMeta): Promise<void> {
    const every = tickMs(meta);
    // The jobs fire on the cluster's own schedule, at anchorAt + n * every
    // (alignedAnchor put the anchor on the cluster's phase). An offset of 0
    // would read as "none" to BullMQ; a whole interval means the same instants.
    const offset = ((meta.anchorAt % every) + every) % every || every;
    await this.queues.queueFor(meta.id).upsertJobScheduler(
      schedulerId(meta.id),
      { every, offset },
      {
        name: TICK_JOB,
        data: { clusterId: meta.id },
        opts: { removeOnComplete: true, removeOnFail: 100, attempts: 1 },
      },
    );
  }

  /**
   * One tick job now, beside the schedule: a run-ahead's next batch (TickRunner.runAhead). Its job
   * id names the tick it starts from, so the same batch asked twice is queued once.
   */
  async kick(id: string, fromTick: number): Promise<void> {
    await this.queues.queueFor(id).add(
      TICK_JOB,
      { clusterId: id },
      {
        jobId: `ahead-${id}-${fromTick}`,
        // Gone once done either way: a kept job's id would swallow a later kick from that tick.
        removeOnComplete: true,
        removeOnFail: true,
        attempts: 3,
      },
    );
  }

  async unschedule(id: string): Promise<void> {
    await this.queues.queueFor(id).removeJobScheduler(schedulerId(id));
  }
}

/** The cluster's job scheduler id (job ids may not contain ":"). */
export const schedulerId = (id: string) => `cluster-${id}`;

/** An error handler that logs one line per outage (at most one every 30 s), not one per retry. */
export function quietly(logger: Logger): (error: Error) => void {
  let last = 0;
  return (error: Error) => {
    const now = Date.now();
    if (now - last < 30_000) return;
    last = now;
    logger.warn(`Redis unreachable for the tick queue: ${error.message}`);
  };
}
