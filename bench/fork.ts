// npm run bench:fork [-- --hosts 200 --vms 4000 --forks 20 --ahead 600] — what-if forks (issue 20):
//   - fork: POST /api/clusters/:id/fork of a running cluster of 200 hosts and 4,000 VMs with a full
//     300-frame past to copy, timed from the client, over --forks forks (each deleted after):
//     median and p95 ms. Goal < 200 ms.
//   - run-ahead: a fork runs --ahead simulated seconds as fast as the engine goes; simulated
//     seconds per wall second from the command to the tick that ends it. Goal >= 100x real time.
//
// It starts what it measures: its own redis-server on a free port (--hz 100, nothing saved) and
// one API process with ROLE=all (HTTP and the tick worker), both from apps/api/dist. The source
// keeps ticking at one tick a second while it is forked (each fork copies one committed tick).
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  BENCH_LIMITS,
  commandLine,
  freePort,
  healthy,
  launch,
  root,
  sleep,
  startRedisServer,
  stopAll,
  waitFor,
} from './live-procs';

const usage = `npm run bench:fork -- [--hosts 200] [--vms 4000] [--forks 20] [--ahead 600]`;
const { values, fail } = commandLine(usage, {
  hosts: { type: 'string', default: '200' },
  vms: { type: 'string', default: '4000' },
  forks: { type: 'string', default: '20' },
  ahead: { type: 'string', default: '600' },
});
const count = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n <= 0)
    fail(`--${name} ${String(values[name])}: expected a whole number`);
  return n;
};
const hosts = count('hosts');
const vms = count('vms');
const forks = count('forks');
const ahead = count('ahead');

/** A busy cluster: every workload profile, enough VMs to contend (4 vCPUs, 16 GiB each). */
function scenario() {
  const quarter = Math.floor(vms / 4);
  const vm = (name: string, n: number, workload: object) => ({
    name,
    count: n,
    vcpus: 4,
    memoryGiB: 16,
    workload,
  });
  return {
    version: 1,
    name: `fork bench ${hosts} hosts`,
    seed: 20,
    clock: { tickMs: 1000, stepSeconds: 1 },
    policy: { cpuAllocationRatio: 4, ramAllocationRatio: 1.5 },
    hosts: [
      {
        name: 'esx',
        count: hosts,
        cpu: { sockets: 2, coresPerSocket: 16, threadsPerCore: 2 },
        memoryGiB: 512,
      },
    ],
    vms: [
      vm('web', quarter, { profile: 'bursty', cpu: 0.4, amplitude: 0.6, periodSeconds: 30 }),
      vm('app', quarter, { profile: 'diurnal', cpu: 0.5, amplitude: 0.4, periodSeconds: 600 }),
      vm('db', quarter, { cpu: 0.6, memoryActive: 0.7 }),
      vm('batch', vms - 3 * quarter, {
        profile: 'step',
        cpu: 0.3,
        amplitude: 0.5,
        periodSeconds: 120,
      }),
    ],
  };
}

async function http(
  url: string,
  method = 'GET',
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const last = cpus().length - 1;
  const redisPort = await freePort();
  await startRedisServer('redis', String(last), redisPort, ['--hz', '100', '--appendonly', 'no']);
  const apiPort = await freePort();
  const api = launch('api', '0', process.execPath, [join(root, 'apps/api/dist/main.js')], {
    env: {
      ...BENCH_LIMITS,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_PREFIX: 'forkbench',
      ROLE: 'all',
      API_PORT: String(apiPort),
      RATE_LIMIT_HTTP: '1000000',
      SCENARIO_MAX_VMS: String(Math.max(vms, 10_000)),
      NODE_ENV: 'production',
      NO_COLOR: '1',
      LOG_LEVEL: 'warn',
    },
  });
  await waitFor('api', api, () => healthy(apiPort));
  const base = `http://127.0.0.1:${apiPort}/api/clusters`;
  const summary = async (id: string, token: string) =>
    (await http(`${base}/${id}/summary?token=${token}`)).body as {
      tick: number;
      time: number;
      aheadUntil?: number;
    };
  const command = (id: string, token: string, body: object) =>
    http(`${base}/${id}/commands?token=${token}`, 'POST', body);
  const runAhead = async (id: string, token: string, seconds: number) => {
    const before = await summary(id, token);
    const started = performance.now();
    const r = await command(id, token, { do: 'run-ahead', seconds });
    if ((r.body as { status?: string }).status !== 'accepted')
      throw new Error(`run-ahead refused: ${JSON.stringify(r.body)}`);
    for (;;) {
      const s = await summary(id, token);
      if (s.aheadUntil === undefined && s.time >= before.time + seconds)
        return { seconds: s.time - before.time, wallMs: performance.now() - started };
      if (performance.now() - started > 180_000)
        throw new Error(`run-ahead stalled: ${JSON.stringify(s)}\n${api.tail.join('\n')}`);
      await sleep(20);
    }
  };

  const created = await http(base, 'POST', { scenario: scenario(), visibility: 'private' });
  if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.body)}`);
  const source = created.body as { id: string; operatorToken: string };
  console.log(`cluster: ${hosts} hosts, ${vms} VMs (${source.id})`);
  // A past to copy: 300 ticks run ahead (the fork copies the newest 300 frames), then on at 1 tick/s.
  const fill = await runAhead(source.id, source.operatorToken, 300);
  console.log(
    `source history: 300 simulated s in ${(fill.wallMs / 1000).toFixed(1)} s (${(fill.seconds / (fill.wallMs / 1000)).toFixed(0)}x)`,
  );
  const frame = await http(
    `${base}/${source.id}/history?format=wire&from=0&to=1000000&token=${source.operatorToken}`,
  );
  const wires = (frame.body as { frames: string[] }).frames;
  const bytes = wires.reduce((sum, w) => sum + Buffer.byteLength(w), 0);
  console.log(
    `history: ${wires.length} frames, ${(bytes / wires.length / 1024).toFixed(1)} KiB each on the wire`,
  );

  const times: number[] = [];
  let lastFork: { id: string; operatorToken: string } | null = null;
  for (let i = 0; i < forks; i++) {
    const started = performance.now();
    const r = await http(`${base}/${source.id}/fork?token=${source.operatorToken}`, 'POST');
    const ms = performance.now() - started;
    if (r.status !== 201) throw new Error(`fork: ${r.status} ${JSON.stringify(r.body)}`);
    times.push(ms);
    const fork = r.body as { id: string; operatorToken: string };
    if (lastFork) await http(`${base}/${lastFork.id}?token=${lastFork.operatorToken}`, 'DELETE');
    lastFork = fork;
    await sleep(100);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  console.log(
    `fork (${forks} forks of a running ${hosts}-host cluster): median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (goal < 200 ms): ${p95 < 200 ? 'met' : 'NOT met'}`,
  );

  const run = await runAhead(lastFork!.id, lastFork!.operatorToken, ahead);
  const speed = run.seconds / (run.wallMs / 1000);
  console.log(
    `run-ahead of the fork: ${run.seconds} simulated s in ${(run.wallMs / 1000).toFixed(2)} s wall: ${speed.toFixed(0)}x real time (goal >= 100x): ${speed >= 100 ? 'met' : 'NOT met'}`,
  );
  if (api.warnings.length > 0) console.log(`api warnings:\n${api.warnings.slice(0, 5).join('\n')}`);
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
