import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { bullPrefix } from '../storage/keys';
import { StorageModule } from '../storage/storage.module';
import { TICKS_QUEUE } from './ticks.constants';
import { TickRunner } from './tick-runner.service';
import { TicksProcessor } from './ticks.processor';
import { TicksScheduler } from './ticks.scheduler';
import { TicksWatchdog } from './ticks.watchdog';
import { TicksHealth } from './ticks.health';

/**
 * The tick queue (every role) and, for ROLE=worker or all, the worker that
 * runs ticks and the watchdog that mends a tick chain broken by a dead worker.
 */
@Module({})
export class TicksModule {
  static forRole(runsTicks: boolean): DynamicModule {
    return {
      module: TicksModule,
      imports: [
        BullModule.forRootAsync({
          inject: [API_CONFIG],
          useFactory: (config: ApiConfig) => ({
            // Reconnect within two seconds after a Redis restart (BullMQ's default backs off to 20 s).
            connection: {
              url: config.REDIS_URL,
              maxRetriesPerRequest: null,
              retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
            },
            prefix: bullPrefix(config.REDIS_PREFIX),
          }),
        }),
        BullModule.registerQueue({ name: TICKS_QUEUE }),
        StorageModule,
      ],
      providers: [
        TicksScheduler,
        TickRunner,
        TicksHealth,
        ...(runsTicks ? [TicksProcessor, TicksWatchdog] : []),
      ],
      exports: [TicksScheduler, TickRunner],
    };
  }
}
