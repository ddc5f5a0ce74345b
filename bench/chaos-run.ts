// The chaos run (issue "Reliability and security, proven"): faults under load. Shared by the
// benchmark (bench/chaos.ts, 500 clients) and its short form in `npm test`
// (apps/api/src/ticks/chaos.int.spec.ts, 50 clients).
//
// It starts its own redis-server (append-only on, in a temp dir, on a free port), two API
// processes and two tick workers (the built apps/api/dist/main.js), creates clusters and connects
// light raw-websocket socket.io clients spread over the clusters and both APIs. Every client
// reconnects when its connection drops (to the other API first) and resumes with
// `join { sinceTick }` = the last tick it has, filling the hole from the join reply's `frames`;
// a jump in tick numbers on a live connection sends the same join. Then the faults, one after
// another with a settle period between, each with commands and alarm acknowledgements sent
// around it (every other one over HTTP, the rest as socket `command` events from an operator's
// socket.io client; each with an id, retried with the same id until answered):
//   api-kill       SIGKILL one API (its clients move to the other), restarted at once
//   worker-kill    SIGKILL one worker, restarted at once
//   redis-restart  SIGTERM redis-server (it writes its AOF), started again on the same port/dir
//   redis-kill     SIGKILL redis-server (a crash: what it wrote to its AOF is all there is),
//                  started again on the same port/dir
//   redis-pause    SIGSTOP redis-server for pauseMs, then SIGCONT
//   net-drop       one client's TCP connection destroyed, its reconnect held for netDropTicks
// and for each: the frame history stream over the fault's window (ticks doubled or lost), the
// ticks' lag against their schedule, the clients' received ticks (missed after resume, doubled,
// out of order), the time from the fault's end until every client had an in-order live frame
// again, and every command's outcome (none left queued, each applied exactly once).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { Fleet, http } from './fleet';
import {
  BENCH_LIMITS,
  coresOf,
  freePort,
  healthy,
  killGroup,
  launch,
  type Proc,
  root,
  sleep,
  startRedisServer,
  stop,
  stopAll,
  waitFor,
} from './live-procs';

export const FAULTS = [
  'api-kill',
  'worker-kill',
  'redis-restart',
  'redis-kill',
  'redis-pause',
  'net-drop',
] as const;
export type FaultName = (typeof FAULTS)[number];

export interface ChaosOptions {
  clients: number;
  clusters: number;
  tickMs: number;
  /** Between faults (and before the first), ms. */
  settleMs: number;
  /** How long Redis stays frozen. */
  pauseMs: number;
  /** How many ticks the one client's network stays down. */
  netDropTicks: number;
  faults: readonly FaultName[];
  /** The goal: every client back to live within this after the fault's end. */
  recoverWithinMs: number;
  /** Commands (and as many alarm acks) per cluster before, during and after each fault. */
  commandsPerPhase: number;
  /**
   * A command request not answered within this is sent again with the same id (to the other
   * API): with Redis frozen longer than this, retries race the first request.
   */
  requestTimeoutMs?: number;
  log: (line: string) => void;
}

export interface FaultResult {
  fault: FaultName;
  /** The fault's window in ticks (cluster 0's), for the record. */
  ticks: [number, number];
  /** Ticks (all clusters) whose lagMs exceeded one tick interval, and the worst lag. */
  ticksLate: number;
  maxLagMs: number;
  ticksLost: number;
  ticksDoubled: number;
  /** Ticks some client never got (after its resume and fill from the history). */
  framesMissed: number;
  /** Holes in a live connection's ticks that the client filled from the history (a join with sinceTick). */
  holesFilled: number;
  /** Frames a client got twice on one connection, or older than the last it had. */
  clientDoubled: number;
  outOfOrder: number;
  /** From the fault's end until the last client had an in-order live frame (max over clients). */
  recoverMs: number;
  /** Clients not back within the settle period. */
  notRecovered: number;
  reconnects: number;
  /** Cluster 0's exercise score: ticks of it checked over the window, and breaks (scoreBreaks). */
  scoreTicks: number;
  scoreBreaks: number;
  commandsSent: number;
  /** Of those, sent as socket `command` events (the rest over HTTP). */
  commandsBySocket: number;
  /** Of those settled: accepted and refused by the engine (an ack of an alarm that went away is refused). */
  commandsAccepted: number;
  commandsRefused: number;
  /** Sent and answered, but no outcome, or not exactly one accepted/refused event in the frames. */
  commandsLost: number;
  commandsDoubled: number;
  /** Never answered by the API though retried (the sender knows: not lost). */
  commandsUnanswered: number;
  notes: string[];
}

