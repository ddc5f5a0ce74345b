import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { ClusterMeta } from '../clusters/clusters.repository';
import { TICK_JOB, TICKS_QUEUE, type TickJobData } from './ticks.constants';

/** The tick interval at the cluster's speed. */
export function tickMs(meta: Pick<ClusterMeta, 'baseTickMs' | 'speed'>): number {
  return Math.max(50, Math.round(meta.baseTickMs / meta.speed));
}

/** A stable phase in [0, every) per cluster, so clusters' ticks spread across the interval. */
export function phaseOf(id: string, every: number): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) >>> 0;
  return h % every;
}

/** One BullMQ job scheduler per running cluster. */
@Injectable()
export class TicksScheduler {
  constructor(@InjectQueue(TICKS_QUEUE) private readonly queue: Queue<TickJobData>) {
    queue.on('error', quietly(new Logger('TicksQueue')));
  }

  async schedule(meta: ClusterMeta): Promise<void> {
    const every = tickMs(meta);
    await this.queue.upsertJobScheduler(
      schedulerId(meta.id),
      { every, offset: phaseOf(meta.id, every) },
      {
        name: TICK_JOB,
        data: { clusterId: meta.id },
        opts: { removeOnComplete: true, removeOnFail: 100, attempts: 1 },
      },
    );
  }

  async unschedule(id: string): Promise<void> {
    await this.queue.removeJobScheduler(schedulerId(id));
  }
}

/** Job ids may not contain ":". */
const schedulerId = (id: string) => `cluster-${id}`;

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
