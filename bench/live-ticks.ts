// npm run bench:live:ticks [-- --seconds 60] — the "ticks" part of the live
// benchmark (issue 4): 200 clusters of 20 hosts at 1 tick/s on ONE worker
// process, for 10 minutes by default. Measures, from a subscriber on the
// clusters' channels:
//   - tick lag: frame received minus the tick's scheduled time
//     (anchorAt + (tick - anchorTick) * tickMs, from the cluster's meta hash);
//   - jitter: |interval between consecutive frames of a cluster - tickMs|;
//   - ticks lost (scheduled in the window, never received while a later tick
//     of the cluster was), doubled (received more than once), and not yet
//     published when the run ends (the worker is behind; these count in the
//     lag with their age at the end);
//   - the worker's (and Redis's) CPU use;
// and, from BullMQ's event stream, where the lag goes: job start delay (job
// active minus the time it was due) and run time (active to completed).
// Goals: p99 lag <= 100 ms, p99 jitter <= 50 ms, none lost or doubled.
//
// It starts everything it measures: its own redis-server on a free port
// (--hz 100, no persistence), a ROLE=api process that creates the clusters
// over HTTP exactly as a person would (then stops), and one ROLE=worker
// process pinned to core 0; this process and Redis run on core 1.
//
// Options (or env): --seconds N (BENCH_SECONDS, default 600), --warmup N
// (default 15), --clusters N (200), --hosts N (20), --vms N per host (10),
// --tick-ms N (1000), --hz N|default (100: Redis's timer frequency; "default"
// leaves Redis's own, 10), --json PATH (default bench/results/live-ticks-<time>.json).
import type { ScenarioInput } from '@overcommit/contracts';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import {
  BENCH_LIMITS,
  coreTimes,
  cpuSeconds,
  freePort,
  healthy,
  launch,
  pinned,
  root,
  sleep,
  stop,
  stopAll,
  waitFor,
} from './live-procs';

const workerEntry = join(root, 'apps/api/dist/main.js');

// ---------------------------------------------------------------- options

function option(name: string, env: string | undefined, fallback: string): string {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  if (i >= 0 && args[i + 1] !== undefined) return args[i + 1]!;
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  if (inline) return inline.slice(name.length + 3);
  if (env !== undefined && process.env[env]) return process.env[env];
  return fallback;
}

