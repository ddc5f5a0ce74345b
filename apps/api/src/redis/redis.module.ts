import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { parseRedisNodes } from '@overcommit/contracts';
import { Cluster, Redis } from 'ioredis';
import { API_CONFIG, type ApiConfig } from '../config/api-config';

/** Injection token for the shared command connection. */
export const REDIS = Symbol('REDIS');

/**
 * A connection to the deployment's Redis: one Redis (REDIS_URL) or a Redis Cluster
 * (REDIS_CLUSTER_NODES). Both speak the same commands; what differs on a cluster is that the
 * keys of one command, MULTI, pipeline or script must share a hash slot (keys.ts), pub/sub is
 * sharded (SPUBLISH/SSUBSCRIBE), and a SCAN sees one node's keys only.
 */
export type RedisClient = Redis | Cluster;

/** Where the deployment's Redis is: the variables that say it. */
export type RedisTarget = Pick<
  ApiConfig,
  'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_CLUSTER_PASSWORD'
>;

/**
 * What a connection is for, which sets its options on a cluster:
 * - `commands`: the shared command connection; commands sent in one turn of the event loop go
 *   out as one pipeline per node (ioredis's auto-pipelining), since a pipeline of our own may
 *   not span nodes there;
 * - `subscriber`: SSUBSCRIBE, one subscriber connection per master (ioredis's sharded
 *   subscribers), moved to the new master within a second of a failover;
 * - `queue`: BullMQ's, which waits for Redis as long as it takes (maxRetriesPerRequest null).
 */
export type ConnectionUse = 'commands' | 'subscriber' | 'queue';

export function onCluster(target: Pick<RedisTarget, 'REDIS_CLUSTER_NODES'>): boolean {
  return target.REDIS_CLUSTER_NODES !== undefined;
}

export function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/** Retry connecting every 200 ms more, at most every 2 s (ioredis's single-Redis reconnects, and the cluster's). */
const reconnectDelay = (attempt: number) => Math.min(attempt * 200, 2_000);

/**
 * Creates a connection. On one Redis, commands sent while it (re)connects wait in the offline
 * queue and fail after two retries, so a request never hangs for long when Redis is away; the
 * health check bounds its PING itself. On a cluster, a command whose node is away (a master
 * being replaced by its replica) is retried every 200 ms for up to 16 tries (about 3 s, longer
 * than a failover takes) before it fails.
 */
export function createRedis(
  target: RedisTarget,
  options: { logger?: Logger; use?: ConnectionUse } = {},
): RedisClient {
  const logger = options.logger ?? new Logger('Redis');
  const use = options.use ?? 'commands';
  const maxRetriesPerRequest = use === 'queue' ? null : 2;
  const showFriendlyErrorStack = process.env.OC_DEBUG_REDIS === '1';
  const nodes = target.REDIS_CLUSTER_NODES ? parseRedisNodes(target.REDIS_CLUSTER_NODES) : null;
  if (nodes) {
    const cluster = new Cluster(nodes, {
      redisOptions: {
        password: target.REDIS_CLUSTER_PASSWORD,
        connectTimeout: 2_000,
        maxRetriesPerRequest,
        showFriendlyErrorStack,
      },
      enableOfflineQueue: true,
      clusterRetryStrategy: reconnectDelay,
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
      slotsRefreshTimeout: 2_000,
      // ioredis refreshes its map of the slots only when a command is MOVED, unless told to look
      // every so often: a subscriber sends no commands, so it would keep listening on a master
      // that handed its slots to its replica (which stops its sharded subscriptions) for ever.
      slotsRefreshInterval: use === 'subscriber' ? 1_000 : 5_000,
      shardedSubscribers: use === 'subscriber',
      enableAutoPipelining: use === 'commands',
      // No ready check on BullMQ's connection. After a master's crash a worker's blocking fetch
      // goes round to the dead node until its replica is promoted (about two node timeouts), so
      // BullMQ's watchdog (block timeout + 1 s) disconnects the worker's blocking connection (a
      // duplicate of this one, with these options) and awaits connect(). ioredis's ready check
      // sends CLUSTER INFO to any node, the dead one included; when it fails, or says
      // cluster_state:fail, ioredis drops every node and connects again in a new attempt, and the
      // connect() promise it handed out never settles (ioredis issue 709): that queue's worker
      // took no job again, for good (the "18 s" stalls: the test's window). Without the check,
      // connect() settles once a node gave the slot map; commands the cluster cannot serve yet
      // are retried (CLUSTERDOWN, closed connections) as on any connection.
      enableReadyCheck: use !== 'queue',
    });
    reportOutages(cluster, describeRedis(target), logger);
    return cluster;
  }
  const url = target.REDIS_URL;
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: true,
    maxRetriesPerRequest,
    connectTimeout: 2_000,
    showFriendlyErrorStack,
    retryStrategy: reconnectDelay,
  });
  let reported = false;
  redis.on('error', (error: Error) => {
    // ioredis repeats the error on every retry; one line per outage is enough.
    if (!reported) logger.warn(`Redis at ${redactUrl(url)} unreachable: ${error.message}`);
    reported = true;
  });
  redis.on('ready', () => {
    if (reported) logger.log(`Redis at ${redactUrl(url)} is back`);
    reported = false;
  });
  return redis;
}

/**
 * A cluster's errors, at most one line per node (or for the cluster as a whole) every 30 s: a
 * node away repeats its error on every retry, and the cluster stays `ready` while one node is
 * replaced, so there is no "back" to wait for.
 */
function reportOutages(cluster: Cluster, where: string, logger: Logger): void {
  const last = new Map<string, number>();
  const report = (about: string, error: Error) => {
    const now = Date.now();
    if (now - (last.get(about) ?? 0) < 30_000) return;
    last.set(about, now);
    logger.warn(`${where}: ${about} unreachable: ${error.message}`);
  };
  cluster.on('error', (error: Error) => report('the cluster', error));
  cluster.on('node error', (error: Error, node: string) => report(`node ${node}`, error));
}

/** Where Redis is, without a password, fit for logs. */
export function describeRedis(target: RedisTarget): string {
  if (target.REDIS_CLUSTER_NODES)
    return `Redis Cluster at ${target.REDIS_CLUSTER_NODES}${target.REDIS_CLUSTER_PASSWORD ? ' (password ***)' : ''}`;
  return redactUrl(target.REDIS_URL);
}

/** A Redis URL without its password, fit for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL: the connection reports that itself; a log line only needs something safe to show.
    return '(invalid URL)';
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) => createRedis(config),
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
