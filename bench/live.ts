// npm run bench:live [-- --only wire,fanout,slow,ticks --seconds 60 ...] — the
// live system's benchmark (issue 4), in one run:
//   wire    bytes per frame on the wire (encodeFrame) against the same frame as
//           plain full-precision JSON, for a 200-host cluster (and the 50-host
//           one the fan-out watches). Goal: at most 15%.
//   fanout  100 and 1,000 clients (--clients 1000,10000 for the 10,000-client
//           point) watching one 50-host cluster at 1 tick/s, served by three
//           servers with the same clients and the same frame bytes: ours (one
//           or more ROLE=api processes, --api-procs, fed by a ROLE=worker
//           through a private Redis; with several, each subscribes through
//           Redis to the clusters its own sockets watch and the clients are
//           spread over them round-robin), then a bare `ws` loop and a bare
//           socket.io server
//           (bench/live-fanout-servers.ts) replaying the frames of the very
//           ticks ours sent in its window (the simulation is deterministic;
//           checked against the worker's history). For each: latency from the
//           tick's publish (the frame's sentAt) to each client's receipt (p50,
//           p99, p99.9), server CPU per delivered frame (process.cpuUsage inside
//           the server, every thread, read by the probe in
//           live-fanout-probe.ts; for ours the sum over its API processes) and
//           RSS per connected client (after full GCs, and the mean RSS over
//           the window, less the same with no client, over the clients; for
//           ours the sum of its API processes' growth). Every client checks it
//           gets every tick in order: frames lost, doubled or out of order are
//           counted per server. Goals: at 1,000 clients, ours delivers at least
//           90% of the bare ws loop's frames per server CPU-second and p99 is
//           at most 50 ms; at 10,000, p99 at most 250 ms and RSS per client at
//           most 1.2x the bare socket.io server's; no frame lost, doubled or
//           out of order for clients that keep up.
//   slow    1,000 clients on ours, then one more whose socket reads at most
//           10 KiB/s, then without it: the others' p99 may rise by at most 10%,
//           the server's RSS by at most 10 MB. Then the slow client's throttle
//           is lifted: what the server queued for it arrives, and its tick
//           numbers show whether the server skipped frames for it.
//   ticks   helper bench/live-ticks.ts (tick lag with 200 clusters on one
//           worker; 10 minutes by default), last.
//
// Servers (API processes, worker, Redis, baselines) are pinned to core 0 with
// taskset, this process and the clients (load generators,
// live-fanout-clients.ts: bare `ws` sockets speaking the socket.io protocol;
// one process per 2,500 clients unless --client-procs says otherwise, their
// figures merged) to core 1, so the load generator's CPU does not count as the
// server's; the table gives the load generator's total CPU as a share of its
// core. Every child gets an open-file limit of 65,536 (or the hard limit, if
// lower and still enough), runs in its own process group and is stopped on
// exit, on failure and on Ctrl-C.
//
// The 10,000-client point, with short windows (6-8 minutes on 2 cores, most of
// it ours connecting its 10,000 clients: 2-4 minutes, as every join's presence
// reaches the watchers already there):
//   npm run bench:live -- --only fanout --clients 1000,10000 --seconds 20 --warmup 10
//   ... --api-procs 1,2   (ours on two API processes at 10,000)
import { encodeFrame, type Frame, scenarioSchema } from '@overcommit/contracts';
import { createCluster, step } from '@overcommit/sim';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import {
  benchScenario,
  type GroupStats,
  lagging,
  type LoadReply,
  type LoadRequest,
  mergeGroups,
  type ProbeReply,
  request,
  type Stats,
  stats,
} from './live-fanout-common';
import {
  BENCH_LIMITS,
  commandLine,
  coresOf,
  coreTimes,
  cpuSeconds,
  freePort,
  healthy,
  killGroup,
  launch,
  openFileLimit,
  pinned,
  type Proc,
  procs,
  root,
  sleep,
  stop,
  stopAll,
  waitFor,
} from './live-procs';

const apiMain = join(root, 'apps/api/dist/main.js');
const probeJs = join(__dirname, 'live-fanout-probe.js');
const serversJs = join(__dirname, 'live-fanout-servers.js');
const clientsJs = join(__dirname, 'live-fanout-clients.js');
const ticksJs = join(__dirname, 'live-ticks.js');

// ---------------------------------------------------------------- options

const fmt = (n: number | undefined, digits = 1) =>
  n === undefined || !Number.isFinite(n)
    ? '-'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (n: number | undefined) => fmt(n, 0);

/** Clients per load-generator process, unless --client-procs says how many processes. */
const CLIENTS_PER_PROC = 2500;

const parts = ['wire', 'fanout', 'slow', 'ticks'] as const;
const serverKinds = ['ws', 'socketio', 'ours'] as const;
type ServerKind = (typeof serverKinds)[number];

const usage = `npm run bench:live -- [options]
  --only LIST          parts to run, of ${parts.join(',')} (default: all, in that order)
  --seconds N          measured seconds per fan-out run (default 60)
  --warmup N           seconds between connecting and measuring (default 20: the JIT
                       compiles the send path in that time, on the server's core)
  --clients LIST       fan-out client counts (default 100,1000; the 10,000-client point:
                       --only fanout --clients 1000,10000)
  --servers LIST       fan-out servers, of ${serverKinds.join(',')} (default: all)
  --api-procs LIST     our API processes, one number for every client count or one per
                       --clients entry (default 1; e.g. --clients 1000,10000 --api-procs 1,2):
                       the clients are spread over them round-robin, each subscribes
                       to the cluster through Redis
  --client-procs N     load-generator processes, all on the clients' core (default: one
                       per ${int(CLIENTS_PER_PROC)} clients, at least one)
  --hosts N            hosts in the watched cluster (default 50)
  --wire-hosts N       hosts in the wire-size cluster (default 200)
  --slow-clients N     normal clients beside the slow one (default 1000)
  --slow-seconds N     measured seconds per slow-client window (default: --seconds)
  --slow-kbps N        the slow client's read rate, KiB/s (default 10; 0: it stops reading)
  --ticks-seconds N    passed to bench/live-ticks.ts as --seconds (default: its own, 600)
  --concurrency N      connections and joins in flight at once (default 50)
  --idle N             seconds to measure each server's idle CPU and memory before
                       connecting (default 6)
  --deflate on|off     clients offer WebSocket compression (permessage-deflate), as browsers
                       and socket.io-client do (default on); our API then sends compressed
                       frames (LIVE_COMPRESSION), the baselines decline and send plain ones
  --cpu-prof           profile each server during its measured windows (figures then
                       include the profiler's cost): .cpuprofile files beside the results file
  --json PATH          results file (default bench/results/live-<time>.json)

examples:
  npm run bench:live -- --only wire,fanout --seconds 20
  npm run bench:live -- --only fanout --clients 1000,10000      the 10,000-client point
  npm run bench:live -- --only fanout --clients 1000,10000 --api-procs 1,2 --seconds 20 --warmup 10
                                                                 the same, shorter, ours on 2 API
                                                                 processes at 10,000`;

const { values: raw, fail } = commandLine(usage, {
  only: { type: 'string', default: parts.join(',') },
  seconds: { type: 'string', default: '60' },
  warmup: { type: 'string', default: '20' },
  clients: { type: 'string', default: '100,1000' },
  servers: { type: 'string', default: serverKinds.join(',') },
  'api-procs': { type: 'string', default: '1' },
  'client-procs': { type: 'string' },
  hosts: { type: 'string', default: '50' },
  'wire-hosts': { type: 'string', default: '200' },
  'slow-clients': { type: 'string', default: '1000' },
  'slow-seconds': { type: 'string' },
  'slow-kbps': { type: 'string', default: '10' },
  'ticks-seconds': { type: 'string' },
  concurrency: { type: 'string', default: '50' },
  idle: { type: 'string', default: '6' },
  'cpu-prof': { type: 'boolean', default: false },
  deflate: { type: 'string', default: 'on' },
  json: { type: 'string' },
});

