import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { type ApiConfig, corsOrigins, publicUrl } from './config/api-config';
import { serveOpenApi } from './docs/openapi';
import { socketIoKey } from './storage/keys';
import { RedisIoAdapter } from './live/redis-io.adapter';

/** Builds the Nest application for one configuration, without listening; `log: false` silences it (tests). */
export async function createApp(config: ApiConfig, log = true): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forConfig(config, log ? config.LOG_LEVEL : 'silent'),
    { bufferLogs: true, bodyParser: false },
  );
  // Structured logs (pino), one JSON line per event, with the request id and cluster id where there is one.
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // Behind the front door, the client's address comes from X-Forwarded-For (rate limits, logs).
  app.set('trust proxy', config.TRUST_PROXY ?? false);
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.use(helmet());
  // Request bodies: JSON and YAML scenarios, 64 KiB for JSON, 1 MiB for a scenario file.
  app.useBodyParser('json', { limit: '64kb' });
  app.useBodyParser('text', {
    type: ['text/yaml', 'application/yaml', 'application/x-yaml', 'text/plain'],
    limit: '1mb',
  });
  app.enableCors({ origin: corsOrigins(config) });
  if (config.ROLE !== 'worker') {
    serveOpenApi(app);
    const adapter = new RedisIoAdapter(app, config, socketIoKey(config.REDIS_PREFIX), {
      origins: corsOrigins(config),
      publicUrl: publicUrl(config),
      compression: config.LIVE_COMPRESSION === 'on',
    });
    adapter.connectToRedis();
    app.useWebSocketAdapter(adapter);
  }
  return app;
}