export interface ChaosReport {
  machine: string[];
  placement: string[];
  results: FaultResult[];
  /** The goal's lines, PASS or NOT MET. */
  verdict: { fault: FaultName; pass: boolean; line: string }[];
}

interface Cluster {
  id: string;
  operatorToken: string;
}

/** Cluster 0's exercise section: a score that accumulates every tick (see scoreBreaks). */
const CHAOS_EXERCISE = {
  // As long as an exercise may last (3,600 ticks at the run's 5 s steps: half an hour at 500 ms).
  durationSeconds: 18_000,
  briefing: 'The chaos run: keep ready time low while the processes under you fail.',
  objectives: [
    {
      id: 'ready',
      text: "Keep every VM's CPU ready under 5%",
      metric: 'vm.cpuReadyPct',
      aggregate: 'max',
      below: 5,
      weight: 60,
    },
    { id: 'keep-running', text: 'Power off no VM', forbid: ['power-off-vm'], weight: 40 },
  ],
  responseTargets: { ackSeconds: 60, resolveSeconds: 300 },
};

interface ScoreFrame {
  tick: number;
  stepSeconds: number;
  exercise?: {
    elapsedSeconds: number;
    objectives: { id: string; heldPct: number; violations: number }[];
    response: { critical: number; acknowledged: number; resolved: number };
  };
}

/**
 * Where an exercise's score broke between consecutive ticks of the history: its clock must
 * advance one step a tick, each objective's held time by nothing or one step (its share times
 * the elapsed time, within the share's rounding), and the counters (violations, critical alarms,
 * acknowledgements, resolutions) never go back. A tick lost, applied twice or rolled back (a
 * Redis that came back without its last writes) shows as a break.
 */
export function scoreBreaks(frames: ScoreFrame[]): string[] {
  const breaks: string[] = [];
  for (let i = 1; i < frames.length; i++) {
    const a = frames[i - 1]!;
    const b = frames[i]!;
    if (!a.exercise || !b.exercise || b.tick !== a.tick + 1) continue;
    const step = b.stepSeconds;
    const ea = a.exercise;
    const eb = b.exercise;
    if (Math.abs(eb.elapsedSeconds - ea.elapsedSeconds - step) > 1e-6)
      breaks.push(`tick ${b.tick}: elapsed ${ea.elapsedSeconds} -> ${eb.elapsedSeconds}`);
    for (const [k, ob] of eb.objectives.entries()) {
      const oa = ea.objectives[k];
      if (!oa) continue;
      const heldA = (oa.heldPct / 100) * ea.elapsedSeconds;
      const heldB = (ob.heldPct / 100) * eb.elapsedSeconds;
      // heldPct is rounded to 0.01 on the wire: the held time is known to 0.01% of elapsed.
      const slack = 1e-4 * eb.elapsedSeconds + 1e-6;
      const delta = heldB - heldA;
      if (!(Math.abs(delta) <= slack || Math.abs(delta - step) <= slack))
        breaks.push(`tick ${b.tick}: ${ob.id} held ${heldA.toFixed(2)} -> ${heldB.toFixed(2)} s`);
      if (ob.violations < oa.violations)
        breaks.push(`tick ${b.tick}: ${ob.id} violations ${oa.violations} -> ${ob.violations}`);
    }
    for (const key of ['critical', 'acknowledged', 'resolved'] as const)
      if (eb.response[key] < ea.response[key])
        breaks.push(`tick ${b.tick}: ${key} ${ea.response[key]} -> ${eb.response[key]}`);
  }
  return breaks;
}

interface SentCommand {
  cluster: Cluster;
  id: string;
  answered: boolean;
  via: 'http' | 'socket';
}

/**
 * An operator's socket.io client (socket.io-client, reconnecting by itself): joins its cluster
 * with the operator's token on every connection, and sends `command` events with an
 * acknowledgement. A command counts as answered when the API acknowledged it with an outcome for
 * its id (queued, accepted, or refused by the engine); no acknowledgement in time, or the
 * gateway's "join first" while a reconnection is joining, means "send it again, same id".
 */
