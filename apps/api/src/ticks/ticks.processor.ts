import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { hostname } from 'node:os';
import { TICKS_QUEUE, type TickJobData } from './ticks.constants';
import { TickRunner } from './tick-runner.service';
import { quietly } from './ticks.scheduler';
import { Metrics } from '../observability/metrics';

/**
 * The worker role: takes tick jobs. A dead worker's clusters go on at their
 * next tick on another worker (their next jobs exist already), or, when it
 * died between taking a job and making the next, within about a tick through
 * the watchdog (TicksWatchdog). Locks are short and stalled jobs are checked
 * often, so its stalled job is retried within seconds; a re-run is harmless
 * because the runner is idempotent.
 */
@Processor(TICKS_QUEUE, {
  // Recorded on every job it takes (BullMQ's processedBy): which process runs which tick.
  name: `${hostname()}:${process.pid}`,
  concurrency: 8,
  lockDuration: 5_000,
  stalledInterval: 2_000,
  maxStalledCount: 10,
})
export class TicksProcessor extends WorkerHost {
  /** When this worker last finished a tick job (readiness: is it taking work?). */
  lastJobAt = Date.now();

  constructor(
    private readonly runner: TickRunner,
    private readonly metrics: Metrics,
  ) {
    super();
  }

  private readonly onError = quietly(new Logger('TicksWorker'));

  @OnWorkerEvent('error')
  error(error: Error): void {
    this.onError(error);
  }

  async process(job: Job<TickJobData>): Promise<{ stepped: number }> {
    const started = process.hrtime.bigint();
    const result = await this.runner.run(job.data.clusterId);
    this.metrics.tickRan(
      Number(process.hrtime.bigint() - started) / 1e9,
      result.stepped,
      result.lagMs,
    );
    this.lastJobAt = Date.now();
    return { stepped: result.stepped };
  }
}
