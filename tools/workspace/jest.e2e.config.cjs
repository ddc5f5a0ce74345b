// The deployment smoke test (`src/**/*.e2e.spec.ts`): docker-compose.yml's
// processes on loopback (Redis of its own, the built API, worker and dashboard,
// Debian's nginx). One file at a time, with long timeouts: it starts 7 processes.
const { jestConfig } = require('../../jest.preset.cjs');

module.exports = {
  ...jestConfig(__dirname, { kind: 'e2e' }),
  testTimeout: 60_000,
};