function positive(name: string, value: string | undefined, allowZero = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    fail(`--${name} ${value}: expected a positive number`);
  return n;
}
function list<T extends string>(name: string, value: string, allowed: readonly T[]): T[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items)
    if (!allowed.includes(item as T))
      fail(`--${name}: unknown "${item}" (expected ${allowed.join(', ')})`);
  return items as T[];
}

const only = new Set(list('only', raw.only, parts));
const clientCounts = raw.clients.split(',').map((s) => Math.round(positive('clients', s)));
const apiProcsList = raw['api-procs'].split(',').map((s) => Math.round(positive('api-procs', s)));
if (apiProcsList.length !== 1 && apiProcsList.length !== clientCounts.length)
  fail(
    `--api-procs ${raw['api-procs']}: give one number, or one per --clients entry (${clientCounts.length})`,
  );
const options = {
  seconds: positive('seconds', raw.seconds),
  warmup: positive('warmup', raw.warmup, true),
  clients: clientCounts,
  servers: list('servers', raw.servers, serverKinds),
  /** Our API processes for each entry of `clients`. */
  apiProcs: clientCounts.map((_, i) => apiProcsList[apiProcsList.length === 1 ? 0 : i]!),
  clientProcs:
    raw['client-procs'] === undefined
      ? undefined
      : Math.round(positive('client-procs', raw['client-procs'])),
  hosts: positive('hosts', raw.hosts),
  wireHosts: positive('wire-hosts', raw['wire-hosts']),
  slowClients: positive('slow-clients', raw['slow-clients']),
  slowSeconds: positive('slow-seconds', raw['slow-seconds'] ?? raw.seconds),
  slowBytesPerSecond: positive('slow-kbps', raw['slow-kbps'], true) * 1024,
  ticksSeconds:
    raw['ticks-seconds'] === undefined
      ? undefined
      : positive('ticks-seconds', raw['ticks-seconds']),
  concurrency: positive('concurrency', raw.concurrency),
  idle: positive('idle', raw.idle),
  cpuProf: raw['cpu-prof'] === true,
  /** Clients offer permessage-deflate (as browsers and socket.io-client do); servers may decline. */
  deflate: list('deflate', raw.deflate, ['on', 'off'] as const)[0] === 'on',
};
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const jsonPath = resolve(raw.json ?? join(root, 'bench/results', `live-${stamp}.json`));
const goals = {
  wirePctMax: 15,
  /** At 1,000 clients (and reported at every count). */
  deliveriesPerCpuVsWsMin: 0.9,
  /** Clients -> the most p99 may be, ms. */
  p99MsMax: { 1000: 50, 10000: 250 } as Record<number, number>,
  /** At 10,000 clients, or at the largest count run when there is no 10,000. */
  rssPerClientVsSocketIoMax: 1.2,
  /** Frames lost, doubled or out of order for clients that keep up, at every count. */
  framesLostMax: 0,
  slowP99RiseMax: 0.1,
  slowRssRiseMiB: 10,
};

// ---------------------------------------------------------------- processes

/** The servers' core; the clients (and this process) get the other. */
const SERVER_CORE = '0';
const CLIENT_CORE = '1';

/**
 * Open files each process needs at most: its sockets (a baseline holds every client's, an API
 * process its share, a load generator its share) and a margin for the rest.
 */
function openFilesNeeded(): number {
  let most = only.has('slow') ? options.slowClients + 1 : 0;
  if (only.has('fanout'))
    options.clients.forEach((clients, i) => {
      const servers = options.servers.filter((k) => k !== 'ours').length
        ? clients
        : Math.ceil(clients / options.apiProcs[i]!);
      most = Math.max(most, servers, Math.ceil(clients / clientProcsFor(clients)));
    });
  return most + 512;
}
/** The open-file limit every child is started with (set in main, once checked). */
let nofile: number | undefined;

const scratch = mkdtempSync(join(tmpdir(), 'overcommit-bench-live-'));

