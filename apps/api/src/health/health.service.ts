import { Inject, Injectable } from '@nestjs/common';
import type { Health } from '@overcommit/contracts';
import { isCluster, REDIS, type RedisClient } from '../redis/redis.module';
import { apiVersion } from '../common/version';
import { within } from './health-checks';

const PING_TIMEOUT_MS = 1_000;

@Injectable()
export class HealthService {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async check(): Promise<Health> {
    const redisUp = await this.redisUp();
    return {
      status: redisUp ? 'ok' : 'degraded',
      redis: redisUp ? 'up' : 'down',
      version: apiVersion,
    };
  }

  /** What readiness says when redisUp() is false. */
  get redisDownReason(): string {
    return isCluster(this.redis)
      ? 'the Redis Cluster does not say cluster_state:ok (CLUSTER INFO) within 1 s'
      : 'Redis does not answer PING within 1 s';
  }

  /**
   * A real PING (on a Redis Cluster: CLUSTER INFO, which must say cluster_state:ok, so a cluster
   * with slots that no master serves is down), bounded in time so a hung Redis cannot hang the
   * health check.
   */
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
    const answer = isCluster(this.redis)
      ? this.redis.cluster('INFO').then((info) => /^cluster_state:ok\s*$/m.test(info))
      : this.redis.ping().then((reply) => reply === 'PONG');
    // Down is the answer (and readiness says so); the connection's error listener logs the outage.
    return answer.catch(() => false);
  }
}
