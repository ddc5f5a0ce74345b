import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { type ApiConfig, corsOrigins } from './config/api-config';
import { serveOpenApi } from './docs/openapi';
import { RedisIoAdapter } from './live/redis-io.adapter';

/** Builds the Nest application for one configuration, without listening. */
export async function createApp(
  config: ApiConfig,
  logger: false | Logger = new Logger(),
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), {
    logger: logger === false ? false : ['log', 'warn', 'error'],
    bufferLogs: false,
    bodyParser: false,
  });
  app.setGlobalPrefix('api');
  // Request bodies: JSON and YAML scenarios, 64 KiB for JSON, 1 MiB for a scenario file.
  app.useBodyParser('json', { limit: '64kb' });
  app.useBodyParser('text', {
    type: ['text/yaml', 'application/yaml', 'application/x-yaml', 'text/plain'],
    limit: '1mb',
  });
  app.enableCors({ origin: corsOrigins(config) });
  app.enableShutdownHooks();
  if (config.ROLE !== 'worker') {
    serveOpenApi(app);
    const adapter = new RedisIoAdapter(app, config.REDIS_URL, `${config.REDIS_PREFIX}:socket.io`);
    adapter.connectToRedis();
    app.useWebSocketAdapter(adapter);
  }
  return app;
}
