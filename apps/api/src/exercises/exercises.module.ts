import { type DynamicModule, Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { ScenariosModule } from '../scenarios/scenarios.module';
import { StorageModule } from '../storage/storage.module';
import { ExercisesController } from './exercises.controller';
import { ExercisesService } from './exercises.service';

/** Exercises over HTTP (ROLE=api or all): one cluster per team, the scoreboard, controls, the report. */
@Module({})
export class ExercisesModule {
  static forRole(role: 'api' | 'all'): DynamicModule {
    return {
      module: ExercisesModule,
      imports: [StorageModule, ScenariosModule, ClustersModule.forRole(role)],
      controllers: [ExercisesController],
      providers: [ExercisesService],
    };
  }
}
