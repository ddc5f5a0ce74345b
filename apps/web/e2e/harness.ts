// Browser tests run against the real thing: the built API (`node dist/main.js`,
// ROLE=all, so its tick worker too), the built dashboard (`next start`) and a
// real Redis, each process in a process group of its own, and Debian's
// Chromium driven by playwright-core (never a browser that Playwright
// downloads). A stack writes under a Redis key prefix of its own and removes
// its keys when it stops; its processes' output is kept in files.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { CreateClusterResponse } from '@overcommit/contracts';
import { type Browser, chromium, type Page } from 'playwright-core';
// bench/ is no Nx project, only the benchmarks' shared helpers for ports and processes, reused here.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { CHROMIUM_ARGS, freePort, removeKeys } from '../../../bench/live-procs';

const webDir = join(__dirname, '..');
const repoRoot = join(webDir, '../..');
const apiMain = join(repoRoot, 'apps/api/dist/main.js');
const webBuildId = join(webDir, '.next/BUILD_ID');
/** Where each stack's process logs go (kept after the run, for failures). */
export const logRoot = join(webDir, '.reports/e2e');

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH overrides it. */
export const chromiumPath = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
}

export interface Stack {
  /** The API's base URL, e.g. http://127.0.0.1:41234 (paths start with /api). */
  readonly apiUrl: string;
  /** The dashboard's base URL, e.g. http://127.0.0.1:41235. */
  readonly webUrl: string;
  /** The Redis key prefix of this stack (REDIS_PREFIX of its API). */
  readonly redisPrefix: string;
  /** The folder holding api.log and web.log. */
  readonly logDir: string;
  /** One HTTP request to the API (`path` starts with /api); JSON in and out. */
  api<T = unknown>(
    path: string,
    options?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<HttpResult<T>>;
  /**
   * Creates and starts a cluster: `{ scenarioName: 'demo' }` or `{ scenario: {...} }`,
   * optionally with `visibility`. Its links point at this stack's dashboard.
   */
  createCluster(
    body: { scenarioName: string } | { scenario: unknown },
    visibility?: 'public' | 'private',
  ): Promise<CreateClusterResponse>;
  /** The last lines of the API's and the web app's output, for failure messages. */
  logTail(lines?: number): string;
  /** Stops both processes (SIGTERM to each process group, SIGKILL after 5 s) and removes the stack's Redis keys. */
  stop(): Promise<void>;
}

/** One HTTP request on its own connection (no keep-alive pool left open at the end of a test). */
export function httpRequest<T = unknown>(
  url: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const json = (res.headers['content-type'] ?? '').includes('json') && text !== '';
          resolve({ status: res.statusCode ?? 0, body: (json ? JSON.parse(text) : text) as T });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Every process group a stack started and has not yet seen end. */
const liveGroups = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Starts a process in a group of its own, its stdout and stderr into `logFile`. */
function startProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): ChildProcess {
  if (!exitHookInstalled) {
    // A test run that ends abruptly (forceExit, a crash) still takes its processes with it.
    process.once('exit', () => {
      for (const child of liveGroups) killGroup(child, 'SIGKILL');
    });
    exitHookInstalled = true;
  }
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    liveGroups.add(child);
    child.once('exit', () => liveGroups.delete(child));
    return child;
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the leader has exited. */
async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (running(child)) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  // Whatever the leader left behind in its group (next start's workers, say).
  killGroup(child, 'SIGKILL');
  liveGroups.delete(child);
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '(no output)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Polls `url` until `ok(status)`, failing at once if `child` exits. */
async function waitForHttp(
  name: string,
  child: ChildProcess,
  url: string,
  ok: (status: number) => boolean,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running(child)) {
      throw new Error(
        `${name} exited at start (${child.signalCode ?? `exit ${child.exitCode}`}); its output (${logFile}):\n${tail(logFile, 40)}`,
      );
    }
    const status = await httpRequest(url).then(
      (r) => r.status,
      () => 0,
    );
    if (ok(status)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${name} did not answer at ${url} within ${timeoutMs} ms; its output (${logFile}):\n${tail(logFile, 40)}`,
  );
}

let stacksStarted = 0;

/**
 * Starts the built API (ROLE=all) and the built dashboard, each on a free
 * port, and waits until both answer. Needs `apps/api/dist` and `apps/web/.next`
 * (the web project's `e2e` target builds both first) and a Redis at REDIS_URL.
 */
export async function startStack(
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Stack> {
  for (const [artefact, build] of [
    [apiMain, 'npx nx run api:build'],
    [webBuildId, 'npx nx run web:build'],
  ] as const) {
    if (!existsSync(artefact)) {
      throw new Error(
        `${artefact} is missing: build first (${build}; \`npx nx run web:e2e\` builds both)`,
      );
    }
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  const redisUrl = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
  // The jest run's own prefix (scripts/jest/redis-global-setup.cjs), one more segment per stack.
  stacksStarted += 1;
  const base = process.env['REDIS_PREFIX'] || `oc-e2e-${randomBytes(4).toString('hex')}`;
  const redisPrefix = `${base}-s${stacksStarted}`;
  const logDir = join(logRoot, redisPrefix);
  mkdirSync(logDir, { recursive: true });
  const apiLog = join(logDir, 'api.log');
  const webLog = join(logDir, 'web.log');

  const [apiPort, webPort] = await Promise.all([freePort(), freePort()]);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  const common: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    API_PORT: String(apiPort),
    WEB_PORT: String(webPort),
  };

