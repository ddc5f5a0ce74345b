import { apiEnvSchema, parseEnv, parseRedisNodes, webEnvSchema } from './env.schema';

/** The API's documented defaults (README, Configuration). */
const apiDefaults = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  API_PORT: 3001,
  WEB_PORT: 3000,
  ROLE: 'all',
  REDIS_PREFIX: 'oc',
  RATE_LIMIT_HTTP: 600,
  RATE_LIMIT_SOCKET: 50,
  RATE_LIMIT_SOCKET_ADDRESS: 200,
  SCENARIO_MAX_HOSTS: 500,
  SCENARIO_MAX_VMS: 10_000,
  SCENARIO_MAX_LOGICAL_CPUS: 65_536,
  SCENARIO_MAX_EVENTS: 2_000,
  MAX_CLUSTERS: 200,
  MAX_CLUSTERS_PER_ADDRESS: 50,
  SWEEP_MAX_POINTS: 100,
  SWEEP_MAX_VM_STEPS: 100_000_000,
  SWEEP_MAX_ACTIVE: 8,
  SWEEP_MAX_ACTIVE_PER_ADDRESS: 2,
  SWEEP_TTL_SECONDS: 604_800,
  LIVE_COMPRESSION: 'on',
  LOG_LEVEL: 'info',
};

describe('parseEnv', () => {
  it('gives the documented defaults when nothing is set (no proxy trusted, no public URL)', () => {
    expect(parseEnv(apiEnvSchema, {})).toEqual({ ok: true, value: apiDefaults });
    expect(parseEnv(webEnvSchema, {})).toEqual({
      ok: true,
      value: { WEB_PORT: 3000, NEXT_PUBLIC_API_URL: 'http://localhost:3001' },
    });
  });

  it('takes valid values and converts ports to numbers', () => {
    const result = parseEnv(apiEnvSchema, {
      REDIS_URL: 'redis://redis:6380/2',
      API_PORT: '8080',
      ROLE: 'worker',
      UNRELATED: 'ignored',
    });
    expect(result).toEqual({
      ok: true,
      value: { ...apiDefaults, REDIS_URL: 'redis://redis:6380/2', API_PORT: 8080, ROLE: 'worker' },
    });
  });

  it.each([
    ['API_PORT', 'abc', 'API_PORT="abc": expected a TCP port, a whole number from 1 to 65535'],
    ['API_PORT', '70000', 'API_PORT="70000": expected a TCP port'],
    ['ROLE', 'scheduler', 'ROLE="scheduler": expected one of api, worker, all'],
    [
      'REDIS_URL',
      'localhost:6379',
      'REDIS_URL="localhost:6379": expected a redis:// or rediss:// URL',
    ],
    ['TRUST_PROXY', 'the front door', 'TRUST_PROXY="the front door": expected a comma-separated'],
    ['TRUST_PROXY', '10.0.0.1/40', 'TRUST_PROXY="10.0.0.1/40": expected'],
    [
      'REDIS_CLUSTER_NODES',
      'redis://redis-0:6379',
      'REDIS_CLUSTER_NODES="redis://redis-0:6379": expected a comma-separated list of host:port',
    ],
    ['REDIS_CLUSTER_NODES', 'redis-0:6379,redis-1', 'REDIS_CLUSTER_NODES="redis-0:6379,redis-1"'],
    ['REDIS_CLUSTER_NODES', 'redis-0:70000', 'REDIS_CLUSTER_NODES="redis-0:70000"'],
    ['TICK_QUEUES', '0', 'TICK_QUEUES="0": expected a whole number from 1 to 64'],
    ['TICK_QUEUES', 'many', 'TICK_QUEUES="many": expected a whole number from 1 to 64'],
    [
      'PUBLIC_URL',
      'overcommit.example.org',
      'PUBLIC_URL="overcommit.example.org": expected an http',
    ],
    [
      'SCENARIO_MAX_HOSTS',
      '1000000',
      'SCENARIO_MAX_HOSTS="1000000": expected a whole number from 1 to 20000',
    ],
  ])('names %s, its value %s and what was expected', (name, value, expected) => {
    const result = parseEnv(apiEnvSchema, { [name]: value });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain(expected);
      expect(result.message.split('\n')).toHaveLength(1);
    }
  });

  it('reports every bad variable on the same line', () => {
    const result = parseEnv(apiEnvSchema, { API_PORT: '0', ROLE: 'x' });
    expect(result).toEqual({
      ok: false,
      message: expect.stringMatching(
        /^Invalid environment: API_PORT="0": .*; ROLE="x": .*$/,
      ) as string,
    });
  });

  it('takes a front door to trust as addresses, subnets or names', () => {
    for (const value of ['172.28.0.10', '10.0.0.0/8, loopback', '::1', 'fd00::/8'])
      expect(parseEnv(apiEnvSchema, { TRUST_PROXY: value })).toMatchObject({
        ok: true,
        value: { TRUST_PROXY: value },
      });
  });

  it('takes a Redis Cluster as host:port seed nodes, and a count of tick queues', () => {
    const result = parseEnv(apiEnvSchema, {
      REDIS_CLUSTER_NODES: 'redis-0:6379, 10.0.0.7:7001,[fd00::1]:7002',
      REDIS_CLUSTER_PASSWORD: 's3cret',
      TICK_QUEUES: '12',
    });
    expect(result).toMatchObject({
      ok: true,
      value: {
        REDIS_CLUSTER_NODES: 'redis-0:6379, 10.0.0.7:7001,[fd00::1]:7002',
        REDIS_CLUSTER_PASSWORD: 's3cret',
        TICK_QUEUES: 12,
      },
    });
    expect(parseRedisNodes('redis-0:6379, 10.0.0.7:7001,[fd00::1]:7002')).toEqual([
      { host: 'redis-0', port: 6379 },
      { host: '10.0.0.7', port: 7001 },
      { host: 'fd00::1', port: 7002 },
    ]);
    for (const bad of [
      '',
      ',',
      'redis-0',
      'redis-0:',
      ':6379',
      'redis-0:0',
      'a b:1',
      'fd00::1:7002',
    ])
      expect(parseRedisNodes(bad)).toBeNull();
  });

  it('treats an empty variable as unset', () => {
    expect(parseEnv(apiEnvSchema, { API_PORT: '' })).toMatchObject({
      ok: true,
      value: { API_PORT: 3001 },
    });
  });
});
