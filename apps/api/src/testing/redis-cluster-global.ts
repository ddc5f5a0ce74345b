import { randomBytes } from 'node:crypto';
import { TestRedisCluster } from './redis-cluster';

// The Redis Cluster runs of the integration tests (jest.int-cluster.config.cjs): one throw-away
// cluster of three masters with a replica each, for the whole run, named to the tests by
// REDIS_CLUSTER_NODES (REDIS_URL is unset: the API refuses both). Torn down, every node killed
// and its directory removed, by redisClusterTeardown, also when tests failed.

const running = Symbol.for('overcommit.test.redisCluster');
type WithCluster = typeof globalThis & { [running]?: TestRedisCluster };

export async function redisClusterSetup(): Promise<void> {
  const cluster = await TestRedisCluster.start({ masters: 3, replicas: 1 });
  (globalThis as WithCluster)[running] = cluster;
  delete process.env['REDIS_URL'];
  process.env['REDIS_CLUSTER_NODES'] = cluster.seeds;
  process.env['REDIS_PREFIX'] = `oc-test-${randomBytes(4).toString('hex')}`;
  // As the single-Redis runs (scripts/jest/redis-global-setup.cjs): suites do not all delete their clusters.
  process.env['MAX_CLUSTERS'] ??= '100000';
  process.env['MAX_CLUSTERS_PER_ADDRESS'] ??= '100000';
}

export async function redisClusterTeardown(): Promise<void> {
  await (globalThis as WithCluster)[running]?.stop();
}
