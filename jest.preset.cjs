// Shared jest settings for every project: TypeScript through SWC (fast, no type
// checking; `typecheck` does that), workspace libraries resolved to their sources.
const path = require('node:path');

const swc = {
  jsc: {
    parser: { syntax: 'typescript', tsx: true, decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

/** @param {string} projectDir @param {{ kind?: 'unit' | 'int' | 'e2e' }} [opts] */
function jestConfig(projectDir, opts = {}) {
  const kind = opts.kind ?? 'unit';
  const pattern = {
    unit: '<rootDir>/src/**/*.spec.{ts,tsx}',
    int: '<rootDir>/src/**/*.int.spec.ts',
    e2e: '<rootDir>/src/**/*.e2e.spec.ts',
  }[kind];
  return {
    rootDir: projectDir,
    displayName: `${path.basename(projectDir)}:${kind}`,
    testEnvironment: 'node',
    testMatch: [pattern],
    testPathIgnorePatterns:
      kind === 'unit'
        ? ['/node_modules/', '\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$']
        : ['/node_modules/'],
    transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', swc] },
    moduleNameMapper: {
      '^@overcommit/(contracts|sim|scenario-files)$': path.join(__dirname, 'libs/$1/src/index.ts'),
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
    ...(kind === 'unit' ? {} : { maxWorkers: 1 }),
  };
}

module.exports = { jestConfig };