let ticksChild: ChildProcess | undefined;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping every process the benchmark started`);
    if (ticksChild?.pid !== undefined && ticksChild.exitCode === null) {
      try {
        process.kill(-ticksChild.pid, signal);
      } catch {
        // gone
      }
    }
    const ticksDone =
      ticksChild && ticksChild.exitCode === null
        ? new Promise((r) => ticksChild!.once('exit', r))
        : Promise.resolve();
    void Promise.all([stopAll(), ticksDone]).finally(() => process.exit(130));
  });
}
// Last resort (an exception, process.exit): nothing outlives the benchmark.
process.on('exit', () => {
  for (const proc of procs) killGroup(proc, 'SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

function probe(proc: Proc, gc = false): Promise<ProbeReply> {
  return request<ProbeReply>(proc.child, { probe: true, gc }, 30_000);
}

/** The probes of several processes (our API processes), summed: CPU time and memory. */
async function probeAll(server: Proc[], gc = false): Promise<ProbeReply> {
  const replies = await Promise.all(server.map((proc) => probe(proc, gc)));
  const sum = (key: keyof ProbeReply) => replies.reduce((total, r) => total + r[key], 0);
  return {
    cpuMicros: sum('cpuMicros'),
    rss: sum('rss'),
    heapUsed: sum('heapUsed'),
    external: sum('external'),
  };
}

interface Memory {
  /** Means over the samples: RSS and V8 heap in use, bytes. */
  rss: number;
  heapUsed: number;
  samples: number;
}

/**
 * Samples a server's memory every `everyMs` for `seconds`. A Node process's
 * RSS and heap saw-tooth with its garbage collections; the mean over many
 * samples compares two states without forcing a collection (which would
 * shrink the heap and make the next window's CPU figures pay to regrow it).
 */
async function sampleMemory(server: Proc[], seconds: number, everyMs = 2000): Promise<Memory> {
  const end = performance.now() + seconds * 1000;
  let rss = 0;
  let heapUsed = 0;
  let samples = 0;
  for (;;) {
    const now = performance.now();
    if (now >= end) break;
    await sleep(Math.min(everyMs, end - now));
    const reply = await probeAll(server);
    rss += reply.rss;
    heapUsed += reply.heapUsed;
    samples++;
  }
  return { rss: rss / samples, heapUsed: heapUsed / samples, samples };
}

// ---------------------------------------------------------------- the load generator

/** Load-generator processes for a run of `clients` clients. */
function clientProcsFor(clients: number): number {
  return options.clientProcs ?? Math.max(1, Math.ceil(clients / CLIENTS_PER_PROC));
}

/** The load generators started so far; a run uses the first `activeLoads` of them. */
const loadProcs: Proc[] = [];
let activeLoads = 1;

/** Starts load generators until there are `count`, and makes the next requests go to that many. */
function useLoadProcs(count: number): void {
  while (loadProcs.length < count)
    loadProcs.push(
      launch(
        `clients-${loadProcs.length + 1}`,
        CLIENT_CORE,
        process.execPath,
        ['--max-old-space-size=4096', clientsJs],
        { ipc: true, echo: true, nofile },
      ),
    );
  activeLoads = count;
}

type Ok<T extends Extract<LoadReply, { ok: true }>['op']> = Extract<LoadReply, { op: T }>;

/** A request to one load generator. */
async function loadOne<T extends Extract<LoadReply, { ok: true }>['op']>(
  proc: Proc,
  message: LoadRequest,
): Promise<Ok<T>> {
  if (proc.exited) throw new Error(`${proc.name} exited:\n${proc.tail.join('\n')}`);
  const reply = await request<LoadReply>(proc.child, message);
  if (!reply.ok) throw new Error(`${proc.name}: ${reply.error}`);
  return reply as Ok<T>;
}

/** The active load generators. */
function loads(): Proc[] {
  if (loadProcs.length < activeLoads) useLoadProcs(activeLoads);
  return loadProcs.slice(0, activeLoads);
}

/** The same request to every active load generator. */
function loadAll<T extends Extract<LoadReply, { ok: true }>['op']>(
  message: LoadRequest,
): Promise<Ok<T>[]> {
  return Promise.all(loads().map((proc) => loadOne<T>(proc, message)));
}

/**
 * Connects `count` clients of a group, split over the active load generators (each its share of
 * the numbering, so client i goes to urls[i % urls.length] whichever process holds it), with
 * `concurrency` connections and joins in flight over all of them.
 */
async function connectClients(
  message: Omit<Extract<LoadRequest, { op: 'connect' }>, 'op' | 'offset'>,
): Promise<Ok<'connect'>> {
  const procs = loads();
  const n = Math.min(procs.length, message.count);
  let offset = 0;
  const replies = await Promise.all(
    procs.slice(0, n).map((proc, i) => {
      const count = Math.floor(message.count / n) + (i < message.count % n ? 1 : 0);
      const request: LoadRequest = {
        ...message,
        op: 'connect',
        offset,
        count,
        concurrency: Math.max(1, Math.round(message.concurrency / n)),
      };
      offset += count;
      return loadOne<'connect'>(proc, request).then((reply) => ({ reply, count }));
    }),
  );
  return {
    ok: true,
    op: 'connect',
    connected: replies.reduce((total, r) => total + r.reply.connected, 0),
    ms: Math.max(...replies.map((r) => r.reply.ms)),
    snapshotBytes: Math.max(...replies.map((r) => r.reply.snapshotBytes)),
    bytesPerClient:
      replies.reduce((total, r) => total + r.reply.bytesPerClient * r.count, 0) / message.count,
  };
}

/** What the load generators saw in a window, merged. */
interface LoadWindow {
  /** The longest of the processes' windows, s. */
  seconds: number;
  /** Their CPU time summed, µs. */
  cpuMicros: number;
  processes: { name: string; pid?: number; cpuMicros: number }[];
  groups: Record<string, GroupStats>;
}

async function stopLoads(): Promise<LoadWindow> {
  const procs = loads();
  const replies = await loadAll<'stop'>({ op: 'stop' });
  const names = new Set(replies.flatMap((r) => Object.keys(r.groups)));
  const groups: Record<string, GroupStats> = {};
  for (const name of names)
    groups[name] = mergeGroups(replies.flatMap((r) => (r.groups[name] ? [r.groups[name]] : [])));
  return {
    seconds: Math.max(...replies.map((r) => r.seconds)),
    cpuMicros: replies.reduce((total, r) => total + r.cpuMicros, 0),
    processes: replies.map((r, i) => ({
      name: procs[i]!.name,
      pid: procs[i]!.child.pid,
      cpuMicros: r.cpuMicros,
    })),
    groups,
  };
}

/** Closes a group's clients (every group's without `group`) in every load generator started. */
async function closeClients(group?: string): Promise<void> {
  await Promise.all(
    loadProcs
      .filter((proc) => !proc.exited)
      .map((proc) => loadOne(proc, { op: 'close', group }).catch(() => undefined)),
  );
}

// ---------------------------------------------------------------- our pipeline

interface Pipeline {
  redisUrl: string;
  redis: Proc;
  worker: Proc;
  clusterId: string;
  prefix: string;
}
let pipeline: Pipeline | undefined;

async function startRedis(): Promise<{ proc: Proc; url: string }> {
  const port = await freePort();
  const proc = launch(
    'redis',
    SERVER_CORE,
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--hz',
      '100',
      '--dir',
      scratch,
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
    ],
    { nofile },
  );
  const ping = () =>
    new Promise<boolean>((resolvePing) => {
      const s = connect(port, '127.0.0.1');
      s.once('error', () => resolvePing(false));
      s.once('data', (data: Buffer) => {
        resolvePing(data.toString().startsWith('+PONG'));
        s.destroy();
      });
      s.write('PING\r\n');
    });
  await waitFor('redis-server', proc, ping);
  return { proc, url: `redis://127.0.0.1:${port}` };
}

function apiEnv(
  role: 'api' | 'worker',
  port: number,
  p: { redisUrl: string; prefix: string },
): NodeJS.ProcessEnv {
  return {
    ...BENCH_LIMITS,
    ROLE: role,
    API_PORT: String(port),
    REDIS_URL: p.redisUrl,
    REDIS_PREFIX: p.prefix,
    NODE_ENV: 'production',
  };
}

async function startApi(
  p: { redisUrl: string; prefix: string },
  name = 'api',
): Promise<{ proc: Proc; port: number }> {
  const port = await freePort();
  const proc = launch(
    name,
    SERVER_CORE,
    process.execPath,
    ['--expose-gc', '-r', probeJs, apiMain],
    {
      env: apiEnv('api', port, p),
      ipc: true,
      nofile,
    },
  );
  await waitFor(`the API (${name})`, proc, () => healthy(port));
  return { proc, port };
}

async function startPipeline(): Promise<Pipeline> {
  if (pipeline) return pipeline;
  if (!existsSync(apiMain))
    throw new Error(`${apiMain} is missing: build first (npx nx run api:build)`);
  const { proc: redis, url: redisUrl } = await startRedis();
  const prefix = 'bench';
  const workerPort = await freePort();
  const worker = launch(
    'worker',
    SERVER_CORE,
    process.execPath,
    ['--expose-gc', '-r', probeJs, apiMain],
    {
      env: apiEnv('worker', workerPort, { redisUrl, prefix }),
      ipc: true,
      nofile,
    },
  );
  await waitFor('the worker', worker, () => healthy(workerPort));
  const setup = await startApi({ redisUrl, prefix }, 'setup-api');
  const response = await fetch(`http://127.0.0.1:${setup.port}/api/clusters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: benchScenario(options.hosts, 1000) }),
  });
  const body = (await response.json()) as { id?: string };
  if (response.status !== 201 || !body.id)
    throw new Error(`POST /api/clusters: ${response.status} ${JSON.stringify(body)}`);
  await stop(setup.proc);
  pipeline = { redisUrl, redis, worker, clusterId: body.id, prefix };
  return pipeline;
}

// ---------------------------------------------------------------- frames

/** Frames of the bench cluster as the worker builds them: placed, warmed up, then `count` ticks. */
function simFrames(hosts: number, warm: number, count: number): Frame[] {
  const state = createCluster(scenarioSchema.parse(benchScenario(hosts)));
  for (let i = 0; i < warm; i++) step(state, []);
  return Array.from({ length: count }, () => step(state, []).frame);
}

/**
 * Writes the frames a baseline server sends (cycled, tick numbers still
 * rising) and says from which tick. With `ticks`, the frames of those ticks
 * of our cluster, the very ones our pipeline sent in its window: the same
 * scenario and seed stepped from scratch, checked byte for byte against the
 * worker's own frame in the history. Without, the simulation's from tick 121.
 */
async function writeBaselineFrames(
  ticks: { first: number; last: number } | undefined,
  count: number,
): Promise<{ file: string; firstTick: number }> {
  const first = ticks?.first ?? 121;
  const last = ticks?.last ?? first + count - 1;
  const state = createCluster(scenarioSchema.parse(benchScenario(options.hosts)));
  for (let i = 1; i < first; i++) step(state, []);
  const frames: string[] = [];
  for (let tick = first; tick <= last; tick++) frames.push(encodeFrame(step(state, []).frame));
  if (ticks && pipeline) {
    const redis = new Redis(pipeline.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const entry = await redis.xrange(
        `${pipeline.prefix}:{${pipeline.clusterId}}:frames`,
        `${first}-1`,
        `${first}-1`,
      );
      const stored = entry[0]?.[1][1];
      if (stored !== frames[0])
        console.log(
          `\n  (note: the worker's frame of tick ${first} ${stored === undefined ? 'is not in the history' : "differs from the simulation's"}; the baselines send the simulation's)`,
        );
    } finally {
      redis.disconnect();
    }
  }
  const file = join(scratch, `frames-${first}-${last}.json`);
  writeFileSync(file, JSON.stringify(frames));
  return { file, firstTick: first };
}

