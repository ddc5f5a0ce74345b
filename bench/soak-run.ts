// The soak (issue "Reliability and security, proven"): does anything grow without bound over a
// long run? Shared by the benchmark (bench/soak.ts: an hour, 1,000 clients, 50 clusters) and its
// five-minute form in `npm test` (apps/web/e2e/soak.e2e.spec.ts).
//
// It starts its own redis-server (on a free port, so every key and byte in it is the run's), one
// API process, one tick worker (the built apps/api/dist/main.js), the built dashboard
// (`next start`) and Debian's Chromium with the dashboard open on one cluster's page. Light
// raw-websocket clients (bench/fleet.ts) watch the clusters; every minute some leave (a closed
// tab) and as many new ones join, and each cluster gets commands (a workload change, an alarm
// acknowledgement) as an operator would send them. Each sample (every `sampleSeconds`) reads:
//   api, worker, web: resident and proportional memory (PSS, summed over the process group),
//                     open file descriptors, and for the Node processes the V8 heap in use
//                     (their /metrics);
//   redis:            used_memory and the process's PSS, its file descriptors, the number of
//                     keys and of elements in them (stream entries, hash fields, set members);
//   browser:          PSS summed over every Chromium process, the page's JS heap after a forced
//                     GC, its DOM nodes and listeners, and the tick the page shows (still live?);
//   clients:          joined, frames taken, frames missed, doubled or out of order.
// The verdict, after the warm-up: for every memory figure, the median of the last three samples
// against the median of the first three (growth within `growthLimit`); for file descriptors,
// keys and elements, no more than a small constant above the start (`countSlack`); the page
// still live; no client frame doubled or out of order.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { type Client, Fleet, http } from './fleet';
import {
  BENCH_LIMITS,
  CHROMIUM_ARGS,
  freePort,
  healthy,
  killGroup,
  launch,
  launchWeb,
  type Proc,
  root,
  sleep,
  startRedisServer,
  stopAll,
  waitFor,
} from './live-procs';

export interface SoakOptions {
  minutes: number;
  /** Samples before the end of the warm-up are shown but not judged. */
  warmupMinutes: number;
  sampleSeconds: number;
  clients: number;
  clusters: number;
  tickMs: number;
  /** The share of clients that leave each minute, replaced by as many new ones. */
  churnPerMinute: number;
  /** Commands per cluster and minute (half workload changes, half alarm acknowledgements). */
  commandsPerMinute: number;
  /** Open the dashboard in Chromium (CHROMIUM_PATH, default /usr/bin/chromium). */
  browser: boolean;
  /** Memory may grow this much (0.1 = 10%) from the start to the end of the judged window. */
  growthLimit: number;
  /** File descriptors, Redis keys and elements may end this far above where they started. */
  countSlack: { fds: number; keys: number; elements: number };
  log: (line: string) => void;
}

/** One process (or process group) at one sample. */
export interface PartSample {
  pssMiB: number;
  rssMiB: number;
  fds: number;
  /** V8 heap in use (Node processes) or the page's JS heap after a GC (the browser). */
  heapMiB?: number;
  /** Node processes: V8's heap as allocated, and memory held outside it (Buffers). */
  heapTotalMiB?: number;
  externalMiB?: number;
}

export interface Sample {
  /** Seconds since the load started. */
  atS: number;
  parts: Record<string, PartSample>;
  redis: {
    usedMiB: number;
    /** What the capped streams (CAPPED) hold, and the rest. */
    cappedMiB: number;
    keys: number;
    /** Elements outside the capped streams. */
    elements: number;
    byKind: Record<string, number>;
    /** Per capped kind: the longest such stream. */
    cappedLongest: Record<string, number>;
  };
  page?: { tick: number; nodes: number; listeners: number };
  clients: { joined: number; frames: number; missed: number; doubled: number; outOfOrder: number };
  /** Cluster 0's tick. */
  tick: number;
}

export interface Check {
  what: string;
  pass: boolean;
  line: string;
}

export interface SoakReport {
  machine: string[];
  samples: Sample[];
  checks: Check[];
  commandsSent: number;
  commandsFailed: number;
  churned: number;
}

// ---------------------------------------------------------------------------------------------
// Reading processes

