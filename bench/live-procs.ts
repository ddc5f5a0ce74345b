// Process helpers shared by the benchmarks (bench/live.ts, bench/live-ticks.ts, bench/web.ts),
// the browser tests' harness (apps/web/e2e/harness.ts) and the deployment smoke test
// (tools/workspace/src/deploy.e2e.spec.ts).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { basename, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Redis } from 'ioredis';

/** A child process the benchmark started: its exit, and the tail of its output. */
export interface Watched {
  tail: string[];
  exited: boolean;
}

/** The repository's root (this file runs from bench/dist, or from its source in a jest test). */
export const root = resolve(__dirname, basename(__dirname) === 'dist' ? '../..' : '..');

/** Whether processes can be pinned to cores (taskset, two cores or more). */
export const pinned =
  cpus().length >= 2 &&
  spawnSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' }).status === 0;

export interface Proc extends Watched {
  name: string;
  child: ChildProcess;
  /** Lines logged at WARN or ERROR level (Nest's format), all of them. */
  warnings: string[];
}

/** Every process started and not yet exited. */
export const procs = new Set<Proc>();

/**
 * Every client of a benchmark comes from loopback, one address: the API's per-address limits
 * (socket events, clusters) would refuse most of a thousand viewers, so benchmarks lift them.
 */
export const BENCH_LIMITS = {
  RATE_LIMIT_SOCKET_ADDRESS: '100000000',
  MAX_CLUSTERS: '1000000',
  MAX_CLUSTERS_PER_ADDRESS: '1000000',
} as const;

/**
 * Starts a process in its own group, pinned to `core` when it can be, keeping its output's tail.
 * With `nofile`, its open-file limit is raised to that first (`ulimit -n` in a shell that then
 * execs the command: the process keeps the pid; see `openFileLimit` to check it can be).
 */
export function launch(
  name: string,
  core: string,
  command: string,
  args: string[],
  {
    env = {},
    ipc = false,
    echo = false,
    nofile,
  }: { env?: NodeJS.ProcessEnv; ipc?: boolean; echo?: boolean; nofile?: number } = {},
): Proc {
  const [command1, args1] =
    nofile === undefined
      ? [command, args]
      : [
          'bash',
          [
            '-c',
            `ulimit -n ${nofile} || { echo "${name}: cannot raise the open-file limit to ${nofile} (ulimit -Hn: $(ulimit -Hn))" >&2; exit 111; }; exec "$@"`,
            'bash',
            command,
            ...args,
          ],
        ];
  const [cmd, argv] = pinned ? ['taskset', ['-c', core, command1, ...args1]] : [command1, args1];
  const child = spawn(cmd, argv, {
    cwd: root,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = { name, child, tail: [], warnings: [], exited: false };
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line.trim()) continue;
        proc.tail.push(line);
        if (proc.tail.length > 40) proc.tail.shift();
        if (/\b(WARN|ERROR)\b/.test(line)) proc.warnings.push(line);
        if (echo) process.stdout.write(`  [${name}] ${line}\n`);
      }
    });
  }
  child.on('exit', () => {
    proc.exited = true;
    procs.delete(proc);
  });
  child.on('error', () => undefined);
  procs.add(proc);
  return proc;
}