/** The `frame` event as socket.io puts it on the websocket (the wire string escaped inside). */
function socketMessage(clusterId: string, tick: number, wire: string): string {
  return `42${JSON.stringify(['frame', { clusterId, tick, sentAt: Date.now(), frame: wire }])}`;
}

// ---------------------------------------------------------------- parts

interface WireResult {
  hosts: number;
  vms: number;
  alarms: number;
  frames: number;
  plainBytes: number;
  wireBytes: number;
  socketBytes: number;
  pct: number;
  pctMax: number;
}

function wirePart(): WireResult[] {
  console.log(
    `\n## wire size: encodeFrame against JSON.stringify(frame), 30 frames after 120 ticks\n`,
  );
  const results: WireResult[] = [];
  for (const hosts of [...new Set([options.hosts, options.wireHosts])]) {
    const frames = simFrames(hosts, 121, 30);
    let plain = 0;
    let wire = 0;
    let socket = 0;
    let pctMax = 0;
    for (const frame of frames) {
      const p = Buffer.byteLength(JSON.stringify(frame));
      const encoded = encodeFrame(frame);
      const w = Buffer.byteLength(encoded);
      plain += p;
      wire += w;
      socket += Buffer.byteLength(socketMessage('0123456789ab', frame.tick, encoded));
      pctMax = Math.max(pctMax, (100 * w) / p);
    }
    const n = frames.length;
    const last = frames[n - 1]!;
    results.push({
      hosts,
      vms: createCluster(scenarioSchema.parse(benchScenario(hosts))).vms.length,
      alarms: last.alarms.length,
      frames: n,
      plainBytes: plain / n,
      wireBytes: wire / n,
      socketBytes: socket / n,
      pct: (100 * wire) / plain,
      pctMax,
    });
  }
  console.log(
    '| hosts |   VMs | alarms | plain JSON B | wire B | wire % (max) | socket.io message B |',
  );
  console.log(
    '| ----: | ----: | -----: | -----------: | -----: | -----------: | ------------------: |',
  );
  for (const r of results)
    console.log(
      `| ${String(r.hosts).padStart(5)} | ${int(r.vms).padStart(5)} | ${String(r.alarms).padStart(6)} | ${int(r.plainBytes).padStart(12)} | ${int(r.wireBytes).padStart(6)} | ${`${fmt(r.pct)} (${fmt(r.pctMax)})`.padStart(12)} | ${int(r.socketBytes).padStart(19)} |`,
    );
  console.log(
    '\nsocket.io message: the `frame` event as sent (`42["frame",{clusterId,tick,sentAt,frame}]`), the wire string JSON-escaped inside it.',
  );
  return results;
}

interface RunResult {
  server: ServerKind;
  clients: number;
  /** Server processes measured (our API processes; 1 for a baseline). */
  serverProcs: number;
  /** Load-generator processes. */
  clientProcs: number;
  connected: number;
  connectSeconds: number;
  /** Bytes each client received while the others connected (join reply, presence). */
  connectBytesPerClient: number;
  snapshotBytes: number;
  /** The server's CPU with no client, % of a core. */
  idleCpuPct: number;
  seconds: number;
  deliveries: number;
  expected: number;
  /** Frames lost (ticks skipped), doubled and out of order in the window, over every client. */
  skipped: number;
  doubled: number;
  outOfOrder: number;
  /** Clients more than one tick behind the newest tick any client saw, at the window's end. */
  lagging: number;
  disconnects: number;
  latencyMs: Stats;
  frameMessageBytes: number;
  /** TCP bytes per delivered frame (all the window's traffic over its frames): compressed or not. */
  wireBytesPerDelivery: number;
  otherBytesPerClientSecond: number;
  serverCpuSeconds: number;
  cpuMicrosPerDelivery: number;
  /** The same, less the server's idle CPU over the window. */
  netCpuMicrosPerDelivery: number;
  deliveriesPerCpuSecond: number;
  /** Mean RSS with no client, and over the window with the clients. */
  rssIdle: number;
  rssLoaded: number;
  rssPerClient: number;
  heapPerClient: number;
  /** The same from memory after full garbage collections, with no client and at the end (fan-out runs). */
  rssPerClientAfterGc?: number;
  heapPerClientAfterGc?: number;
  /** The load generators' CPU, summed over their processes: % of one core (the clients' core). */
  loadCpuPct: number;
  /** Each load generator's, % of a core. */
  loadCpuPctByProcess: { name: string; pid?: number; cpuPct: number }[];
  workerCpuPct?: number;
  redisCpuPct?: number;
  /** Each core's busy time over the window, % (every process on the machine, not only ours). */
  coreBusyPct: number[];
  /** Where each process ran: its affinity list (cores) -> process names. */
  where: Record<string, string[]>;
}

/** A measured server: its processes (our API processes, or one baseline) and their URLs. */
interface Server {
  kind: ServerKind;
  procs: Proc[];
  urls: string[];
}

/**
 * A measured server: ours is `apiProcs` fresh API processes (the worker and Redis stay);
 * baselines are fresh processes.
 */
async function startServer(
  kind: ServerKind,
  clusterId: string,
  ticks?: { first: number; last: number },
  apiProcs = 1,
): Promise<Server> {
  if (kind === 'ours') {
    const p = await startPipeline();
    const apis = await Promise.all(
      Array.from({ length: apiProcs }, (_, i) =>
        startApi(p, apiProcs === 1 ? 'api' : `api-${i + 1}`),
      ),
    );
    return {
      kind,
      procs: apis.map((a) => a.proc),
      urls: apis.map((a) => `ws://127.0.0.1:${a.port}`),
    };
  }
  const frames = await writeBaselineFrames(ticks, Math.ceil(options.seconds));
  const port = await freePort();
  const proc = launch(
    `${kind}-server`,
    SERVER_CORE,
    process.execPath,
    [
      '--expose-gc',
      serversJs,
      '--kind',
      kind,
      '--port',
      String(port),
      '--frames',
      frames.file,
      '--first-tick',
      String(frames.firstTick),
      '--cluster',
      clusterId,
    ],
    { ipc: true, nofile },
  );
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${kind} server did not start:\n${proc.tail.join('\n')}`)),
      30_000,
    );
    proc.child.on('message', (m: { ready?: boolean }) => {
      if (m?.ready) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    proc.child.once('exit', () =>
      reject(new Error(`${kind} server exited:\n${proc.tail.join('\n')}`)),
    );
  });
  return { kind, procs: [proc], urls: [`ws://127.0.0.1:${port}`] };
}

