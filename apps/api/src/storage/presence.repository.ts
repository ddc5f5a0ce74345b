import { Injectable, Logger } from '@nestjs/common';
import type { LiveMessage, Presence } from '@overcommit/contracts';
import { clusterKeys, instanceOfField, instancesKey, watcherField } from './keys';
import { RedisRepository } from './redis-repository';
import { batch, type BatchCall } from '../redis/batch';
import { publish } from '../redis/pubsub';

/** An API instance missing its heartbeats this long is taken for dead, with its sockets. */
export const INSTANCE_TTL_MS = 15_000;

/** One watcher in the presence hash. */
export interface Watcher {
  name: string;
  role: 'operator' | 'viewer';
  since: number;
}

/** The two hashes of a cluster's watchers, by `<instance>|<socket id>`. */
type WatcherHash = 'presence' | 'vmWatchers';

/**
 * Who watches which cluster, across API instances: the presence hash (every joined socket), the
 * VM-table watchers (sockets that asked for per-VM metrics), and the instances' heartbeats that
 * keep both honest (the sockets of an instance that stopped beating do not count, and are pruned).
 */
@Injectable()
export class PresenceRepository extends RedisRepository {
  private readonly logger = new Logger('Presence');
  private live: { at: number; ids: Set<string> } | undefined;

  private key(id: string, hash: WatcherHash): string {
    return clusterKeys(this.prefix, id)[hash];
  }

  /** A socket of `instance` joined the cluster as `watcher`. */
  async addWatcher(
    id: string,
    instance: string,
    socketId: string,
    watcher: Watcher,
  ): Promise<void> {
    await this.redis.hset(
      this.key(id, 'presence'),
      watcherField(instance, socketId),
      JSON.stringify(watcher),
    );
  }

  async removeWatcher(id: string, instance: string, socketId: string): Promise<void> {
    await this.redis.hdel(this.key(id, 'presence'), watcherField(instance, socketId));
  }

  /** A socket of `instance` asked for the cluster's per-VM metrics. */
  async addVmWatcher(id: string, instance: string, socketId: string): Promise<void> {
    await this.redis.hset(this.key(id, 'vmWatchers'), watcherField(instance, socketId), '1');
  }

  async removeVmWatcher(id: string, instance: string, socketId: string): Promise<void> {
    await this.redis.hdel(this.key(id, 'vmWatchers'), watcherField(instance, socketId));
  }

  /**
   * Takes sockets of `instance` out of the watchers of the clusters they joined (an instance
   * shutting down), in one round trip; rejects with how many entries it could not remove.
   */
  async removeSockets(
    instance: string,
    sockets: readonly { socketId: string; clusterIds: readonly string[] }[],
  ): Promise<void> {
    const calls: BatchCall[] = [];
    for (const { socketId, clusterIds } of sockets) {
      const field = watcherField(instance, socketId);
      for (const id of clusterIds)
        calls.push(
          ['hdel', this.key(id, 'presence'), field],
          ['hdel', this.key(id, 'vmWatchers'), field],
        );
    }
    if (calls.length === 0) return;
    const replies = await batch(this.redis, calls);
    const failed = replies.filter(([error]) => error !== null);
    if (failed.length > 0)
      throw new Error(
        `${failed.length} of ${replies.length} watcher entries not removed: ${failed[0]![0]!.message}`,
      );
  }

  /**
   * Tells every API instance with watchers of the cluster who watches now: on the cluster's live
   * channel, beside its frames, so each instance relays it to its own sockets.
   */
  async publishPresence(presence: Presence): Promise<void> {
    const message: LiveMessage = { presence };
    await publish(
      this.redis,
      clusterKeys(this.prefix, presence.clusterId).channel,
      JSON.stringify(message),
    );
  }

  /** Who watches a cluster (on live instances), oldest first. */
  async presence(id: string): Promise<Watcher[]> {
    const entries = await this.redis.hgetall(this.key(id, 'presence'));
    return (await this.alive(id, 'presence', Object.keys(entries)))
      .map((field) => JSON.parse(entries[field]!) as Watcher)
      .sort((a, b) => a.since - b.since);
  }

  async watchers(id: string): Promise<number> {
    return (await this.presence(id)).length;
  }

  /** How many watch each of the clusters (on live instances), in one round trip. */
  async watcherCounts(ids: readonly string[]): Promise<number[]> {
    const replies = await batch(
      this.redis,
      ids.map((id) => ['hkeys', this.key(id, 'presence')] as const),
    );
    return Promise.all(
      ids.map(async (id, i) => {
        const fields = (replies[i]?.[1] as string[] | undefined) ?? [];
        return (await this.alive(id, 'presence', fields)).length;
      }),
    );
  }

  /** Sockets asking for per-VM metrics, on live instances only. */
  async vmWatchers(id: string): Promise<number> {
    const fields = await this.redis.hkeys(this.key(id, 'vmWatchers'));
    return (await this.alive(id, 'vmWatchers', fields)).length;
  }

  /** An API instance says it is alive; its sockets count as watchers while it does. */
  async heartbeat(instance: string): Promise<void> {
    const key = instancesKey(this.prefix);
    const now = Date.now();
    await this.redis
      .multi()
      .zadd(key, now, instance)
      .zremrangebyscore(key, '-inf', now - 10 * INSTANCE_TTL_MS)
      .exec();
  }

  async forgetInstance(instance: string): Promise<void> {
    await this.redis.zrem(instancesKey(this.prefix), instance);
  }

  /**
   * Instances seen within the last INSTANCE_TTL_MS. Every tick and join asks,
   * so a reading is kept for a second unless `fresh` is asked for.
   */
  async liveInstances(fresh = false): Promise<Set<string>> {
    const now = Date.now();
    if (!fresh && this.live && now - this.live.at < 1_000) return this.live.ids;
    const ids = new Set(
      await this.redis.zrangebyscore(instancesKey(this.prefix), now - INSTANCE_TTL_MS, '+inf'),
    );
    this.live = { at: now, ids };
    return ids;
  }

  /**
   * The fields of live instances; those of instances that died without
   * cleaning up (a crash, a kill) are deleted on the way.
   */
  private async alive(id: string, hash: WatcherHash, fields: string[]): Promise<string[]> {
    let live = await this.liveInstances();
    // An instance missing from the kept reading may have started since: ask Redis before deleting.
    if (fields.some((field) => !live.has(instanceOfField(field))))
      live = await this.liveInstances(true);
    const alive: string[] = [];
    const dead: string[] = [];
    for (const field of fields) (live.has(instanceOfField(field)) ? alive : dead).push(field);
    if (dead.length > 0)
      this.redis.hdel(this.key(id, hash), ...dead).catch((error: Error) =>
        // Harmless: they are not counted either way, and the next read prunes them again.
        this.logger.debug(
          { clusterId: id },
          `pruning ${dead.length} ${hash} entries of dead instances failed: ${error.message}`,
        ),
      );
    return alive;
  }
}
