// The scaling model's figures (issue "Past one Redis"): npm run bench:scale.
// See docs/scaling.md for the model these figures feed, docs/benchmarks.md for a run.
//
// For each Redis layout (--modes single,cluster: one redis-server, then a Redis Cluster of
// --masters masters), the same deployment and load, one after the other in one run: --apis API
// processes and --workers tick workers (the built apps/api/dist/main.js, NODE_ENV=production),
// --clusters simulated clusters from a bundled scenario (--scenario, default demo: 6 hosts, 30
// VMs) ticking every --tick-ms, and --viewers raw socket.io watchers (bench/fleet.ts) spread over
// the clusters and the APIs. After --warmup seconds it measures for --seconds: every process's CPU
// (utime + stime from /proc, Redis nodes included), ticks committed, frames delivered to watchers,
// Redis commands per node (INFO commandstats), and the ticks' lag (carried by every frame).
// From those, each part's unit cost:
//   worker: CPU ms per cluster-tick;     API: CPU µs per frame delivered (its relay included);
//   Redis:  CPU µs per tick, per node (commit script, history, publish, the tick job);
// and what one of each carries at 70% of a core: clusters per worker at 1 tick/s, viewers per API
// at 1 frame/s, ticks per second per Redis shard. Then the model's prediction for this run next
// to what was measured. Options: --clusters 60 --viewers 600 --apis 2 --workers 2 --masters 3
// --seconds 60 --warmup 20 --tick-ms 1000 --modes single,cluster --scenario demo --json FILE.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Fleet, http } from './fleet';
import {
  BENCH_LIMITS,
  commandLine,
  cpuSeconds,
  freePort,
  healthy,
  launch,
  procs,
  killGroup,
  type Proc,
  root,
  sleep,
  startRedisServer,
  stopAll,
  waitFor,
} from './live-procs';
// The Redis Cluster of the API's own tests (3 masters on loopback, free ports, a temp dir), from
// the built API: `npm run bench:scale` builds it first.
import type { TestRedisCluster as TestRedisClusterClass } from '../apps/api/dist/testing/redis-cluster';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- its path is the repository's, not this file's (bench/dist)
const { TestRedisCluster } = require(resolve(root, 'apps/api/dist/testing/redis-cluster.js')) as {
  TestRedisCluster: typeof TestRedisClusterClass;
};

const usage = `npm run bench:scale -- [--clusters 60] [--viewers 600] [--apis 2] [--workers 2] [--masters 3]
  [--seconds 60] [--warmup 20] [--tick-ms 1000] [--modes single,cluster] [--scenario demo] [--json FILE]`;