/** Every running process the benchmark started, and this one, by the cores each may run on. */
function whereRunning(): Record<string, string[]> {
  const where: Record<string, string[]> = {};
  const add = (cores: string, name: string) => (where[cores] ??= []).push(name);
  for (const proc of procs) if (!proc.exited) add(coresOf(proc.child.pid), proc.name);
  add(coresOf(process.pid), 'bench (this process)');
  return where;
}

function describeWhere(where: Record<string, string[]>): string {
  return Object.entries(where)
    .map(
      ([cores, names]) =>
        `${cores.includes('-') || cores.includes(',') ? 'cores' : 'core'} ${cores}: ${names.join(', ')}`,
    )
    .join('; ');
}

interface Window {
  stop: LoadWindow;
  cpu0: ProbeReply;
  cpu1: ProbeReply;
  worker0?: ProbeReply;
  worker1?: ProbeReply;
  redis0?: number;
  redis1?: number;
  memory: Memory;
  coreBusyPct: number[];
  where: Record<string, string[]>;
}

/** One measured window: server CPU before and after, its memory sampled every second, the clients' figures. */
let profiles = 0;

async function measure(server: Server, seconds: number, label: string): Promise<Window> {
  const p = pipeline;
  const profileFiles = options.cpuProf
    ? server.procs.map(
        (proc) =>
          jsonPath.replace(/\.json$/, '') + `-${label}-${proc.name}-${++profiles}.cpuprofile`,
      )
    : undefined;
  if (profileFiles)
    await Promise.all(
      server.procs.map((proc) => request(proc.child, { profile: 'start' }, 30_000)),
    );
  const ours = p !== undefined && server.kind === 'ours';
  const [cpu0, worker0] = await Promise.all([
    probeAll(server.procs),
    ours ? probe(p.worker) : undefined,
  ]);
  const redis0 = ours ? cpuSeconds(p.redis.child.pid) : undefined;
  const cores0 = coreTimes();
  await loadAll({ op: 'start' });
  const where = whereRunning();
  const memory = await sampleMemory(server.procs, seconds);
  const stopped = await stopLoads();
  const cores1 = coreTimes();
  const [cpu1, worker1] = await Promise.all([
    probeAll(server.procs),
    ours ? probe(p.worker) : undefined,
  ]);
  if (profileFiles) {
    await Promise.all(
      server.procs.map((proc, i) =>
        request(proc.child, { profile: 'stop', file: profileFiles[i] }, 60_000),
      ),
    );
    for (const file of profileFiles) console.log(`  (CPU profile: ${file})`);
  }
  const redis1 = ours ? cpuSeconds(p.redis.child.pid) : undefined;
  const coreBusyPct = cores1.map((c, i) => {
    const c0 = cores0[i];
    return c0 ? (100 * (c.busy - c0.busy)) / Math.max(1, c.total - c0.total) : NaN;
  });
  return {
    stop: stopped,
    cpu0,
    cpu1,
    worker0,
    worker1,
    redis0,
    redis1,
    memory,
    coreBusyPct,
    where,
  };
}

function summarize(
  server: Server,
  clients: number,
  w: Window,
  group: GroupStats,
  idle: Idle,
  connect: { ms: number; snapshotBytes: number; bytesPerClient: number },
): RunResult {
  const seconds = w.stop.seconds;
  const cpuSeconds = (w.cpu1.cpuMicros - w.cpu0.cpuMicros) / 1e6;
  return {
    server: server.kind,
    clients,
    serverProcs: server.procs.length,
    clientProcs: w.stop.processes.length,
    connected: group.connected,
    connectSeconds: connect.ms / 1000,
    connectBytesPerClient: connect.bytesPerClient,
    snapshotBytes: connect.snapshotBytes,
    idleCpuPct: idle.cpuPct,
    seconds,
    deliveries: group.deliveries,
    expected: Math.round(group.clients * seconds),
    skipped: group.skippedInWindow,
    doubled: group.doubledInWindow,
    outOfOrder: group.outOfOrderInWindow,
    lagging: lagging(group),
    disconnects: group.disconnects,
    latencyMs: stats(group.latencies),
    frameMessageBytes: group.deliveries ? group.frameBytes / group.deliveries : NaN,
    wireBytesPerDelivery: group.deliveries ? group.wireBytes / group.deliveries : NaN,
    otherBytesPerClientSecond: group.otherBytes / Math.max(1, group.clients) / seconds,
    serverCpuSeconds: cpuSeconds,
    cpuMicrosPerDelivery: (cpuSeconds * 1e6) / group.deliveries,
    netCpuMicrosPerDelivery:
      ((cpuSeconds - (idle.cpuPct / 100) * seconds) * 1e6) / group.deliveries,
    deliveriesPerCpuSecond: group.deliveries / cpuSeconds,
    rssIdle: idle.memory.rss,
    rssLoaded: w.memory.rss,
    rssPerClient: (w.memory.rss - idle.memory.rss) / clients,
    heapPerClient: (w.memory.heapUsed - idle.memory.heapUsed) / clients,
    loadCpuPct: w.stop.cpuMicros / 1e4 / seconds,
    loadCpuPctByProcess: w.stop.processes.map((p) => ({
      name: p.name,
      pid: p.pid,
      cpuPct: p.cpuMicros / 1e4 / seconds,
    })),
    workerCpuPct:
      w.worker0 && w.worker1
        ? (w.worker1.cpuMicros - w.worker0.cpuMicros) / 1e4 / seconds
        : undefined,
    redisCpuPct:
      w.redis0 !== undefined && w.redis1 !== undefined
        ? ((w.redis1 - w.redis0) * 100) / seconds
        : undefined,
    coreBusyPct: w.coreBusyPct,
    where: w.where,
  };
}

const serverLabel: Record<ServerKind, string> = {
  ws: 'bare ws loop',
  socketio: 'bare socket.io',
  ours: 'ours (API+Redis)',
};
const labelOf = (r: { server: ServerKind; serverProcs: number }) =>
  r.server === 'ours' && r.serverProcs > 1
    ? `ours (${r.serverProcs} APIs+Redis)`
    : serverLabel[r.server];

/** "after GC (mean)" in KiB, or "- (mean)" when there is no after-GC figure. */
const kib = (afterGc: number | undefined, mean: number) =>
  `${fmt(afterGc === undefined ? undefined : afterGc / 1024)} (${fmt(mean / 1024)})`;

/** Frames lost / doubled / out of order in the window, over every client. */
const lostCell = (r: RunResult) => `${int(r.skipped)} / ${int(r.doubled)} / ${int(r.outOfOrder)}`;
/** Every client connected to the end, none lagging, nothing lost, doubled or out of order. */
const framesIntact = (r: RunResult) =>
  r.skipped + r.doubled + r.outOfOrder + r.lagging + r.disconnects === 0 &&
  r.connected === r.clients;

