// Faults under load (issue "Reliability and security, proven"): npm run bench:chaos.
// See bench/chaos-run.ts for what it does, docs/reliability-chaos.md for a run.
//
// Options: --clients N (default 500), --clusters N (5), --tick-ms N (500), --settle-ms N
// (15000), --pause-ms N (10000, Redis frozen), --net-drop-ticks N (30), --faults a,b,...
// (api-kill,worker-kill,redis-restart,redis-pause,net-drop), --commands N (2 per cluster and
// phase), --request-timeout-ms N (5000: a command not answered by then is sent again with its
// id). Exits 1 when the goal is not met.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { FAULTS, type FaultName, formatReport, removeTempDirs, runChaos } from './chaos-run';
import { commandLine, killGroup, procs, root, stopAll } from './live-procs';

const usage = `npm run bench:chaos -- [--clients 500] [--clusters 5] [--tick-ms 500] [--settle-ms 15000]
  [--pause-ms 10000] [--net-drop-ticks 30] [--commands 2] [--request-timeout-ms 5000] [--faults ${FAULTS.join(',')}]`;
const { values, fail } = commandLine(usage, {
  clients: { type: 'string', default: '500' },
  clusters: { type: 'string', default: '5' },
  'tick-ms': { type: 'string', default: '500' },
  'settle-ms': { type: 'string', default: '15000' },
  'pause-ms': { type: 'string', default: '10000' },
  'net-drop-ticks': { type: 'string', default: '30' },
  commands: { type: 'string', default: '2' },
  'request-timeout-ms': { type: 'string', default: '5000' },
  faults: { type: 'string', default: FAULTS.join(',') },
});
const num = (name: keyof typeof values): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a whole number`);
  return n;
};
const faults = String(values.faults).split(',').filter(Boolean) as FaultName[];
for (const f of faults) if (!FAULTS.includes(f)) fail(`unknown fault ${f}`);
if (!existsSync(resolve(root, 'apps/api/dist/main.js')))
  fail('apps/api/dist/main.js is missing: npx nx run api:build (npm run bench:chaos does)');

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    // A frozen Redis handles SIGTERM only once resumed.
    for (const p of procs) killGroup(p, 'SIGCONT');
    void stopAll().then(() => {
      removeTempDirs();
      process.exit(130);
    });
  });
}

const options = {
  clients: num('clients'),
  clusters: Math.max(1, num('clusters')),
  tickMs: num('tick-ms'),
  settleMs: num('settle-ms'),
  pauseMs: num('pause-ms'),
  netDropTicks: num('net-drop-ticks'),
  commandsPerPhase: num('commands'),
  requestTimeoutMs: num('request-timeout-ms'),
  faults,
  recoverWithinMs: 5_000,
  log: (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
};

runChaos(options).then(
  (report) => {
    console.log(`\n${formatReport(report, options)}`);
    process.exit(report.verdict.every((v) => v.pass) ? 0 : 1);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    void stopAll().then(() => process.exit(1));
  },
);
