// The soak (issue "Reliability and security, proven"): npm run bench:soak.
// See bench/soak-run.ts for what it does, docs/reliability-soak.md for a run.
//
// Options: --minutes N (60), --warmup-minutes N (10), --sample-seconds N (60), --clients N
// (1000), --clusters N (50), --tick-ms N (1000), --churn F (0.05 of the clients replaced each
// minute), --commands N (2 per cluster and minute), --browser on|off (on), --growth F (0.10),
// --json FILE (the samples and checks, for a later look). Exits 1 when a check is not met.
import { writeFileSync } from 'node:fs';
import { commandLine, killGroup, procs, stopAll } from './live-procs';
import { formatReport, removeTempDirs, runSoak } from './soak-run';

const usage = `npm run bench:soak -- [--minutes 60] [--warmup-minutes 10] [--sample-seconds 60] [--clients 1000]
  [--clusters 50] [--tick-ms 1000] [--churn 0.05] [--commands 2] [--browser on|off] [--growth 0.10] [--json FILE]`;
const { values, fail } = commandLine(usage, {
  minutes: { type: 'string', default: '60' },
  'warmup-minutes': { type: 'string', default: '10' },
  'sample-seconds': { type: 'string', default: '60' },
  clients: { type: 'string', default: '1000' },
  clusters: { type: 'string', default: '50' },
  'tick-ms': { type: 'string', default: '1000' },
  churn: { type: 'string', default: '0.05' },
  commands: { type: 'string', default: '2' },
  browser: { type: 'string', default: 'on' },
  growth: { type: 'string', default: '0.10' },
  json: { type: 'string' },
});
const num = (name: keyof typeof values, { whole = true, min = 0 } = {}): number => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < min || (whole && !Number.isInteger(n)))
    fail(`--${name} must be a ${whole ? 'whole ' : ''}number of at least ${min}`);
  return n;
};
if (values.browser !== 'on' && values.browser !== 'off') fail('--browser must be on or off');

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    for (const p of procs) killGroup(p, 'SIGTERM');
    void stopAll().then(() => {
      removeTempDirs();
      process.exit(130);
    });
  });
}

const options = {
  minutes: num('minutes', { whole: false, min: 0.5 }),
  warmupMinutes: num('warmup-minutes', { whole: false }),
  sampleSeconds: num('sample-seconds', { min: 5 }),
  clients: num('clients'),
  clusters: num('clusters', { min: 1 }),
  tickMs: num('tick-ms', { min: 100 }),
  churnPerMinute: num('churn', { whole: false }),
  commandsPerMinute: num('commands', { whole: false }),
  browser: values.browser === 'on',
  growthLimit: num('growth', { whole: false }),
  countSlack: { fds: 10, keys: 10, elements: 200 },
  log: (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
};

runSoak(options).then(
  (report) => {
    console.log(`\n${formatReport(report)}`);
    if (values.json) writeFileSync(String(values.json), JSON.stringify(report, null, 1));
    process.exit(report.checks.every((c) => c.pass) ? 0 : 1);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    void stopAll().then(() => {
      removeTempDirs();
      process.exit(1);
    });
  },
);