const kib = (text: string, field: string): number => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Every pid whose process group is `pgid`, or whose command line contains `needle`. */
function pidsOf(match: { pgid?: number; needle?: string }): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (match.pgid !== undefined) {
      const stat = readOr(`/proc/${entry}/stat`);
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so read after its closing paren.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === match.pgid) pids.push(Number(entry));
    } else if (match.needle && readOr(`/proc/${entry}/cmdline`).includes(match.needle)) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Memory and descriptors summed over `pids`. */
function partOf(pids: number[]): PartSample {
  let pss = 0;
  let rss = 0;
  let fds = 0;
  for (const pid of pids) {
    const rollup = readOr(`/proc/${pid}/smaps_rollup`);
    const status = readOr(`/proc/${pid}/status`);
    rss += kib(status, 'VmRSS');
    pss += rollup ? kib(rollup, 'Pss') : kib(status, 'VmRSS');
    fds += fdCount(pid);
  }
  return { pssMiB: pss / 1024, rssMiB: rss / 1024, fds };
}

/** From a Node process's /metrics: V8's heap in use, and (for the record) its heap's size and external memory. */
async function nodeMemory(
  port: number,
  token: string,
): Promise<{ heapMiB?: number; heapTotalMiB?: number; externalMiB?: number }> {
  const res = await http(`http://127.0.0.1:${port}/metrics`, { token }).catch(() => undefined);
  const text = typeof res?.body === 'string' ? res.body : '';
  const read = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)`, 'm').exec(text);
    return m ? Number(m[1]) / 2 ** 20 : undefined;
  };
  return {
    heapMiB: read('nodejs_heap_size_used_bytes'),
    heapTotalMiB: read('nodejs_heap_size_total_bytes'),
    externalMiB: read('nodejs_external_memory_bytes'),
  };
}

/**
 * The kind of a key: what follows the cluster's `{id}` (`frames`, `presence`...); for BullMQ's
 * keys the queue's part (`bull:ticks:events`, a job's hash as `bull:ticks:job`); else the key
 * without the run's prefix.
 */
export function kindOf(key: string): string {
  const tagged = /\}:([^{}]+)$/.exec(key);
  if (tagged && !key.includes(':bull:')) return tagged[1]!;
  const parts = key.split(':').slice(1);
  if (parts[0] === 'bull' && parts.length >= 3)
    return /\d/.test(parts[2]!) ? `bull:${parts[1]}:job` : parts.slice(0, 3).join(':');
  return parts.join(':').replace(/[0-9a-f]{12,}/g, '*');
}

/**
 * Keys capped by design, with their caps: the frame history (FRAME_HISTORY_LENGTH per cluster,
 * apps/api/src/storage/frame-history.repository.ts), BullMQ's event log (its `maxLenEvents`,
 * 10,000 by default, trimmed approximately) and each cluster's command outcomes with their order
 * (OUTCOMES_KEPT, cluster-state.repository.ts). They fill up to the cap and stay; the verdict
 * holds them to it instead of judging their growth.
 */
export const CAPPED: Record<string, number> = {
  frames: 3600,
  'bull:ticks:events': 10_000,
  outcomes: 10_000,
  'outcome-order': 10_000,
};

async function redisFigures(redis: Redis): Promise<Sample['redis']> {
  const info = await redis.info('memory');
  const used = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const types = await redis.pipeline(keys.map((k) => ['type', k])).exec();
  const lengthCommand: Record<string, string> = {
    stream: 'xlen',
    hash: 'hlen',
    zset: 'zcard',
    set: 'scard',
    list: 'llen',
  };
  const lengths = await redis
    .pipeline(
      keys.map((k, i) => {
        const type = (types?.[i]?.[1] as string | undefined) ?? 'string';
        return [lengthCommand[type] ?? 'exists', k];
      }),
    )
    .exec();
  const byKind: Record<string, number> = {};
  const cappedLongest: Record<string, number> = {};
  const cappedKeys: string[] = [];
  let elements = 0;
  keys.forEach((key, i) => {
    const n = Number(lengths?.[i]?.[1] ?? 0);
    const kind = kindOf(key);
    byKind[kind] = (byKind[kind] ?? 0) + n;
    if (CAPPED[kind] !== undefined) {
      cappedKeys.push(key);
      cappedLongest[kind] = Math.max(cappedLongest[kind] ?? 0, n);
    } else elements += n;
  });
  const usage = await redis
    .pipeline(cappedKeys.map((k) => ['memory', 'usage', k, 'SAMPLES', '0']))
    .exec();
  const capped = (usage ?? []).reduce((sum, [, bytes]) => sum + Number(bytes ?? 0), 0);
  return {
    usedMiB: used / 2 ** 20,
    cappedMiB: capped / 2 ** 20,
    keys: keys.length,
    elements,
    byKind,
    cappedLongest,
  };
}

// ---------------------------------------------------------------------------------------------
// The verdict

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]!;
};

/** The judged window: samples after the warm-up (at least six, or all but the first if fewer). */
export function judged(samples: Sample[], warmupS: number): Sample[] {
  const after = samples.filter((s) => s.atS >= warmupS);
  return after.length >= 6 ? after : samples.slice(Math.min(1, samples.length - 1));
}

export function verdict(
  samples: Sample[],
  options: Pick<SoakOptions, 'warmupMinutes' | 'growthLimit' | 'countSlack'>,
): Check[] {
  const window = judged(samples, options.warmupMinutes * 60);
  const checks: Check[] = [];
  if (window.length < 2) {
    return [{ what: 'samples', pass: false, line: `only ${window.length} sample(s) to judge` }];
  }
  const head = window.slice(0, 3);
  const tail = window.slice(-3);
  const series = (pick: (s: Sample) => number | undefined) => ({
    start: median(head.map(pick).filter((v): v is number => v !== undefined)),
    end: median(tail.map(pick).filter((v): v is number => v !== undefined)),
    max: Math.max(...window.map((s) => pick(s) ?? -Infinity)),
  });
  const memory = (what: string, pick: (s: Sample) => number | undefined) => {
    const { start, end, max } = series(pick);
    if (!Number.isFinite(start) || !Number.isFinite(end)) return;
    const growth = end / start - 1;
    checks.push({
      what,
      pass: growth <= options.growthLimit,
      line: `${what}: ${start.toFixed(1)} -> ${end.toFixed(1)} MiB (${(growth * 100).toFixed(1)}%, max ${max.toFixed(1)}; limit +${(options.growthLimit * 100).toFixed(0)}%)`,
    });
  };
  const count = (what: string, pick: (s: Sample) => number | undefined, slack: number) => {
    const { start, end, max } = series(pick);
    if (!Number.isFinite(start) || !Number.isFinite(end)) return;
    checks.push({
      what,
      pass: end - start <= slack,
      line: `${what}: ${start} -> ${end} (max ${max}; limit +${slack})`,
    });
  };
  // Redis's memory grows with the capped streams until they are full (an hour at one tick a
  // second, for the frame history): what the verdict holds it to is that growth and no more. The
  // MiB per capped entry is read over the first half of the window; the end is predicted from
  // the entries added since, and may exceed the prediction by growthLimit at most.
  const cappedEntries = (s: Sample) =>
    Object.keys(CAPPED).reduce((n, kind) => n + (s.redis.byKind[kind] ?? 0), 0);
  const explained = (what: string, pick: (s: Sample) => number | undefined) => {
    const at = (xs: Sample[]) => ({
      mib: median(xs.map(pick).filter((v): v is number => v !== undefined)),
      entries: median(xs.map(cappedEntries)),
    });
    const middle = Math.floor(window.length / 2);
    const first = at(head);
    const mid = at(window.slice(Math.max(0, middle - 1), middle + 2));
    const last = at(tail);
    if (![first.mib, mid.mib, last.mib].every(Number.isFinite)) return;
    const perEntry =
      mid.entries > first.entries ? (mid.mib - first.mib) / (mid.entries - first.entries) : 0;
    const predicted = mid.mib + Math.max(perEntry, 0) * (last.entries - mid.entries);
    const beyond = last.mib / predicted - 1;
    checks.push({
      what,
      pass: beyond <= options.growthLimit,
      line: `${what}: ${first.mib.toFixed(1)} -> ${last.mib.toFixed(1)} MiB with ${first.entries} -> ${last.entries} entries in the capped streams (${((Math.max(perEntry, 0) * 2 ** 20) / 1).toFixed(0)} B each); predicted ${predicted.toFixed(1)} MiB, ${(beyond * 100).toFixed(1)}% beyond (limit +${(options.growthLimit * 100).toFixed(0)}%)`,
    });
  };
  const parts = Object.keys(window[0]!.parts);
  for (const part of parts) {
    // Redis's process holds the capped streams, which fill up to their caps by design.
    if (part === 'redis') explained('redis memory (PSS)', (s) => s.parts[part]?.pssMiB);
    else memory(`${part} memory (PSS)`, (s) => s.parts[part]?.pssMiB);
    if (window[0]!.parts[part]?.heapMiB !== undefined)
      memory(`${part} heap`, (s) => s.parts[part]?.heapMiB);
    count(`${part} file descriptors`, (s) => s.parts[part]?.fds, options.countSlack.fds);
  }
  explained('redis used_memory', (s) => s.redis.usedMiB);
  count('redis keys', (s) => s.redis.keys, options.countSlack.keys);
  count(
    'redis elements but the capped streams',
    (s) => s.redis.elements,
    options.countSlack.elements,
  );
  const end = samples.at(-1)!.redis;
  for (const [kind, cap] of Object.entries(CAPPED)) {
    const longest = Math.max(...samples.map((s) => s.redis.cappedLongest[kind] ?? 0));
    // Approximate trimming (MAXLEN ~) leaves up to a radix-tree node (100 entries) over.
    const pass = longest <= cap + 100;
    checks.push({
      what: `${kind} capped`,
      pass,
      line: `${kind}: the longest stream held ${longest} entries (cap ${cap}), ${end.byKind[kind] ?? 0} in all at the end`,
    });
  }
  if (window[0]!.page) {
    const ticks = window.map((s) => s.page?.tick ?? -1);
    const stuck = ticks.filter((t, i) => i > 0 && !(t > ticks[i - 1]!)).length;
    checks.push({
      what: 'page live',
      pass: stuck === 0,
      line: `page live: the tick it shows advanced at ${ticks.length - 1 - stuck} of ${ticks.length - 1} samples (${ticks[0]} -> ${ticks.at(-1)})`,
    });
  }
  const last = samples.at(-1)!.clients;
  checks.push({
    what: 'client frames',
    pass: last.doubled === 0 && last.outOfOrder === 0,
    line: `client frames: ${last.frames} taken in order, ${last.missed} missed, ${last.doubled} doubled, ${last.outOfOrder} out of order`,
  });
  return checks;
}

// ---------------------------------------------------------------------------------------------
// The run

/** The run's temp dirs (Redis's, Chromium's profile) not yet removed: a Ctrl-C handler removes them. */
const tempDirs = new Set<string>();
export function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Debian's Chromium (CHROMIUM_PATH overrides it). */
const chromiumPath = () => process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { log, tickMs } = options;
  const entry = resolve(root, 'apps/api/dist/main.js');
  const webDir = resolve(root, 'apps/web');
  for (const [file, build] of [
    [entry, 'npx nx run api:build'],
    [join(webDir, '.next/BUILD_ID'), 'npx nx run web:build'],
  ] as const)
    if (!existsSync(file)) throw new Error(`${file} is missing: ${build} first`);
  if (options.browser && !existsSync(chromiumPath()))
    throw new Error(`Chromium is not at ${chromiumPath()}: apt-get install chromium`);

  const dir = mkdtempSync(join(tmpdir(), 'overcommit-soak-'));
  tempDirs.add(dir);
  const allCores = `0-${cpus().length - 1}`;
  const [redisPort, apiPort, workerPort, webPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  const metricsToken = `soak-${process.pid}-metrics`;
  let fleet: Fleet | undefined;
  let admin: Redis | undefined;
  let context: BrowserContext | undefined;
  const procsByName: Record<string, Proc> = {};

  const cleanup = async () => {
    fleet?.closeAll();
    admin?.disconnect();
    await context?.close().catch(() => undefined);
    await stopAll();
    removeTempDirs();
  };

  try {
    procsByName['redis'] = await startRedisServer('redis', allCores, redisPort, [
      ...['--dir', dir, '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
    ]);
    admin = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined);

    const env = {
      ...BENCH_LIMITS,
      RATE_LIMIT_HTTP: '1000000',
      RATE_LIMIT_SOCKET: '100000',
      REDIS_URL: redisUrl,
      REDIS_PREFIX: 'soak',
      NODE_ENV: 'production',
      NO_COLOR: '1',
      METRICS_TOKEN: metricsToken,
      PUBLIC_URL: webUrl,
      CORS_ORIGINS: webUrl,
      WEB_PORT: String(webPort),
    };
    procsByName['api'] = launch('api', allCores, process.execPath, [entry], {
      env: { ...env, ROLE: 'api', API_PORT: String(apiPort) },
      nofile: 8192,
    });
    procsByName['worker'] = launch('worker', allCores, process.execPath, [entry], {
      env: { ...env, ROLE: 'worker', API_PORT: String(workerPort) },
    });
    procsByName['web'] = launchWeb(allCores, webPort, apiUrl, env);
    await Promise.all([
      waitFor('api', procsByName['api'], () => healthy(apiPort)),
      waitFor('worker', procsByName['worker'], () => healthy(workerPort)),
      waitFor('web', procsByName['web'], async () => {
        const res = await http(webUrl).catch(() => undefined);
        return res !== undefined && res.status < 500;
      }),
    ]);

    // Clusters: small and busy enough to raise and clear alarms.
    const clusters: { id: string; operatorToken: string; operatorLink: string }[] = [];
    for (let i = 0; i < options.clusters; i++) {
      const created = await http(`${apiUrl}/api/clusters`, {
        method: 'POST',
        body: {
          scenario: {
            version: 1,
            name: `soak ${i}`,
            seed: i + 1,
            clock: { tickMs, stepSeconds: 5 },
            hosts: [
              { name: 'esx', count: 4, cpu: { sockets: 2, coresPerSocket: 8 }, memoryGiB: 128 },
            ],
            vms: [
              {
                name: 'web',
                count: 12,
                vcpus: 4,
                memoryGiB: 16,
                workload: { profile: 'bursty', cpu: 0.7, amplitude: 0.3, periodSeconds: 120 },
              },
              {
                name: 'db',
                count: 4,
                vcpus: 8,
                memoryGiB: 48,
                workload: { profile: 'constant', cpu: 0.6 },
              },
            ],
          },
        },
        headers: { origin: webUrl },
      });
      if (created.status !== 201) throw new Error(`create cluster: ${JSON.stringify(created)}`);
      clusters.push(created.body as (typeof clusters)[number]);
    }
    log(
      `${clusters.length} clusters at ${tickMs} ms a tick; connecting ${options.clients} clients`,
    );

    fleet = new Fleet(() => [apiUrl], tickMs);
    const arrive = (i: number): Client => {
      const c = fleet!.add(clusters[i % clusters.length]!.id, 0);
      fleet!.connect(c);
      return c;
    };
    for (let i = 0; i < options.clients; i++) {
      arrive(i);
      if (i % 50 === 49) await sleep(50);
    }
    const deadline = Date.now() + 60_000;
    while (fleet.counters().joined < options.clients && Date.now() < deadline) await sleep(100);
    if (fleet.counters().joined < options.clients)
      throw new Error(`only ${fleet.counters().joined} of ${options.clients} clients joined`);
    log(`${options.clients} clients joined`);

    let page: Page | undefined;
    let cdp: CDPSession | undefined;
    const profile = join(dir, 'chromium');
    if (options.browser) {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath(),
        headless: true,
        viewport: { width: 1440, height: 900 },
        args: CHROMIUM_ARGS,
      });
      // The name the page would ask for (as the browser tests' harness sets it).
      await context.addInitScript({
        content: "window.localStorage.setItem('overcommit:name', 'Soak')",
      });
      page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(clusters[0]!.operatorLink);
      await page
        .getByTestId('connection')
        .and(page.locator('[data-state=live]'))
        .waitFor({ timeout: 30_000 })
        .catch(async (error: Error) => {
          const state = await page!
            .getByTestId('connection')
            .getAttribute('data-state', { timeout: 1_000 })
            .catch(() => 'absent');
          throw new Error(
            `(connection ${state}; page text: ${(
              await page!
                .locator('body')
                .innerText()
                .catch(() => '?')
            ).slice(0, 300)}) ` +
              `the dashboard at ${page!.url()} did not go live: ${error.message.split('\n')[0]}; the page said: ${problems.join('; ') || '(nothing)'}`,
          );
        });
      cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      log(`the dashboard is open in Chromium on ${clusters[0]!.operatorLink.split('#')[0]}`);
    }

    // Commands: an operator's changes and acknowledgements, spread over each minute.
    let commandsSent = 0;
    let commandsFailed = 0;
    let seq = 0;
    const sendCommand = async (cluster: (typeof clusters)[number], body: object) => {
      commandsSent++;
      const res = await http(`${apiUrl}/api/clusters/${cluster.id}/commands`, {
        method: 'POST',
        body: { ...body, id: `soak-${seq++}` },
        token: cluster.operatorToken,
      }).catch(() => undefined);
      if (!res || res.status >= 300) commandsFailed++;
    };
    const commandFor = async (cluster: (typeof clusters)[number]) => {
      if (seq % 2 === 0) {
        const vm = `web-${String((seq % 12) + 1).padStart(2, '0')}`;
        return sendCommand(cluster, {
          do: 'set-workload',
          target: vm,
          workload: { cpu: 0.4 + Math.random() * 0.6 },
        });
      }
      const res = await http(`${apiUrl}/api/clusters/${cluster.id}`, {
        token: cluster.operatorToken,
      }).catch(() => undefined);
      const alarms =
        (res?.body as { frame?: { alarms?: { id: string; state: string }[] } } | undefined)?.frame
          ?.alarms ?? [];
      const target = alarms.find((a) => a.state === 'firing')?.id;
      if (target) return sendCommand(cluster, { do: 'ack-alarm', target });
      seq++;
    };

    const parts = (): Record<string, PartSample> => {
      const out: Record<string, PartSample> = {};
      for (const name of ['api', 'worker', 'web', 'redis'])
        out[name] = partOf(pidsOf({ pgid: procsByName[name]!.child.pid }));
      if (options.browser) out['browser'] = partOf(pidsOf({ needle: profile }));
      return out;
    };
    const sample = async (atS: number): Promise<Sample> => {
      const p = parts();
      Object.assign(p['api']!, await nodeMemory(apiPort, metricsToken));
      Object.assign(p['worker']!, await nodeMemory(workerPort, metricsToken));
      let pageFigures: Sample['page'];
      if (page && cdp) {
        await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
        const { metrics } = await cdp.send('Performance.getMetrics');
        const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
        p['browser']!.heapMiB = metric('JSHeapUsedSize') / 2 ** 20;
        const tick = Number(
          await page.getByTestId('cluster-header').getAttribute('data-tick', { timeout: 5_000 }),
        );
        pageFigures = { tick, nodes: metric('Nodes'), listeners: metric('JSEventListeners') };
      }
      const c = fleet!.counters();
      const meta = await admin!.hget(`soak:{${clusters[0]!.id}}:meta`, 'tick').catch(() => null);
      return {
        atS,
        parts: p,
        redis: await redisFigures(admin!),
        page: pageFigures,
        clients: {
          joined: c.joined,
          frames: c.frames,
          missed: c.missed,
          doubled: c.doubled,
          outOfOrder: c.outOfOrder,
        },
        tick: Number(meta ?? -1),
      };
    };

    const machine = [
      `host ${hostname()}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at the start, node ${process.version}`,
      `${options.minutes} min, ${options.clients} clients on ${options.clusters} clusters at ${tickMs} ms a tick, ${(options.churnPerMinute * 100).toFixed(0)}% of clients replaced each minute, ${options.commandsPerMinute} commands per cluster and minute, dashboard in Chromium: ${options.browser ? 'yes' : 'no'}`,
    ];
    const samples: Sample[] = [];
    const started = Date.now();
    const endAt = started + options.minutes * 60_000;
    let nextSample = started;
    let churned = 0;
    // One step a second: churn and commands spread evenly, samples on their schedule.
    const churnPerSecond = (options.clients * options.churnPerMinute) / 60;
    const commandsPerSecond = (clusters.length * options.commandsPerMinute) / 60;
    let churnDebt = 0;
    let commandDebt = 0;
    let commandCursor = 0;
    const inFlight = new Set<Promise<unknown>>();
    while (Date.now() < endAt) {
      if (Date.now() >= nextSample) {
        const s = await sample(Math.round((Date.now() - started) / 1000));
        samples.push(s);
        log(
          `t=${s.atS}s ` +
            Object.entries(s.parts)
              .map(
                ([n, p]) =>
                  `${n} ${p.pssMiB.toFixed(0)}M${p.heapMiB === undefined ? '' : `/h${p.heapMiB.toFixed(0)}`}/${p.fds}fd`,
              )
              .join(' ') +
            ` | redis ${s.redis.usedMiB.toFixed(1)}M (${s.redis.cappedMiB.toFixed(1)}M capped) ${s.redis.keys}k ${s.redis.elements}e | page t=${s.page?.tick ?? '-'} ${s.page?.nodes ?? ''}n | clients ${s.clients.joined} ${s.clients.missed}m ${s.clients.doubled}d`,
        );
        nextSample += options.sampleSeconds * 1000;
      }
      churnDebt += churnPerSecond;
      while (churnDebt >= 1 && fleet.clients.length > 0) {
        churnDebt -= 1;
        const leaving = fleet.clients[Math.floor(Math.random() * fleet.clients.length)]!;
        const at = clusters.findIndex((c) => c.id === leaving.clusterId);
        fleet.leave(leaving);
        arrive(at);
        churned++;
      }
      commandDebt += commandsPerSecond;
      while (commandDebt >= 1) {
        commandDebt -= 1;
        const p = commandFor(clusters[commandCursor++ % clusters.length]!);
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
      await sleep(Math.max(0, Math.min(1000, endAt - Date.now())));
    }
    await Promise.all(inFlight);
    samples.push(await sample(Math.round((Date.now() - started) / 1000)));
    for (const name of ['api', 'worker', 'web', 'redis']) {
      const p = procsByName[name]!;
      if (p.exited) throw new Error(`${name} exited during the soak:\n${p.tail.join('\n')}`);
    }
    const checks = verdict(samples, options);
    return { machine, samples, checks, commandsSent, commandsFailed, churned };
  } finally {
    await cleanup();
    for (const p of Object.values(procsByName)) killGroup(p, 'SIGKILL');
  }
}

/** The report: the samples as a table, the checks with PASS or NOT MET. */
export function formatReport(report: SoakReport): string {
  const lines = [...report.machine, ''];
  const names = Object.keys(report.samples[0]?.parts ?? {});
  lines.push(
    `| min | ${names.map((n) => `${n} PSS / heap MiB, fds`).join(' | ')} | redis MiB (of it capped streams), keys, elements | page nodes | clients joined |`,
    `|---:|${names.map(() => '---:').join('|')}|---:|---:|---:|`,
  );
  for (const s of report.samples) {
    lines.push(
      `| ${(s.atS / 60).toFixed(1)} | ${names
        .map((n) => {
          const p = s.parts[n]!;
          return `${p.pssMiB.toFixed(0)} / ${p.heapMiB === undefined ? '-' : p.heapMiB.toFixed(1)}, ${p.fds}`;
        })
        .join(
          ' | ',
        )} | ${s.redis.usedMiB.toFixed(1)} (${s.redis.cappedMiB.toFixed(1)}), ${s.redis.keys}, ${s.redis.elements} | ${s.page?.nodes ?? '-'} | ${s.clients.joined} |`,
    );
  }
  const last = report.samples.at(-1);
  if (last)
    lines.push(
      '',
      `Redis elements by kind at the end: ${Object.entries(last.redis.byKind)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
  lines.push(
    `Commands: ${report.commandsSent} sent, ${report.commandsFailed} refused or failed; ${report.churned} clients left and were replaced.`,
    '',
  );
  for (const c of report.checks) lines.push(`${c.pass ? 'PASS' : 'NOT MET'}  ${c.line}`);
  return lines.join('\n');
}