class OperatorSocket {
  private readonly socket: ClientSocket;
  private joined = false;

  constructor(
    url: string,
    private readonly cluster: Cluster,
  ) {
    this.socket = io(url, {
      transports: ['websocket'],
      reconnectionDelay: 100,
      reconnectionDelayMax: 1_000,
      auth: { name: 'chaos operator' },
    });
    this.socket.on('connect', () => {
      this.joined = false;
      this.socket
        .timeout(5_000)
        .emitWithAck('join', {
          clusterId: cluster.id,
          token: cluster.operatorToken,
          name: 'chaos operator',
        })
        .then(
          (reply: { ok?: boolean }) => {
            this.joined = reply?.ok === true;
            // A join refused (Redis away): try again on a fresh connection.
            if (!this.joined) this.socket.disconnect().connect();
          },
          () => this.socket.disconnect().connect(),
        );
    });
    this.socket.on('disconnect', () => {
      this.joined = false;
    });
  }

  async ready(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.joined) {
      if (Date.now() > until) throw new Error(`operator socket on ${this.cluster.id} not joined`);
      await sleep(50);
    }
  }

  async command(body: Record<string, unknown>, timeoutMs: number): Promise<boolean> {
    if (!this.joined) return false;
    const reply = (await this.socket
      .timeout(timeoutMs)
      .emitWithAck('command', { clusterId: this.cluster.id, ...body })
      .catch(() => undefined)) as { id?: string; status?: string } | undefined;
    return reply?.id === body['id'] && reply?.status !== undefined;
  }

  close(): void {
    this.socket.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The run

/** The runs' temp dirs (Redis's AOF) not yet removed: a Ctrl-C handler removes them. */
const tempDirs = new Set<string>();
export function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { log, tickMs } = options;
  const entry = resolve(root, 'apps/api/dist/main.js');
  const dir = mkdtempSync(join(tmpdir(), 'overcommit-chaos-'));
  tempDirs.add(dir);
  const prefix = `chaos-${process.pid}`;
  const allCores = `0-${cpus().length - 1}`;
  const redisPort = await freePort();
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const placement: string[] = [];
  let fleet: Fleet | undefined;
  let operators: OperatorSocket[] = [];
  let redisProc: Proc | undefined;
  let admin: Redis | undefined;

  const startRedis = async () => {
    redisProc = await startRedisServer('redis', allCores, redisPort, [
      ...['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec'],
      ...['--maxmemory-policy', 'noeviction'],
    ]);
  };

  const env = {
    ...BENCH_LIMITS,
    RATE_LIMIT_HTTP: '1000000',
    RATE_LIMIT_SOCKET: '100000',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    NODE_ENV: 'production',
    NO_COLOR: '1',
  };
  const apiPorts = [await freePort(), await freePort()];
  const workerPorts = [await freePort(), await freePort()];
  const apis: Proc[] = [];
  const workers: Proc[] = [];
  const startApi = async (i: number) => {
    apis[i] = launch(`api-${i}`, allCores, process.execPath, [entry], {
      env: { ...env, ROLE: 'api', API_PORT: String(apiPorts[i]) },
    });
    await waitFor(`api-${i}`, apis[i], () => healthy(apiPorts[i]!));
  };
  const startWorker = async (i: number) => {
    workers[i] = launch(`worker-${i}`, allCores, process.execPath, [entry], {
      env: { ...env, ROLE: 'worker', API_PORT: String(workerPorts[i]) },
    });
    await waitFor(`worker-${i}`, workers[i], () => healthy(workerPorts[i]!));
  };
  const apiUrls = () => apiPorts.map((p) => `http://127.0.0.1:${p}`);

  const cleanup = async () => {
    fleet?.closeAll();
    for (const o of operators) o.close();
    admin?.disconnect();
    if (redisProc) killGroup(redisProc, 'SIGCONT');
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  };

  try {
    await startRedis();
    await Promise.all([startApi(0), startApi(1), startWorker(0), startWorker(1)]);
    admin = new Redis(redisUrl, { maxRetriesPerRequest: null });
    admin.on('error', () => undefined);

    const machine = [
      `host ${hostname()}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (shared with other work), node ${process.version}`,
    ];
    for (const p of [redisProc!, ...apis, ...workers])
      placement.push(`${p.name}: pid ${p.child.pid}, cores ${coresOf(p.child.pid)}`);
    placement.push(`clients and this harness: pid ${process.pid}, cores ${coresOf(process.pid)}`);

    // Clusters: small, hot enough to raise alarms.
    const clusters: Cluster[] = [];
    for (let i = 0; i < options.clusters; i++) {
      const created = await http(`${apiUrls()[0]}/api/clusters`, {
        method: 'POST',
        body: {
          scenario: {
            version: 1,
            name: `chaos ${i}`,
            seed: i + 1,
            clock: { tickMs, stepSeconds: 5 },
            hosts: [
              { name: 'esx', count: 3, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 },
            ],
            vms: [
              {
                name: 'web',
                count: 8,
                vcpus: 4,
                memoryGiB: 8,
                workload: { profile: 'bursty', cpu: 0.9, amplitude: 0.3, periodSeconds: 60 },
              },
            ],
            // Cluster 0 is scored as an exercise is: its score must come through every fault.
            ...(i === 0 ? { exercise: CHAOS_EXERCISE } : {}),
          },
        },
      });
      if (created.status !== 201) throw new Error(`create cluster: ${JSON.stringify(created)}`);
      const { id, operatorToken } = created.body as Cluster;
      clusters.push({ id, operatorToken });
    }
    log(
      `${clusters.length} clusters at ${tickMs} ms a tick; connecting ${options.clients} clients`,
    );

    fleet = new Fleet(apiUrls, tickMs);
    for (let i = 0; i < options.clients; i++) {
      const c = fleet.add(clusters[i % clusters.length]!.id, Math.floor(i / clusters.length) % 2);
      fleet.connect(c);
      if (i % 50 === 49) await sleep(50);
    }
    const deadline = Date.now() + 60_000;
    while (fleet.counters().joined < options.clients && Date.now() < deadline) await sleep(100);
    if (fleet.counters().joined < options.clients)
      throw new Error(`only ${fleet.counters().joined} of ${options.clients} clients joined`);
    log(`${options.clients} clients joined`);

    // An operator's socket.io client on each cluster (on the second API, reconnecting by itself).
    operators = clusters.map((cluster) => new OperatorSocket(apiUrls()[1]!, cluster));
    await Promise.all(operators.map((o) => o.ready(30_000)));

    // Commands with an id, every other one over HTTP and the rest as socket events; each retried
    // with the same id until answered.
    let commandSeq = 0;
    const sent: SentCommand[] = [];
    const sendCommand = async (cluster: Cluster, body: Record<string, unknown>) => {
      const seq = commandSeq++;
      const id = `chaos-${seq}`;
      const via: SentCommand['via'] = seq % 2 === 0 ? 'http' : 'socket';
      const mutable: SentCommand = { cluster, id, answered: false, via };
      sent.push(mutable);
      const operator = operators[clusters.indexOf(cluster)]!;
      const until = Date.now() + 30_000;
      for (let attempt = 0; Date.now() < until; attempt++) {
        if (via === 'socket') {
          if (await operator.command({ ...body, id }, options.requestTimeoutMs ?? 5_000)) {
            mutable.answered = true;
            return;
          }
        } else {
          const url = apiUrls()[attempt % 2]!;
          const res = await http(`${url}/api/clusters/${cluster.id}/commands`, {
            method: 'POST',
            body: { ...body, id },
            token: cluster.operatorToken,
            timeoutMs: options.requestTimeoutMs,
          }).catch(() => undefined);
          if (res && res.status < 300) {
            mutable.answered = true;
            return;
          }
        }
        await sleep(200);
      }
    };
    const alarmOf = async (cluster: Cluster): Promise<string> => {
      const res = await http(`${apiUrls()[0]}/api/clusters/${cluster.id}`, {
        token: cluster.operatorToken,
      }).catch(() => undefined);
      const alarms =
        (res?.body as { frame?: { alarms?: { id: string; state: string }[] } } | undefined)?.frame
          ?.alarms ?? [];
      return alarms.find((a) => a.state === 'firing')?.id ?? alarms[0]?.id ?? 'no-alarm';
    };
    const commandRound = (): Promise<unknown> =>
      Promise.all(
        clusters.flatMap((cluster) =>
          Array.from({ length: options.commandsPerPhase }, async (_, k) => {
            const vm = `web-${String(((commandSeq + k) % 8) + 1).padStart(2, '0')}`;
            await sendCommand(cluster, {
              do: 'set-workload',
              target: vm,
              workload: { cpu: 0.5 + Math.random() * 0.4 },
            });
            await sendCommand(cluster, { do: 'ack-alarm', target: await alarmOf(cluster) });
          }),
        ),
      );

    const tickOf = async (cluster: Cluster) =>
      Number(await admin!.hget(`${prefix}:{${cluster.id}}:meta`, 'tick'));

    await sleep(options.settleMs);
    const results: FaultResult[] = [];
    for (const fault of options.faults) {
      const notes: string[] = [];
      const before = fleet.counters();
      const sentBefore = sent.length;
      const fromTicks = await Promise.all(clusters.map(tickOf));
      await commandRound();
      log(`${fault}: start (cluster 0 at tick ${fromTicks[0]})`);
      const inFlight: Promise<unknown>[] = [];
      let faultEnd = Date.now();
      switch (fault) {
        case 'api-kill': {
          killGroup(apis[0]!, 'SIGKILL');
          await new Promise((r) => (apis[0]!.exited ? r(null) : apis[0]!.child.once('exit', r)));
          faultEnd = Date.now();
          fleet.markFaultEnd(faultEnd);
          inFlight.push(commandRound());
          await startApi(0);
          notes.push(`api-0 killed; restarted in ${Date.now() - faultEnd} ms`);
          break;
        }
        case 'worker-kill': {
          killGroup(workers[0]!, 'SIGKILL');
          await new Promise((r) =>
            workers[0]!.exited ? r(null) : workers[0]!.child.once('exit', r),
          );
          faultEnd = Date.now();
          fleet.markFaultEnd(faultEnd);
          inFlight.push(commandRound());
          await startWorker(0);
          notes.push(`worker-0 killed; restarted in ${Date.now() - faultEnd} ms`);
          break;
        }
        case 'redis-restart': {
          const t0 = Date.now();
          inFlight.push(commandRound());
          await stop(redisProc!);
          await startRedis();
          faultEnd = Date.now();
          notes.push(`redis down ${faultEnd - t0} ms`);
          placement.push(
            `redis (restarted): pid ${redisProc!.child.pid}, cores ${coresOf(redisProc!.child.pid)}`,
          );
          break;
        }
        case 'redis-kill': {
          const t0 = Date.now();
          inFlight.push(commandRound());
          await sleep(tickMs / 2);
          killGroup(redisProc!, 'SIGKILL');
          await new Promise((r) =>
            redisProc!.exited ? r(null) : redisProc!.child.once('exit', r),
          );
          await startRedis();
          faultEnd = Date.now();
          notes.push(`redis killed, down ${faultEnd - t0} ms`);
          placement.push(
            `redis (after the kill): pid ${redisProc!.child.pid}, cores ${coresOf(redisProc!.child.pid)}`,
          );
          break;
        }
        case 'redis-pause': {
          killGroup(redisProc!, 'SIGSTOP');
          inFlight.push(commandRound());
          await sleep(options.pauseMs);
          killGroup(redisProc!, 'SIGCONT');
          faultEnd = Date.now();
          notes.push(`redis frozen ${options.pauseMs} ms`);
          break;
        }
        case 'net-drop': {
          const victim = fleet.clients[0]!;
          const holdMs = options.netDropTicks * tickMs;
          fleet.dropNetwork(victim, holdMs);
          inFlight.push(commandRound());
          await sleep(holdMs);
          faultEnd = Date.now();
          notes.push(`${victim.name}'s network down ${holdMs} ms (${options.netDropTicks} ticks)`);
          break;
        }
      }
      // A kill ends when the process is gone (its restart is part of the recovery).
      if (fault !== 'api-kill' && fault !== 'worker-kill') fleet.markFaultEnd(faultEnd);
      await Promise.all(inFlight);
      await commandRound();
      // Settle: until every client is back (or the settle period is over), then the rest of it.
      const settleUntil = Date.now() + options.settleMs;
      while (
        Date.now() < settleUntil &&
        fleet.clients.some((c) => c.recoveredAt === undefined || !c.joined)
      )
        await sleep(100);
      await sleep(Math.max(0, Math.min(options.settleMs / 2, settleUntil - Date.now())));
      const toTicks = await Promise.all(clusters.map(tickOf));
      const after = fleet.counters();

      // The history stream over the window: every tick once, none missing.
      let ticksLost = 0;
      let ticksDoubled = 0;
      let scoreBroken = 0;
      let scoreTicks = 0;
      let ticksLate = 0;
      let maxLagMs = 0;
      const events = new Map<string, { accepted: number; refused: number; duplicate: number }>();
      for (const [i, cluster] of clusters.entries()) {
        const from = fromTicks[i]!;
        const to = toTicks[i]!;
        const entries = await admin.xrange(
          `${prefix}:{${cluster.id}}:frames`,
          `${from}-0`,
          `${to}-9`,
        );
        const ticks = entries.map(([id]) => Number(id.split('-')[0]));
        const seen = new Set<number>();
        for (const t of ticks) {
          if (seen.has(t)) ticksDoubled++;
          seen.add(t);
        }
        for (let t = from; t <= to; t++) if (!seen.has(t)) ticksLost++;
        const lags = fleet.lags.get(cluster.id)!;
        for (let t = from + 1; t <= to; t++) {
          const lag = lags.get(t);
          if (lag === undefined) continue;
          maxLagMs = Math.max(maxLagMs, lag);
          if (lag > tickMs) ticksLate++;
        }
        const history = await http(
          `${apiUrls()[1]}/api/clusters/${cluster.id}/history?from=${Math.max(from - 5, 1)}&to=${to}`,
          { token: cluster.operatorToken },
        );
        const windowFrames = (
          history.body as {
            frames: (ScoreFrame & {
              events: { type: string; commandId?: string; duplicate?: boolean }[];
            })[];
          }
        ).frames;
        if (i === 0) {
          const breaks = scoreBreaks(windowFrames);
          scoreBroken += breaks.length;
          scoreTicks += windowFrames.filter((f) => f.exercise).length;
          notes.push(...breaks.slice(0, 5).map((b) => `score: ${b}`));
        }
        for (const frame of windowFrames) {
          for (const e of frame.events) {
            if (e.type === 'ticks-skipped') {
              ticksLost += Number((e as { ticks?: number }).ticks ?? 0);
              notes.push(`ticks-skipped event in ${cluster.id}`);
            }
            if (!e.commandId) continue;
            const count = events.get(e.commandId) ?? { accepted: 0, refused: 0, duplicate: 0 };
            if (e.duplicate) count.duplicate++;
            else if (e.type === 'command-accepted') count.accepted++;
            else if (e.type === 'command-refused') count.refused++;
            events.set(e.commandId, count);
          }
        }
      }

      // Commands: each answered one settled, exactly once.
      let commandsLost = 0;
      let commandsDoubled = 0;
      let commandsUnanswered = 0;
      let commandsAccepted = 0;
      let commandsRefused = 0;
      const mine = sent.slice(sentBefore);
      for (const command of mine) {
        if (!command.answered) {
          commandsUnanswered++;
          continue;
        }
        const outcome = await http(
          `${apiUrls()[0]}/api/clusters/${command.cluster.id}/commands/${command.id}`,
          { token: command.cluster.operatorToken },
        );
        const status = (outcome.body as { status?: string }).status;
        const count = events.get(command.id) ?? { accepted: 0, refused: 0, duplicate: 0 };
        const applied = count.accepted + count.refused;
        commandsAccepted += count.accepted;
        commandsRefused += count.refused;
        if (status === undefined || status === 'queued' || applied === 0) {
          commandsLost++;
          notes.push(`command ${command.id}: outcome ${status}, ${applied} events`);
        }
        if (applied > 1 || count.duplicate > 0) {
          commandsDoubled++;
          notes.push(`command ${command.id}: ${JSON.stringify(count)}`);
        }
      }

      const recovered = fleet.clients.filter((c) => c.recoveredAt !== undefined);
      const recoverMs = recovered.reduce((m, c) => Math.max(m, c.recoveredAt! - faultEnd), 0);
      results.push({
        fault,
        ticks: [fromTicks[0]!, toTicks[0]!],
        ticksLate,
        maxLagMs,
        ticksLost,
        ticksDoubled,
        framesMissed: after.missed - before.missed,
        holesFilled: after.holes - before.holes,
        clientDoubled: after.doubled - before.doubled,
        outOfOrder: after.outOfOrder - before.outOfOrder,
        recoverMs,
        notRecovered: fleet.clients.length - recovered.length,
        reconnects: after.reconnects - before.reconnects,
        scoreTicks,
        scoreBreaks: scoreBroken,
        commandsSent: mine.length,
        commandsBySocket: mine.filter((c) => c.via === 'socket').length,
        commandsAccepted,
        commandsRefused,
        commandsLost,
        commandsDoubled,
        commandsUnanswered,
        notes,
      });
      const r = results.at(-1)!;
      log(
        `${fault}: done; recovered in ${r.recoverMs} ms (${r.notRecovered} not), ${r.reconnects} reconnects, ${r.ticksLost} ticks lost, ${r.framesMissed} frames missed, ${r.commandsLost} commands lost`,
      );
    }

    const verdict = results.map((r) => {
      const problems: string[] = [];
      if (r.ticksDoubled > 0 || r.clientDoubled > 0) problems.push('a tick doubled');
      if (r.commandsLost > 0 || r.commandsDoubled > 0)
        problems.push(`${r.commandsLost} commands lost, ${r.commandsDoubled} doubled`);
      if (r.notRecovered > 0) problems.push(`${r.notRecovered} clients not back`);
      if (r.scoreBreaks > 0 || r.scoreTicks === 0)
        problems.push(`the exercise score broke ${r.scoreBreaks} times over ${r.scoreTicks} ticks`);
      if (r.recoverMs > options.recoverWithinMs)
        problems.push(`back in ${r.recoverMs} ms > ${options.recoverWithinMs} ms`);
      if (r.framesMissed > 0 || r.outOfOrder > 0)
        problems.push(`${r.framesMissed} frames missed, ${r.outOfOrder} out of order`);
      const pass = problems.length === 0;
      return {
        fault: r.fault,
        pass,
        line: `${pass ? 'PASS   ' : 'NOT MET'} ${r.fault}: ${pass ? `no tick doubled, no command lost, the score whole over ${r.scoreTicks} ticks, every client back in ${r.recoverMs} ms with every frame in order` : problems.join('; ')}`,
      };
    });
    return { machine, placement, results, verdict };
  } finally {
    await cleanup();
  }
}

