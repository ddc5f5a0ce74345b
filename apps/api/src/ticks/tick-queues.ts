import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import { hostname } from 'node:os';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { createRedis, onCluster, REDIS, type RedisClient } from '../redis/redis.module';
import { tickQueueCountKey, tickQueueOf, tickQueuePrefixes } from '../storage/keys';
import { TICKS_QUEUE, type TickJobData, WAKE_JOB } from './ticks.constants';

/** Tick queues on a Redis Cluster unless TICK_QUEUES says otherwise: two per master of a three-master cluster. */
export const CLUSTER_TICK_QUEUES = 6;

/** Jobs one worker process runs at once, over all its queues (as one queue had before there were several). */
const WORKER_CONCURRENCY = 8;

/** How many tick queues a deployment uses: TICK_QUEUES, or 1 on one Redis and CLUSTER_TICK_QUEUES on a cluster. */
export function tickQueueCount(
  config: Pick<ApiConfig, 'TICK_QUEUES' | 'REDIS_CLUSTER_NODES'>,
): number {
  return config.TICK_QUEUES ?? (onCluster(config) ? CLUSTER_TICK_QUEUES : 1);
}

/** Each tick queue's BullMQ key prefix for a configuration (keys.ts tickQueuePrefixes). */
export function tickQueuePrefixesOf(config: ApiConfig): string[] {
  return tickQueuePrefixes(config.REDIS_PREFIX, tickQueueCount(config), onCluster(config));
}

/** The BullMQ key prefix of the queue that carries a cluster's tick jobs. */
export function tickQueuePrefixOf(config: ApiConfig, clusterId: string): string {
  return tickQueuePrefixesOf(config)[tickQueueOf(clusterId, tickQueueCount(config))]!;
}

/**
 * The tick queues: TICK_QUEUES BullMQ queues (one, as always, on one Redis by default; six on a
 * Redis Cluster), each cluster's schedule in the one its id picks (tickQueueOf), each queue's
 * keys under a hash tag of their own (tickQueuePrefixes), so on a cluster the queues spread
 * over the masters and no one queue's shard carries every tick. A worker process takes jobs
 * from every queue, WORKER_CONCURRENCY at once over all of them.
 *
 * The count is fixed for a deployment's data: a cluster's schedule lives in the queue its id
 * picked, so a process with another count would look for it in the wrong queue (a pause would
 * not stop it). The first process records the count in Redis (`oc:ticks:queues`); one started
 * with another count refuses to schedule, runs no worker and says why in its readiness.
 */
@Injectable()
export class TickQueues implements OnModuleInit, OnApplicationShutdown {
  readonly queues: Queue<TickJobData>[];
  readonly count: number;
  private readonly workers: Worker<TickJobData>[] = [];
  private readonly logger = new Logger('TickQueues');
  /** On a Redis Cluster, the connection the queues share (workers duplicate it); closed here. */
  private readonly shared: RedisClient | undefined;
  private readonly connection: ConnectionOptions;
  private readonly countKey: string;
  /** Why this process may not use the queues (a count other than the deployment's), or null. */
  private refusal: string | null = null;
  /** Settles once the count was checked against the deployment's (retried while Redis is away). */
  private checked: Promise<void> = Promise.resolve();
  private closing = false;

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {
    this.count = tickQueueCount(config);
    this.countKey = tickQueueCountKey(config.REDIS_PREFIX);
    if (onCluster(config)) {
      this.shared = createRedis(config, { logger: this.logger, use: 'queue' });
      this.connection = this.shared;
    } else {
      // Reconnect within two seconds after a Redis restart (BullMQ's default backs off to 20 s).
      this.connection = {
        url: config.REDIS_URL,
        maxRetriesPerRequest: null,
        retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
      };
    }
    this.queues = tickQueuePrefixesOf(config).map(
      (prefix) => new Queue<TickJobData>(TICKS_QUEUE, { connection: this.connection, prefix }),
    );
    // A master that stops answering (a crash) gives connection errors, which BullMQ's workers do
    // not report (a wait failed with one forgets its due time all the same: wakeAfterError): the
    // shared connection's node errors wake the queues too.
    this.shared?.on('node error', () => {
      if (this.workers.length > 0) for (const queue of this.queues) this.wakeAfterError(queue);
    });
  }

  onModuleInit(): void {
    // In the background: start-up never waits on Redis (readiness says when it is away).
    this.checked = this.checkCount();
  }

  /** The queue that carries a cluster's tick jobs. */
  queueFor(clusterId: string): Queue<TickJobData> {
    if (this.refusal !== null) throw new Error(this.refusal);
    return this.queues[tickQueueOf(clusterId, this.count)]!;
  }