function numberOption(name: string, env: string | undefined, fallback: number): number {
  const raw = option(name, env, String(fallback));
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} ${raw}: expected a positive number`);
    process.exit(2);
  }
  return value;
}

const seconds = numberOption('seconds', 'BENCH_SECONDS', 600);
const warmupSeconds = numberOption('warmup', 'BENCH_WARMUP', 15);
const clusterCount = numberOption('clusters', 'BENCH_CLUSTERS', 200);
const hostsPerCluster = numberOption('hosts', 'BENCH_HOSTS', 20);
const vmsPerHost = numberOption('vms', 'BENCH_VMS', 10);
const tickMs = numberOption('tick-ms', 'BENCH_TICK_MS', 1000);
const hz = option('hz', 'BENCH_REDIS_HZ', '100');
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const jsonPath = resolve(
  option('json', 'BENCH_JSON', join(root, 'bench/results', `live-ticks-${stamp}.json`)),
);
const prefix = 'bench';
const goals = { lagP99Ms: 100, jitterP99Ms: 50, lost: 0, doubled: 0 };

// ---------------------------------------------------------------- processes

/** The worker gets core 0 to itself; this process, Redis and the setup API share core 1. */
const WORKER_CORE = '0';
const OTHER_CORE = '1';

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    void stopAll().then(() => process.exit(130));
  });
}

const loadAverage = () => {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
};

// ---------------------------------------------------------------- the scenario

/** 20 hosts (2 x 16 cores x 2 threads, 384 GiB) and 10 VMs per host in four workload mixes. */
function scenario(index: number): ScenarioInput {
  const profiles = ['constant', 'diurnal', 'bursty', 'step'] as const;
  const vms = hostsPerCluster * vmsPerHost;
  const groups = profiles.map((profile, g) => ({
    name: `${profile}`,
    count: Math.floor(vms / profiles.length) + (g < vms % profiles.length ? 1 : 0),
    vcpus: 4 + g * 2 - (g === 3 ? 4 : 0),
    memoryGiB: 16,
    workload: { profile, cpu: 0.25, amplitude: 0.12, periodSeconds: 600, memoryActive: 0.7 },
  }));
  return {
    version: 1,
    name: `bench-${index}`,
    seed: index + 1,
    clock: { tickMs, stepSeconds: 1 },
    policy: { cpuAllocationRatio: 4, ramAllocationRatio: 1.5, placement: 'spread' },
    hosts: [
      {
        name: 'esx',
        count: hostsPerCluster,
        cpu: { sockets: 2, coresPerSocket: 16, threadsPerCore: 2 },
        memoryGiB: 384,
      },
    ],
    vms: groups.filter((g) => g.count > 0),
  };
}

// ---------------------------------------------------------------- statistics

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Stats {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  min: number;
}
function stats(values: number[]): Stats {
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  return {
    count: list.length,
    p50: percentile(list, 50),
    p99: percentile(list, 99),
    p999: percentile(list, 99.9),
    max: list.at(-1) ?? NaN,
    min: list[0] ?? NaN,
  };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

// ---------------------------------------------------------------- the run

interface ClusterInfo {
  anchorAt: number;
  anchorTick: number;
  tickMs: number;
  /** tick -> receipt times (ms) */
  received: Map<number, number[]>;
  /** tick -> when the worker published it (the message's sentAt), when it says */
  sent: Map<number, number>;
}

async function main(): Promise<void> {
  try {
    readFileSync(workerEntry);
  } catch {
    throw new Error(`${workerEntry} is missing: build first (npx nx run api:build)`);
  }
  console.log(
    `bench:live:ticks on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(
    `${clusterCount} clusters x ${hostsPerCluster} hosts x ${vmsPerHost} VMs/host, tick ${tickMs} ms, ${seconds} s measured after ${warmupSeconds} s warm-up; Redis --hz ${hz}; ${pinned ? `worker pinned to core ${WORKER_CORE}, bench + Redis + setup API to core ${OTHER_CORE}` : 'no taskset: nothing pinned'}`,
  );
  if (pinned)
    spawnSync('taskset', ['-a', '-pc', OTHER_CORE, String(process.pid)], { stdio: 'ignore' });

  // Redis of our own: no persistence, timer frequency as asked.
  const redisPort = await freePort();
  const redisArgs = [
    '--port',
    String(redisPort),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  redisArgs.push('--maxmemory-policy', 'noeviction', '--daemonize', 'no');
  if (hz !== 'default') redisArgs.push('--hz', hz);
  const redisProc = launch('redis', OTHER_CORE, 'redis-server', redisArgs);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await waitFor('redis-server', redisProc, async () => {
    if (redis.status !== 'ready') await redis.connect();
    return (await redis.ping()) === 'PONG';
  });
  const hzInForce = ((await redis.config('GET', 'hz')) as string[])[1];

  const env = {
    ...BENCH_LIMITS,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    NODE_ENV: 'production',
    NO_COLOR: '1',
  };
  const workerPort = await freePort();
  const worker = launch('worker', WORKER_CORE, process.execPath, [workerEntry], {
    env: {
      ...env,
      ROLE: 'worker',
      API_PORT: String(workerPort),
    },
  });
  const apiPort = await freePort();
  const api = launch('api', OTHER_CORE, process.execPath, [workerEntry], {
    env: {
      ...env,
      ROLE: 'api',
      API_PORT: String(apiPort),
    },
  });
  await waitFor('the worker', worker, () => healthy(workerPort));
  await waitFor('the API', api, () => healthy(apiPort));

  // Frames: one pattern subscription on every cluster's channel.
  const clusters = new Map<string, ClusterInfo>();
  const early: { channel: string; message: string; at: number }[] = [];
  const sub = new Redis(redisUrl);
  sub.on('error', () => undefined);
  const channelRe = new RegExp(`^${prefix}:\\{(.+)\\}:live$`);
  const onFrame = (channel: string, message: string, at: number) => {
    const id = channelRe.exec(channel)?.[1];
    const info = id === undefined ? undefined : clusters.get(id);
    if (!info) {
      early.push({ channel, message, at });
      return;
    }
    const { tick, sentAt } = parseMessage(message);
    if (tick === undefined) return;
    if (sentAt !== undefined && !info.sent.has(tick)) info.sent.set(tick, sentAt);
    const times = info.received.get(tick);
    if (times) times.push(at);
    else info.received.set(tick, [at]);
  };
  sub.on('pmessage', (_pattern: string, channel: string, message: string) =>
    onFrame(channel, message, Date.now()),
  );
  await sub.psubscribe(`${prefix}:{*}:live`);

  // BullMQ's event stream: when each tick job became active and completed.
  const eventsKey = `${prefix}:bull:ticks:events`;
  const jobs = new Map<string, { active?: number; completed?: number }>();
  const events = new Redis(redisUrl);
  events.on('error', () => undefined);
  let readingEvents = true;
  let lastEventId = '$';
  const eventsLoop = (async () => {
    while (readingEvents) {
      const reply = await events
        .xread('COUNT', 5000, 'BLOCK', 500, 'STREAMS', eventsKey, lastEventId)
        .catch(() => null);
      if (!reply) continue;
      for (const [, entries] of reply) {
        for (const [id, fields] of entries) {
          lastEventId = id;
          const at = Number(id.split('-')[0]);
          const field = (name: string) => fields[fields.indexOf(name) + 1];
          const event = field('event');
          const jobId = field('jobId');
          if (!jobId || (event !== 'active' && event !== 'completed')) continue;
          const job = jobs.get(jobId) ?? {};
          if (event === 'active') job.active ??= at;
          else job.completed ??= at;
          jobs.set(jobId, job);
        }
      }
    }
  })();

  // Create the clusters over HTTP, as a person would (four requests at a time).
  const createdAt = Date.now();
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < clusterCount) {
        const index = next++;
        const response = await fetch(`http://127.0.0.1:${apiPort}/api/clusters`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ scenario: scenario(index) }),
        });
        const body = (await response.json()) as { id?: string; errors?: unknown };
        if (response.status !== 201 || !body.id)
          throw new Error(`POST /api/clusters: ${response.status} ${JSON.stringify(body)}`);
        ids.push(body.id);
      }
    }),
  );
  for (const id of ids) {
    const [anchorAt, anchorTick, baseTickMs, speed] = await redis.hmget(
      `${prefix}:{${id}}:meta`,
      'anchorAt',
      'anchorTick',
      'baseTickMs',
      'speed',
    );
    clusters.set(id, {
      anchorAt: Number(anchorAt),
      anchorTick: Number(anchorTick),
      tickMs: Math.max(50, Math.round(Number(baseTickMs) / (Number(speed) || 1))),
      received: new Map(),
      sent: new Map(),
    });
  }
  for (const { channel, message, at } of early.splice(0)) onFrame(channel, message, at);
  console.log(
    `created ${ids.length} clusters in ${((Date.now() - createdAt) / 1000).toFixed(1)} s; the setup API stops`,
  );
  await stop(api);

  // Warm up, then measure.
  await sleep(warmupSeconds * 1000);
  if (worker.exited) throw new Error(`the worker died:\n${worker.tail.join('\n')}`);
  const t0 = Date.now();
  const cpu0 = { worker: cpuSeconds(worker.child.pid), redis: cpuSeconds(redisProc.child.pid) };
  const cores0 = coreTimes();
  const load0 = loadAverage();
  let lastReport = t0;
  while (Date.now() < t0 + seconds * 1000) {
    await sleep(Math.min(1000, t0 + seconds * 1000 - Date.now()));
    if (worker.exited) throw new Error(`the worker died:\n${worker.tail.join('\n')}`);
    if (Date.now() - lastReport >= 30_000) {
      lastReport = Date.now();
      process.stdout.write(`  ${Math.round((lastReport - t0) / 1000)} s of ${seconds}\n`);
    }
  }
  const t1 = Date.now();
  const cpu1 = { worker: cpuSeconds(worker.child.pid), redis: cpuSeconds(redisProc.child.pid) };
  const coresBusy = coreTimes().map((c, i) => {
    const before = cores0[i];
    return before && c.total > before.total
      ? (c.busy - before.busy) / (c.total - before.total)
      : NaN;
  });
  const load1 = loadAverage();
  // Frames of ticks due just before t1 may still be on their way.
  await sleep(Math.max(3000, 2 * tickMs));
  const tEnd = Date.now();
  readingEvents = false;
  await eventsLoop;
  await sub.punsubscribe();
  const memory = await redis.info('memory');
  // A cluster re-anchored during the run (the runner skips ticks after a long
  // stall) has tick numbers that no longer match the anchor read at the start.
  let reanchored = 0;
  for (const [id, info] of clusters) {
    const [anchorAt, anchorTick] = await redis.hmget(
      `${prefix}:{${id}}:meta`,
      'anchorAt',
      'anchorTick',
    );
    const origin = (at: number, tick: number) => at - tick * info.tickMs;
    if (origin(Number(anchorAt), Number(anchorTick)) !== origin(info.anchorAt, info.anchorTick))
      reanchored++;
  }

  // Per cluster: the ticks scheduled in [t0, t1), their first receipt, lost, doubled.
  const lags: number[] = [];
  const publishLags: number[] = [];
  const deliveries: number[] = [];
  const jitters: number[] = [];
  const intervals: number[] = [];
  let expected = 0;
  let lost = 0;
  let doubled = 0;
  let early0 = 0;
  let undelivered = 0;
  /** Per second of the window (by due time): the worst lag, and how many ticks missed the goal. */
  const bySecond = Array.from({ length: Math.ceil((t1 - t0) / 1000) }, () => ({ max: 0, over: 0 }));
  const bucket = (due: number, lag: number) => {
    const b = bySecond[Math.min(bySecond.length - 1, Math.max(0, Math.floor((due - t0) / 1000)))]!;
    b.max = Math.max(b.max, lag);
    if (lag > goals.lagP99Ms) b.over++;
  };
  const lostBy = new Map<string, number>();
  for (const [id, info] of clusters) {
    const newest = Math.max(-1, ...info.received.keys());
    const first = Math.ceil((t0 - info.anchorAt) / info.tickMs) + info.anchorTick;
    const last = Math.ceil((t1 - info.anchorAt) / info.tickMs) + info.anchorTick - 1;
    let previous: number | undefined;
    for (let tick = first; tick <= last; tick++) {
      expected++;
      const times = info.received.get(tick);
      const due = info.anchorAt + (tick - info.anchorTick) * info.tickMs;
      if (!times && tick > newest) {
        // Not published by the end (the worker is behind): late by at least this much.
        undelivered++;
        lags.push(tEnd - due);
        bucket(due, tEnd - due);
        previous = undefined;
        continue;
      }
      if (!times) {
        // A hole: a later tick of the cluster came, this one never did.
        lost++;
        lostBy.set(id, (lostBy.get(id) ?? 0) + 1);
        previous = undefined;
        continue;
      }
      if (times.length > 1) doubled += times.length - 1;
      const at = times[0]!;
      const lag = at - due;
      bucket(due, lag);
      if (lag < 0) early0++;
      lags.push(lag);
      const sentAt = info.sent.get(tick);
      if (sentAt !== undefined) {
        publishLags.push(lag - (at - sentAt));
        deliveries.push(at - sentAt);
      }
      if (previous !== undefined) {
        intervals.push(at - previous);
        jitters.push(Math.abs(at - previous - info.tickMs));
      }
      previous = at;
    }
  }

  // Where the lag goes: job start delay and run time, for jobs that started in the window.
  const startDelays: number[] = [];
  const runTimes: number[] = [];
  for (const [jobId, job] of jobs) {
    const due = dueOf(jobId, clusters);
    if (due === undefined || job.active === undefined) continue;
    if (job.active < t0 || job.active >= t1) continue;
    startDelays.push(job.active - due);
    if (job.completed !== undefined) runTimes.push(job.completed - job.active);
  }

  const lag = stats(lags);
  const publishLag = stats(publishLags);
  const delivery = stats(deliveries);
  const jitter = stats(jitters);
  const interval = stats(intervals);
  const startDelay = stats(startDelays);
  const run = stats(runTimes);
  const wall = (t1 - t0) / 1000;
  const workerCpu = (cpu1.worker - cpu0.worker) / wall;
  const redisCpu = (cpu1.redis - cpu0.redis) / wall;
  const usedMemory = /used_memory_human:(\S+)/.exec(memory)?.[1] ?? '?';

  const row = (label: string, s: Stats) =>
    `| ${label.padEnd(31)} | ${fmt(s.p50).padStart(7)} | ${fmt(s.p99).padStart(7)} | ${fmt(s.p999).padStart(7)} | ${fmt(s.max).padStart(7)} | ${String(s.count).padStart(7)} |`;
  console.log('');
  console.log(
    `| ms                              |     p50 |     p99 |   p99.9 |     max |   count |`,
  );
  console.log(
    `| ------------------------------- | ------: | ------: | ------: | ------: | ------: |`,
  );
  console.log(row('tick lag (scheduled -> frame)', lag));
  console.log(row('jitter |interval - tick|', jitter));
  console.log(row('interval between frames', interval));
  console.log(row('job start delay (due -> active)', startDelay));
  console.log(row('job run (active -> completed)', run));
  if (publishLag.count > 0) {
    console.log(row('scheduled -> published (sentAt)', publishLag));
    console.log(row('published -> received', delivery));
  }
  console.log('');
  console.log(
    `${reanchored ? `WARNING: ${reanchored} clusters skipped ticks and re-anchored during the run: their figures are wrong. ` : ''}ticks scheduled ${expected}, lost ${lost}${lostBy.size ? ` (in ${lostBy.size} clusters)` : ''}, doubled ${doubled}, not yet published at the end ${undelivered} (in the lag with their age then), frames before their time ${early0} (min lag ${fmt(lag.min)} ms)`,
  );
  console.log(
    `worker CPU ${(workerCpu * 100).toFixed(0)}% of one core (${fmt((1000 * workerCpu * wall) / Math.max(1, lags.length), 2)} ms per tick), Redis CPU ${(redisCpu * 100).toFixed(0)}%, Redis memory ${usedMemory}, Redis hz ${hzInForce}`,
  );
  console.log(
    `machine: cores busy ${coresBusy.map((b, i) => `${i}: ${fmt(b * 100, 0)}%`).join(', ')}; load average ${fmt(load0, 2)} -> ${fmt(load1, 2)}${load1 > 2.5 ? ' (other work was running: figures are indicative)' : ''}`,
  );
  const badSeconds = bySecond
    .map((b, i) => ({ ...b, second: i }))
    .filter((b) => b.over > 0)
    .sort((a, b) => b.max - a.max);
  console.log(
    `seconds with a tick over ${goals.lagP99Ms} ms late: ${badSeconds.length} of ${bySecond.length}${
      badSeconds.length
        ? ` (worst: ${badSeconds
            .slice(0, 5)
            .map((b) => `+${b.second} s ${fmt(b.max, 0)} ms x${b.over}`)
            .join(', ')})`
        : ''
    }`,
  );
  if (worker.warnings.length > 0)
    console.log(
      `the worker logged ${worker.warnings.length} warnings, the first: ${worker.warnings.slice(0, 3).join(' | ')}`,
    );
  const verdict = {
    lag: lag.p99 <= goals.lagP99Ms,
    jitter: jitter.p99 <= goals.jitterP99Ms,
    lost: lost <= goals.lost,
    doubled: doubled <= goals.doubled,
    behind: undelivered === 0,
  };
  const met = Object.values(verdict).every(Boolean);
  console.log(
    `goals (p99 lag <= ${goals.lagP99Ms} ms, p99 jitter <= ${goals.jitterP99Ms} ms, none lost or doubled): ${
      met
        ? 'MET'
        : `NOT MET (${Object.entries(verdict)
            .filter(([, ok]) => !ok)
            .map(([k]) => k)
            .join(', ')})`
    }`,
  );

  const result = {
    bench: 'live-ticks',
    date: new Date(t0).toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      pinned: pinned,
    },
    config: {
      clusters: clusterCount,
      hostsPerCluster,
      vmsPerHost,
      tickMs,
      seconds,
      warmupSeconds,
      redisHz: Number(hzInForce),
    },
    lagMs: lag,
    jitterMs: jitter,
    intervalMs: interval,
    jobStartDelayMs: startDelay,
    jobRunMs: run,
    publishLagMs: publishLag,
    deliveryMs: delivery,
    ticks: {
      expected,
      lost,
      doubled,
      undelivered,
      reanchored,
      early: early0,
      clustersWithLoss: lostBy.size,
    },
    cpu: {
      worker: workerCpu,
      workerMsPerTick: (1000 * workerCpu * wall) / Math.max(1, lags.length),
      redis: redisCpu,
      coresBusy,
      loadAverage: [load0, load1],
    },
    redisUsedMemory: usedMemory,
    lagBySecond: bySecond,
    workerWarnings: worker.warnings.slice(0, 100),
    goals,
    met,
  };
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`result: ${jsonPath}`);

  sub.disconnect();
  events.disconnect();
  redis.disconnect();
  await stopAll();
  process.exitCode = met ? 0 : 1;
}

