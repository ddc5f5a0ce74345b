import { type DynamicModule, Module } from '@nestjs/common';
import type { ApiConfig } from '../config/api-config';
import { ClustersModule } from '../clusters/clusters.module';
import { ScenariosModule } from '../scenarios/scenarios.module';
import { StorageModule } from '../storage/storage.module';
import { RUNS_SWEEPS, SweepQueue } from './sweep-queue';
import { SweepsController } from './sweeps.controller';
import { SweepsLive } from './sweeps.live';
import { SweepsRepository } from './sweeps.repository';
import { SweepsService } from './sweeps.service';

type Role = ApiConfig['ROLE'];

/**
 * Sweeps: the queue (every role), the worker that runs them (ROLE=worker or all), the HTTP
 * routes and `watch-sweep` (ROLE=api or all).
 */
@Module({})
export class SweepsModule {
  // One object per role, as ClustersModule: LiveModule imports it too.
  private static readonly byRole = new Map<Role, DynamicModule>();

  static forRole(role: Role): DynamicModule {
    const known = SweepsModule.byRole.get(role);
    if (known) return known;
    const serves = role !== 'worker';
    const module: DynamicModule = {
      module: SweepsModule,
      imports: [StorageModule, ScenariosModule, ClustersModule.forRole(role)],
      controllers: serves ? [SweepsController] : [],
      providers: [
        { provide: RUNS_SWEEPS, useValue: role !== 'api' },
        SweepsRepository,
        SweepQueue,
        SweepsService,
        ...(serves ? [SweepsLive] : []),
      ],
      exports: serves ? [SweepsService, SweepsLive] : [SweepsService],
    };
    SweepsModule.byRole.set(role, module);
    return module;
  }
}
