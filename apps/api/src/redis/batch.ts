import { isCluster, type RedisClient } from './redis.module';

/** One command of a batch: its name and arguments, the key first. */
export type BatchCall = readonly [
  command: 'hgetall' | 'hkeys' | 'hdel',
  key: string,
  ...args: string[],
];

/** A command's reply in a batch: its error, or null and the reply. */
export type BatchReply = [Error | null, unknown];

/**
 * Commands on the keys of many clusters in one round trip, replies in order. On one Redis: one
 * pipeline, as always. On a Redis Cluster a pipeline may not span nodes (nor, for a MULTI,
 * slots), so the commands are sent together and the connection's auto-pipelining (createRedis)
 * makes one pipeline per node of them.
 */
export async function batch(
  redis: RedisClient,
  calls: readonly BatchCall[],
): Promise<BatchReply[]> {
  if (calls.length === 0) return [];
  if (!isCluster(redis)) return (await redis.pipeline(calls.map((call) => [...call])).exec()) ?? [];
  const commands = redis as unknown as Record<string, (...args: string[]) => Promise<unknown>>;
  return Promise.all(
    calls.map(([command, ...args]) =>
      commands[command]!.apply(redis, args).then(
        (reply): BatchReply => [null, reply],
        (error: Error): BatchReply => [error, null],
      ),
    ),
  );
}
