import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { ConfigError, loadApiConfig } from './config/api-config';
import { describeRedis } from './redis/redis.module';
import { apiVersion } from './common/version';

// A Redis restart can reject a command that was in flight inside a library
// (adapter, queue) with ioredis's "Connection is closed."; that must not take
// the process down, since every client reconnects by itself. Anything else
// still crashes, as Node does by default.
process.on('unhandledRejection', (reason) => {
  if (reason instanceof Error && reason.message === 'Connection is closed.') {
    new Logger('Redis').warn('a command was lost while Redis was away; the connection reconnects');
    return;
  }
  throw reason;
});

async function main(): Promise<void> {
  const config = loadApiConfig();
  const app = await createApp(config);
  const logger = new Logger('Main');
  try {
    await app.listen(config.API_PORT);
  } catch (error) {
    await app.close();
    throw error;
  }
  // Graceful shutdown: readiness fails, sockets are told to reconnect elsewhere, the worker finishes
  // the ticks it holds and takes no more (the shutdown hooks), then exit 0. It must not hang on an
  // unreachable Redis: after 10 s it exits 1 regardless.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal}: shutting down`);
      setTimeout(() => process.exit(1), 10_000).unref();
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(
            `shutdown failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          process.exit(1);
        },
      );
    });
  }
  logger.log(
    `Overcommit API ${apiVersion} (role ${config.ROLE}) on http://localhost:${config.API_PORT}/api, Redis ${describeRedis(config)}`,
  );
}

main().catch((error: unknown) => {
  // One line, naming what was wrong, then a non-zero exit.
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else if (isErrno(error) && error.code === 'EADDRINUSE') {
    console.error(
      `API_PORT ${String(error.port ?? '')} is already in use: stop what holds it or set API_PORT to a free port`,
    );
  } else {
    console.error(
      `Overcommit API failed to start: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  process.exit(1);
});

function isErrno(error: unknown): error is NodeJS.ErrnoException & { port?: number } {
  return error instanceof Error && 'code' in error;
}