  /** Why this process may not use the queues, or null. */
  get refused(): string | null {
    return this.refusal;
  }

  /** Records the count, or finds the deployment's; retried every second until Redis answers. */
  private async checkCount(): Promise<void> {
    while (!this.closing) {
      try {
        await this.redis.set(this.countKey, String(this.count), 'NX');
        const stored = Number(await this.redis.get(this.countKey));
        if (stored !== this.count) {
          this.refusal = `TICK_QUEUES is ${this.count} but this deployment's tick schedules are in ${stored} queue${stored === 1 ? '' : 's'} (${this.countKey}): start every process with TICK_QUEUES=${stored}`;
          this.logger.error(this.refusal);
        }
        return;
      } catch {
        // Redis away: the connection reports it; try again.
        await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
      }
    }
  }

  /**
   * Starts a worker on every queue (once the count is known to be the deployment's; none if it
   * is not). Recorded on every job it takes (BullMQ's processedBy): which process runs which tick.
   */
  async startWorkers(
    run: (job: Job<TickJobData>) => Promise<unknown>,
    onError: (error: Error) => void,
  ): Promise<Worker<TickJobData>[]> {
    await this.checked;
    if (this.refusal !== null || this.closing) return [];
    const concurrency = Math.max(1, Math.ceil(WORKER_CONCURRENCY / this.count));
    // A wake job is done as soon as it is taken (wakeAfterError).
    const runTick = (job: Job<TickJobData>) =>
      job.name === WAKE_JOB ? Promise.resolve() : run(job);
    for (const queue of this.queues) {
      const worker = new Worker<TickJobData>(TICKS_QUEUE, runTick, {
        connection: this.connection,
        prefix: queue.opts.prefix,
        name: `${hostname()}:${process.pid}`,
        concurrency,
        lockDuration: 5_000,
        stalledInterval: 2_000,
        maxStalledCount: 10,
        // After a Redis error BullMQ waits 15 s before its worker asks for jobs again, which on one
        // Redis spares a Redis that is down. On a cluster the error is a master handing its slots
        // to its replica (the blocked fetch is unblocked, a command MOVED), over in about a second:
        // ask again after one.
        ...(this.shared ? { runRetryDelay: 1_000 } : {}),
      });
      worker.on('error', (error: Error) => {
        onError(error);
        if (this.shared) this.wakeAfterError(queue);
      });
      this.workers.push(worker);
    }
    return this.workers;
  }

  /**
   * On a Redis Cluster, after a worker's error (a master handing its slots to its replica: the
   * worker's blocked fetch is unblocked, its next command MOVED), the worker waits for jobs again
   * with BullMQ's longest block, 10 s, unless a job's marker ends it: BullMQ's Worker.waitForJob
   * answers a failed wait with Infinity for "block until", which forgets when the next delayed
   * tick job falls due, and that job's marker was taken already by the wait that told it. (Seen
   * without the wake jobs: a manual failover's shard waited 10.0 s.) No worker option bounds that
   * block (drainDelay applies only when nothing is delayed; the 10 s ceiling is the Redis
   * backend's), so the queue gets a wake job a second later, and at 2, 3, 5 and 8 s (a crash's
   * replica serves the slot only after two node timeouts): every worker blocked on the queue
   * takes up the due ticks at once instead of 10 s later. Once per error burst.
   */
  private readonly waking = new Set<Queue<TickJobData>>();
  private wakeAfterError(queue: Queue<TickJobData>): void {
    if (this.waking.has(queue) || this.closing) return;
    this.waking.add(queue);
    void (async () => {
      // A crash's failover takes a few seconds (a manual one, a fraction of one): wake jobs at
      // 1, 2, 3, 5 and 8 s, so at least one lands after the new master serves the queue's slot
      // and after the workers wait on it again. A wake job Redis refuses is simply not added.
      let waited = 0;
      for (const at of [1_000, 2_000, 3_000, 5_000, 8_000]) {
        await new Promise((resolve) => setTimeout(resolve, at - waited).unref());
        waited = at;
        if (this.closing) break;
        await queue
          .add(
            WAKE_JOB,
            { clusterId: '' },
            { removeOnComplete: true, removeOnFail: true, attempts: 1 },
          )
          .catch(() => undefined);
      }
      this.waking.delete(queue);
    })();
  }

  /** The workers (none outside the worker role, or before they started). */
  get runningWorkers(): readonly Worker<TickJobData>[] {
    return this.workers;
  }

  /** The workers finish the jobs they hold and take no more; then the queues and their connection close. */
  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all(this.queues.map((queue) => queue.close()));
    if (this.shared) {
      await this.shared.quit().catch(() => this.shared?.disconnect());
    }
  }
}
