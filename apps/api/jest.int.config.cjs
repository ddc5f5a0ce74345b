const path = require('node:path');
const { jestConfig } = require('../../jest.preset.cjs');

module.exports = {
  ...jestConfig(__dirname, { kind: 'int' }),
  // A Redis Cluster's own test: it runs in the cluster runs (jest.int-cluster.config.cjs).
  testPathIgnorePatterns: ['/node_modules/', '/src/ticks/redis-failover\\.int\\.spec\\.ts$'],
  globalSetup: path.join(__dirname, '../../scripts/jest/redis-global-setup.cjs'),
  globalTeardown: path.join(__dirname, '../../scripts/jest/redis-global-teardown.cjs'),
  // Every test closes what it opens, but BullMQ and ioredis can keep a
  // reconnect timer alive for seconds after close; do not let that hold the run.
  forceExit: true,
};
