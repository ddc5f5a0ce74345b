import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { clusterKeys } from '../clusters/cluster-keys';
import { createRedis } from '../redis/redis.module';

/** What a channel carries: a cluster's frames, or its per-VM metrics. */
export type Feed = 'frames' | 'vms';

/**
 * One pub/sub connection per API instance, subscribed only to the channels
 * of clusters its own sockets watch (reference-counted per channel).
 */
@Injectable()
export class LiveSubscriber implements OnModuleDestroy {
  private readonly sub: Redis;
  private readonly counts = new Map<string, number>();
  private readonly channels = new Map<string, { clusterId: string; feed: Feed }>();
  private listener: (clusterId: string, feed: Feed, payload: string) => void = () => {};
  private readonly logger = new Logger('LiveSubscriber');

  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {
    this.sub = createRedis(config.REDIS_URL, this.logger);
    this.sub.on('message', (channel: string, payload: string) => {
      const target = this.channels.get(channel);
      if (target !== undefined) this.listener(target.clusterId, target.feed, payload);
    });
  }

  onMessage(listener: (clusterId: string, feed: Feed, payload: string) => void): void {
    this.listener = listener;
  }

  private channelOf(clusterId: string, feed: Feed): string {
    const keys = clusterKeys(this.config.REDIS_PREFIX, clusterId);
    return feed === 'frames' ? keys.channel : keys.vmChannel;
  }

  async watch(clusterId: string, feed: Feed = 'frames'): Promise<void> {
    const channel = this.channelOf(clusterId, feed);
    const count = this.counts.get(channel) ?? 0;
    this.counts.set(channel, count + 1);
    if (count > 0) return;
    this.channels.set(channel, { clusterId, feed });
    await this.sub.subscribe(channel);
  }

  async unwatch(clusterId: string, feed: Feed = 'frames'): Promise<void> {
    const channel = this.channelOf(clusterId, feed);
    const count = this.counts.get(channel) ?? 0;
    if (count <= 1) {
      this.counts.delete(channel);
      this.channels.delete(channel);
      await this.sub.unsubscribe(channel).catch(() => undefined);
    } else {
      this.counts.set(channel, count - 1);
    }
  }

  onModuleDestroy(): void {
    this.sub.disconnect();
  }
}
