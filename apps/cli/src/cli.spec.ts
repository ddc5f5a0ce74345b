import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  describe('running a scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-cli-'));
    const write = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const small = write(
      'small.yaml',
      `version: 1
name: small
hosts: [{ name: esx, count: 2, cpu: { sockets: 1, coresPerSocket: 4 }, memoryGiB: 32 }]
vms: [{ name: vm, count: 2, vcpus: 2, memoryGiB: 4, host: esx-01 }]
`,
    );

    it('refuses a bad scenario with status 2, every error with its path and a suggestion, and runs nothing', () => {
      const bad = write(
        'bad.yaml',
        `version: 1
name: bad
hosts: [{ name: esx, cpu: { socket: 2, coresPerSocket: 0 }, memoryGiB: -1 }]
vms: [{ name: vm, vcpus: 2, memoryGiB: 4, host: nowhere }]
`,
      );
      const { status, out, err } = capture([bad, '--format', 'jsonl']);
      expect(status).toBe(EXIT_BAD_INPUT);
      expect(out).toEqual([]);
      const text = err.join('\n');
      expect(text).toContain('is not a valid scenario');
      expect(text).toContain('hosts[0].cpu.socket: unknown key, did you mean "sockets"?');
      expect(text).toContain('hosts[0].cpu.coresPerSocket');
      expect(text).toContain('hosts[0].memoryGiB');
    });

    it('prints one frame per tick as JSON lines', () => {
      const { status, out } = capture([small, '--format', 'jsonl', '--ticks', '3']);
      expect(status).toBe(0);
      expect(out.map((line) => (JSON.parse(line) as { tick: number }).tick)).toEqual([1, 2, 3]);
    });

    it('applies a commands file before the tick each line names, and reports refusals', () => {
      const commands = write(
        'commands.jsonl',
        `{"tick": 2, "do": "migrate-vm", "target": "vm-01", "to": "esx-02"}
{"tick": 3, "do": "fail-host", "target": "esx-9"}
`,
      );
      const { status, out } = capture([
        small,
        '--format',
        'jsonl',
        '--ticks',
        '3',
        '--commands',
        commands,
      ]);
      expect(status).toBe(0);
      const frames = out.map(
        (line) => JSON.parse(line) as { events: { type: string; reason?: string }[] },
      );
      expect(frames[1]!.events.map((e) => e.type)).toContain('migration-started');
      const refused = frames[2]!.events.find((e) => e.type === 'command-refused');
      expect(refused?.reason).toContain('no host named esx-9; did you mean esx-01?');
    });

    it('refuses a commands file with a bad line, naming the line, and runs nothing', () => {
      const commands = write(
        'bad.jsonl',
        '{"tick": 1, "do": "fail-host", "target": "esx-01"}\n{"tick": 0, "do": "nap"}\n',
      );
      const { status, out, err } = capture([small, '--commands', commands]);
      expect(status).toBe(EXIT_BAD_INPUT);
      expect(out).toEqual([]);
      expect(err.join('\n')).toContain('bad.jsonl:2: tick: expected a whole number of at least 1');
    });

    it('says in words when the commands file cannot be read', () => {
      const { status, err } = capture([small, '--commands', join(dir, 'missing.jsonl')]);
      expect(status).toBe(EXIT_BAD_INPUT);
      expect(err.join('\n')).toContain(`cannot read ${join(dir, 'missing.jsonl')}: no such file`);
    });

    it('prints a table summary and a closing report', () => {
      const { status, out } = capture([small, '--ticks', '4', '--every', '2']);
      expect(status).toBe(0);
      expect(out[0]).toMatch(/^t=00:00:01 tick 1 {2}hosts 2\/2 up {2}VMs 2\/2 running/);
      expect(out.some((line) => line.startsWith('t=00:00:04 tick 4'))).toBe(true);
      expect(out).toContain('== small: 4 ticks, 00:00:04 simulated ==');
      expect(out.at(-1)).toMatch(/^energy: \d+\.\d{3} kWh$/);
    });
  });
});
