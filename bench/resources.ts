// npm run bench:resources [-- --clusters 20 --viewers 100 --seconds 120]: what one API process,
// one tick worker and one dashboard use (CPU and resident memory) under a given load, the figures
// behind the requests and limits of deploy/kubernetes (docs/deploy.md, "Resources").
//
// It starts its own redis-server on a free port, one ROLE=api and one ROLE=worker process (as
// the images run them: NODE_ENV=production) and the dashboard (next start), creates --clusters
// clusters from a bundled scenario (--scenario, default demo: 6 hosts, 30 VMs, 1 tick/s) over
// HTTP, connects --viewers socket.io clients spread over them (WebSocket, as browsers do), and
// requests the dashboard's pages --page-rate times a second. After --warmup seconds it samples
// every process once a second from /proc for --seconds: CPU (utime + stime) and RSS, with the
// peak RSS (VmHWM) over the whole run. Nothing is pinned: the processes share the machine's
// cores with Redis and the clients, as pods share a node.
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type CreateClusterResponse, type JoinReply, socketEvents } from '@overcommit/contracts';
import { io, type Socket } from 'socket.io-client';
import {
  BENCH_LIMITS,
  commandLine,
  cpuSeconds,
  freePort,
  healthy,
  launch,
  launchWeb,
  type Proc,
  root,
  sleep,
  startRedisServer,
  stopAll,
  waitFor,
} from './live-procs';

const usage = `npm run bench:resources -- [--clusters 20] [--viewers 100] [--scenario demo]
  [--seconds 120] [--warmup 20] [--page-rate 1] [--json PATH]`;
