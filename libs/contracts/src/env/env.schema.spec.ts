import { apiEnvSchema, parseEnv, webEnvSchema } from './env.schema';

describe('parseEnv', () => {
  it('gives the documented defaults when nothing is set', () => {
    expect(parseEnv(apiEnvSchema, {})).toEqual({
      ok: true,
      value: {
        REDIS_URL: 'redis://127.0.0.1:6379',
        API_PORT: 3001,
        WEB_PORT: 3000,
        ROLE: 'all',
        REDIS_PREFIX: 'oc',
        TRUST_PROXY: 'loopback, linklocal, uniquelocal',
        RATE_LIMIT_HTTP: 600,
        RATE_LIMIT_SOCKET: 50,
        LOG_LEVEL: 'info',
      },
    });
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
      value: {
        REDIS_URL: 'redis://redis:6380/2',
        API_PORT: 8080,
        WEB_PORT: 3000,
        ROLE: 'worker',
        REDIS_PREFIX: 'oc',
        TRUST_PROXY: 'loopback, linklocal, uniquelocal',
        RATE_LIMIT_HTTP: 600,
        RATE_LIMIT_SOCKET: 50,
        LOG_LEVEL: 'info',
      },
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

  it('treats an empty variable as unset', () => {
    expect(parseEnv(apiEnvSchema, { API_PORT: '' })).toMatchObject({
      ok: true,
      value: { API_PORT: 3001 },
    });
  });
});