function printRuns(runs: RunResult[]): void {
  console.log(
    '| server              | clients | connect s | frame msg B | wire B/delivery | deliveries (expected) | lost / doubled / out of order | p50 ms | p99 ms | p99.9 ms | max ms | server CPU µs/delivery | deliveries/CPU-s | RSS/client KiB, after GC (mean) | heap/client KiB, after GC (mean) | clients CPU (procs) |',
  );
  console.log(
    '| ------------------- | ------: | --------: | ----------: | --------------: | --------------------: | ----------------------------: | -----: | -----: | -------: | -----: | ---------------------: | ---------------: | ------------------------------: | -------------------------------: | ------------------: |',
  );
  for (const r of runs)
    console.log(
      `| ${labelOf(r).padEnd(19)} | ${int(r.clients).padStart(7)} | ${fmt(r.connectSeconds).padStart(9)} | ${int(r.frameMessageBytes).padStart(11)} | ${int(r.wireBytesPerDelivery).padStart(15)} | ${`${int(r.deliveries)} (${int(r.expected)})`.padStart(21)} | ${lostCell(r).padStart(29)} | ${fmt(r.latencyMs.p50).padStart(6)} | ${fmt(r.latencyMs.p99).padStart(6)} | ${fmt(r.latencyMs.p999).padStart(8)} | ${fmt(r.latencyMs.max).padStart(6)} | ${fmt(r.cpuMicrosPerDelivery).padStart(22)} | ${int(r.deliveriesPerCpuSecond).padStart(16)} | ${kib(r.rssPerClientAfterGc, r.rssPerClient).padStart(31)} | ${kib(r.heapPerClientAfterGc, r.heapPerClient).padStart(32)} | ${`${fmt(r.loadCpuPct)}% (${r.clientProcs})`.padStart(19)} |`,
    );
  console.log(
    "\nclients CPU: the load generators' CPU time summed over their processes, as a share of their one core; server CPU and memory: for ours, summed over its API processes (the worker's and Redis's CPU are in the notes).",
  );
  for (const r of runs) {
    const notes: string[] = [
      `idle CPU ${fmt(r.idleCpuPct, 2)}% (net of it ${fmt(r.netCpuMicrosPerDelivery)} µs per delivery)`,
      `${int(r.connectBytesPerClient / 1024)} KiB received per client while connecting`,
    ];
    if (r.workerCpuPct !== undefined) notes.push(`worker CPU ${fmt(r.workerCpuPct)}%`);
    if (r.redisCpuPct !== undefined) notes.push(`Redis CPU ${fmt(r.redisCpuPct)}%`);
    if (r.clientProcs > 1)
      notes.push(
        `clients CPU by process ${r.loadCpuPctByProcess.map((p) => `${fmt(p.cpuPct)}%`).join(' + ')}`,
      );
    notes.push(
      `cores busy (everything on the machine) ${r.coreBusyPct.map((b, i) => `${i}: ${fmt(b, 0)}%`).join(', ')}`,
    );
    if (pinned && (r.coreBusyPct[Number(CLIENT_CORE)] ?? 0) >= 90)
      notes.push(
        `the clients' core was nearly always busy: latencies include the clients waiting for it`,
      );
    if (r.lagging) notes.push(`${int(r.lagging)} clients more than a tick behind at the end`);
    if (r.disconnects) notes.push(`${int(r.disconnects)} disconnects`);
    if (r.connected !== r.clients)
      notes.push(`${int(r.connected)} of ${int(r.clients)} still connected`);
    if (r.otherBytesPerClientSecond >= 1)
      notes.push(`${int(r.otherBytesPerClientSecond)} B/s per client of other events`);
    console.log(`  ${labelOf(r)}, ${int(r.clients)} clients: ${notes.join(', ')}`);
    console.log(`    ran on ${describeWhere(r.where)}`);
  }
}

interface Idle {
  /** Memory with no client. */
  memory: Memory;
  /** CPU with no client, % of a core. */
  cpuPct: number;
}

/** The server's memory and CPU with no client, over `seconds`. */
async function idleFigures(server: Proc[], seconds: number): Promise<Idle> {
  const t0 = performance.now();
  const cpu0 = await probeAll(server);
  const memory = await sampleMemory(server, seconds);
  const cpu1 = await probeAll(server);
  const elapsed = (performance.now() - t0) / 1000;
  return { memory, cpuPct: (cpu1.cpuMicros - cpu0.cpuMicros) / 1e4 / elapsed };
}

async function fanoutPart(clusterId: string): Promise<RunResult[]> {
  console.log(
    `\n## fan-out: one ${options.hosts}-host cluster at 1 tick/s, ${options.seconds} s measured per run after ${options.warmup} s of warm-up\n`,
  );
  const runs: RunResult[] = [];
  // Ours first: the baselines then send the frames of the ticks its window saw.
  const kinds = [...options.servers].sort((a, b) => Number(b === 'ours') - Number(a === 'ours'));
  for (const [index, clients] of options.clients.entries()) {
    let ticks: { first: number; last: number } | undefined;
    const apiProcs = options.apiProcs[index]!;
    useLoadProcs(clientProcsFor(clients));
    for (const kind of kinds) {
      const procsNote = kind === 'ours' && apiProcs > 1 ? `${apiProcs} API processes, ` : '';
      process.stdout.write(
        `  ${serverLabel[kind]}, ${int(clients)} clients (${procsNote}${activeLoads} client process${activeLoads > 1 ? 'es' : ''}) ...`,
      );
      const server = await startServer(kind, clusterId, ticks, apiProcs);
      try {
        await sleep(2000);
        const idle = await idleFigures(server.procs, options.idle);
        const idleGc = await probeAll(server.procs, true);
        const connected = await connectClients({
          urls: server.urls,
          count: clients,
          group: 'normal',
          clusterId: kind === 'ours' ? clusterId : undefined,
          concurrency: options.concurrency,
          deflate: options.deflate,
        });
        process.stdout.write(` connected in ${fmt(connected.ms / 1000)} s ...`);
        await sleep(options.warmup * 1000);
        const w = await measure(server, options.seconds, `${kind}-${clients}`);
        const group = w.stop.groups['normal']!;
        const run = summarize(server, clients, w, group, idle, connected);
        // Memory after full collections, once the window is over (a forced
        // collection would make a following window pay to regrow the heap).
        const endGc = await probeAll(server.procs, true);
        run.rssPerClientAfterGc = (endGc.rss - idleGc.rss) / clients;
        run.heapPerClientAfterGc = (endGc.heapUsed - idleGc.heapUsed) / clients;
        runs.push(run);
        if (kind === 'ours' && group.windowFirstTick > 0)
          ticks = { first: group.windowFirstTick, last: group.lastTickMax };
        console.log(
          ` p99 ${fmt(run.latencyMs.p99)} ms, ${fmt(run.cpuMicrosPerDelivery)} µs CPU per delivery, lost/doubled/out of order ${lostCell(run)}, clients CPU ${fmt(run.loadCpuPct)}%`,
        );
      } finally {
        await closeClients();
        await Promise.all(server.procs.map((proc) => stop(proc)));
      }
    }
  }
  console.log('');
  printRuns(runs);
  return runs;
}

interface SlowResult {
  clients: number;
  slowBytesPerSecond: number;
  seconds: number;
  before: RunResult;
  withSlow: RunResult;
  after: RunResult;
  p99Rise: number;
  rssRiseMiB: number;
  /** The API's RSS after full collections at the end of each window: before, with, after. */
  rssAfterGcMiB: number[];
  slow: {
    deliveries: number;
    latencyMs: Stats;
    /** Ticks it never received (jumps in tick numbers), counted after its throttle was lifted. */
    skippedTicks: number;
    disconnects: number;
    connected: boolean;
    /** The server had closed the connection by the window's end (its side no longer ESTAB). */
    closedByServer: boolean;
    /** Still connected once its throttle was lifted and its backlog read. */
    connectedAfterDrain: boolean;
    bytesRead: number;
    /** What a normal client received in the same window, bytes a second. */
    streamBytesPerSecond: number;
    ticksBehind: number;
    /** The connection at the end of the window, as `ss` sees each side. */
    serverSide?: { state: string; recv: number; send: number };
    clientSide?: { state: string; recv: number; send: number };
  };
}

/** State, Recv-Q and Send-Q of the TCP connection matching an ss filter (e.g. FIN-WAIT-1 once the server closed it). */
function tcpInfo(filter: string): { state: string; recv: number; send: number } | undefined {
  const out = spawnSync('ss', ['-Htan', filter], { encoding: 'utf8' });
  const line = out.stdout?.trim().split('\n')[0];
  if (out.status !== 0 || !line) return undefined;
  const [state, recv, send] = line.trim().split(/\s+/);
  return state === undefined ? undefined : { state, recv: Number(recv), send: Number(send) };
}

