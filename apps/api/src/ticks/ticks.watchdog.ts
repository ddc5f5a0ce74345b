import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import { REDIS, type RedisClient } from '../redis/redis.module';
import { ClusterStateRepository } from '../storage/cluster-state.repository';
import type { TickJobData } from './ticks.constants';
import { TickQueues } from './tick-queues';
import { TickRunner } from './tick-runner.service';
import { quietly, schedulerId, TicksScheduler, tickMs } from './ticks.scheduler';

/** How often each worker looks for broken tick chains. */
const WATCHDOG_SWEEP_MS = 100;
/** A taken tick job that has made no next job for this long (or one tick, if longer) is stuck. */
const STUCK_AFTER_MS = 200;

/**
 * Mends a cluster's tick chain when the worker that took its tick job died.
 *
 * A BullMQ job scheduler makes its next job only after a worker has taken
 * the current one, in a second round trip from that worker. A worker killed
 * between the two leaves the cluster with no next job: ticks stop until
 * BullMQ finds the job stalled (its lock expires, then the stalled check
 * runs: 5 to 7 s with the processor's settings) and another worker takes it
 * again. Every worker sweeps the schedulers whose current job is overdue
 * (one sorted-set read per tick queue when all is well); for one whose job was taken more
 * than a tick ago and made no next job, or was lost, it upserts the
 * scheduler again (the next job is made; the stalled job, when BullMQ
 * retries it, finds itself superseded and makes none) and runs the owed
 * ticks at once. Both are safe to repeat: ticks commit with a compare-and-set
 * on the tick number, so two workers mending the same cluster apply nothing
 * twice.
 */
@Injectable()
export class TicksWatchdog implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TicksWatchdog');
  private readonly onError = quietly(this.logger);
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    private readonly queues: TickQueues,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly repo: ClusterStateRepository,
    private readonly scheduler: TicksScheduler,
    private readonly runner: TickRunner,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), WATCHDOG_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass; returns the ids of the clusters it mended. */
  async sweep(now = Date.now()): Promise<string[]> {
    if (this.sweeping) return [];
    this.sweeping = true;
    const mended: string[] = [];
    try {
      // The scheduler set's score is the due time of each scheduler's current
      // job: in the future while its chain is healthy. One read per queue, at once.
      const queues = this.queues.queues;
      const overdue = await Promise.all(
        queues.map((queue) =>
          this.redis.zrangebyscore(
            queue.toKey('repeat'),
            '-inf',
            now - STUCK_AFTER_MS,
            'WITHSCORES',
            'LIMIT',
            0,
            50,
          ),
        ),
      );
      for (const [q, entries] of overdue.entries()) {
        for (let i = 0; i < entries.length; i += 2) {
          const id = entries[i]!;
          if (!id.startsWith('cluster-')) continue;
          const clusterId = id.slice('cluster-'.length);
          if (await this.mend(queues[q]!, clusterId, Number(entries[i + 1]), now))
            mended.push(clusterId);
        }
      }
    } catch (error) {
      this.onError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.sweeping = false;
    }
    return mended;
  }

  private async mend(
    queue: Queue<TickJobData>,
    clusterId: string,
    due: number,
    now: number,
  ): Promise<boolean> {
    const jobId = `repeat:${schedulerId(clusterId)}:${due}`;
    const state = await queue.getJobState(jobId);
    // Waiting or delayed: the workers are merely late; it will run and make the next.
    if (state === 'waiting' || state === 'delayed' || state === 'prioritized') return false;
    const meta = await this.repo.meta(clusterId);
    if (!meta || meta.paused) return false;
    const takenAt = state === 'active' ? ((await queue.getJob(jobId))?.processedOn ?? 0) : 0;
    if (state === 'active' && now - takenAt <= Math.max(tickMs(meta), STUCK_AFTER_MS)) return false;
    // Another worker may have mended it meanwhile.
    const current = await this.redis.zscore(queue.toKey('repeat'), schedulerId(clusterId));
    if (current === null || Number(current) !== due) return false;
    this.logger.warn(
      { clusterId },
      state === 'active'
        ? `cluster ${clusterId}: its tick job was taken ${now - takenAt} ms ago and no next one was made (its worker died?); rescheduling`
        : `cluster ${clusterId}: its tick job is ${state === 'unknown' ? 'gone' : state} and no next one was made; rescheduling`,
    );
    await this.scheduler.schedule(meta);
    await this.runner.run(clusterId);
    return true;
  }
}
