import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  type CreateClusterResponse,
  type FrameEventPayload,
  type JoinReply,
  socketEvents,
  wireTick,
} from '@overcommit/contracts';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
// bench/ is no Nx project, only the benchmarks' shared helpers for ports and processes, reused here.
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  freePort,
  killGroup,
  launch,
  type Proc,
  sleep,
  stopAll,
  waitFor,
} from '../../../bench/live-procs';
import { commandOf, environmentOf, readCompose, root, serviceOf } from './compose-file';

/**
 * The compose deployment without Docker: docker-compose.yml's services started as processes on
 * loopback, from the repository's root, each with its own command and environment read from the
 * file, only addresses and ports made loopback ones: a Redis with the redis service's flags and a
 * password, the API and the worker as many times as their replicas, the dashboard, and Debian's
 * nginx running deploy/nginx/overcommit.conf.template rendered as the official nginx image renders
 * it. Everything is then checked through the front door, as a browser would see it.
 */

// launch() pins each process to cores; these may run on any.
const anyCore = `0-${cpus().length - 1}`;
const scenario = {
  version: 1,
  name: 'deployment smoke test',
  seed: 3,
  clock: { tickMs: 200, stepSeconds: 1 },
  hosts: [{ name: 'esx', count: 2, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
  vms: [{ name: 'vm', count: 3, vcpus: 2, memoryGiB: 4, host: 'esx-01' }],
};

/** Every process started, in order (their output's tail goes into failure messages). */
const started: Proc[] = [];
/** The API and worker processes, one per replica. */
const instances: { name: string; service: string; port: number; proc: Proc }[] = [];
const watchers: Watcher[] = [];
let tmp = '';
/** The front door, e.g. http://127.0.0.1:41234. */
let front = '';
let cluster: CreateClusterResponse | undefined;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request on its own connection (no keep-alive pool outlives the test); JSON when `json` is given. */
function http(url: string, options: { method?: string; json?: unknown } = {}): Promise<Reply> {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  return new Promise((done, fail) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          done({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within 10 s`)));
    req.on('error', fail);
    req.end(body);
  });
}

const answers = (url: string, ok: (status: number) => boolean) => () =>
  http(url).then(({ status }) => ok(status));

/** The promise's value, or `fallback` once `ms` have passed (the timer does not outlive it). */
async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const late = new Promise<T>((done) => (timer = setTimeout(done, Math.max(0, ms), fallback)));
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Each process's last lines, and nginx's error log, for failure messages. */
function tails(lines = 12): string {
  const parts = started.map((proc) => {
    const state = proc.exited ? ` (exited: ${proc.child.exitCode ?? proc.child.signalCode})` : '';
    return `--- ${proc.name}${state}\n${proc.tail.slice(-lines).join('\n')}`;
  });
  const errorLog = join(tmp, 'error.log');
  if (tmp && existsSync(errorLog)) {
    const log = readFileSync(errorLog, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    parts.push(`--- nginx (${errorLog})\n${log}`);
  }
  return parts.join('\n');
}

/** The error, its message ending with every process's last output. */
function explained(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const at = error.stack?.indexOf('\n    at ') ?? -1;
  if (started.length > 0) error.message += `\n\nThe processes' last output:\n${tails()}`;
  error.stack = `${error.name}: ${error.message}${at >= 0 ? error.stack!.slice(at) : ''}`;
  return error;
}

/** A test whose failure message ends with every process's last output. */
function step(name: string, body: () => Promise<void>, timeoutMs?: number): void {
  it(
    name,
    () =>
      body().catch((error: unknown) => {
        throw explained(error);
      }),
    timeoutMs,
  );
}

function requireTool(command: string, debianPackage: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) {
    throw new Error(
      `${command} is not installed: apt-get install ${debianPackage} (Debian's package; .ci/run installs it)`,
    );
  }
}

function start(name: string, command: string[], env: Record<string, string>): Proc {
  const [bin = '', ...args] = command;
  // The image's `node` is this Node. launch() runs it from the repository's root (the image's /app).
  const proc = launch(name, anyCore, bin === 'node' ? process.execPath : bin, args, { env });
  started.push(proc);
  return proc;
}

const usedPorts = new Set<number>();
async function newPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!usedPorts.has(port)) return (usedPorts.add(port), port);
  }
}

/** The same URL with its host and port made 127.0.0.1:<port> (its password kept). */
function onLoopback(url: string | undefined, port: number, where: string): string {
  if (!url) throw new Error(`docker-compose.yml: ${where} is missing`);
  const loopback = new URL(url);
  loopback.hostname = '127.0.0.1';
  loopback.port = String(port);
  return loopback.toString();
}

/** envsubst as the official nginx image runs it on a template: `${NAME}` and `$NAME` of the given variables only, nginx's own `$variables` left alone. */
function envsubst(template: string, values: Record<string, string>): string {
  return template.replace(/\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/g, (match, ...names) => {
    const name = (names[0] ?? names[1]) as string;
    return Object.hasOwn(values, name) ? values[name]! : match;
  });
}

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } finally {
    redis.disconnect();
  }
}