async function slowPart(): Promise<SlowResult> {
  const clients = options.slowClients;
  const seconds = options.slowSeconds;
  console.log(
    `\n## slow client: ${int(clients)} clients on ours, then one more reading at most ${fmt(options.slowBytesPerSecond / 1024)} KiB/s, then without it again; ${seconds} s per window\n`,
  );
  const p = await startPipeline();
  // One API process; the slow client joins the first load generator.
  useLoadProcs(clientProcsFor(clients));
  const server = await startServer('ours', p.clusterId);
  try {
    await sleep(2000);
    const idle = await idleFigures(server.procs, options.idle);
    const connected = await connectClients({
      urls: server.urls,
      count: clients,
      group: 'normal',
      clusterId: p.clusterId,
      concurrency: options.concurrency,
      deflate: options.deflate,
    });
    await sleep(options.warmup * 1000);
    process.stdout.write('  without the slow client ...');
    const a = await measure(server, seconds, `slow-before`);
    const before = summarize(server, clients, a, a.stop.groups['normal']!, idle, connected);
    // Memory after full collections between windows (the next window starts
    // after a warm-up): the API's RSS drifts down for minutes after 1,000
    // joins, and the means over the windows follow that drift.
    const gcBefore = await probeAll(server.procs, true);
    console.log(` p99 ${fmt(before.latencyMs.p99)} ms`);

    await connectClients({
      urls: server.urls,
      count: 1,
      group: 'slow',
      clusterId: p.clusterId,
      concurrency: 1,
      slowBytesPerSecond: options.slowBytesPerSecond,
    });
    await sleep(options.warmup * 1000);
    process.stdout.write('  with the slow client ...');
    const b = await measure(server, seconds, `slow-with`);
    const withSlow = summarize(server, clients, b, b.stop.groups['normal']!, idle, connected);
    const ports = (await loadAll<'ports'>({ op: 'ports', group: 'slow' })).flatMap((r) => r.ports);
    const port = ports[0];
    const serverPort = new URL(server.urls[0]!).port;
    const serverSide =
      port === undefined ? undefined : tcpInfo(`( sport = :${serverPort} and dport = :${port} )`);
    const clientSide =
      port === undefined ? undefined : tcpInfo(`( sport = :${port} and dport = :${serverPort} )`);
    const gcWith = await probeAll(server.procs, true);
    console.log(` p99 ${fmt(withSlow.latencyMs.p99)} ms`);
    const slowGroup = b.stop.groups['slow']!;
    const normal = b.stop.groups['normal']!;
    // Then it reads at full speed: what the server queued for it arrives, and
    // its tick numbers show whether the server skipped frames for it (or the
    // close, that the server gave up on it).
    await loadAll({ op: 'release', group: 'slow' });
    await sleep(5000);
    const drained = (await stopLoads()).groups['slow']!;

    await closeClients('slow');
    await sleep(options.warmup * 1000);
    process.stdout.write('  without it again ...');
    const c = await measure(server, seconds, `slow-after`);
    const after = summarize(server, clients, c, c.stop.groups['normal']!, idle, connected);
    const gcAfter = await probeAll(server.procs, true);
    console.log(` p99 ${fmt(after.latencyMs.p99)} ms`);

    const reference = (before.latencyMs.p99 + after.latencyMs.p99) / 2;
    const result: SlowResult = {
      clients,
      slowBytesPerSecond: options.slowBytesPerSecond,
      seconds,
      before,
      withSlow,
      after,
      p99Rise: withSlow.latencyMs.p99 / reference - 1,
      // Against the mean of before and after too, after full collections.
      rssRiseMiB: (gcWith.rss - (gcBefore.rss + gcAfter.rss) / 2) / 2 ** 20,
      rssAfterGcMiB: [gcBefore.rss, gcWith.rss, gcAfter.rss].map((r) => r / 2 ** 20),
      slow: {
        deliveries: slowGroup.deliveries,
        latencyMs: stats(slowGroup.latencies),
        skippedTicks: drained.skippedTotal,
        disconnects: drained.disconnects,
        connectedAfterDrain: drained.connected === 1,
        connected: slowGroup.connected === 1 && serverSide?.state === 'ESTAB',
        closedByServer: serverSide?.state !== 'ESTAB',
        bytesRead: slowGroup.bytesRead,
        streamBytesPerSecond:
          (normal.frameBytes + normal.otherBytes) / Math.max(1, normal.clients) / b.stop.seconds,
        ticksBehind: normal.lastTickMax - slowGroup.lastTickMax,
        serverSide,
        clientSide,
      },
    };
    console.log('');
    printRuns([before, withSlow, after]);
    const s = result.slow;
    console.log(
      `\nothers' p99: ${fmt(before.latencyMs.p99)} ms before, ${fmt(withSlow.latencyMs.p99)} ms with the slow client, ${fmt(after.latencyMs.p99)} ms after: ${result.p99Rise >= 0 ? '+' : ''}${fmt(100 * result.p99Rise)}% against the mean of before and after`,
    );
    console.log(
      `API RSS after GC at each window's end: ${result.rssAfterGcMiB.map((r) => `${fmt(r)} MiB`).join(', ')} (before, with, after; means over the windows ${[before, withSlow, after].map((r) => fmt(r.rssLoaded / 2 ** 20)).join(', ')} MiB): ${result.rssRiseMiB >= 0 ? '+' : ''}${fmt(result.rssRiseMiB)} MiB with the slow client against the mean of before and after`,
    );
    console.log(
      `the slow client, at the window's end: ${int(s.deliveries)} frames in the window (latency p50 ${fmt(s.latencyMs.p50)} ms, max ${fmt(s.latencyMs.max)} ms), ${int(s.ticksBehind)} ticks behind the others; it had read ${int(s.bytesRead)} B since joining while the others received ${int(s.streamBytesPerSecond)} B/s; TCP: server side ${s.serverSide ? `${s.serverSide.state}, Send-Q ${int(s.serverSide.send)} B` : 'gone'}, client side ${s.clientSide ? `${s.clientSide.state}, Recv-Q ${int(s.clientSide.recv)} B` : 'gone'}${s.closedByServer ? ' (the server had closed it)' : ''}.`,
    );
    console.log(
      `then, its throttle lifted for 5 s: ${int(s.skippedTicks)} ticks skipped in what it received, ${s.connectedAfterDrain ? 'still connected' : `disconnected by the server (${s.disconnects})`}`,
    );
    return result;
  } finally {
    await closeClients();
    await Promise.all(server.procs.map((proc) => stop(proc)));
  }
}

/** bench/live-ticks.ts, as its own process (it starts and stops its own Redis and worker). */
async function ticksPart(): Promise<{ exitCode: number | null; results?: string }> {
  console.log('\n## ticks: bench/live-ticks.ts\n');
  if (!existsSync(ticksJs)) {
    console.log(`(skipped: ${ticksJs} is missing; bench/live-ticks.ts compiles to it)`);
    return { exitCode: null };
  }
  const results = `${jsonPath.replace(/\.json$/, '')}-ticks.json`;
  const args = ['--json', results];
  if (options.ticksSeconds !== undefined) args.push('--seconds', String(options.ticksSeconds));
  ticksChild = spawn(process.execPath, [ticksJs, ...args], {
    cwd: root,
    stdio: 'inherit',
    detached: true,
  });
  const exitCode = await new Promise<number | null>((r) => ticksChild!.once('exit', (c) => r(c)));
  return { exitCode, results: existsSync(results) ? results : undefined };
}

