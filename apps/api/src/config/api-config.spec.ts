import { describeRedis, redactUrl } from '../redis/redis.module';
import { ConfigError, corsOrigins, loadApiConfig } from './api-config';

describe('API configuration', () => {
  it('stops start-up with one line naming the variable, its value and what was expected', () => {
    expect(() => loadApiConfig({ ROLE: 'scheduler' })).toThrow(ConfigError);
    expect(() => loadApiConfig({ ROLE: 'scheduler' })).toThrow(
      'Invalid environment: ROLE="scheduler": expected one of api, worker, all',
    );
  });

  it('allows the web app on WEB_PORT by default, and exactly the listed origins otherwise', () => {
    expect(corsOrigins(loadApiConfig({ WEB_PORT: '4000' }))).toEqual([
      'http://localhost:4000',
      'http://127.0.0.1:4000',
    ]);
    expect(
      corsOrigins(loadApiConfig({ CORS_ORIGINS: 'https://oc.example.org, http://localhost:3000' })),
    ).toEqual(['https://oc.example.org', 'http://localhost:3000']);
  });

  it('refuses a CORS_ORIGINS entry that is not an origin', () => {
    expect(() => loadApiConfig({ CORS_ORIGINS: 'not an origin' })).toThrow(
      /CORS_ORIGINS="not an origin"/,
    );
  });

  it('never shows a Redis password in what it logs', () => {
    expect(redactUrl('redis://:s3cret@redis:6379/0')).toBe('redis://:***@redis:6379/0');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('in production refuses to start on a default Redis, or a remote Redis without a password', () => {
    expect(() => loadApiConfig({ NODE_ENV: 'production' })).toThrow(
      /Refusing to start in production \(NODE_ENV=production\): REDIS_URL is unset/,
    );
    expect(() =>
      loadApiConfig({ NODE_ENV: 'production', REDIS_URL: 'redis://redis:6379' }),
    ).toThrow(/REDIS_URL has no password for Redis at redis: use redis:\/\/:<password>@redis:6379/);
    expect(
      loadApiConfig({ NODE_ENV: 'production', REDIS_URL: 'redis://:s3cret@redis:6379' }).REDIS_URL,
    ).toBe('redis://:s3cret@redis:6379');
    // A Redis on this machine, named explicitly, needs no password (npm start, the benchmarks).
    expect(
      loadApiConfig({ NODE_ENV: 'production', REDIS_URL: 'redis://127.0.0.1:6379' }).REDIS_URL,
    ).toBe('redis://127.0.0.1:6379');
    // Outside production the defaults stand.
    expect(loadApiConfig({}).REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('takes one Redis or one Redis Cluster, not both, and a cluster password only for a cluster', () => {
    const cluster = loadApiConfig({ REDIS_CLUSTER_NODES: 'redis-0:6379,redis-1:6379' });
    expect(cluster.REDIS_CLUSTER_NODES).toBe('redis-0:6379,redis-1:6379');
    expect(() =>
      loadApiConfig({ REDIS_URL: 'redis://redis:6379', REDIS_CLUSTER_NODES: 'redis-0:6379' }),
    ).toThrow(
      'Invalid environment: REDIS_URL and REDIS_CLUSTER_NODES are both set: set REDIS_URL for one Redis, or REDIS_CLUSTER_NODES (with REDIS_CLUSTER_PASSWORD) for a Redis Cluster, not both',
    );
    expect(() => loadApiConfig({ REDIS_CLUSTER_PASSWORD: 's3cret' })).toThrow(
      /REDIS_CLUSTER_PASSWORD is set without REDIS_CLUSTER_NODES: for one Redis, put the password in REDIS_URL/,
    );
    // An empty variable is unset, as everywhere.
    expect(loadApiConfig({ REDIS_URL: '', REDIS_CLUSTER_NODES: 'redis-0:6379' })).toMatchObject({
      REDIS_CLUSTER_NODES: 'redis-0:6379',
    });
  });

  it('in production refuses a remote Redis Cluster without a password, and never logs it', () => {
    expect(() =>
      loadApiConfig({ NODE_ENV: 'production', REDIS_CLUSTER_NODES: 'redis-0:6379,redis-1:6379' }),
    ).toThrow(
      'Refusing to start in production (NODE_ENV=production): REDIS_CLUSTER_PASSWORD is unset for the Redis Cluster at redis-0:6379',
    );
    const config = loadApiConfig({
      NODE_ENV: 'production',
      REDIS_CLUSTER_NODES: 'redis-0:6379,redis-1:6379',
      REDIS_CLUSTER_PASSWORD: 's3cret',
    });
    expect(describeRedis(config)).toBe('Redis Cluster at redis-0:6379,redis-1:6379 (password ***)');
    // On this machine (the tests' own cluster) no password is needed.
    expect(
      loadApiConfig({ NODE_ENV: 'production', REDIS_CLUSTER_NODES: '127.0.0.1:7000' })
        .REDIS_CLUSTER_NODES,
    ).toBe('127.0.0.1:7000');
    expect(describeRedis(loadApiConfig({ REDIS_URL: 'redis://:s3cret@redis:6379' }))).toBe(
      'redis://:***@redis:6379',
    );
  });

  it('refuses a METRICS_TOKEN too short to be a secret, and a rate limit that is not a count', () => {
    expect(() => loadApiConfig({ METRICS_TOKEN: 'short' })).toThrow(
      /METRICS_TOKEN="short": expected at least 16 characters/,
    );
    expect(() => loadApiConfig({ RATE_LIMIT_HTTP: '0' })).toThrow(
      /RATE_LIMIT_HTTP="0": expected a whole number, at least 1/,
    );
  });
});
