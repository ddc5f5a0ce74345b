// The private-Redis rule shared by `npm start` and `npm test`: use the Redis at
// REDIS_URL when it answers; otherwise, for a loopback URL with redis-server on
// the PATH, start one for this run and stop it on exit; otherwise say how to get one.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export class LaunchError extends Error {}

/** Resolves to undefined when Redis answers PING at `url`, or to the reason it does not. */
export async function pingRedis(url, timeoutMs = 1500) {
  const { Redis } = require('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const reply = await redis.ping();
    return reply === 'PONG' ? undefined : `it answered ${reply}`;
  } catch (error) {
    return error.code ?? error.message;
  } finally {
    redis.disconnect();
  }
}

/** Whether `command` is on the PATH. */
export function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/**
 * Makes sure a Redis answers at `url`. Returns `{ url, privateRedis, stop }`;
 * `stop()` ends a Redis this call started and does nothing otherwise.
 */
export async function ensureRedis(url, { dataDir, appendOnly = true, log = () => {} }) {
  const reason = await pingRedis(url);
  if (reason === undefined) return { url, privateRedis: false, stop: async () => {} };

  const parsed = new URL(url);
  if (!loopbackHosts.has(parsed.hostname)) {
    throw new LaunchError(`Redis at ${url} does not answer (${reason}): start it or fix REDIS_URL`);
  }
  if (!onPath('redis-server')) {
    throw new LaunchError(
      `No Redis answers at ${url} and redis-server is not installed: install your OS's package (apt-get install redis-server, brew install redis)`,
    );
  }
  const port = parsed.port || '6379';
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, 'redis.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    'redis-server',
    [
      '--port',
      port,
      '--bind',
      '127.0.0.1',
      '-::1',
      '--dir',
      dataDir,
      '--appendonly',
      appendOnly ? 'yes' : 'no',
      '--save',
      '',
      '--hz',
      '100',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', out, out], detached: true },
  );
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    const done = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  };
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (exited) break;
    if ((await pingRedis(url, 500)) === undefined) {
      log(`started a private Redis on port ${port} (data in ${dataDir})`);
      return { url, privateRedis: true, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  const last = readFileSync(logFile, 'utf8').trim().split('\n').at(-1) ?? '';
  throw new LaunchError(
    `No Redis answers at ${url} (${reason}) and the private one did not start: ${last}`,
  );
}
