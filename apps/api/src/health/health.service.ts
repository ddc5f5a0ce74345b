import { Inject, Injectable } from '@nestjs/common';
import type { Health } from '@overcommit/contracts';
import { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { apiVersion } from '../common/version';
import { within } from './health-checks';

const PING_TIMEOUT_MS = 1_000;

@Injectable()
export class HealthService {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async check(): Promise<Health> {
    const redisUp = await this.redisUp();
    return {
      status: redisUp ? 'ok' : 'degraded',
      redis: redisUp ? 'up' : 'down',
      version: apiVersion,
    };
  }

  /** A real PING, bounded in time so a hung Redis cannot hang the health check. */
  redisUp(): Promise<boolean> {
    return within(PING_TIMEOUT_MS, this.pingWhenReady(), false);
  }

  /** Waits for a connection in progress (start-up, reconnect) instead of failing at once. */
  private async pingWhenReady(): Promise<boolean> {
    if (
      this.redis.status === 'connecting' ||
      this.redis.status === 'connect' ||
      this.redis.status === 'reconnecting'
    ) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.redis.off('ready', done);
          this.redis.off('error', done);
          resolve();
        };
        this.redis.once('ready', done);
        this.redis.once('error', done);
      });
    }
    return this.redis.ping().then(
      (reply) => reply === 'PONG',
      // Down is the answer (and readiness says so); the connection's error listener logs the outage.
      () => false,
    );
  }
}
