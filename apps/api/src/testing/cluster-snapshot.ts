import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { clusterKeys } from '../storage/keys';

/**
 * What bad input may not change of a stored cluster: its settings, its tokens, its clock (a
 * paused cluster's tick stands still) and its engine state, byte for byte (as a digest).
 */
export async function clusterSnapshot(
  redis: Redis,
  prefix: string,
  id: string,
): Promise<Record<string, unknown>> {
  const keys = clusterKeys(prefix, id);
  const meta = await redis.hgetall(keys.meta);
  const state = await redis.getBuffer(keys.state);
  return {
    name: meta['name'],
    visibility: meta['visibility'],
    speed: meta['speed'],
    paused: meta['paused'],
    tick: meta['tick'],
    lastCommandId: meta['lastCommandId'],
    operatorHash: meta['operatorHash'],
    viewerHash: meta['viewerHash'],
    instructorHash: meta['instructorHash'],
    state: state ? createHash('sha256').update(state).digest('hex') : null,
  };
}
