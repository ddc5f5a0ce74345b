import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { API_CONFIG, type ApiConfig } from '../config/api-config';

/** Injection token for the shared command connection. */
export const REDIS = Symbol('REDIS');

/**
 * Creates a connection. Commands sent while it (re)connects wait in the
 * offline queue and fail after two retries, so a request never hangs for long
 * when Redis is away; the health check bounds its PING itself.
 */
export function createRedis(url: string, logger = new Logger('Redis')): Redis {
  let reported = false;
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 2_000,
    showFriendlyErrorStack: process.env.OC_DEBUG_REDIS === '1',
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on('error', (error: Error) => {
    // ioredis repeats the error on every retry; one line per outage is enough.
    if (!reported) logger.warn(`Redis at ${redactUrl(url)} unreachable: ${error.message}`);
    reported = true;
  });
  redis.on('ready', () => {
    if (reported) logger.log(`Redis at ${redactUrl(url)} is back`);
    reported = false;
  });
  return redis;
}

/** A Redis URL without its password, fit for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL: the connection reports that itself; a log line only needs something safe to show.
    return '(invalid URL)';
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) => createRedis(config.REDIS_URL),
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
