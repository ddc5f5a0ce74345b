import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './redis-server';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One redis-server of the test cluster. */
export interface ClusterNode {
  port: number;
  /** Its cluster bus port (cluster-port; not port + 10000, which may be above 65535). */
  busPort: number;
}

/** A node as CLUSTER NODES shows it now. */
export interface NodeRole {
  port: number;
  id: string;
  role: 'master' | 'replica';
  /** For a replica: its master's node id. */
  masterId: string | null;
  /** For a master: its slot ranges, e.g. [[0, 5460]]. */
  slots: [number, number][];
  failed: boolean;
}

/** Every process this module started, killed when the test process exits without stopping them. */
const started = new Set<ChildProcess>();
let exitHookSet = false;
function killOnExit(child: ChildProcess): void {
  started.add(child);
  child.once('exit', () => started.delete(child));
  if (exitHookSet) return;
  exitHookSet = true;
  process.once('exit', () => {
    for (const c of started) c.kill('SIGKILL');
  });
}

/**
 * A throw-away Redis Cluster on loopback: `masters` masters with `replicas` replicas each, every
 * node a `redis-server --cluster-enabled yes` of its own on free ports, in a temporary directory,
 * joined with `redis-cli --cluster create`. A node that misses `nodeTimeoutMs` of pings is taken
 * for failed and its replica promoted, so failover tests are quick (Redis's default is 15 s).
 * Needs redis-server and redis-cli (Debian's redis-server package) on the PATH, as `npm test` does.
 */
export class TestRedisCluster {
  private readonly children = new Map<number, ChildProcess>();
  private stopped = false;

  private constructor(
    readonly dir: string,
    readonly nodes: ClusterNode[],
    readonly nodeTimeoutMs: number,
  ) {}

