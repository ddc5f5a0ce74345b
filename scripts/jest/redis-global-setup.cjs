// Tests that need Redis use a real one (REDIS_URL, default redis://127.0.0.1:6379).
// `npm test` starts a private Redis first when none answers; run alone, these
// tests fail at once with a clear line instead of skipping.
const { randomBytes } = require('node:crypto');
const Redis = require('ioredis');

module.exports = async function redisGlobalSetup() {
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis tests need a Redis at ${url} and none answers (${error.message}); run them through \`npm test\`, which starts one, or set REDIS_URL`,
    );
  } finally {
    redis.disconnect();
  }
  // Every run writes under its own key prefix, so runs never collide and teardown removes exactly its own keys.
  process.env.REDIS_URL = url;
  process.env.REDIS_PREFIX = `oc-test-${randomBytes(4).toString('hex')}`;
  // Every suite creates its clusters from 127.0.0.1 and not all of them delete theirs: the
  // per-address and total cluster limits are the limits test's own business.
  process.env.MAX_CLUSTERS ??= '100000';
  process.env.MAX_CLUSTERS_PER_ADDRESS ??= '100000';
};