const { values, fail } = commandLine(usage, {
  clusters: { type: 'string', default: '20' },
  viewers: { type: 'string', default: '100' },
  scenario: { type: 'string', default: 'demo' },
  seconds: { type: 'string', default: '120' },
  warmup: { type: 'string', default: '20' },
  'page-rate': { type: 'string', default: '1' },
  json: { type: 'string' },
});
const whole = (name: 'clusters' | 'viewers' | 'seconds' | 'warmup' | 'page-rate', min = 0) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number, at least ${min}`);
  return n;
};
const clusterCount = whole('clusters', 1);
const viewerCount = whole('viewers');
const seconds = whole('seconds', 5);
const warmup = whole('warmup');
const pageRate = whole('page-rate');
const scenarioName = String(values.scenario);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const jsonPath = resolve(values.json ?? join(root, 'bench/results', `resources-${stamp}.json`));

const apiEntry = join(root, 'apps/api/dist/main.js');
for (const artefact of [apiEntry, join(root, 'apps/web/.next/BUILD_ID')])
  if (!existsSync(artefact))
    fail(
      `${artefact} is missing: npx nx run-many -t build -p api web (npm run bench:resources does)`,
    );

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    void stopAll().then(() => process.exit(130));
  });

/** A field of /proc/<pid>/status in MiB (VmRSS, VmHWM), NaN once the process is gone. */
function statusMiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(status)?.[1];
    return kib === undefined ? NaN : Number(kib) / 1024;
  } catch {
    return NaN;
  }
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const round = (n: number, digits = 0) => Number(n.toFixed(digits));

interface Sampled {
  name: string;
  proc: Proc;
  /** RSS once started and idle, MiB. */
  idleRss: number;
  rss: number[];
  /** CPU over each one-second interval, in millicores. */
  cpu: number[];
  cpuStart: number;
  cpuEnd: number;
}

async function main(): Promise<void> {
  console.log(
    `bench:resources on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(
    `${clusterCount} clusters of "${scenarioName}", ${viewerCount} viewers, dashboard pages ${pageRate}/s; ${seconds} s measured after ${warmup} s warm-up`,
  );
  const any = `0-${cpus().length - 1}`;
  const redisPort = await freePort();
  await startRedisServer('redis', any, redisPort, [
    ...['--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--hz', '100'],
  ]);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;

  // As the images run them (docs/deploy.md): production, the compose file's settings.
  const env = {
    ...BENCH_LIMITS,
    NODE_ENV: 'production',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: 'oc',
    LOG_LEVEL: 'info',
    NO_COLOR: '1',
  };
  const apiPort = await freePort();
  const workerPort = await freePort();
  const webPort = await freePort();
  const api = launch('api', any, process.execPath, [apiEntry], {
    env: { ...env, ROLE: 'api', API_PORT: String(apiPort) },
  });
  const worker = launch('worker', any, process.execPath, [apiEntry], {
    env: { ...env, ROLE: 'worker', API_PORT: String(workerPort) },
  });
  // As the web image runs it: the browser reaches the API on the dashboard's own origin.
  const web = launchWeb(any, webPort, 'same-origin', {
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
  });
  await waitFor('the API', api, () => healthy(apiPort));
  await waitFor('the worker', worker, () => healthy(workerPort));
  const page = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${webPort}${path}`, {
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    return response.status;
  };
  await waitFor('the dashboard', web, async () => (await page('/')) === 200);
  await sleep(2000);
  const sampled: Sampled[] = [api, worker, web].map((proc) => ({
    name: proc.name,
    proc,
    idleRss: statusMiB(proc.child.pid, 'VmRSS'),
    rss: [],
    cpu: [],
    cpuStart: NaN,
    cpuEnd: NaN,
  }));

  // The clusters, created over HTTP as a person would.
  const clusters: CreateClusterResponse[] = [];
  for (let i = 0; i < clusterCount; i += 1) {
    const response = await fetch(`http://127.0.0.1:${apiPort}/api/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenarioName }),
    });
    const body = (await response.json()) as CreateClusterResponse;
    if (response.status !== 201)
      throw new Error(`POST /api/clusters: ${response.status} ${JSON.stringify(body)}`);
    clusters.push(body);
  }

  // The viewers, round-robin over the clusters.
  let frames = 0;
  const sockets: Socket[] = [];
  for (let i = 0; i < viewerCount; i += 1) {
    const cluster = clusters[i % clusters.length]!;
    const socket = io(`http://127.0.0.1:${apiPort}`, {
      transports: ['websocket'],
      auth: { name: `viewer ${i}` },
    });
    socket.on(socketEvents.frame, () => (frames += 1));
    sockets.push(socket);
    await new Promise<void>((done, failJoin) => {
      socket.once('connect', () => {
        socket
          .timeout(10_000)
          .emitWithAck(socketEvents.join, {
            clusterId: cluster.id,
            token: cluster.viewerToken,
            name: `viewer ${i}`,
          })
          .then((reply: JoinReply) =>
            reply.ok ? done() : failJoin(new Error(`join refused: ${reply.error}`)),
          )
          .catch(failJoin);
      });
      socket.once('connect_error', failJoin);
    });
  }

  // The dashboard's pages, as people open them.
  let pages = 0;
  let paging = pageRate > 0;
  const pagesLoop = (async () => {
    while (paging) {
      const cluster = clusters[pages % clusters.length]!;
      await Promise.all([
        sleep(1000 / pageRate),
        page(pages % 2 === 0 ? '/' : `/clusters/${cluster.id}?token=${cluster.viewerToken}`).then(
          () => (pages += 1),
        ),
      ]);
    }
  })();

  console.log(`created ${clusters.length} clusters, ${sockets.length} viewers joined; warming up`);
  await sleep(warmup * 1000);
  const framesAtStart = frames;
  const pagesAtStart = pages;
  for (const s of sampled) s.cpuStart = cpuSeconds(s.proc.child.pid);
  const last = sampled.map((s) => s.cpuStart);
  for (let second = 0; second < seconds; second += 1) {
    await sleep(1000);
    sampled.forEach((s, i) => {
      const now = cpuSeconds(s.proc.child.pid);
      s.cpu.push((now - last[i]!) * 1000);
      s.rss.push(statusMiB(s.proc.child.pid, 'VmRSS'));
      last[i] = now;
    });
  }
  for (const s of sampled) s.cpuEnd = cpuSeconds(s.proc.child.pid);
  const framesInWindow = frames - framesAtStart;
  const pagesInWindow = pages - pagesAtStart;

  const report = sampled.map((s) => ({
    process: s.name,
    cpuMeanMillicores: round(((s.cpuEnd - s.cpuStart) / seconds) * 1000),
    cpuP95Millicores: round(percentile(s.cpu, 95)),
    cpuMaxMillicores: round(Math.max(...s.cpu)),
    rssIdleMiB: round(s.idleRss, 1),
    rssMeanMiB: round(s.rss.reduce((a, b) => a + b, 0) / s.rss.length, 1),
    rssMaxMiB: round(Math.max(...s.rss), 1),
    rssPeakMiB: round(statusMiB(s.proc.child.pid, 'VmHWM'), 1),
  }));
  paging = false;
  await pagesLoop;
  for (const socket of sockets) socket.disconnect();
  await stopAll();

  console.log(
    `\nwindow: ${framesInWindow} frames delivered to viewers (${round(framesInWindow / seconds)}/s), ${pagesInWindow} dashboard pages`,
  );
  console.table(report);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(
    jsonPath,
    `${JSON.stringify(
      {
        machine: {
          cpu: cpus()[0]?.model,
          cores: cpus().length,
          memoryGiB: Math.round(totalmem() / 2 ** 30),
          node: process.version,
        },
        load: { clusterCount, scenarioName, viewerCount, pageRate, seconds, warmup },
        framesPerSecond: round(framesInWindow / seconds, 1),
        pagesInWindow,
        processes: report,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`results: ${jsonPath}`);
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await stopAll();
  process.exit(1);
});
