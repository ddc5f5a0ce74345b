import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ClusterMeta } from '../storage/cluster-state.repository';
import type { TickJobData } from './ticks.constants';
import type { TickQueues } from './tick-queues';
import {
  alignedAnchor,
  fractionOf,
  phaseFraction,
  phaseMs,
  TicksScheduler,
} from './ticks.scheduler';

/** When BullMQ first fires an `every` scheduler with an offset (its getJobSchedulerEveryNextMillis). */
function bullmqFirstFire(now: number, every: number, offset: number): number {
  const next = Math.floor(now / every) * every + offset;
  return next <= now ? next + every : next;
}

function scheduler(redis: Partial<Redis> = {}): {
  scheduler: TicksScheduler;
  upserts: unknown[][];
} {
  const upserts: unknown[][] = [];
  const queue = {
    on: () => queue,
    upsertJobScheduler: (...args: unknown[]) => {
      upserts.push(args);
      return Promise.resolve();
    },
  } as unknown as Queue<TickJobData>;
  return {
    scheduler: new TicksScheduler(
      { queues: [queue], queueFor: () => queue } as unknown as TickQueues,
      redis as Redis,
      { REDIS_PREFIX: 'test' },
    ),
    upserts,
  };
}

describe('tick schedule', () => {
  const now = 1_764_000_123_456;

  it.each([50, 100, 250, 1000])(
    'puts every cluster on a phase in [1, %i) ms, never 0 (BullMQ reads 0 as no offset)',
    (every) => {
      const phases = Array.from({ length: 5000 }, (_, n) => phaseMs(phaseFraction(n), every));
      expect(Math.min(...phases)).toBe(1);
      expect(Math.max(...phases)).toBeLessThan(every);
      // The phase a cluster's anchor says is the phase it was given.
      const wrong = phases.filter((p) => phaseMs(fractionOf(7 * every + p, every), every) !== p);
      expect(wrong).toEqual([]);
    },
  );

  it.each([
    [1, 200],
    [1, 1000],
    [4321, 200],
  ])(
    'spreads the clusters evenly over the interval (from the %i-th, %i of them)',
    (from, count) => {
      const phases = Array.from({ length: count }, (_, i) => phaseFraction(from + i) * 1000).sort(
        (a, b) => a - b,
      );
      const gaps = phases.slice(1).map((p, i) => p - phases[i]!);
      gaps.push(1000 - phases.at(-1)! + phases[0]!);
      const even = 1000 / count;
      expect(Math.min(...gaps)).toBeGreaterThan(0.3 * even);
      expect(Math.max(...gaps)).toBeLessThan(2.7 * even);
    },
  );

  it.each([50, 100, 333, 1000])(
    'anchors a schedule (every %i ms) on its phase, at most one interval back, so ticks fall due when the jobs fire',
    (every) => {
      const wrong: string[] = [];
      for (let n = 1; n <= 300; n++) {
        const phase = phaseMs(phaseFraction(n), every);
        for (const at of [now, now + 1, now + every - 1, now + 17 * every]) {
          const anchor = alignedAnchor(phase, every, at);
          const offset = ((anchor % every) + every) % every;
          // On the phase, not in the future, less than one interval back, and the
          // first job BullMQ fires for the scheduler is due exactly at the next tick.
          if (
            anchor > at ||
            anchor <= at - every ||
            offset !== phase ||
            bullmqFirstFire(at, every, offset) !== anchor + every
          )
            wrong.push(`phase ${phase} at ${at}: anchor ${anchor}`);
        }
      }
      expect(wrong).toEqual([]);
    },
  );

  it('places each new cluster at the next place of the sequence, counted in Redis', async () => {
    let n = 0;
    const keys: string[] = [];
    const { scheduler: s } = scheduler({
      incr: (key: string) => {
        keys.push(key);
        return Promise.resolve(++n);
      },
    });
    const anchors = [await s.newAnchor(1000, now), await s.newAnchor(1000, now)];
    expect(anchors).toEqual([
      alignedAnchor(phaseMs(phaseFraction(1), 1000), 1000, now),
      alignedAnchor(phaseMs(phaseFraction(2), 1000), 1000, now),
    ]);
    expect(keys).toEqual(['test:ticks:placed', 'test:ticks:placed']);
  });

  it('keeps a cluster at its place in the interval when it resumes or changes speed', () => {
    const { scheduler: s } = scheduler();
    const meta = { baseTickMs: 1000, speed: 1, anchorAt: alignedAnchor(251, 1000, now) };
    const later = now + 12_345;
    expect(s.restartAnchor(meta as ClusterMeta, 1000, later) % 1000).toBe(251);
    const faster = s.restartAnchor(meta as ClusterMeta, 500, later);
    expect(faster % 500).toBe(126);
    expect(later - faster).toBeLessThan(500);
    const back = { baseTickMs: 1000, speed: 2, anchorAt: faster };
    // Within a millisecond of where it was (phases are whole milliseconds).
    expect(s.restartAnchor(back as ClusterMeta, 1000, later) % 1000).toBe(252);
  });

  it('upserts the job scheduler with the offset of the cluster anchor (a whole interval for 0)', async () => {
    const { scheduler: s, upserts } = scheduler();
    const meta = { id: 'abc', baseTickMs: 1000, speed: 2 } as ClusterMeta;
    await s.schedule({ ...meta, anchorAt: alignedAnchor(123, 500, now) });
    await s.schedule({ ...meta, anchorAt: 1_764_000_000_000 });
    expect(upserts.map((args) => [args[0], args[1]])).toEqual([
      ['cluster-abc', { every: 500, offset: 123 }],
      ['cluster-abc', { every: 500, offset: 500 }],
    ]);
  });

  it('warns when Redis wakes delayed jobs too seldom (hz below 100), and not otherwise', async () => {
    const withHz = (hz: string) =>
      scheduler({ config: () => Promise.resolve(['hz', hz]) }).scheduler;
    const refused = scheduler({
      config: () => Promise.reject(new Error('ERR unknown command CONFIG')),
    }).scheduler;
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    try {
      expect(await withHz('100').checkRedisHz()).toBe(100);
      expect(warn).not.toHaveBeenCalled();
      expect(await withHz('10').checkRedisHz()).toBe(10);
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining('hz 10: tick jobs will start up to 100 ms late'),
      );
      expect(await refused.checkRedisHz()).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(debug).toHaveBeenCalledWith(expect.stringContaining('ERR unknown command CONFIG'));
    } finally {
      warn.mockRestore();
      debug.mockRestore();
    }
  });
});
