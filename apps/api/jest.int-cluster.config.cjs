const path = require('node:path');
const { jestConfig } = require('../../jest.preset.cjs');

// The live integration tests again, against a Redis Cluster (three masters, a replica each) that
// the run starts on loopback, plus the cluster's own failover test: ticks, frames in order,
// resume with sinceTick, commands, presence and per-VM metrics (live); two API instances and two
// workers (instances); sharded subscriptions held and released as watchers come and go on two
// instances (watchers); a worker killed (worker-failover); a master replaced (redis-failover);
// exercises, whose keys are global ones; and what-if forks (read the source's slot, then write the
// fork's).
module.exports = {
  ...jestConfig(__dirname, { kind: 'int' }),
  displayName: 'api:int-cluster',
  testMatch: [
    '<rootDir>/src/live/live.int.spec.ts',
    '<rootDir>/src/live/instances.int.spec.ts',
    '<rootDir>/src/live/watchers.int.spec.ts',
    '<rootDir>/src/ticks/worker-failover.int.spec.ts',
    '<rootDir>/src/ticks/redis-failover.int.spec.ts',
    '<rootDir>/src/exercises/exercises.int.spec.ts',
    '<rootDir>/src/clusters/forks.int.spec.ts',
  ],
  globalSetup: path.join(__dirname, 'src/testing/redis-cluster-setup.ts'),
  setupFiles: [path.join(__dirname, 'src/testing/redis-cluster-env.ts')],
  globalTeardown: path.join(__dirname, 'src/testing/redis-cluster-teardown.ts'),
  forceExit: true,
};