/**
 * The tick number of a published frame (at the message's top level, or in its
 * frame) and, when the message says, when the worker published it.
 */
function parseMessage(message: string): { tick?: number; sentAt?: number } {
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  try {
    const parsed = JSON.parse(message) as {
      event?: { tick?: unknown; sentAt?: unknown };
      tick?: unknown;
      sentAt?: unknown;
      frame?: { tick?: unknown };
    };
    // A LiveMessage carries the frame event's payload; a baseline's message is the payload.
    const payload = parsed.event ?? parsed;
    return { tick: num(payload.tick ?? parsed.frame?.tick), sentAt: num(payload.sentAt) };
  } catch {
    const match = /"tick":(\d+)/.exec(message);
    return { tick: match ? Number(match[1]) : undefined };
  }
}

/**
 * When a tick job was due, from its id: a job scheduler's job is
 * `repeat:<scheduler>:<due ms>`; a tick job of a cluster's own is
 * `tick-<cluster>-<tick>` (due on the cluster's schedule).
 */
function dueOf(jobId: string, clusters: Map<string, ClusterInfo>): number | undefined {
  const repeat = /^repeat:.+:(\d+)$/.exec(jobId);
  if (repeat) return Number(repeat[1]);
  const own = /^tick-(.+)-(\d+)$/.exec(jobId);
  const info = own ? clusters.get(own[1]!) : undefined;
  if (!own || !info) return undefined;
  return info.anchorAt + (Number(own[2]) - info.anchorTick) * info.tickMs;
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  await stopAll();
  process.exit(1);
});
