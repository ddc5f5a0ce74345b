import { z } from 'zod';
import { zodIssuesToInputErrors } from '../errors/zod-issues';
import { CLUSTER_LIMITS_CEILING, LIVE_CLUSTER_LIMITS } from '../scenario/scenario-limits';

const TRUST_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;
/** Express's `trust proxy` list: names, IPv4/IPv6 addresses, each optionally with /bits. */
function trustProxyListValid(value: string): boolean {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return (
    entries.length > 0 &&
    entries.every((entry) => {
      if (TRUST_NAMES.has(entry)) return true;
      const [address = '', bits, ...rest] = entry.split('/');
      if (rest.length > 0) return false;
      const v4 = IPV4.test(address) && address.split('.').every((part) => Number(part) <= 255);
      const v6 = !v4 && address.includes(':') && /^[0-9a-fA-F:.]+$/.test(address);
      if (!v4 && !v6) return false;
      return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (v4 ? 32 : 128));
    })
  );
}

/** Where Redis answers; every process of one deployment points at the same one. */
export const redisUrlSchema = z
  .string()
  .default('redis://127.0.0.1:6379')
  .refine((value) => /^rediss?:\/\/[^\s/]+(\/\d+)?$/.test(value) && URL.canParse(value), {
    message: 'a redis:// or rediss:// URL such as redis://127.0.0.1:6379',
  });

/** One seed node of a Redis Cluster: `host:port`, an IPv6 address in brackets (`[::1]:7000`). */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

const NODE_ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

/**
 * REDIS_CLUSTER_NODES as a list of addresses, or null when an entry is not `host:port`. Any
 * subset of the cluster's nodes will do: the client learns the rest from the first that answers.
 */
export function parseRedisNodes(value: string): RedisNodeAddress[] | null {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  const nodes: RedisNodeAddress[] = [];
  for (const entry of entries) {
    const match = NODE_ADDRESS.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) return null;
    // ioredis wants an IPv6 address without its brackets.
    nodes.push({ host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port });
  }
  return nodes;
}

const portSchema = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .refine((value) => /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 65535, {
      message: 'a TCP port, a whole number from 1 to 65535',
    })
    .transform(Number);

const countSchema = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .default(String(fallback))
    .refine((value) => /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= max, {
      message:
        max === Number.MAX_SAFE_INTEGER
          ? 'a whole number, at least 1'
          : `a whole number from 1 to ${max}`,
    })
    .transform(Number);

export const processRoles = ['api', 'worker', 'all'] as const;
export type ProcessRole = (typeof processRoles)[number];

export const roleSchema = z
  .string()
  .default('all')
  .refine((value): value is ProcessRole => (processRoles as readonly string[]).includes(value), {
    message: `one of ${processRoles.join(', ')}`,
  });

const originListSchema = z
  .string()
  .optional()
  .refine(
    (value) =>
      value === undefined ||
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean)
        .every((origin) => URL.canParse(origin)),
    { message: 'a comma-separated list of origins such as http://localhost:3000' },
  );