  static async start(
    options: { masters?: number; replicas?: number; nodeTimeoutMs?: number } = {},
  ): Promise<TestRedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicas ?? 1;
    for (const tool of ['redis-server', 'redis-cli'])
      if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0)
        throw new Error(
          `the Redis Cluster tests start a cluster of their own and need ${tool} on the PATH (apt-get install redis-server)`,
        );
    const dir = mkdtempSync(join(tmpdir(), 'oc-redis-cluster-'));
    const nodes: ClusterNode[] = [];
    const taken = new Set<number>();
    while (nodes.length < masters * (1 + replicas)) {
      const [port, busPort] = [await freePort(), await freePort()];
      if (port === busPort || taken.has(port) || taken.has(busPort)) continue;
      taken.add(port).add(busPort);
      nodes.push({ port, busPort });
    }
    const cluster = new TestRedisCluster(dir, nodes, options.nodeTimeoutMs ?? 1_000);
    try {
      await Promise.all(nodes.map((node) => cluster.startNode(node)));
      await run('redis-cli', [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ]);
      await cluster.waitHealthy();
      await cluster.waitReplicasInSync();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** REDIS_CLUSTER_NODES for this cluster: every node, as host:port. */
  get seeds(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  /** Starts (or restarts, after a kill) one node; it keeps its identity in nodes-<port>.conf. */
  async startNode(node: ClusterNode): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(node.port),
        '--cluster-port',
        String(node.busPort),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${node.port}.conf`,
        '--cluster-node-timeout',
        String(this.nodeTimeoutMs),
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
        // As docker-compose.yml and npm start's private Redis: delayed tick jobs wake on time.
        '--hz',
        '100',
        // A replica's first sync at once (Redis 7 waits 5 s for more replicas before a diskless
        // one): the cluster is ready for a failover when start() returns (waitReplicasInSync).
        '--repl-diskless-sync-delay',
        '0',
      ],
      { stdio: 'ignore' },
    );
    killOnExit(child);
    this.children.set(node.port, child);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`redis-server on port ${node.port} exited`);
      if (await this.ping(node.port)) return;
      await sleep(50);
    }
    throw new Error(`redis-server did not start on port ${node.port}`);
  }

  private async ping(port: number): Promise<boolean> {
    const redis = this.admin(port);
    try {
      await redis.connect();
      return (await redis.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      redis.disconnect();
    }
  }

  /** A plain connection to one node (no cluster routing), for CLUSTER and INFO commands. */
  admin(port: number): Redis {
    const redis = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
    });
    redis.on('error', () => undefined);
    return redis;
  }

  /** Runs one command on one node and closes the connection. */
  async on<T>(port: number, command: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = this.admin(port);
    try {
      await redis.connect();
      return await command(redis);
    } finally {
      redis.disconnect();
    }
  }

  /** The nodes and their roles as a running node sees them (CLUSTER NODES). */
  async roles(): Promise<NodeRole[]> {
    for (const node of this.nodes) {
      if (!this.running(node.port)) continue;
      const text = await this.on(node.port, (r) => r.cluster('NODES') as Promise<string>).catch(
        () => null,
      );
      if (text === null) continue;
      return text
        .trim()
        .split('\n')
        .map((line) => {
          const [id = '', address = '', flags = '', master = '-', , , , , ...slots] =
            line.split(' ');
          return {
            id,
            port: Number(address.split('@')[0]!.split(':')[1]),
            role: flags.includes('master') ? 'master' : 'replica',
            masterId: master === '-' ? null : master,
            failed: flags.includes('fail') && !flags.includes('fail?') ? true : false,
            slots: slots
              .filter((s) => !s.startsWith('['))
              .map((s) => {
                const [from, to] = s.split('-').map(Number);
                return [from!, to ?? from!] as [number, number];
              }),
          } satisfies NodeRole;
        });
    }
    throw new Error('no node of the test cluster answers CLUSTER NODES');
  }

  /** The master serving a slot now. */
  async masterOf(slot: number): Promise<NodeRole> {
    const master = (await this.roles()).find(
      (n) => n.role === 'master' && !n.failed && n.slots.some(([a, b]) => slot >= a && slot <= b),
    );
    if (!master) throw new Error(`no master serves slot ${slot}`);
    return master;
  }

  /** A replica of the master on `port`. */
  async replicaOf(port: number): Promise<NodeRole> {
    const roles = await this.roles();
    const master = roles.find((n) => n.port === port);
    const replica = roles.find((n) => n.masterId === master?.id && !n.failed);
    if (!replica) throw new Error(`the master on port ${port} has no replica`);
    return replica;
  }

  /**
   * A manual failover (`CLUSTER FAILOVER` on the replica): the replica waits until it has every
   * write of its master, then takes its slots over; no write is lost. First waits until that
   * replica is in sync (waitReplicasInSync). Resolves once the replica is the master and every
   * node says cluster_state:ok.
   */
  async failover(masterPort: number): Promise<{ newMasterPort: number }> {
    const replica = await this.replicaOf(masterPort);
    await this.waitReplicasInSync(10_000, [replica.port]);
    await run('redis-cli', ['-p', String(replica.port), 'cluster', 'failover']);
    await this.waitMaster(replica.port);
    return { newMasterPort: replica.port };
  }

  /**
   * A master's crash: SIGKILLed. The other masters take it for failed after the node timeout and
   * its replica is elected in its place; writes it had not yet passed to the replica are lost.
   * First waits until that replica is in sync (waitReplicasInSync), as a long-running replica
   * would be. Resolves once the replica is the master and every running node says
   * cluster_state:ok.
   */
  async crash(masterPort: number): Promise<{ newMasterPort: number }> {
    const replica = await this.replicaOf(masterPort);
    await this.waitReplicasInSync(10_000, [replica.port]);
    await this.kill(masterPort);
    await this.waitMaster(replica.port);
    return { newMasterPort: replica.port };
  }

  /** Until the node on `port` is a master and the cluster is healthy again. */
  private async waitMaster(port: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.roles()).find((n) => n.port === port)?.role !== 'master') {
      if (Date.now() > deadline)
        throw new Error(`the node on port ${port} did not become a master within ${timeoutMs} ms`);
      await sleep(20);
    }
    await this.waitHealthy(Math.max(1_000, deadline - Date.now()));
  }

  /** SIGKILLs one node, as a crash would. */
  async kill(port: number): Promise<void> {
    const child = this.children.get(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  running(port: number): boolean {
    const child = this.children.get(port);
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Until every running node says cluster_state:ok and agrees on one master per slot range. */
  async waitHealthy(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const states = await Promise.all(
        this.nodes
          .filter((n) => this.running(n.port))
          .map((n) =>
            this.on(n.port, (r) => r.cluster('INFO')).then(
              (info) => /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown',
              () => 'down',
            ),
          ),
      );
      if (states.every((s) => s === 'ok')) return;
      last = states.join(', ');
      await sleep(50);
    }
    throw new Error(`the test Redis Cluster is not healthy after ${timeoutMs} ms: ${last}`);
  }

  /**
   * Until every running replica (or those on `ports`) has finished its sync with its master
   * (master_link_status:up, no sync in progress). The failover tests' premise is a replica that
   * has its master's writes; one still waiting for its first sync may be promoted all the same
   * (seen, failing over 1 to 2 s after the cluster's creation: the new master served the tick
   * queue's BullMQ job schedulers without their fields, only the iteration counter written since,
   * and those tick chains stopped for good).
   */
  async waitReplicasInSync(timeoutMs = 20_000, ports?: number[]): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const replicas =
        ports ??
        (await this.roles()).filter((n) => n.role === 'replica' && !n.failed).map((n) => n.port);
      const links = await Promise.all(
        replicas
          .filter((port) => this.running(port))
          .map((port) =>
            this.on(port, (r) => r.info('replication')).then(
              (info) =>
                /master_link_status:up/.test(info) && /master_sync_in_progress:0/.test(info)
                  ? 'up'
                  : `${port} ${/master_link_status:(\w+)/.exec(info)?.[1] ?? 'unknown'}`,
              () => `${port} unreachable`,
            ),
          ),
      );
      if (links.every((l) => l === 'up')) return;
      last = links.filter((l) => l !== 'up').join(', ');
      await sleep(50);
    }
    throw new Error(
      `the test Redis Cluster's replicas are not in sync after ${timeoutMs} ms: ${last}`,
    );
  }

  /** Kills every node and removes the directory. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(
      [...this.children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
