// What the live benchmark's processes share: the cluster it watches, the
// statistics, and the messages between the orchestrator (bench/live.ts), the
// load generator (live-fanout-clients.ts), the baseline servers
// (live-fanout-servers.ts) and the probe inside every measured server
// (live-fanout-probe.ts).
import type { ScenarioInput } from '@overcommit/contracts';
import type { ChildProcess } from 'node:child_process';

/**
 * A heterogeneous, somewhat contended cluster (as libs/sim's frame-codec.spec.ts
 * busyCluster, scaled): 40% 2x16-core 384 GiB hosts, 40% 2x24-core 768 GiB,
 * 20% 1x8-core 64 GiB edge hosts; 12 VMs per host in 40 groups of mixed
 * sizes and workloads, overcommitted so that alarms fire.
 */
export function benchScenario(hosts: number, tickMs = 1000): ScenarioInput {
  const profiles = ['constant', 'diurnal', 'bursty', 'step'] as const;
  const big = Math.round(hosts * 0.4);
  const edge = hosts - 2 * big;
  const perGroup = Math.max(1, Math.round((hosts * 12) / 40));
  return {
    version: 1,
    name: `bench ${hosts} hosts`,
    seed: 7,
    clock: { tickMs, stepSeconds: 1 },
    policy: { cpuAllocationRatio: 6, ramAllocationRatio: 1.6 },
    hosts: [
      {
        name: 'r640',
        count: big,
        cpu: { sockets: 2, coresPerSocket: 16, threadsPerCore: 2 },
        memoryGiB: 384,
      },
      {
        name: 'r740',
        count: big,
        cpu: { sockets: 2, coresPerSocket: 24, threadsPerCore: 2 },
        memoryGiB: 768,
      },
      {
        name: 'edge',
        count: edge,
        cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 },
        memoryGiB: 64,
      },
    ].filter((h) => h.count > 0),
    vms: Array.from({ length: 40 }, (_, i) => ({
      name: `app${i}`,
      count: perGroup,
      vcpus: [2, 4, 8, 16][i % 4]!,
      memoryGiB: [8, 16, 24, 48][(i + 1) % 4]!,
      workload: {
        profile: profiles[i % 4]!,
        cpu: 0.3 + (i % 7) / 10,
        amplitude: 0.2,
        periodSeconds: 300 + i * 10,
        memoryActive: 0.5 + (i % 5) / 10,
      },
    })),
  };
}

// ---------------------------------------------------------------- statistics

export interface Stats {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export function stats(values: ArrayLike<number>): Stats {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) =>
    sorted.length === 0
      ? NaN
      : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return {
    count: sorted.length,
    p50: at(50),
    p99: at(99),
    p999: at(99.9),
    max: sorted.length === 0 ? NaN : sorted[sorted.length - 1]!,
  };
}

// ---------------------------------------------------------------- messages

/** What the probe in a measured server answers: its CPU time so far and its memory. */
export interface ProbeReply {
  /** process.cpuUsage(): user + system, microseconds. */
  cpuMicros: number;
  rss: number;
  heapUsed: number;
  external: number;
}

/** Requests to the load generator. */
export type LoadRequest =
  | {
      op: 'connect';
      /** The servers' URLs: client i (counted over the group, every load generator) goes to urls[i % urls.length]. */
      urls: string[];
      /** This load generator's first client in the group's numbering (its share starts there). */
      offset: number;
      count: number;
      group: string;
      /** Our API: join this cluster after connecting (ack'ed `join`). Baselines: nothing to join. */
      clusterId?: string;
      /** Connections and joins in flight at once. */
      concurrency: number;
      /** Throttle each socket's reads to this many bytes a second (a slow client). */
      slowBytesPerSecond?: number;
      /** Offer permessage-deflate, as browsers and socket.io-client do (servers may decline). */
      deflate?: boolean;
    }
  | { op: 'start' }
  | { op: 'stop' }
  | { op: 'close'; group?: string }
  | { op: 'ports'; group: string }
  /** Lifts a slow group's throttle, so that what the server queued for it arrives. */
  | { op: 'release'; group: string };

