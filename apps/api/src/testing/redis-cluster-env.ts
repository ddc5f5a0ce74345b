// jest's setupFiles for jest.int-cluster.config.cjs: every test file of a Redis Cluster run must
// reach the run's cluster (REDIS_CLUSTER_NODES, from redisClusterSetup), never fall back on the
// default single Redis, which would make the run a second single-Redis run that passes for the
// wrong reason.
if (!process.env['REDIS_CLUSTER_NODES'] || process.env['REDIS_URL'])
  throw new Error(
    'a Redis Cluster test run needs REDIS_CLUSTER_NODES set and REDIS_URL unset (jest.int-cluster.config.cjs sets them)',
  );
