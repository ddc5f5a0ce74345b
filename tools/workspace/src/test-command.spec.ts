import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The README's test command on a machine without the Debian packages the tests drive, where it
// cannot install them: it stops before running anything, with one line naming what is missing and
// the command that installs it (on a machine where it can, as root with apt-get, it installs them;
// .ci/run relies on that).
const root = join(__dirname, '../../..');

describe('npm test on a machine without the packages it drives', () => {
  let bin: string;
  beforeAll(() => {
    // A PATH with node alone: no nginx, docker-compose, promtool, apt-get, nor a shell to find them.
    bin = mkdtempSync(join(tmpdir(), 'overcommit-path-'));
    symlinkSync(process.execPath, join(bin, 'node'));
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('stops before running anything, with one line that lists what is missing and the exact command', () => {
    const started = Date.now();
    const run = spawnSync(process.execPath, [join(root, 'scripts/test.mjs')], {
      cwd: root,
      env: {
        PATH: bin,
        HOME: process.env['HOME'] ?? '/tmp',
        CHROMIUM_PATH: '/nonexistent/chromium',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^npm test: missing chromium, nginx, docker-compose, promtool(, python3-socketio)? \(.*\); nothing ran\. Install: (sudo )?apt-get install -y --no-install-recommends chromium nginx docker-compose prometheus/,
    );
    // Nothing started: no Redis, no Nx; it answers at once.
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