export interface GroupStats {
  clients: number;
  /** Still connected at the end of the window. */
  connected: number;
  /** Frame receipt minus the frame's sentAt, ms, one per delivery in the window. */
  latencies: number[];
  deliveries: number;
  /** Bytes of `frame` messages (socket.io packet text) received in the window. */
  frameBytes: number;
  /** Other messages (presence, pings, outcomes) received in the window, and their bytes. */
  otherMessages: number;
  otherBytes: number;
  /** Ticks a client did not see (a jump in tick numbers), in the window and since connecting. */
  skippedInWindow: number;
  skippedTotal: number;
  /**
   * Frames a client received twice (the tick it had just had) or out of order (an older tick),
   * after its first frame newer than its join's snapshot; in the window and since connecting.
   */
  doubledInWindow: number;
  doubledTotal: number;
  outOfOrderInWindow: number;
  outOfOrderTotal: number;
  /** Connections the server closed, since connecting. */
  disconnects: number;
  /** Bytes read from the socket since connecting (what a throttled socket let through). */
  bytesRead: number;
  /** TCP bytes the group's sockets read in the window: what crossed the wire (compressed or not). */
  wireBytes: number;
  /** The lowest frame tick received in the window. */
  windowFirstTick: number;
  /** The last frame tick seen, highest over the group's clients, and the lowest. */
  lastTickMax: number;
  lastTickMin: number;
  /** Clients by the last tick they saw, at the window's end: tick -> clients. */
  lastTicks: Record<string, number>;
}

/**
 * One group's figures over several load generators: counts summed, latencies
 * concatenated (percentiles are then taken over every delivery), ticks' extremes.
 */
export function mergeGroups(parts: GroupStats[]): GroupStats {
  const sum = (key: keyof GroupStats) =>
    parts.reduce((total, part) => total + (part[key] as number), 0);
  const latencies: number[] = [];
  const lastTicks: Record<string, number> = {};
  for (const part of parts) {
    for (const latency of part.latencies) latencies.push(latency);
    for (const [tick, count] of Object.entries(part.lastTicks))
      lastTicks[tick] = (lastTicks[tick] ?? 0) + count;
  }
  const firstTicks = parts.map((p) => p.windowFirstTick).filter((t) => t >= 0);
  const withClients = parts.filter((p) => p.clients > 0);
  return {
    clients: sum('clients'),
    connected: sum('connected'),
    latencies,
    deliveries: sum('deliveries'),
    frameBytes: sum('frameBytes'),
    otherMessages: sum('otherMessages'),
    otherBytes: sum('otherBytes'),
    skippedInWindow: sum('skippedInWindow'),
    skippedTotal: sum('skippedTotal'),
    doubledInWindow: sum('doubledInWindow'),
    doubledTotal: sum('doubledTotal'),
    outOfOrderInWindow: sum('outOfOrderInWindow'),
    outOfOrderTotal: sum('outOfOrderTotal'),
    disconnects: sum('disconnects'),
    bytesRead: sum('bytesRead'),
    wireBytes: sum('wireBytes'),
    windowFirstTick: firstTicks.length ? Math.min(...firstTicks) : -1,
    lastTickMax: Math.max(-1, ...parts.map((p) => p.lastTickMax)),
    lastTickMin: withClients.length ? Math.min(...withClients.map((p) => p.lastTickMin)) : -1,
    lastTicks,
  };
}

/** Clients whose last tick is more than `slack` ticks behind the newest any client saw. */
export function lagging(group: GroupStats, slack = 1): number {
  let behind = 0;
  for (const [tick, count] of Object.entries(group.lastTicks))
    if (Number(tick) < group.lastTickMax - slack) behind += count;
  return behind;
}

export type LoadReply =
  | {
      ok: true;
      op: 'connect';
      connected: number;
      ms: number;
      snapshotBytes: number;
      /** Bytes the group's clients received while connecting (join replies, presence), per client. */
      bytesPerClient: number;
    }
  | { ok: true; op: 'start' }
  | {
      ok: true;
      op: 'stop';
      seconds: number;
      /** The load generator's own CPU during the window, microseconds. */
      cpuMicros: number;
      groups: Record<string, GroupStats>;
    }
  | { ok: true; op: 'close' }
  | { ok: true; op: 'ports'; ports: number[] }
  | { ok: true; op: 'release' }
  | { ok: false; error: string };

/** Sends a request over a child's IPC channel and resolves with the reply that carries its id. */
export function request<T>(child: ChildProcess, message: object, timeoutMs = 600_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`no answer to ${JSON.stringify(message).slice(0, 80)} in ${timeoutMs} ms`));
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      reject(new Error(`the process exited before answering ${JSON.stringify(message)}`));
    };
    const onMessage = (reply: unknown) => {
      if ((reply as { id?: unknown })?.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(reply as T);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ ...message, id });
  });
}
let nextId = 1;
