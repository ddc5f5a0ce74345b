import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { clusterKeys } from '../storage/keys';
import { createRedis, isCluster, type RedisClient } from '../redis/redis.module';

/** What a channel carries: a cluster's frames, or its per-VM metrics. */
export type Feed = 'frames' | 'vms';

/**
 * One pub/sub connection per API instance, subscribed only to the channels
 * of clusters its own sockets watch. A channel is held by the set of socket
 * ids that watch it, not by a counter: taking or releasing it twice for the
 * same socket (a leave racing a disconnect) changes nothing, so one socket
 * can never release a channel others still watch.
 *
 * On a Redis Cluster the channels are sharded (SSUBSCRIBE; the workers
 * SPUBLISH, redis/pubsub.ts): ioredis keeps one subscriber connection per
 * master and, within a second of a failover, subscribes again on the new
 * master; frames published meanwhile are missed, and clients fill the hole
 * from the history with sinceTick, as after any gap.
 */
@Injectable()
export class LiveSubscriber implements OnModuleDestroy {
  private readonly sub: RedisClient;
  private readonly sharded: boolean;
  private readonly holders = new Map<string, Set<string>>();
  private readonly channels = new Map<string, { clusterId: string; feed: Feed }>();
  private listener: (clusterId: string, feed: Feed, payload: string) => void = () => {};
  private readonly logger = new Logger('LiveSubscriber');

  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {
    this.sub = createRedis(config, { logger: this.logger, use: 'subscriber' });
    this.sharded = isCluster(this.sub);
    this.sub.on(this.sharded ? 'smessage' : 'message', (channel: string, payload: string) => {
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

  /**
   * `socketId` watches the cluster's feed; resolves once this instance is
   * subscribed (the first holder subscribes). Commands on the one connection
   * run in order, so a subscribe after an unsubscribe always wins.
   */
  async watch(clusterId: string, socketId: string, feed: Feed = 'frames'): Promise<void> {
    const channel = this.channelOf(clusterId, feed);
    const holders = this.holders.get(channel);
    if (holders !== undefined) {
      holders.add(socketId);
      return;
    }
    this.holders.set(channel, new Set([socketId]));
    this.channels.set(channel, { clusterId, feed });
    await (this.sharded ? this.sub.ssubscribe(channel) : this.sub.subscribe(channel));
  }

  /** `socketId` no longer watches; the last holder's release unsubscribes. Idempotent. */
  async unwatch(clusterId: string, socketId: string, feed: Feed = 'frames'): Promise<void> {
    const channel = this.channelOf(clusterId, feed);
    const holders = this.holders.get(channel);
    if (holders === undefined || !holders.delete(socketId) || holders.size > 0) return;
    this.holders.delete(channel);
    this.channels.delete(channel);
    await (this.sharded ? this.sub.sunsubscribe(channel) : this.sub.unsubscribe(channel)).catch(
      (error: Error) => {
        this.logger.warn({ clusterId }, `unsubscribe from ${channel} failed: ${error.message}`);
      },
    );
  }

  /** How many of this instance's sockets hold the cluster's feed (0: not subscribed). */
  holderCount(clusterId: string, feed: Feed = 'frames'): number {
    return this.holders.get(this.channelOf(clusterId, feed))?.size ?? 0;
  }

  /** Channels this instance is subscribed to (a gauge in /metrics). */
  get subscriptions(): number {
    return this.holders.size;
  }

  onModuleDestroy(): void {
    this.sub.disconnect();
  }
}