const { values, fail } = commandLine(usage, {
  clusters: { type: 'string', default: '60' },
  viewers: { type: 'string', default: '600' },
  apis: { type: 'string', default: '2' },
  workers: { type: 'string', default: '2' },
  masters: { type: 'string', default: '3' },
  seconds: { type: 'string', default: '60' },
  warmup: { type: 'string', default: '20' },
  'tick-ms': { type: 'string', default: '1000' },
  modes: { type: 'string', default: 'single,cluster' },
  scenario: { type: 'string', default: 'demo' },
  json: { type: 'string' },
});
const num = (name: keyof typeof values, min = 1): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number of at least ${min}`);
  return n;
};
const options = {
  clusters: num('clusters'),
  viewers: num('viewers', 0),
  apis: num('apis'),
  workers: num('workers'),
  masters: num('masters', 3),
  seconds: num('seconds', 5),
  warmup: num('warmup', 0),
  tickMs: num('tick-ms', 100),
  scenario: String(values.scenario),
  modes: String(values.modes).split(',').filter(Boolean) as Mode[],
};
type Mode = 'single' | 'cluster';
for (const m of options.modes as string[])
  if (m !== 'single' && m !== 'cluster') fail(`unknown mode ${m}`);

/** How much of a core the model lets one process use before another is added. */
const HEADROOM = 0.7;

interface Measured {
  mode: Mode;
  seconds: number;
  ticks: number;
  deliveries: number;
  /** CPU seconds over the window, per process name (api-0, worker-1, redis-7001...). */
  cpu: Record<string, number>;
  /** Commands processed per Redis node over the window. */
  redisCommands: Record<string, number>;
  lagP50: number;
  lagP99: number;
  missed: number;
  outOfOrder: number;
}

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Every pid whose command line holds `needle` (Redis nodes, found by their port). */
function pidOf(needle: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.startsWith('redis-server') && cmd.includes(needle)) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

async function commandsProcessed(port: number): Promise<number> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const info = await redis.info('stats');
    return Number(/^total_commands_processed:(\d+)/m.exec(info)?.[1] ?? 0);
  } finally {
    redis.disconnect();
  }
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function runMode(mode: Mode): Promise<Measured> {
  const entry = resolve(root, 'apps/api/dist/main.js');
  const dir = mkdtempSync(join(tmpdir(), 'overcommit-scale-'));
  const allCores = `0-${cpus().length - 1}`;
  let cluster: TestRedisClusterClass | undefined;
  let fleet: Fleet | undefined;
  const redisPorts: number[] = [];
  try {
    let redisEnv: Record<string, string>;
    if (mode === 'single') {
      const port = await freePort();
      await startRedisServer('redis', allCores, port, [
        ...['--dir', dir, '--appendonly', 'no', '--hz', '100'],
      ]);
      redisPorts.push(port);
      redisEnv = { REDIS_URL: `redis://127.0.0.1:${port}` };
    } else {
      cluster = await TestRedisCluster.start({ masters: options.masters, replicas: 0 });
      redisPorts.push(...cluster.nodes.map((n) => n.port));
      redisEnv = { REDIS_CLUSTER_NODES: cluster.seeds };
    }
    const env = {
      ...BENCH_LIMITS,
      ...redisEnv,
      RATE_LIMIT_HTTP: '1000000',
      RATE_LIMIT_SOCKET: '100000',
      REDIS_PREFIX: 'scale',
      NODE_ENV: 'production',
      NO_COLOR: '1',
      LOG_LEVEL: 'warn',
    };
    const apiPorts = await Promise.all(Array.from({ length: options.apis }, () => freePort()));
    const workerPorts = await Promise.all(
      Array.from({ length: options.workers }, () => freePort()),
    );
    const started: Proc[] = [];
    for (const [i, port] of apiPorts.entries())
      started.push(
        launch(`api-${i}`, allCores, process.execPath, [entry], {
          env: { ...env, ROLE: 'api', API_PORT: String(port) },
          nofile: 8192,
        }),
      );
    for (const [i, port] of workerPorts.entries())
      started.push(
        launch(`worker-${i}`, allCores, process.execPath, [entry], {
          env: { ...env, ROLE: 'worker', API_PORT: String(port) },
        }),
      );
    await Promise.all(
      started.map((p, i) => waitFor(p.name, p, () => healthy([...apiPorts, ...workerPorts][i]!))),
    );
    const apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
    const ids: string[] = [];
    for (let i = 0; i < options.clusters; i++) {
      const created = await http(`${apiUrls[i % apiUrls.length]}/api/clusters`, {
        method: 'POST',
        body: { scenarioName: options.scenario },
        timeoutMs: 15_000,
      });
      if (created.status !== 201) throw new Error(`create cluster: ${JSON.stringify(created)}`);
      ids.push((created.body as { id: string }).id);
    }
    log(`${mode}: ${ids.length} clusters, connecting ${options.viewers} viewers`);
    fleet = new Fleet(() => apiUrls, options.tickMs);
    for (let i = 0; i < options.viewers; i++) {
      fleet.connect(fleet.add(ids[i % ids.length]!, Math.floor(i / ids.length)));
      if (i % 50 === 49) await sleep(50);
    }
    const deadline = Date.now() + 60_000;
    while (fleet.counters().joined < options.viewers && Date.now() < deadline) await sleep(100);
    if (fleet.counters().joined < options.viewers)
      throw new Error(`only ${fleet.counters().joined} of ${options.viewers} viewers joined`);
    await sleep(options.warmup * 1000);

    const pids: Record<string, number | undefined> = {};
    for (const p of started) pids[p.name] = p.child.pid;
    for (const port of redisPorts) pids[`redis-${port}`] = pidOf(`:${port}`);
    const tickSum = async () => {
      const res = await http(`${apiUrls[0]}/api/clusters`, { timeoutMs: 15_000 });
      const list = res.body as { id: string; tick: number }[];
      return list.filter((c) => ids.includes(c.id)).reduce((s, c) => s + c.tick, 0);
    };
    const snapshot = async () => ({
      at: Date.now(),
      cpu: Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, cpuSeconds(pid)])),
      commands: Object.fromEntries(
        await Promise.all(redisPorts.map(async (p) => [`redis-${p}`, await commandsProcessed(p)])),
      ) as Record<string, number>,
      ticks: await tickSum(),
      frames: fleet!.counters().frames,
      lagFrom: new Map([...fleet!.lags].map(([id, m]) => [id, Math.max(-1, ...m.keys())])),
    });
    const a = await snapshot();
    log(`${mode}: measuring ${options.seconds} s`);
    await sleep(options.seconds * 1000);
    const b = await snapshot();
    const lags: number[] = [];
    for (const [id, m] of fleet.lags)
      for (const [tick, lag] of m) if (tick > (a.lagFrom.get(id) ?? -1)) lags.push(lag);
    const counters = fleet.counters();
    for (const p of started)
      if (p.exited) throw new Error(`${p.name} exited during the run:\n${p.tail.join('\n')}`);
    return {
      mode,
      seconds: (b.at - a.at) / 1000,
      ticks: b.ticks - a.ticks,
      deliveries: b.frames - a.frames,
      cpu: Object.fromEntries(Object.keys(a.cpu).map((n) => [n, b.cpu[n]! - a.cpu[n]!])),
      redisCommands: Object.fromEntries(
        Object.keys(a.commands).map((n) => [n, b.commands[n]! - a.commands[n]!]),
      ),
      lagP50: percentile(lags, 50),
      lagP99: percentile(lags, 99),
      missed: counters.missed,
      outOfOrder: counters.outOfOrder,
    };
  } finally {
    fleet?.closeAll();
    await stopAll();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Unit costs and per-part capacities from one measured run. */
export function unitCosts(m: Measured) {
  const sum = (prefix: string) =>
    Object.entries(m.cpu)
      .filter(([n]) => n.startsWith(prefix))
      .reduce((s, [, v]) => s + v, 0);
  const redisNodes = Object.keys(m.cpu).filter((n) => n.startsWith('redis-'));
  const busiest = Math.max(...redisNodes.map((n) => m.cpu[n]!));
  const workerMsPerTick = (sum('worker-') * 1000) / m.ticks;
  const apiUsPerDelivery = (sum('api-') * 1e6) / Math.max(m.deliveries, 1);
  const redisUsPerTick = (sum('redis-') * 1e6) / m.ticks;
  // The busiest node's share of the ticks sets what one shard carries.
  const busiestShare = busiest / Math.max(sum('redis-'), 1e-9);
  return {
    workerMsPerTick,
    apiUsPerDelivery,
    redisUsPerTick,
    busiestShare,
    clustersPerWorker: (HEADROOM * 1000) / workerMsPerTick / (1000 / options.tickMs),
    viewersPerApi: (HEADROOM * 1e6) / apiUsPerDelivery / (1000 / options.tickMs),
    ticksPerSecondPerShard: (HEADROOM * 1e6) / redisUsPerTick,
  };
}

function report(runs: Measured[]): string {
  const lines: string[] = [
    `host ${hostname()}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, node ${process.version}`,
    `${options.apis} APIs, ${options.workers} workers, ${options.clusters} clusters of "${options.scenario}" at ${options.tickMs} ms a tick, ${options.viewers} viewers; ${options.seconds} s measured after ${options.warmup} s; every process on every core (nothing pinned)`,
    '',
    '| Redis | ticks/s | frames/s delivered | tick lag p50 / p99 ms | CPU % per process | Redis commands/s per node |',
    '|---|---:|---:|---:|---|---|',
  ];
  for (const m of runs) {
    const pct = Object.entries(m.cpu)
      .map(([n, s]) => `${n} ${((s / m.seconds) * 100).toFixed(0)}`)
      .join(', ');
    const cmds = Object.entries(m.redisCommands)
      .map(([n, c]) => `${n} ${(c / m.seconds).toFixed(0)}`)
      .join(', ');
    lines.push(
      `| ${m.mode === 'single' ? 'one redis-server' : `cluster, ${options.masters} masters`} | ${(m.ticks / m.seconds).toFixed(1)} | ${(m.deliveries / m.seconds).toFixed(0)} | ${m.lagP50} / ${m.lagP99} | ${pct} | ${cmds} |`,
    );
  }
  lines.push(
    '',
    `Unit costs and what one of each carries at ${HEADROOM * 100}% of a core:`,
    '',
    '| Redis | worker ms / cluster-tick | API µs / frame delivered | Redis µs / tick (all nodes) | busiest node share | clusters per worker | viewers per API | ticks/s per shard |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const m of runs) {
    const u = unitCosts(m);
    lines.push(
      `| ${m.mode} | ${u.workerMsPerTick.toFixed(2)} | ${u.apiUsPerDelivery.toFixed(1)} | ${u.redisUsPerTick.toFixed(0)} | ${(u.busiestShare * 100).toFixed(0)}% | ${u.clustersPerWorker.toFixed(0)} | ${u.viewersPerApi.toFixed(0)} | ${u.ticksPerSecondPerShard.toFixed(0)} |`,
    );
  }
  for (const m of runs)
    if (m.missed > 0 || m.outOfOrder > 0)
      lines.push(`${m.mode}: ${m.missed} frames missed, ${m.outOfOrder} out of order`);
  return lines.join('\n');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const p of procs) killGroup(p, 'SIGTERM');
    void stopAll().then(() => process.exit(130));
  });

async function main() {
  const runs: Measured[] = [];
  for (const mode of options.modes) runs.push(await runMode(mode));
  const text = report(runs);
  console.log(`\n${text}`);
  if (values.json) writeFileSync(String(values.json), JSON.stringify({ options, runs }, null, 1));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  void stopAll().then(() => process.exit(1));
});