// ---------------------------------------------------------------- the run

async function main(): Promise<void> {
  if (only.has('fanout') || only.has('slow')) {
    try {
      nofile = openFileLimit(openFilesNeeded());
    } catch (error) {
      console.error(`bench:live: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(2);
    }
  }
  if (pinned)
    spawnSync('taskset', ['-a', '-pc', CLIENT_CORE, String(process.pid)], { stdio: 'ignore' });
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    pinned,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
  console.log(
    `bench:live on ${machine.cpu} (${machine.cores} cores), ${machine.memoryGiB} GiB, node ${machine.node}; load average ${machine.loadAverage.join(' ')}; ${pinned ? `servers on core ${SERVER_CORE}, clients and this process on core ${CLIENT_CORE}` : 'no taskset or one core: nothing pinned'}`,
  );
  console.log(`command: npm run bench:live -- ${process.argv.slice(2).join(' ')}`.trimEnd());
  if (nofile !== undefined)
    console.log(
      `open-file limit of every process started: ${int(nofile)} (${int(openFilesNeeded())} needed at most)`,
    );
  const result: Record<string, unknown> = {
    bench: 'live',
    date: new Date().toISOString(),
    machine,
    options: { ...options, only: [...only], nofile },
    goals,
  };
  /** `judged: false`: a figure reported beside the goals, not one of them (the exit code ignores it). */
  const verdicts: { goal: string; met: boolean; detail: string; judged?: boolean }[] = [];

  if (only.has('wire')) {
    const wire = wirePart();
    result['wire'] = wire;
    const w = wire.find((r) => r.hosts === options.wireHosts)!;
    verdicts.push({
      goal: `wire size at most ${goals.wirePctMax}% of plain JSON (${w.hosts} hosts)`,
      met: w.pctMax <= goals.wirePctMax,
      detail: `${fmt(w.pct)}% (max ${fmt(w.pctMax)}%)`,
    });
  }

  if (only.has('fanout') || only.has('slow')) {
    // The frames every server sends: the cluster's own id, frames the worker would build.
    const clusterId =
      options.servers.includes('ours') || only.has('slow')
        ? (await startPipeline()).clusterId
        : '0123456789ab';

    if (only.has('fanout')) {
      const runs = await fanoutPart(clusterId);
      result['fanout'] = runs;
      // Memory per client where the clients' memory stands out of the process's own drift
      // (tens of MB): at 10,000 clients, or the largest run without it, after full GCs.
      const rssAt = options.clients.includes(10000) ? 10000 : Math.max(...options.clients);
      for (const clients of options.clients) {
        const of = (kind: ServerKind) =>
          runs.find((r) => r.server === kind && r.clients === clients);
        const ours = of('ours');
        const ws = of('ws');
        const sio = of('socketio');
        if (ours && ws) {
          const ratio = ours.deliveriesPerCpuSecond / ws.deliveriesPerCpuSecond;
          verdicts.push({
            goal: `deliveries per server CPU-second at least ${100 * goals.deliveriesPerCpuVsWsMin}% of the bare ws loop's (${int(clients)} clients${clients === 1000 ? '' : ', reported'})`,
            met: ratio >= goals.deliveriesPerCpuVsWsMin,
            detail: `${fmt(100 * ratio)}% (${int(ours.deliveriesPerCpuSecond)} against ${int(ws.deliveriesPerCpuSecond)})`,
            judged: clients === 1000,
          });
        }
        const p99Max = goals.p99MsMax[clients];
        if (ours && p99Max !== undefined)
          verdicts.push({
            goal: `p99 at most ${p99Max} ms at ${int(clients)} clients`,
            met: ours.latencyMs.p99 <= p99Max,
            detail: `${fmt(ours.latencyMs.p99)} ms${ours.serverProcs > 1 ? ` (${ours.serverProcs} API processes)` : ''}`,
          });
        if (ours && sio && clients === rssAt) {
          const o = ours.rssPerClientAfterGc ?? ours.rssPerClient;
          const b = sio.rssPerClientAfterGc ?? sio.rssPerClient;
          const ratio = o / b;
          verdicts.push({
            goal: `RSS per client at most ${goals.rssPerClientVsSocketIoMax}x the bare socket.io server's (${int(clients)} clients, after GC)`,
            met: o > 0 && b > 0 && ratio <= goals.rssPerClientVsSocketIoMax,
            detail:
              o > 0 && b > 0
                ? `${fmt(ratio, 2)}x (${fmt(o / 1024)} against ${fmt(b / 1024)} KiB${ours.serverProcs > 1 ? `, ours summed over ${ours.serverProcs} API processes` : ''})`
                : `not measurable: ${fmt(o / 1024)} against ${fmt(b / 1024)} KiB (the clients' memory is within the process's own drift)`,
          });
        }
        if (ours) {
          const others = [ws, sio]
            .filter((r) => r !== undefined)
            .map((r) => `${labelOf(r)} ${lostCell(r)}${framesIntact(r) ? '' : ' (not intact)'}`);
          verdicts.push({
            goal: `no frame lost, doubled or out of order for clients that keep up (${int(clients)} clients)`,
            met: framesIntact(ours),
            detail: `ours ${lostCell(ours)} lost / doubled / out of order, ${int(ours.lagging)} lagging, ${int(ours.disconnects)} disconnects, ${int(ours.connected)} of ${int(ours.clients)} connected${others.length ? `; ${others.join(', ')}` : ''}`,
          });
        }
      }
    }
    if (only.has('slow')) {
      const slow = await slowPart();
      result['slow'] = slow;
      verdicts.push({
        goal: `a slow client raises the others' p99 by at most ${100 * goals.slowP99RiseMax}%`,
        met: slow.p99Rise <= goals.slowP99RiseMax,
        detail: `${slow.p99Rise >= 0 ? '+' : ''}${fmt(100 * slow.p99Rise)}%`,
      });
      verdicts.push({
        goal: `... and the server's RSS by at most ${goals.slowRssRiseMiB} MB`,
        met: slow.rssRiseMiB * 1.048576 <= goals.slowRssRiseMiB,
        detail: `${fmt(slow.rssRiseMiB * 1.048576)} MB; the slow client skipped ${int(slow.slow.skippedTicks)} ticks${slow.slow.connectedAfterDrain ? '' : ' and was disconnected by the server'}`,
      });
    }
    if (pipeline) {
      await stop(pipeline.worker);
      await stop(pipeline.redis);
      pipeline = undefined;
    }
    await Promise.all(loadProcs.map((proc) => stop(proc)));
    loadProcs.length = 0;
  }

  if (verdicts.length) {
    console.log('\n## goals\n');
    for (const v of verdicts)
      console.log(
        `- ${v.judged === false ? (v.met ? '(met)  ' : '(not)  ') : v.met ? 'MET    ' : 'NOT MET'} ${v.goal}: ${v.detail}`,
      );
  }
  result['verdicts'] = verdicts;
  const save = () => {
    mkdirSync(dirname(jsonPath), { recursive: true });
    writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  };
  save();
  console.log(`\nresults: ${jsonPath}`);

  let ticksMet = true;
  if (only.has('ticks')) {
    const ticks = await ticksPart();
    result['ticks'] = ticks;
    save();
    ticksMet = ticks.exitCode === 0 || ticks.exitCode === null;
  }
  process.exitCode = verdicts.every((v) => v.met || v.judged === false) && ticksMet ? 0 : 1;
}

main()
  .catch((error: unknown) => {
    console.error(
      `\nbench:live failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    rmSync(scratch, { recursive: true, force: true });
  });
