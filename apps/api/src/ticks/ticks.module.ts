import { type DynamicModule, Module } from '@nestjs/common';
import { StorageModule } from '../storage/storage.module';
import { TickQueues } from './tick-queues';
import { TickRunner } from './tick-runner.service';
import { TicksProcessor } from './ticks.processor';
import { TicksScheduler } from './ticks.scheduler';
import { TicksWatchdog } from './ticks.watchdog';
import { TicksHealth } from './ticks.health';

/**
 * The tick queues (every role) and, for ROLE=worker or all, the worker that
 * runs ticks and the watchdog that mends a tick chain broken by a dead worker.
 */
@Module({})
export class TicksModule {
  static forRole(runsTicks: boolean): DynamicModule {
    return {
      module: TicksModule,
      imports: [StorageModule],
      providers: [
        TickQueues,
        TicksScheduler,
        TickRunner,
        TicksHealth,
        ...(runsTicks ? [TicksProcessor, TicksWatchdog] : []),
      ],
      exports: [TicksScheduler, TickRunner],
    };
  }
}
