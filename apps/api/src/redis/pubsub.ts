import { isCluster, type RedisClient } from './redis.module';

/**
 * How live messages (frames, presence, per-VM metrics) are published. On a Redis Cluster:
 * sharded pub/sub (SPUBLISH, Redis 7), so a message goes to the shard that owns its channel's
 * slot (a cluster's channels are tagged with its id: the shard that keeps its data) and reaches
 * the API instances subscribed there, instead of being copied over the cluster bus to every
 * node, as PUBLISH does. On one Redis the two cost the same; PUBLISH is kept there (any Redis
 * version, and SUBSCRIBE / PUBSUB NUMSUB see its channels).
 */
export type PublishCommand = 'PUBLISH' | 'SPUBLISH';

export function publishCommand(redis: RedisClient): PublishCommand {
  return isCluster(redis) ? 'SPUBLISH' : 'PUBLISH';
}

/** Publishes a live message the way publishCommand says; resolves to how many subscribers got it. */
export async function publish(
  redis: RedisClient,
  channel: string,
  message: string,
): Promise<number> {
  return Number(
    isCluster(redis)
      ? await redis.spublish(channel, message)
      : await redis.publish(channel, message),
  );
}
