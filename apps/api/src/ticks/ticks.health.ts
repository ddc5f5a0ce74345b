import { Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { HealthChecks, within } from '../health/health-checks';
import { TickQueues } from './tick-queues';
import { TicksProcessor } from './ticks.processor';

/** A worker with ready jobs waiting that has finished none for this long is not taking work. */
const IDLE_WITH_WORK_MS = 10_000;

/**
 * Readiness of the tick queues (every role: commands and schedules go through them) and, in a
 * process that runs ticks, of its workers: running, and taking jobs when there are jobs to take.
 */
@Injectable()
export class TicksHealth implements OnModuleInit {
  constructor(
    private readonly checks: HealthChecks,
    private readonly queues: TickQueues,
    @Optional() private readonly processor?: TicksProcessor,
  ) {}

  onModuleInit(): void {
    this.checks.register({
      name: 'queue',
      run: async () => {
        const refused = this.queues.refused;
        if (refused !== null) return { up: false, reason: refused };
        // A real read of every queue (BullMQ's own connection), bounded in time.
        const answered = await within(
          1_000,
          this.waiting().then(
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
        if (!processor.running) return { up: false, reason: 'the tick worker is not running' };
        const idleMs = Date.now() - processor.lastJobAt;
        if (idleMs < IDLE_WITH_WORK_MS) return { up: true, detail: { lastTickMsAgo: idleMs } };
        const waiting = await within(1_000, this.waiting(), -1);
        if (waiting > 0)
          return {
            up: false,
            reason: `${waiting} tick jobs are waiting and this worker has finished none for ${Math.round(idleMs / 1000)} s`,
          };
        return { up: true, detail: { lastTickMsAgo: idleMs, waiting } };
      },
    });
  }

  /** Jobs waiting over every tick queue. */
  private async waiting(): Promise<number> {
    const counts = await Promise.all(this.queues.queues.map((queue) => queue.getWaitingCount()));
    return counts.reduce((sum, n) => sum + n, 0);
  }
}
