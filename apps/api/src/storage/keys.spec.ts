import { HASH_SLOTS, hashSlot } from '../redis/hash-slot';
import {
  clusterIndexKey,
  clusterKeys,
  creatorKey,
  exerciseKeys,
  tickQueueOf,
  tickQueuePrefixes,
} from './keys';

describe('hash slots and the keys that must share one', () => {
  it('hashes keys as Redis Cluster does, hash tags included', () => {
    // What CLUSTER KEYSLOT answers (Redis 7.0). An empty tag hashes the whole key ('a{}b{c}':
    // ioredis's cluster-key-slot says 15725 there; none of our keys has an empty tag).
    const slots: [string, number][] = [
      ['foo', 12182],
      ['oc:clusters', 3451],
      ['oc:{a1b2c3d4e5f6}:state', 5163],
      ['{user1000}.following', 3443],
      ['a{}b{c}', 7353],
      ['{}', 15257],
      ['x{y', 2740],
      ['oc:bull:{oc:ticks:3~17}:ticks:wait', 3402],
      ['ünïcödé{é}', 10180],
    ];
    expect(slots.map(([key]) => [key, hashSlot(key)])).toEqual(slots);
  });

  it("keeps a cluster's keys and channels in one slot, and the reservation's two sets in another", () => {
    const keys = Object.values(clusterKeys('oc', 'a1b2c3d4e5f6'));
    expect(new Set(keys.map(hashSlot))).toEqual(new Set([hashSlot('a1b2c3d4e5f6')]));
    expect(hashSlot(creatorKey('oc', 'abcdef0123456789'))).toBe(hashSlot(clusterIndexKey('oc')));
    // Old names kept: a deployment upgraded in place still finds its clusters and exercises.
    expect(clusterIndexKey('oc')).toBe('oc:clusters');
    expect(exerciseKeys('oc', 'e1')).toEqual({
      record: 'oc:exercise:e1',
      report: 'oc:exercise:e1:report',
    });
  });

  it('keeps the one tick queue of one Redis where it always was', () => {
    expect(tickQueuePrefixes('oc', 1, false)).toEqual(['oc:bull']);
    expect(tickQueueOf('a1b2c3d4e5f6', 1)).toBe(0);
  });

  it.each([1, 3, 4, 6, 12, 64])(
    'tags each of %i tick queues with a slot of its own part of the slot range',
    (count) => {
      const prefixes = tickQueuePrefixes('oc', count, true);
      expect(prefixes).toHaveLength(count);
      const width = HASH_SLOTS / count;
      prefixes.forEach((prefix, i) => {
        expect(prefix).toMatch(new RegExp(`^oc:bull:\\{oc:ticks:${i}(~\\d+)?\\}$`));
        // BullMQ's keys are `<prefix>:<queue>:<type>`: all in the tag's slot.
        const slot = hashSlot(`${prefix}:ticks:wait`);
        expect(slot).toBe(hashSlot(`${prefix}:ticks:repeat`));
        expect(Math.abs(slot - (i + 0.5) * width)).toBeLessThanOrEqual(width / 4);
      });
      // The same on every process.
      expect(tickQueuePrefixes('oc', count, true)).toEqual(prefixes);
    },
  );

  it('puts each cluster in the queue of its part of the slot range, spread evenly', () => {
    const count = 6;
    const perQueue = new Array<number>(count).fill(0);
    const elsewhere: string[] = [];
    for (let n = 0; n < 6000; n++) {
      const id = (n * 2654435761).toString(16).padStart(12, '0').slice(-12);
      const q = tickQueueOf(id, count);
      if (Math.floor(hashSlot(id) / (HASH_SLOTS / count)) !== q) elsewhere.push(id);
      perQueue[q]!++;
    }
    expect(elsewhere).toEqual([]);
    for (const n of perQueue) expect(n).toBeGreaterThan(800);
  });
});