/** The report as text: the machine, where each process ran, the table and the goal's lines. */
export function formatReport(report: ChaosReport, options: ChaosOptions): string {
  const head = [
    'fault',
    'ticks',
    'late',
    'max lag ms',
    'lost',
    'doubled',
    'missed after resume',
    'recover ms',
    'reconnects',
    'holes filled',
    'commands (acc/ref)',
    'lost/doubled',
  ];
  const rows = report.results.map((r) => [
    r.fault,
    `${r.ticks[0]}-${r.ticks[1]}`,
    String(r.ticksLate),
    String(r.maxLagMs),
    String(r.ticksLost),
    `${r.ticksDoubled}+${r.clientDoubled}`,
    `${r.framesMissed}${r.outOfOrder ? ` (+${r.outOfOrder} out of order)` : ''}`,
    `${r.recoverMs}${r.notRecovered ? ` (${r.notRecovered} not back)` : ''}`,
    String(r.reconnects),
    String(r.holesFilled),
    `${r.commandsSent} (${r.commandsAccepted}/${r.commandsRefused}; ${r.commandsBySocket} by socket)${r.commandsUnanswered ? ` (${r.commandsUnanswered} unanswered)` : ''}`,
    `${r.commandsLost}/${r.commandsDoubled}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    `machine: ${report.machine.join('; ')}`,
    ...report.placement.map((p) => `  ${p}`),
    `run: ${options.clients} clients, ${options.clusters} clusters, ${options.tickMs} ms ticks, settle ${options.settleMs} ms, redis pause ${options.pauseMs} ms, network drop ${options.netDropTicks} ticks`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    ...report.results.flatMap((r) => r.notes.map((n) => `  ${r.fault}: ${n}`)),
    '',
    ...report.verdict.map((v) => v.line),
  ].join('\n');
}