export function killGroup(proc: Proc, signal: NodeJS.Signals): void {
  if (proc.exited || proc.child.pid === undefined) return;
  try {
    process.kill(-proc.child.pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to the process's group, SIGKILL after the grace period. */
export async function stop(proc: Proc, graceMs = 8000): Promise<void> {
  if (proc.exited) return;
  const done = new Promise((r) => proc.child.once('exit', r));
  killGroup(proc, 'SIGTERM');
  const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/** Servers first, then Redis (so nothing logs a lost connection), then the rest. */
export async function stopAll(): Promise<void> {
  await Promise.all([...procs].filter((p) => p.name !== 'redis').map((p) => stop(p)));
  await Promise.all([...procs].map((p) => stop(p)));
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Removes every key under `prefix:` (and nothing else) from the Redis at `redisUrl`. */
export async function removeKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `ready` answers true, or fails with the process's last output. */
export async function waitFor(
  what: string,
  proc: Watched,
  ready: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !proc.exited) {
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not start:\n${proc.tail.join('\n')}`);
}

/**
 * A redis-server of the benchmark's own on `port` (loopback, nothing saved unless `args` say so),
 * started and answering PING. `args` are added to its command line (`--dir`, `--appendonly yes`,
 * `--hz 100`...).
 */
export async function startRedisServer(
  name: string,
  core: string,
  port: number,
  args: string[] = [],
): Promise<Proc> {
  const proc = launch(name, core, 'redis-server', [
    ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--daemonize', 'no'],
    ...args,
  ]);
  const probe = new Redis(`redis://127.0.0.1:${port}`, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  probe.on('error', () => undefined);
  try {
    await waitFor(name, proc, async () => {
      if (probe.status !== 'ready') await probe.connect();
      return (await probe.ping()) === 'PONG';
    });
  } finally {
    probe.disconnect();
  }
  return proc;
}

/**
 * The built dashboard (`next start` of apps/web) on `webPort`, its browsers sent to `apiUrl` (a
 * URL, or `same-origin` as the web image runs it behind a front door).
 */
export function launchWeb(
  core: string,
  webPort: number,
  apiUrl: string,
  env: NodeJS.ProcessEnv = {},
): Proc {
  const webDir = resolve(root, 'apps/web');
  const nextBin = require.resolve('next/dist/bin/next', { paths: [webDir] });
  return launch(
    'web',
    core,
    process.execPath,
    [nextBin, 'start', webDir, '-p', String(webPort), '-H', '127.0.0.1'],
    {
      env: {
        ...env,
        API_URL: apiUrl,
        ...(apiUrl.startsWith('http') ? { NEXT_PUBLIC_API_URL: apiUrl } : {}),
      },
    },
  );
}

/**
 * Debian's Chromium's switches for tests and benchmarks (playwright-core passes --no-sandbox
 * itself): no GPU, and off the network it would reach for at start (this machine has none).
 */
export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Whether the API on this port answers its health check with 200. */
export async function healthy(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/api/health`, {
    signal: AbortSignal.timeout(2000),
  });
  await response.arrayBuffer();
  return response.status === 200;
}

/** utime + stime of a process from /proc, in seconds (10 ms resolution). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is field 3, utime 14, stime 15 (1-based) -> indexes 11, 12.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * The open-file limit to give processes that hold `need` descriptors each: 65,536, or the hard
 * limit when that is lower (processes cannot raise theirs above it), never below `need`. Throws
 * one line when the hard limit is below `need`.
 */
export function openFileLimit(need: number): number {
  const probe = spawnSync('bash', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' });
  const [soft, hard] = (probe.stdout ?? '')
    .trim()
    .split('\n')
    .map((v) => (v.trim() === 'unlimited' ? Infinity : Number(v)));
  if (probe.status !== 0 || !Number.isFinite(soft) || hard === undefined || Number.isNaN(hard))
    throw new Error(`cannot read the open-file limit (bash -c 'ulimit -Hn'): ${probe.stderr}`);
  const limit = Math.max(soft!, Math.min(65_536, hard));
  if (limit < need)
    throw new Error(
      `the processes need ${need} open files each but the hard limit is ${hard} (ulimit -Hn), which this user cannot raise: raise it (limits.conf, systemd LimitNOFILE, docker --ulimit nofile=65536:65536) or run fewer clients (a baseline server holds every socket; --api-procs and --client-procs split the others)`,
    );
  return limit;
}

/** The cores a process may run on (its affinity list, e.g. "0" or "0-1"), from /proc. */
export function coresOf(pid: number | undefined): string {
  if (pid === undefined) return '?';
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '?';
  } catch {
    return '?';
  }
}

/** Busy and total jiffies per core, from /proc/stat (empty where there is none). */
export function coreTimes(): { busy: number; total: number }[] {
  try {
    return readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((line) => /^cpu\d+ /.test(line))
      .map((line) => {
        const v = line.split(/\s+/).slice(1).map(Number);
        const idle = (v[3] ?? 0) + (v[4] ?? 0);
        const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
        return { busy: total - idle, total };
      });
  } catch {
    return [];
  }
}

/**
 * A benchmark's command line: the parsed options (`--help` prints the usage
 * and exits 0), and `fail`, which prints a message with the usage and exits 2.
 */
const helpOption = { help: { type: 'boolean', short: 'h' } } as const;

export function commandLine<O extends NonNullable<ParseArgsConfig['options']>>(
  usage: string,
  options: O,
) {
  const fail = (message: string): never => {
    console.error(`${message}\n\n${usage}`);
    process.exit(2);
  };
  let values: ReturnType<typeof parseArgs<{ options: O & typeof helpOption }>>['values'];
  try {
    values = parseArgs({ options: { ...options, ...helpOption } }).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return { values, fail };
}
