import { sweepResultSchema } from '@overcommit/contracts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_BAD_INPUT } from './cli';
import { parseSweepArgs, progressBar, runSweepCli } from './sweep';

async function capture(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: (string | null)[] = [];
  const status = await runSweepCli(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    progress: (l) => progress.push(l),
  });
  return { status, out, err, progress };
}

// Each run is small (16 VMs, a minute or two), but the machine may be shared: room for that.
jest.setTimeout(60_000);

describe('npm run sim -- sweep', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-sweep-'));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  // 16 logical CPUs and 64 GiB a host; 40 vCPUs and 160 GiB of VMs (the engine's sweep.spec.ts
  // works its admission out by hand): 3 hosts at 1:1, 2 at cpu 1.5 / ram 1.25.
  const small = write(
    'small.yaml',
    `version: 1
name: small
cost: { hostPriceUsd: 10000 }
hosts: [{ name: esx, count: 4, cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 2 }, memoryGiB: 64 }]
vms:
  - { name: web, count: 12, vcpus: 2, memoryGiB: 8, workload: { cpu: 0.4 } }
  - { name: db, count: 4, vcpus: 4, memoryGiB: 16, workload: { cpu: 0.5, memoryActive: 0.8 } }
`,
  );

  it('prints the table and the answer, writes CSV and JSON, shows progress', async () => {
    const csv = join(dir, 'out.csv');
    const json = join(dir, 'out.json');
    const r = await capture([
      small,
      '--cpu',
      '1:2:0.5',
      '--ram',
      '1,1.25',
      '--minutes',
      '2',
      '--csv',
      csv,
      '--json',
      json,
      '--workers',
      '1',
    ]);
    expect(r.err).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.out[0]).toMatch(
      /^sweep of small: 6 points, 16 VMs, 2 simulated minutes each at 1 s a tick; host model esx; price \$10,000 a host \(scenario\)/,
    );
    expect(r.out[1]).toMatch(/^\s+cpu\s+ram\s+hosts\s+cost \$/);
    // The 1:1 point is in the grid: marked, not run twice.
    expect(r.out[2]).toMatch(/^=\s+1\s+1\s+3\s+30,000/);
    expect(r.out.join('\n')).toContain(
      'The densest policy that keeps the objectives is cpu 1.5:1, ram 1.25:1: 2 hosts instead of 3, saves $10,000',
    );
    expect(r.progress[0]).toBe(progressBar(0, 6, 0));
    expect(r.progress.filter((l) => l !== null && l.includes('6/6 points'))).toHaveLength(1);
    expect(r.progress.at(-1)).toBeNull();
    const result = sweepResultSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(result.points).toHaveLength(6);
    expect(result.reference.hosts).toBe(3);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(7);
    expect(rows[0]!.split(',').slice(0, 5)).toEqual([
      'cpuAllocationRatio',
      'ramAllocationRatio',
      'hyperThreading',
      'placement',
      'hosts',
    ]);
    expect(rows[1]!.startsWith('1,1,true,spread,3,3,30000,')).toBe(true);
    expect(rows[1]!.endsWith(',true')).toBe(true); // the reference
  });

  it('gives identical JSON with 1 and 2 workers', async () => {
    const one = join(dir, 'one.json');
    const two = join(dir, 'two.json');
    const args = [small, '--cpu', '1.5,3', '--ram', '1:1.5:0.5', '--minutes', '1'];
    args.push('--placement', 'spread,pack', '--ht', 'on,off', '--price', '9000');
    const a = await capture([...args, '--json', one, '--workers', '1']);
    const b = await capture([...args, '--json', two, '--workers', '2']);
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    const first = readFileSync(one, 'utf8');
    expect(readFileSync(two, 'utf8')).toBe(first);
    const result = sweepResultSchema.parse(JSON.parse(first));
    // 2 x 2 x 2 x 2 = 16 points, and the 1:1 reference apart (cpu 1 is not on the grid).
    expect(result.points).toHaveLength(16);
    expect(result.priceSource).toBe('request');
    expect(result.reference).toMatchObject({ cpuAllocationRatio: 1, ramAllocationRatio: 1 });
    expect(a.out.join('\n')).toContain('HT');
    expect(a.out.join('\n')).toContain('place');
  });

  it('takes objective overrides', async () => {
    const json = join(dir, 'objectives.json');
    const r = await capture([
      small,
      '--cpu',
      '4',
      '--ram',
      '3',
      '--minutes',
      '1',
      '--objective',
      'p95-ready=100',
      '--objective',
      'worst-perf=0',
      '--objective',
      'swap-in=100000',
      '--json',
      json,
      '--workers',
      '1',
    ]);
    expect(r.status).toBe(0);
    const result = sweepResultSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(result.objectives).toEqual({
      p95ReadyBelowPct: 100,
      swapInAtMostMiB: 100000,
      worstPerformanceAbovePct: 0,
    });
    expect(result.points[0]).toMatchObject({ hosts: 1, meetsObjectives: true });
  });

  describe('bad input: one line naming the flag, status 2, nothing runs', () => {
    const refused = async (argv: string[]) => {
      const r = await capture(argv);
      expect(r.status).toBe(EXIT_BAD_INPUT);
      expect(r.out).toEqual([]);
      expect(r.progress).toEqual([]);
      expect(r.err).toHaveLength(1);
      return r.err[0]!;
    };

    it.each([
      [
        ['--cpu', '4:1:0.25', '--ram', '1'],
        'overcommit-sim sweep: --cpu: a range goes up: start 4 is past end 1 (write 1:4:0.25)',
      ],
      [
        ['--cpu', '1', '--ram', '1:2:0'],
        "overcommit-sim sweep: --ram: a range's step must be greater than 0, got 0",
      ],
      [
        ['--cpu', '1:20:1', '--ram', '1:21:1'],
        'overcommit-sim sweep: --cpu: 420 points (cpu 20 x ram 21); a sweep has at most 400',
      ],
      [['--cpu', '1:x:1', '--ram', '1'], 'overcommit-sim sweep: --cpu: a range is three numbers'],
      [['--ram', '1'], 'overcommit-sim sweep: --cpu is required'],
      [['--cpu', '1', '--ram', '1', '--minutes', 'ten'], '--minutes: expected a number'],
      [['--cpu', '1', '--ram', '1', '--minutes', '0'], '--minutes: minutes must be greater than 0'],
      [['--cpu', '1', '--ram', '1', '--workers', '0'], '--workers: a whole number from 1 to 256'],
      [['--cpu', '1', '--ram', '1', '--ht', 'maybe'], '--ht: '],
      [['--cpu', '1', '--ram', '1', '--placement', 'sprad'], '--placement: '],
      [['--cpu', '1', '--ram', '1', '--price=-5'], '--price: hostPriceUsd cannot be negative'],
      [
        ['--cpu', '1', '--ram', '1', '--price', '-5'],
        "overcommit-sim sweep: Option '--price' argument is ambiguous.",
      ],
      [['--cpu', '1', '--ram', '1', '--objective', 'speed=9'], '--objective: expected one of'],
      [
        ['--cpu', '1', '--ram', '1', '--objective', 'p95-ready=500'],
        '--objective p95-ready: p95ReadyBelowPct is at most 100',
      ],
      [
        ['--cpu', '1:4:1', '--ram', '1:2:0.5', '--minutes', '1440', '--step-seconds', '0.01'],
        '--minutes: 12 runs x 16 VMs x 8,640,000 ticks is 1,658,880,000 VM-steps; a sweep may take at most 500,000,000',
      ],
    ])('%j', async (flags, message) => {
      expect(await refused([small, ...flags])).toContain(message);
    });

    it('a missing file', async () => {
      const line = await refused([join(dir, 'nope.yaml'), '--cpu', '1', '--ram', '1']);
      expect(line).toMatch(/^overcommit-sim sweep: .*nope\.yaml: /);
    });

    it('an unknown flag', async () => {
      expect(await refused([small, '--cpus', '1'])).toContain("'--cpus'");
    });
  });

  it('parses flags into a request', () => {
    expect(
      parseSweepArgs(['s.yaml', '--cpu', '1:2:0.5', '--ram', '1,1.5', '--workers', '3']),
    ).toEqual({
      file: 's.yaml',
      request: { cpu: [1, 1.5, 2], ram: [1, 1.5], minutes: 60 },
      workers: 3,
    });
  });
});
