import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { HealthChecks, within } from '../health/health-checks';
import { TICKS_QUEUE, type TickJobData } from './ticks.constants';
import { TicksProcessor } from './ticks.processor';

/** A worker with ready jobs waiting that has finished none for this long is not taking work. */
const IDLE_WITH_WORK_MS = 10_000;

/**
 * Readiness of the tick queue (every role: commands and schedules go through it) and, in a process
 * that runs ticks, of its worker: running, and taking jobs when there are jobs to take.
 */
@Injectable()
export class TicksHealth implements OnModuleInit {
  constructor(
    private readonly checks: HealthChecks,
    @InjectQueue(TICKS_QUEUE) private readonly queue: Queue<TickJobData>,
    @Optional() private readonly processor?: TicksProcessor,
  ) {}

  onModuleInit(): void {
    this.checks.register({
      name: 'queue',
      run: async () => {
        // A real queue read (BullMQ's own connection), bounded in time.
        const answered = await within(
          1_000,
          this.queue.getWaitingCount().then(
            () => true,
            // Down is the answer, with its reason below; the queue's error listener logs the outage.
            () => false,
          ),
          false,
        );
        return answered
          ? { up: true }
          : { up: false, reason: 'the tick queue (BullMQ) does not answer within 1 s' };
      },
    });
    const processor = this.processor;
    if (!processor) return;
    this.checks.register({
      name: 'ticks',
      run: async () => {
        const worker = processor.worker;
        if (!worker.isRunning() || worker.isPaused())
          return { up: false, reason: 'the tick worker is not running' };
        const idleMs = Date.now() - processor.lastJobAt;
        if (idleMs < IDLE_WITH_WORK_MS) return { up: true, detail: { lastTickMsAgo: idleMs } };
        const waiting = await within(1_000, this.queue.getWaitingCount(), -1);
        if (waiting > 0)
          return {
            up: false,
            reason: `${waiting} tick jobs are waiting and this worker has finished none for ${Math.round(idleMs / 1000)} s`,
          };
        return { up: true, detail: { lastTickMsAgo: idleMs, waiting } };
      },
    });
  }
}
