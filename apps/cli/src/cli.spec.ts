import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_BAD_INPUT, runCli } from './cli';

const rootPackage = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
  version: string;
};

function capture(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { status, out, err };
}

describe('overcommit-sim', () => {
  it('prints the version, the same as the project version, with --version', () => {
    expect(capture(['--version'])).toEqual({ status: 0, out: [rootPackage.version], err: [] });
  });

  it('refuses an unknown option with status 2 and says which one', () => {
    const { status, err } = capture(['--tiks', '5']);
    expect(status).toBe(EXIT_BAD_INPUT);
    expect(err[0]).toContain("'--tiks'");
  });

  it('answers `npm run sim -- --version` from a fresh shell', () => {
    const root = join(__dirname, '../../..');
    // Through the real npm script, as a user types it (it builds the runner when needed).
    const result = spawnSync('npm', ['run', '--silent', 'sim', '--', '--version'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toBe(rootPackage.version);
  });
});
