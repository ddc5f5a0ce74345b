import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from '../redis/redis.module';

/**
 * Deletes every key matching `pattern` (a test's own prefix). SCAN sees one node's keys, so on a
 * Redis Cluster every master is scanned, and each key is unlinked on its own (a command's keys
 * must share a slot there).
 */
export async function deleteKeys(redis: RedisClient, pattern: string): Promise<void> {
  const nodes: Redis[] = isCluster(redis) ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      if (isCluster(redis)) await Promise.all(keys.map((key) => node.unlink(key)));
      else await node.unlink(...keys);
    } while (cursor !== '0');
  }
}