  const children: ChildProcess[] = [];
  const stopAll = () => Promise.all(children.map((child) => stopProcess(child)));
  try {
    children.push(
      startProcess(process.execPath, [apiMain], {
        cwd: join(repoRoot, 'apps/api'),
        env: {
          ...common,
          ROLE: 'all',
          CORS_ORIGINS: `${webUrl},http://localhost:${webPort}`,
          // The links the API hands out point at the dashboard as the browser reaches it.
          PUBLIC_URL: webUrl,
          ...options.env,
        },
        logFile: apiLog,
      }),
    );
    const nextBin = require.resolve('next/dist/bin/next', { paths: [webDir] });
    children.push(
      startProcess(process.execPath, [nextBin, 'start', '-p', String(webPort), '-H', '127.0.0.1'], {
        cwd: webDir,
        // API_URL: where the browser finds the API, read by the dashboard at request time.
        env: { ...common, API_URL: apiUrl, NEXT_PUBLIC_API_URL: apiUrl, ...options.env },
        logFile: webLog,
      }),
    );
    await Promise.all([
      waitForHttp(
        'the API',
        children[0]!,
        `${apiUrl}/api/health`,
        (s) => s === 200,
        apiLog,
        timeoutMs,
      ),
      waitForHttp(
        'the web app',
        children[1]!,
        `${webUrl}/`,
        (s) => s > 0 && s < 500,
        webLog,
        timeoutMs,
      ),
    ]);
  } catch (error) {
    await stopAll();
    await removeKeys(redisUrl, redisPrefix).catch(() => undefined);
    throw error;
  }

  let stopped = false;
  const api: Stack['api'] = (path, opts = {}) => httpRequest(`${apiUrl}${path}`, opts);
  return {
    apiUrl,
    webUrl,
    redisPrefix,
    logDir,
    api,
    async createCluster(body, visibility) {
      const res = await api<CreateClusterResponse>('/api/clusters', {
        method: 'POST',
        body: visibility ? { ...body, visibility } : body,
        // The API builds the operator and viewer links from the request's origin.
        headers: { origin: webUrl },
      });
      if (res.status !== 201 && res.status !== 200) {
        throw new Error(
          `POST /api/clusters answered ${res.status}: ${JSON.stringify(res.body)}\n${tail(apiLog, 20)}`,
        );
      }
      return res.body;
    },
    logTail(lines = 30) {
      return `--- api (${apiLog})\n${tail(apiLog, lines)}\n--- web (${webLog})\n${tail(webLog, lines)}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAll();
      await removeKeys(redisUrl, redisPrefix);
    },
  };
}

/**
 * Debian's Chromium, headless, through playwright-core. Playwright passes
 * --no-sandbox itself (its chromiumSandbox option is off by default), which
 * Chromium needs when run as root; the other switches keep it off the network
 * it would otherwise reach for at start.
 */
export async function browser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `browser tests need Chromium at ${chromiumPath}: apt-get install chromium (Debian's package; .ci/run installs it), or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', ...CHROMIUM_ARGS],
  });
}

/**
 * Collects what went wrong in a page: console errors, uncaught exceptions and
 * failed requests (not those the page cancelled), one line each, as they happen.
 * Call it before `page.goto`.
 */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const { url, lineNumber } = message.location();
      problems.push(`console error: ${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.stack ?? error.message}`));
  page.on('requestfailed', (req) => {
    const reason = req.failure()?.errorText ?? 'failed';
    // Requests the page itself cancelled (a navigation, a closed socket) are not faults.
    if (reason !== 'net::ERR_ABORTED')
      problems.push(`request failed: ${req.method()} ${req.url()}: ${reason}`);
  });
  return problems;
}
