import { type DynamicModule, Module } from '@nestjs/common';
import type { ApiConfig } from '../config/api-config';
import { ScenariosModule } from '../scenarios/scenarios.module';
import { StorageModule } from '../storage/storage.module';
import { TicksModule } from '../ticks/ticks.module';
import { ClusterMetrics } from './cluster-metrics';
import { ClustersController } from './clusters.controller';
import { ClustersService } from './clusters.service';

type Role = ApiConfig['ROLE'];

/**
 * Clusters: the service that creates, lists, commands and deletes them (every role), their HTTP
 * routes and metrics (ROLE=api or all), and their ticks (TicksModule, run here when the role
 * includes the worker). LiveModule and ExercisesModule build on it.
 */
@Module({})
export class ClustersModule {
  // Nest tells dynamic modules apart by reference: every module that imports this one for a role
  // must get the same object, or it would get a second ClustersService and a second tick queue.
  private static readonly byRole = new Map<Role, DynamicModule>();

  static forRole(role: Role): DynamicModule {
    const known = ClustersModule.byRole.get(role);
    if (known) return known;
    const serves = role !== 'worker';
    const module: DynamicModule = {
      module: ClustersModule,
      imports: [StorageModule, ScenariosModule, TicksModule.forRole(role !== 'api')],
      controllers: serves ? [ClustersController] : [],
      providers: [ClustersService, ...(serves ? [ClusterMetrics] : [])],
      exports: [ClustersService],
    };
    ClustersModule.byRole.set(role, module);
    return module;
  }
}
