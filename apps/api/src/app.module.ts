import { type DynamicModule, Module } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from './config/api-config';
import { ClustersModule } from './clusters/clusters.module';
import { HealthModule } from './health/health.module';
import { RedisModule } from './redis/redis.module';

@Module({})
export class AppModule {
  /** The whole application for one parsed configuration. */
  static forConfig(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      providers: [{ provide: API_CONFIG, useValue: config }],
      exports: [API_CONFIG],
      imports: [RedisModule, HealthModule, ClustersModule.forRole(config.ROLE)],
    };
  }
}