/** The API process (and, with ROLE=worker or all, the tick worker). */
export const apiEnvSchema = z.object({
  REDIS_URL: redisUrlSchema,
  /**
   * A Redis Cluster instead of the one Redis of REDIS_URL: some of its nodes, comma-separated
   * `host:port` (the others are discovered). Set it or REDIS_URL, not both.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .refine((value) => value === undefined || parseRedisNodes(value) !== null, {
      message:
        'a comma-separated list of host:port, the Redis Cluster nodes to start from, such as redis-0:6379,redis-1:6379',
    }),
  /** The password of every node of the Redis Cluster (their requirepass, or the default user's). */
  REDIS_CLUSTER_PASSWORD: z.string().optional(),
  /**
   * How many BullMQ queues carry the tick jobs, each cluster's in one of them by its id; on a
   * Redis Cluster each queue is on its own hash slot, so they spread over the shards. Default: 1
   * on one Redis, 6 on a Redis Cluster. Fixed for the life of a deployment's data.
   */
  TICK_QUEUES: z
    .string()
    .optional()
    .refine(
      (value) =>
        value === undefined || (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 64),
      {
        message: 'a whole number from 1 to 64',
      },
    )
    .transform((value) => (value === undefined ? undefined : Number(value))),

  API_PORT: portSchema(3001),
  WEB_PORT: portSchema(3000),
  ROLE: roleSchema,
  /** First segment of every Redis key this deployment writes (`oc:...`); tests use their own. */
  REDIS_PREFIX: z
    .string()
    .default('oc')
    .refine((value) => /^[A-Za-z0-9_-]{1,32}$/.test(value), {
      message: 'letters, digits, "-" or "_", at most 32 of them',
    }),
  /** Browser origins allowed to call the API; default: the web app on WEB_PORT. */
  CORS_ORIGINS: originListSchema,
  /** `production` makes start-up refuse defaults for secrets (see the API's loadApiConfig). */
  NODE_ENV: z.string().optional(),
  /** When set, GET /metrics wants `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z
    .string()
    .optional()
    .refine((value) => value === undefined || value.length >= 16, {
      message: 'at least 16 characters (a random string)',
    }),
  /**
   * Which proxies' X-Forwarded-For to believe for the client's address (rate limits, logs, the
   * clusters an address may create): the front door's address (or addresses, subnets, Express's
   * `trust proxy` names such as `loopback`). Unset: none, and the connection's own address counts.
   */
  TRUST_PROXY: z
    .string()
    .optional()
    .refine((value) => value === undefined || trustProxyListValid(value), {
      message:
        'a comma-separated list of IP addresses, subnets (10.0.0.0/8) or loopback, linklocal, uniquelocal',
    }),
  /**
   * The dashboard's address as people reach it: the base of every link the API hands out (a new
   * cluster's operator and viewer links). Default: http://localhost:WEB_PORT.
   */
  PUBLIC_URL: z
    .string()
    .optional()
    .refine((value) => value === undefined || (/^https?:\/\//.test(value) && URL.canParse(value)), {
      message: 'an http:// or https:// URL such as https://overcommit.example.org',
    }),
  /** Hosts one cluster may have (after count expansion). */
  SCENARIO_MAX_HOSTS: countSchema(LIVE_CLUSTER_LIMITS.hosts, CLUSTER_LIMITS_CEILING.hosts),
  /** VMs one cluster may have, from its scenario and create-vm together. */
  SCENARIO_MAX_VMS: countSchema(LIVE_CLUSTER_LIMITS.vms, CLUSTER_LIMITS_CEILING.vms),
  /** Logical CPUs (sockets x cores x threads) over one cluster's hosts. */
  SCENARIO_MAX_LOGICAL_CPUS: countSchema(
    LIVE_CLUSTER_LIMITS.logicalCpus,
    CLUSTER_LIMITS_CEILING.logicalCpus,
  ),
  /** Timed events in one scenario. */
  SCENARIO_MAX_EVENTS: countSchema(LIVE_CLUSTER_LIMITS.events, CLUSTER_LIMITS_CEILING.events),
  /** Clusters this deployment keeps at once (exercise teams included). */
  MAX_CLUSTERS: countSchema(200),
  /** Clusters one client address may have at once (exercise teams included). */
  MAX_CLUSTERS_PER_ADDRESS: countSchema(50),
  /** Points (grid, plus the 1:1 reference) one sweep of the API may run (the CLI's limit is 400). */
  SWEEP_MAX_POINTS: countSchema(100, 400),
  /** VM-steps (runs x VMs x ticks) one sweep of the API may take (the CLI's limit is 500,000,000). */
  SWEEP_MAX_VM_STEPS: countSchema(100_000_000, 500_000_000),
  /** Sweeps queued or running at once on this deployment. */
  SWEEP_MAX_ACTIVE: countSchema(8),
  /** Sweeps queued or running at once from one client address. */
  SWEEP_MAX_ACTIVE_PER_ADDRESS: countSchema(2),
  /** How long a sweep and its result are kept, seconds (default a week). */
  SWEEP_TTL_SECONDS: countSchema(604_800),
  /** HTTP requests per minute per client address before 429 (health and metrics are not counted). */
  RATE_LIMIT_HTTP: countSchema(600),
  /** socket.io events (join, command, ...) per 10 s per connection before they are refused. */
  RATE_LIMIT_SOCKET: countSchema(50),
  /** socket.io events per 10 s from one client address, over all its connections. */
  RATE_LIMIT_SOCKET_ADDRESS: countSchema(200),
  /**
   * Live frames compressed once per tick for every WebSocket that negotiated permessage-deflate
   * (browsers and socket.io clients offer it; clients that do not get plain frames): `on` or `off`.
   */
  LIVE_COMPRESSION: z.enum(['on', 'off']).default('on'),
  /** Log level: fatal, error, warn, info, debug or trace. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});
export type ApiEnv = z.infer<typeof apiEnvSchema>;

/** The web app's server side. NEXT_PUBLIC_API_URL is baked into the browser bundle at build time. */
export const webEnvSchema = z.object({
  WEB_PORT: portSchema(3000),
  /**
   * The API's URL as the browser reaches it, read when pages are served:
   * `same-origin` behind a front door that routes /api and /socket.io.
   */
  API_URL: z
    .string()
    .optional()
    .refine(
      (value) =>
        value === undefined ||
        value === 'same-origin' ||
        (/^https?:\/\//.test(value) && URL.canParse(value)),
      { message: 'an http:// or https:// URL such as http://localhost:3001, or same-origin' },
    ),
  NEXT_PUBLIC_API_URL: z
    .string()
    .default('http://localhost:3001')
    .refine((value) => /^https?:\/\//.test(value) && URL.canParse(value), {
      message: 'an http:// or https:// URL such as http://localhost:3001',
    }),
});
export type WebEnv = z.infer<typeof webEnvSchema>;

/** The launcher behind `npm start` and `npm test`. */
export const launcherEnvSchema = apiEnvSchema.pick({
  REDIS_URL: true,
  API_PORT: true,
  WEB_PORT: true,
});
export type LauncherEnv = z.infer<typeof launcherEnvSchema>;

export type EnvResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Parses the environment once. On failure the message is one line per bad
 * variable naming the variable, the value it had and what was expected,
 * e.g. `API_PORT="abc": expected a TCP port, a whole number from 1 to 65535`.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): EnvResult<z.output<S>> {
  // Empty strings count as unset, as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return { ok: true, value: result.data };
  const message = zodIssuesToInputErrors(result.error.issues)
    .map(({ path: name, message }) => {
      const value = env[name];
      const shown = value === undefined ? '(unset)' : JSON.stringify(value);
      return `${name}=${shown}: expected ${message}`;
    })
    .join('; ');
  return { ok: false, message: `Invalid environment: ${message}` };
}
