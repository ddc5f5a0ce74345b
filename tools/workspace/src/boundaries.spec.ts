import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The "may import" column of the architecture note is a lint error, not a review
 * comment: these cases run the real ESLint on code placed in each project.
 */
const root = join(__dirname, '../../..');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

function boundaryErrors(file: string, code: string): string[] {
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/eslint/bin/eslint.js'),
      '--stdin',
      '--stdin-filename',
      file,
      '--format',
      'json',
    ],
    { cwd: root, input: code, encoding: 'utf8' },
  );
  const [report] = JSON.parse(result.stdout) as [{ messages: LintMessage[] }];
  return report.messages
    .filter((message) => message.ruleId === '@nx/enforce-module-boundaries')
    .map((message) => message.message);
}

describe('module boundaries', () => {
  jest.setTimeout(60_000);

  it('refuses the web app importing the simulation', () => {
    const errors = boundaryErrors(
      'apps/web/src/health/fetch-health.ts',
      "import { logicalCpus } from '@overcommit/sim';\nexport const n = logicalCpus;\n",
    );
    expect(errors).toEqual([
      expect.stringContaining('can only depend on libs tagged with "scope:contracts"'),
    ]);
  });

  it.each([['@nestjs/common'], ['ioredis'], ['react']])('refuses %s in the simulation', (pkg) => {
    const errors = boundaryErrors(
      'libs/sim/src/topology/topology.ts',
      `import * as framework from '${pkg}';\nexport const x = framework;\n`,
    );
    expect(errors).toEqual([expect.stringContaining(`is not allowed to import "${pkg}"`)]);
  });

  it('refuses the contracts importing the simulation', () => {
    const errors = boundaryErrors(
      'libs/contracts/src/index.ts',
      "import { logicalCpus } from '@overcommit/sim';\nexport const n = logicalCpus;\n",
    );
    expect(errors).toHaveLength(1);
  });

  it('lets the API import the simulation and the contracts', () => {
    const errors = boundaryErrors(
      'apps/api/src/common/version.ts',
      "import { logicalCpus } from '@overcommit/sim';\nimport { healthSchema } from '@overcommit/contracts';\nexport const used = [logicalCpus, healthSchema];\n",
    );
    expect(errors).toEqual([]);
  });
});
