import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { type ApiConfig, corsOrigins } from './config/api-config';

/** Builds the Nest application for one configuration, without listening. */
export async function createApp(
  config: ApiConfig,
  logger: false | Logger = new Logger(),
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), {
    logger: logger === false ? false : ['log', 'warn', 'error'],
    bufferLogs: false,
  });
  app.setGlobalPrefix('api');
  app.enableCors({ origin: corsOrigins(config) });
  app.enableShutdownHooks();
  return app;
}
