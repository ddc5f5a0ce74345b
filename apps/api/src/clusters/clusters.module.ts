import { type DynamicModule, Module } from '@nestjs/common';
import { LiveGateway } from '../live/live.gateway';
import { LiveSubscriber } from '../live/live.subscriber';
import { ScenariosModule } from '../scenarios/scenarios.module';
import { TicksModule } from '../ticks/ticks.module';
import { ClustersController } from './clusters.controller';
import { ClustersService } from './clusters.service';
import { ClusterMetrics } from './cluster-metrics';
import { ExercisesController } from '../exercises/exercises.controller';
import { ExercisesService } from '../exercises/exercises.service';

/** Clusters over HTTP and socket.io, and their ticks (run here when the role includes the worker). */
@Module({})
export class ClustersModule {
  static forRole(role: 'api' | 'worker' | 'all'): DynamicModule {
    const serves = role !== 'worker';
    return {
      module: ClustersModule,
      imports: [ScenariosModule, TicksModule.forRole(role !== 'api')],
      controllers: serves ? [ClustersController, ExercisesController] : [],
      providers: [
        ClustersService,
        ...(serves ? [LiveGateway, LiveSubscriber, ClusterMetrics, ExercisesService] : []),
      ],
      exports: [ClustersService],
    };
  }
}
