import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { API_CONFIG, type ApiConfig } from './config/api-config';
import { ClustersModule } from './clusters/clusters.module';
import { BodyErrorFilter } from './common/body-error.filter';
import { HttpErrorFilter } from './common/http-error.filter';
import { ServiceErrorFilter } from './common/service-error.filter';
import { ExercisesModule } from './exercises/exercises.module';
import { HealthModule } from './health/health.module';
import { LiveModule } from './live/live.module';
import { loggerParams } from './observability/logging';
import { ObservabilityModule } from './observability/observability.module';
import { RedisModule } from './redis/redis.module';
import { SweepsModule } from './sweeps/sweeps.module';

@Module({})
export class AppModule {
  /** The whole application for one parsed configuration, logging at `logLevel` ('silent' in tests). */
  static forConfig(config: ApiConfig, logLevel: string = config.LOG_LEVEL): DynamicModule {
    return {
      module: AppModule,
      global: true,
      providers: [
        { provide: API_CONFIG, useValue: config },
        // Every HTTP route, per client address (X-Forwarded-For behind the front door); health
        // and metrics are exempt. socket.io events have their own limit in the gateway.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        // A service's error about the request (ServiceError) as its HTTP answer, for every route.
        { provide: APP_FILTER, useClass: ServiceErrorFilter },
        // Nest's and libraries' own errors (no route, the throttler's 429): their answer with its
        // code, and a 404 without the URL's query (where a token may be).
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        // A body the parsers refuse: its 4xx, said clearly, and not logged as an error of ours.
        { provide: APP_FILTER, useClass: BodyErrorFilter },
      ],
      exports: [API_CONFIG],
      imports: [
        LoggerModule.forRoot(loggerParams(logLevel)),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: config.RATE_LIMIT_HTTP }],
          errorMessage: `too many requests: at most ${config.RATE_LIMIT_HTTP} a minute from one address (RATE_LIMIT_HTTP); try again shortly`,
        }),
        RedisModule,
        ObservabilityModule,
        HealthModule,
        ...featureModules(config.ROLE),
      ],
    };
  }
}

/**
 * The features a role runs: every role has clusters (and, through them, the tick queue; the
 * worker's tick runner for ROLE=worker or all); ROLE=api or all also serves the live socket.io
 * gateway and exercises. Every role has sweeps (the worker runs them, the API serves them).
 */
function featureModules(role: ApiConfig['ROLE']): DynamicModule[] {
  if (role === 'worker') return [ClustersModule.forRole(role), SweepsModule.forRole(role)];
  return [
    ClustersModule.forRole(role),
    LiveModule.forRole(role),
    ExercisesModule.forRole(role),
    SweepsModule.forRole(role),
  ];
}
