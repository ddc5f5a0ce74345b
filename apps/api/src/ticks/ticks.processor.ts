import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { TICKS_QUEUE, type TickJobData } from './ticks.constants';
import { TickRunner } from './tick-runner.service';
import { quietly } from './ticks.scheduler';

/**
 * The worker role: takes tick jobs. Locks are short and stalled jobs are
 * checked often, so a dead worker's clusters move to another within seconds;
 * a re-run is harmless because the runner is idempotent.
 */
@Processor(TICKS_QUEUE, {
  concurrency: 8,
  lockDuration: 5_000,
  stalledInterval: 2_000,
  maxStalledCount: 10,
})
export class TicksProcessor extends WorkerHost {
  constructor(private readonly runner: TickRunner) {
    super();
  }

  private readonly onError = quietly(new Logger('TicksWorker'));

  @OnWorkerEvent('error')
  error(error: Error): void {
    this.onError(error);
  }

  async process(job: Job<TickJobData>): Promise<{ stepped: number }> {
    const result = await this.runner.run(job.data.clusterId);
    return { stepped: result.stepped };
  }
}
