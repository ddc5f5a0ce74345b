import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { clusterKeys } from '../clusters/cluster-keys';
import { createRedis } from '../redis/redis.module';

type Listener = (payload: string) => void;

/**
 * One pub/sub connection per API instance, subscribed only to the channels
 * of clusters its own sockets watch (reference-counted).
 */
@Injectable()
export class LiveSubscriber implements OnModuleDestroy {
  private readonly sub: Redis;
  private readonly counts = new Map<string, number>();
  private readonly channelToCluster = new Map<string, string>();
  private listener: (clusterId: string, payload: string) => void = () => {};
  private readonly logger = new Logger('LiveSubscriber');

  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {
    this.sub = createRedis(config.REDIS_URL, this.logger);
    this.sub.on('message', (channel: string, payload: string) => {
      const clusterId = this.channelToCluster.get(channel);
      if (clusterId !== undefined) this.listener(clusterId, payload);
    });
  }

  onMessage(listener: (clusterId: string, payload: string) => void): void {
    this.listener = listener;
  }

  async watch(clusterId: string): Promise<void> {
    const count = this.counts.get(clusterId) ?? 0;
    this.counts.set(clusterId, count + 1);
    if (count > 0) return;
    const channel = clusterKeys(this.config.REDIS_PREFIX, clusterId).channel;
    this.channelToCluster.set(channel, clusterId);
    await this.sub.subscribe(channel);
  }

  async unwatch(clusterId: string): Promise<void> {
    const count = this.counts.get(clusterId) ?? 0;
    if (count <= 1) {
      this.counts.delete(clusterId);
      const channel = clusterKeys(this.config.REDIS_PREFIX, clusterId).channel;
      this.channelToCluster.delete(channel);
      await this.sub.unsubscribe(channel).catch(() => undefined);
    } else {
      this.counts.set(clusterId, count - 1);
    }
  }

  onModuleDestroy(): void {
    this.sub.disconnect();
  }
}

export type { Listener };
