import { redisClusterTeardown } from './redis-cluster-global';

// jest's globalTeardown for jest.int-cluster.config.cjs.
export default redisClusterTeardown;
