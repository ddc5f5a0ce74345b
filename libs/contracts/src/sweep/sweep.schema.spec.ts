import {
  checkSweepWork,
  parseRatioAxis,
  parseSweepRequest,
  scenarioSchema,
  SWEEP_LIMITS,
  sweepPointCount,
} from '../index';

describe('parseRatioAxis', () => {
  it('expands a range with both ends, on a 6-decimal grid, sorted and without duplicates', () => {
    expect(parseRatioAxis('1:2:0.1')).toEqual([1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2]);
    expect(parseRatioAxis('1:4:0.25')).toHaveLength(13);
    // The end is kept only when the step lands on it.
    expect(parseRatioAxis('1:2:0.3')).toEqual([1, 1.3, 1.6, 1.9]);
    expect(parseRatioAxis('2,1,1.5,2')).toEqual([1, 1.5, 2]);
    expect(parseRatioAxis([3, 1])).toEqual([1, 3]);
    expect(parseRatioAxis(2)).toEqual([2]);
  });

  it('says what is wrong', () => {
    expect(parseRatioAxis('4:1:0.25')).toBe(
      'a range goes up: start 4 is past end 1 (write 1:4:0.25)',
    );
    expect(parseRatioAxis('1:2:0')).toBe("a range's step must be greater than 0, got 0");
    expect(parseRatioAxis('1:2')).toBe('a range is start:end:step (such as 1:4:0.25), got "1:2"');
    expect(parseRatioAxis('0:2:1')).toBe('ratios must be greater than 0, got 0');
    expect(parseRatioAxis('1:100:0.0001')).toBe('990,001 values; a sweep has at most 400 points');
    expect(parseRatioAxis('1,,2')).toContain('expected ratios such as 1,1.5,2');
    expect(parseRatioAxis([])).toBe('expected at least one ratio');
    expect(parseRatioAxis(['1'])).toContain('expected ratios (numbers)');
    expect(parseRatioAxis({})).toContain('expected ratios');
  });
});

describe('the sweep request', () => {
  it('takes defaults for the objectives', () => {
    const parsed = parseSweepRequest({ cpu: '1:2:0.5', ram: [1], minutes: 60 });
    expect(parsed).toEqual({
      ok: true,
      request: {
        cpu: [1, 1.5, 2],
        ram: [1],
        minutes: 60,
        objectives: { p95ReadyBelowPct: 5, swapInAtMostMiB: 0, worstPerformanceAbovePct: 90 },
      },
    });
    if (parsed.ok) expect(sweepPointCount(parsed.request)).toBe(3);
  });

  it('counts every axis against the point limit', () => {
    // 10 x 10 x 2 x 2 = 400: at the limit, accepted.
    expect(
      parseSweepRequest({
        cpu: '1:10:1',
        ram: '1:10:1',
        hyperThreading: ['on', 'off'],
        placement: ['spread', 'pack'],
        minutes: 1,
      }).ok,
    ).toBe(true);
    const parsed = parseSweepRequest({
      cpu: '1:11:1',
      ram: '1:10:1',
      hyperThreading: ['on', 'off'],
      placement: ['spread', 'pack'],
      minutes: 1,
    });
    expect(parsed).toEqual({
      ok: false,
      errors: [
        {
          path: 'cpu',
          message:
            '440 points (cpu 11 x ram 10 x hyperThreading 2 x placement 2); a sweep has at most 400',
        },
      ],
    });
  });

  it('bounds the work in VM-steps', () => {
    expect(checkSweepWork(25, 1000, 3600)).toEqual([]);
    const [error] = checkSweepWork(400, 1000, 3600);
    expect(error!.path).toBe('minutes');
    expect(error!.message).toContain(`at most ${SWEEP_LIMITS.vmSteps.toLocaleString('en-US')}`);
  });
});

describe('the scenario cost section', () => {
  const base = {
    version: 1,
    name: 'c',
    hosts: [{ name: 'h', cpu: { sockets: 1, coresPerSocket: 4 }, memoryGiB: 16 }],
  };
  it('is optional, with an optional kWh price', () => {
    expect(scenarioSchema.parse(base).cost).toBeUndefined();
    expect(scenarioSchema.parse({ ...base, cost: { hostPriceUsd: 9000 } }).cost).toEqual({
      hostPriceUsd: 9000,
    });
  });
  it('refuses a negative price and unknown keys', () => {
    expect(scenarioSchema.safeParse({ ...base, cost: { hostPriceUsd: -1 } }).success).toBe(false);
    expect(
      scenarioSchema.safeParse({ ...base, cost: { hostPriceUsd: 1, hostPrice: 2 } }).success,
    ).toBe(false);
  });
});
