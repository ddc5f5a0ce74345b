import { apiEnvSchema, parseEnv, parseRedisNodes, type ApiEnv } from '@overcommit/contracts';

/** Injection token for the parsed, typed environment. */
export const API_CONFIG = Symbol('API_CONFIG');
export type ApiConfig = ApiEnv;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment once, at start-up; a bad value is a ConfigError with one line. In
 * production (NODE_ENV=production) it also refuses to fall back on a default where a secret is
 * needed: REDIS_URL (or REDIS_CLUSTER_NODES) must be given, and a Redis that is not on this machine
 * must have a password: in REDIS_URL, or REDIS_CLUSTER_PASSWORD for a Redis Cluster.
 */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const result = parseEnv(apiEnvSchema, env);
  if (!result.ok) throw new ConfigError(result.message);
  // One Redis or one Redis Cluster: with both named, which one holds the data would be a guess.
  if (env['REDIS_URL'] && env['REDIS_CLUSTER_NODES'])
    throw new ConfigError(
      'Invalid environment: REDIS_URL and REDIS_CLUSTER_NODES are both set: set REDIS_URL for one Redis, or REDIS_CLUSTER_NODES (with REDIS_CLUSTER_PASSWORD) for a Redis Cluster, not both',
    );
  if (env['REDIS_CLUSTER_PASSWORD'] && !env['REDIS_CLUSTER_NODES'])
    throw new ConfigError(
      'Invalid environment: REDIS_CLUSTER_PASSWORD is set without REDIS_CLUSTER_NODES: for one Redis, put the password in REDIS_URL (redis://:<password>@host:6379)',
    );
  if (result.value.NODE_ENV === 'production') {
    const problems = productionProblems(env, result.value);
    if (problems.length > 0)
      throw new ConfigError(
        `Refusing to start in production (NODE_ENV=production): ${problems.join('; ')}`,
      );
  }
  return result.value;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function productionProblems(env: NodeJS.ProcessEnv, config: ApiConfig): string[] {
  const problems: string[] = [];
  const clusterNodes = config.REDIS_CLUSTER_NODES
    ? parseRedisNodes(config.REDIS_CLUSTER_NODES)
    : null;
  if (clusterNodes) {
    const remote = clusterNodes.filter((node) => !LOOPBACK.has(node.host));
    if (remote.length > 0 && !config.REDIS_CLUSTER_PASSWORD)
      problems.push(
        `REDIS_CLUSTER_PASSWORD is unset for the Redis Cluster at ${remote[0]!.host}:${remote[0]!.port}: give the nodes' password (requirepass on the Redis side)`,
      );
  } else if (!env['REDIS_URL'])
    problems.push(
      "REDIS_URL is unset: name the deployment's Redis, with its password, e.g. redis://:<password>@redis:6379 (no default is used in production)",
    );
  else {
    const url = new URL(config.REDIS_URL);
    if (!LOOPBACK.has(url.hostname) && !url.password)
      problems.push(
        `REDIS_URL has no password for Redis at ${url.hostname}: use redis://:<password>@${url.host} (requirepass on the Redis side)`,
      );
  }
  return problems;
}

/** Browser origins allowed by CORS: CORS_ORIGINS, or the web app on WEB_PORT. */
export function corsOrigins(config: ApiConfig): string[] {
  if (config.CORS_ORIGINS) {
    return config.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
  }
  return [`http://localhost:${config.WEB_PORT}`, `http://127.0.0.1:${config.WEB_PORT}`];
}

/** The dashboard's address as people reach it, without a trailing slash: PUBLIC_URL, or the web app on WEB_PORT. */
export function publicUrl(config: ApiConfig): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.WEB_PORT}`).replace(/\/+$/, '');
}
