// Removes every key this run wrote (its own prefix) and nothing else.
const Redis = require('ioredis');

module.exports = async function redisGlobalTeardown() {
  const prefix = process.env.REDIS_PREFIX;
  if (!prefix || !prefix.startsWith('oc-test-')) return;
  const redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
};
