import { redisClusterSetup } from './redis-cluster-global';

// jest's globalSetup for jest.int-cluster.config.cjs (a module whose default export it runs).
export default redisClusterSetup;