/** How many socket.io clients an API instance holds (its own /metrics, not the front door's). */
async function socketClients(port: number): Promise<number> {
  const { body } = await http(`http://127.0.0.1:${port}/metrics`);
  return Number(/^overcommit_socket_clients(?:\{[^}]*\})? (\S+)$/m.exec(body)?.[1] ?? NaN);
}

/** Starts the deployment as compose would, in its dependency order, waiting at each step for what the next needs. */
async function up(): Promise<void> {
  requireTool('nginx', 'nginx');
  requireTool('redis-server', 'redis-server');
  for (const artefact of ['apps/api/dist/main.js', 'apps/web/.next/BUILD_ID']) {
    if (!existsSync(join(root, artefact)))
      throw new Error(
        `${artefact} is missing: build first (npx nx run-many -t build -p api web; npx nx run workspace:e2e builds both)`,
      );
  }
  // Every process dies with this one, however the run ends.
  process.once('exit', () => started.forEach((proc) => killGroup(proc, 'SIGKILL')));
  tmp = mkdtempSync(join(tmpdir(), 'oc-deploy-'));
  // nginx's workers run as an unprivileged user when this runs as root; they write under tmp.
  chmodSync(tmp, 0o755);
  const frontPort = await newPort();
  front = `http://127.0.0.1:${frontPort}`;
  const password = randomBytes(16).toString('hex');
  // The variables an operator sets for `docker compose up` (docs/deploy.md).
  const compose = readCompose({
    REDIS_PASSWORD: password,
    PUBLIC_URL: front,
    OVERCOMMIT_PORT: String(frontPort),
  });

  // redis: its own flags; the image's /data (the volume) is a folder of tmp.
  const redisPort = await newPort();
  const redisService = serviceOf(compose, 'redis');
  mkdirSync(join(tmp, 'redis'));
  const redis = start(
    'redis',
    [
      ...commandOf(redisService, 'redis'),
      ...['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', join(tmp, 'redis')],
    ],
    environmentOf(redisService),
  );
  await waitFor('redis', redis, () => redisAnswers(`redis://:${password}@127.0.0.1:${redisPort}`));

  // api and worker (depends_on: redis healthy), each replica on a port of its own; then the dashboard.
  for (const name of ['api', 'worker']) {
    const service = serviceOf(compose, name);
    const env = environmentOf(service);
    for (let replica = 1; replica <= (service.deploy?.replicas ?? 1); replica += 1) {
      const port = await newPort();
      const proc = start(`${name}-${replica}`, commandOf(service, name), {
        ...env,
        REDIS_URL: onLoopback(
          env['REDIS_URL'],
          redisPort,
          `services.${name}.environment.REDIS_URL`,
        ),
        API_PORT: String(port),
      });
      instances.push({ name: `${name}-${replica}`, service: name, port, proc });
    }
  }
  const webService = serviceOf(compose, 'web');
  const webPort = await newPort();
  const webCommand = commandOf(webService, 'web');
  const portAt = webCommand.indexOf('--port');
  if (portAt < 0) throw new Error('docker-compose.yml: services.web.command has no --port');
  webCommand[portAt + 1] = String(webPort);
  // NEXT_TELEMETRY_DISABLED: the image's ENV (Dockerfile).
  const web = start('web', webCommand, {
    ...environmentOf(webService),
    WEB_PORT: String(webPort),
    NEXT_TELEMETRY_DISABLED: '1',
  });
  await Promise.all([
    ...instances.map(({ name, port, proc }) =>
      waitFor(
        `${name} (GET /api/health/ready answering 200)`,
        proc,
        answers(`http://127.0.0.1:${port}/api/health/ready`, (s) => s === 200),
      ),
    ),
    waitFor(
      'web',
      web,
      answers(`http://127.0.0.1:${webPort}/`, (s) => s > 0 && s < 500),
    ),
  ]);

  // frontdoor: the template, mounted where the image renders templates into conf.d, with its
  // environment's variables (upstreams made the loopback processes).
  const door = serviceOf(compose, 'frontdoor');
  const mount = (door.volumes ?? [])
    .map(String)
    .find((volume) => volume.includes(':/etc/nginx/templates/'));
  if (!mount)
    throw new Error('docker-compose.yml: services.frontdoor mounts no /etc/nginx/templates/');
  const [source = '', target = ''] = mount.split(':');
  const apiServers = instances.filter((i) => i.service === 'api');
  const rendered = envsubst(readFileSync(resolve(root, source), 'utf8'), {
    ...environmentOf(door),
    LISTEN_PORT: String(frontPort),
    API_SERVERS: apiServers.map(({ port }) => `server 127.0.0.1:${port};`).join(' '),
    WEB_SERVERS: `server 127.0.0.1:${webPort};`,
  });
  mkdirSync(join(tmp, 'conf.d'));
  writeFileSync(join(tmp, 'conf.d', basename(target, '.template')), rendered);
  // A minimal main configuration in place of the image's, which includes conf.d/*.conf in http {}.
  writeFileSync(
    join(tmp, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${tmp}/nginx.pid;`,
      `error_log ${tmp}/error.log notice;`,
      'events { worker_connections 1024; }',
      'http {',
      `  access_log ${tmp}/access.log;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (kind) => `  ${kind}_temp_path ${tmp}/${kind};`,
      ),
      `  include ${tmp}/conf.d/*.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const nginxArgs = ['-p', `${tmp}/`, '-c', join(tmp, 'nginx.conf'), '-e', join(tmp, 'error.log')];
  const check = spawnSync('nginx', ['-t', ...nginxArgs], { encoding: 'utf8' });
  if (check.status !== 0)
    throw new Error(`nginx -t refuses the rendered ${source} (in ${tmp}/conf.d):\n${check.stderr}`);
  const nginx = start('nginx', ['nginx', ...nginxArgs], {});
  await waitFor(
    'the front door',
    nginx,
    answers(`${front}/api/health/ready`, (s) => s === 200),
  );
}

/**
 * A socket.io client of the front door watching the cluster: the ticks it has seen (live, and on
 * a rejoin those the reply fills in); after every reconnection it joins again from the last tick
 * it saw, as the dashboard does.
 */
class Watcher {
  readonly socket: Socket;
  readonly ticks = new Set<number>();
  live = 0;
  reconnections = 0;
  /** Refused joins and gaps: each one a fault. */
  readonly problems: string[] = [];
  /** What happened to the connection, for failure messages. */
  readonly events: string[] = [];
  private readonly began = Date.now();

  constructor(
    readonly transport: 'websocket' | 'polling',
    private readonly clusterId: string,
  ) {
    this.socket = io(front, { transports: [transport], auth: { name: `smoke ${transport}` } });
    this.socket.on(socketEvents.frame, (event: FrameEventPayload) => {
      if (event.clusterId !== clusterId) return;
      this.live += 1;
      this.ticks.add(event.tick);
    });
    this.socket.on('connect', () => {
      this.note('connect');
      this.join().catch((error: Error) => this.problems.push(`join: ${error.message}`));
    });
    this.socket.on('disconnect', (reason) => this.note(`disconnect (${reason})`));
    this.socket.on('connect_error', (error) => this.note(`connect_error (${error.message})`));
    this.socket.io.on('reconnect', () => (this.reconnections += 1));
  }

  get last(): number | undefined {
    return this.ticks.size === 0 ? undefined : Math.max(...this.ticks);
  }

  private note(event: string): void {
    this.events.push(`${Date.now() - this.began} ms: ${event}`);
  }

  private async join(): Promise<void> {
    const sinceTick = this.last;
    const reply = (await this.socket.timeout(5_000).emitWithAck(socketEvents.join, {
      clusterId: this.clusterId,
      name: `smoke ${this.transport}`,
      ...(sinceTick === undefined ? {} : { sinceTick }),
    })) as JoinReply;
    if (!reply.ok) return void this.problems.push(`join refused: ${reply.error}`);
    if (sinceTick === undefined) return; // the first join: live frames from here on
    if (reply.gap) this.problems.push(`rejoined from tick ${sinceTick}: gap (history too short)`);
    for (const frame of [...reply.frames, ...(reply.snapshot ? [reply.snapshot] : [])])
      this.ticks.add(wireTick(frame));
    this.note(`rejoined from tick ${sinceTick}: ${reply.frames.length} frames filled in`);
  }

  /** Ticks missing between the first and the last it has seen. */
  missing(): number[] {
    const first = Math.min(...this.ticks);
    const count = (this.last ?? first) - first + 1;
    return Array.from({ length: count }, (_, i) => first + i).filter((t) => !this.ticks.has(t));
  }

  summary(): string {
    const range = this.ticks.size ? `${Math.min(...this.ticks)}..${this.last}` : 'none';
    const events = this.events.slice(-12).join('; ');
    return `${this.transport} client: ticks ${range}, ${this.live} live frames, ${this.reconnections} reconnections, problems [${this.problems.join('; ')}], last events [${events}]`;
  }

  async until(ok: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      if (Date.now() > deadline)
        throw new Error(`${what} did not happen within ${timeoutMs} ms; ${this.summary()}`);
      await sleep(50);
    }
  }
}

/** Every client has seen every tick from its first on, and had no join refused nor a gap. */
function expectEveryTick(): void {
  const seen = watchers.map((w) => ({
    transport: w.transport,
    missing: w.missing(),
    problems: w.problems,
  }));
  expect(seen).toEqual(
    watchers.map((w) => ({ transport: w.transport, missing: [], problems: [] })),
  );
}

describe('the compose deployment on loopback: nginx, 2 API instances, 2 workers, the dashboard, Redis', () => {
  beforeAll(
    () =>
      up().catch((error: unknown) => {
        throw explained(error);
      }),
    120_000,
  );

  afterAll(async () => {
    for (const watcher of watchers) watcher.socket.disconnect();
    await stopAll();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 30_000);

  step('serves the dashboard at / through the front door', async () => {
    const { status, headers, body } = await http(`${front}/`);
    expect({
      status,
      type: headers['content-type'],
      title: /<title>Overcommit</.test(body),
      // Links carry cluster tokens: no Referer may take them elsewhere.
      referrer: headers['referrer-policy'],
    }).toEqual({
      status: 200,
      type: expect.stringContaining('text/html') as string,
      title: true,
      referrer: 'no-referrer',
    });
  });

  step(
    'routes /api/health/ready to the API, and not /metrics (which each process serves)',
    async () => {
      const [ready, metrics, direct] = await Promise.all([
        http(`${front}/api/health/ready`),
        http(`${front}/metrics`),
        http(`http://127.0.0.1:${instances[0]!.port}/metrics`),
      ]);
      expect({
        'front door GET /api/health/ready': ready.status,
        'front door GET /metrics': metrics.status,
        [`${instances[0]!.name} GET /metrics`]: direct.status,
      }).toEqual({
        'front door GET /api/health/ready': 200,
        'front door GET /metrics': 404,
        [`${instances[0]!.name} GET /metrics`]: 200,
      });
    },
  );

  step(
    "creates a cluster (POST /api/clusters): the front door's request id, links on PUBLIC_URL",
    async () => {
      // As curl would (no Origin header): the links are built from PUBLIC_URL, the front door's address.
      const { status, headers, body } = await http(`${front}/api/clusters`, {
        method: 'POST',
        json: { scenario },
      });
      expect(status).toBe(201);
      cluster = JSON.parse(body) as CreateClusterResponse;
      // nginx's $request_id is 32 hex digits; the API's own ids are UUIDs.
      expect({
        requestId: headers['x-request-id'],
        linkOrigin: new URL(cluster.viewerLink).origin,
      }).toEqual({
        requestId: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
        linkOrigin: front,
      });
    },
  );

  step(
    'streams live frames through the front door, over WebSocket and over long-polling',
    async () => {
      if (!cluster) throw new Error('no cluster: the POST /api/clusters case failed');
      for (const transport of ['websocket', 'polling'] as const)
        watchers.push(new Watcher(transport, cluster.id));
      await Promise.all(
        watchers.map((w) => w.until(() => w.live >= 5, 'receiving 5 live frames', 20_000)),
      );
      expectEveryTick();
    },
  );

  step(
    'hands the sockets over when the API instance holding them gets SIGTERM: no tick lost, exit 0',
    async () => {
      if (watchers.length === 0) throw new Error('no clients: the live frames case failed');
      const apis = instances.filter((i) => i.service === 'api');
      const held = await Promise.all(apis.map(({ port }) => socketClients(port)));
      const holder = apis[held.indexOf(Math.max(...held))]!;
      // Sticky by client address (ip_hash): this one address's clients all on one instance.
      expect({ 'socket clients per API instance': held, most: Math.max(...held) }).toEqual({
        'socket clients per API instance': held,
        most: watchers.length,
      });
      const marks = watchers.map((w) => ({ tick: w.last ?? 0, reconnections: w.reconnections }));
      const exit = new Promise<string>((done) =>
        holder.proc.child.once('exit', (code, signal) => done(`exit ${code ?? signal}`)),
      );
      const terminatedAt = Date.now();
      killGroup(holder.proc, 'SIGTERM');
      // Every client reconnects (to the other instance, through the front door) and sees 10 more ticks.
      await Promise.all(
        watchers.map((w, i) =>
          w.until(
            () => w.reconnections > marks[i]!.reconnections && (w.last ?? 0) >= marks[i]!.tick + 10,
            `after SIGTERM to ${holder.name}: reconnecting and 10 more ticks`,
            20_000,
          ),
        ),
      );
      const ended = await within(exit, 12_000 - (Date.now() - terminatedAt), 'running after 12 s');
      const ready = await http(`${front}/api/health/ready`);
      expect({ [holder.name]: ended, 'front door GET /api/health/ready': ready.status }).toEqual({
        [holder.name]: 'exit 0',
        'front door GET /api/health/ready': 200,
      });
      expectEveryTick();
    },
    40_000,
  );
});
