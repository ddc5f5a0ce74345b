import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { TickJobData } from './ticks.constants';
import { TickQueues } from './tick-queues';
import { TickRunner } from './tick-runner.service';
import { quietly } from './ticks.scheduler';
import { Metrics } from '../observability/metrics';

/**
 * The worker role: takes tick jobs, from every tick queue (TickQueues). A
 * dead worker's clusters go on at their next tick on another worker (their
 * next jobs exist already), or, when it died between taking a job and making
 * the next, within about a tick through the watchdog (TicksWatchdog). Locks
 * are short and stalled jobs are checked often, so its stalled job is retried
 * within seconds; a re-run is harmless because the runner is idempotent.
 */
@Injectable()
export class TicksProcessor implements OnApplicationBootstrap {
  /** When this worker last finished a tick job (readiness: is it taking work?). */
  lastJobAt = Date.now();

  private readonly onError = quietly(new Logger('TicksWorker'));

  constructor(
    private readonly queues: TickQueues,
    private readonly runner: TickRunner,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    // The workers start once the queue count is checked against the deployment's (TickQueues).
    void this.queues.startWorkers((job) => this.process(job), this.onError);
  }

  /** Whether every queue's worker runs (none before they started, or when the queues are refused). */
  get running(): boolean {
    const workers = this.queues.runningWorkers;
    return workers.length > 0 && workers.every((w) => w.isRunning() && !w.isPaused());
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
