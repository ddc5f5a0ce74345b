// npm run bench:sweep — the trade-off sweep of issue 20 through the real CLI: a 50-host,
// 1,000-VM fleet (bench/sweep-fleet.yaml, four workload kinds) swept over 25 points (cpu 1..3 x
// ram 1..1.5, five each) for 60 simulated minutes at the scenario's stepSeconds (1 s: 3,600
// ticks), with 2 worker threads and with 1. Prints wall time, points/s and VM-steps/s, and checks
// that both give the same JSON. Goal: at most 30 s on a two-core machine.
// Options: --minutes N (default 60), --workers 2,1 (the runs to time, in order).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { minutes: { type: 'string' }, workers: { type: 'string' } },
});
const minutes = Number(values.minutes ?? 60);
const workerCounts = (values.workers ?? '2,1').split(',').map(Number);
const root = join(__dirname, '../..');
const cli = join(root, 'apps/cli/dist/main.js');
const scenario = join(root, 'bench/sweep-fleet.yaml');
const grid = ['--cpu', '1:3:0.5', '--ram', '1:1.5:0.125'];
const dir = mkdtempSync(join(tmpdir(), 'oc-bench-sweep-'));

console.log(
  `bench:sweep on ${cpus()[0]?.model ?? 'unknown CPU'} (${availableParallelism()} cores), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  `scenario ${scenario}: 25 points (cpu 1:3:0.5 x ram 1:1.5:0.125), ${minutes} simulated minutes each`,
);

const outputs: string[] = [];
let table: string | null = null;
for (const workers of workerCounts) {
  const json = join(dir, `workers-${workers}.json`);
  const t0 = process.hrtime.bigint();
  const run = spawnSync(
    process.execPath,
    [
      cli,
      'sweep',
      scenario,
      ...grid,
      '--minutes',
      String(minutes),
      '--workers',
      String(workers),
      '--json',
      json,
    ],
    { encoding: 'utf8' },
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (run.status !== 0) {
    console.error(run.stderr);
    process.exit(1);
  }
  table ??= run.stdout;
  const result = JSON.parse(readFileSync(json, 'utf8')) as {
    points: { vmSteps: number }[];
    reference: { vmSteps: number };
  };
  outputs.push(readFileSync(json, 'utf8'));
  const runs = result.points.length;
  // The CLI's own figures: its sweep's wall time and the CPU time of all its threads.
  const own = / ([\d.]+) s on \d+ workers? \(([\d.]+) s of CPU\)/.exec(run.stdout);
  const vmSteps = result.points.reduce((sum, p) => sum + p.vmSteps, 0);
  console.log(
    `${String(workers).padStart(2)} worker${workers === 1 ? ' ' : 's'}  wall ${seconds.toFixed(1).padStart(6)} s  ${(runs / seconds).toFixed(2)} points/s  ${Math.round(vmSteps / seconds).toLocaleString('en-US')} VM-steps/s  (${runs} points, ${vmSteps.toLocaleString('en-US')} VM-steps; sweep ${own?.[1] ?? '?'} s, CPU ${own?.[2] ?? '?'} s: ${own ? Math.round(vmSteps / Number(own[2])).toLocaleString('en-US') : '?'} VM-steps per CPU-second)${workers === 2 ? `  goal <= 30 s: ${seconds <= 30 ? 'met' : 'missed'}` : ''}`,
  );
}
if (outputs.length > 1)
  console.log(
    outputs.every((o) => o === outputs[0])
      ? 'same JSON with every worker count'
      : 'DIFFERENT JSON across worker counts',
  );
console.log(`\n${table ?? ''}`);
