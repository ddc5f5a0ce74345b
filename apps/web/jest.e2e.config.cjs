// Browser tests (`e2e/**/*.e2e.spec.ts`): Debian's Chromium through playwright-core
// against the built API and dashboard and a real Redis (e2e/harness.ts). One file
// at a time, with long timeouts: each starts processes and a browser.
const path = require('node:path');
const { jestConfig } = require('../../jest.preset.cjs');

module.exports = {
  ...jestConfig(__dirname, { kind: 'e2e' }),
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 60_000,
  // A Redis must answer (a clear failure otherwise); the run gets a key prefix of its own.
  globalSetup: path.join(__dirname, '../../scripts/jest/redis-global-setup.cjs'),
  globalTeardown: path.join(__dirname, '../../scripts/jest/redis-global-teardown.cjs'),
};
