import {
  DEFAULT_SWEEP_OBJECTIVES,
  scenarioSchema,
  type Scenario,
  type ScenarioInput,
  type SweepPoint,
  type SweepPointResult,
} from '@overcommit/contracts';
import { PercentHistogram } from './histogram';
import { hostsLowerBound, hostsNeeded } from './hosts-needed';
import { judge, runPoint } from './run-point';
import { findKnee, planSweep, recommend, sweep } from './sweep';

// Runs take a second or two each; the machine may be shared.
jest.setTimeout(60_000);

// The small fleet every test here uses. The host model: 1 socket x 8 cores x 2 threads = 16
// logical CPUs, 64 GiB, one NUMA node. The fleet: 12 x web (2 vCPUs, 8 GiB) and 4 x db (4 vCPUs,
// 16 GiB): 12 x 2 + 4 x 4 = 40 vCPUs and 12 x 8 + 4 x 16 = 160 GiB.
const small = (extra: Partial<ScenarioInput> = {}): Scenario =>
  scenarioSchema.parse({
    version: 1,
    name: 'small sweep',
    seed: 3,
    cost: { hostPriceUsd: 10_000, kwhPriceUsd: 0.2 },
    hosts: [
      {
        name: 'esx',
        count: 4,
        cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 2 },
        memoryGiB: 64,
      },
    ],
    vms: [
      { name: 'web', count: 12, vcpus: 2, memoryGiB: 8, workload: { cpu: 0.4 } },
      { name: 'db', count: 4, vcpus: 4, memoryGiB: 16, workload: { cpu: 0.5, memoryActive: 0.8 } },
    ],
    ...extra,
  });

const at = (cpu: number, ram: number, more: Partial<SweepPoint> = {}): SweepPoint => ({
  cpuAllocationRatio: cpu,
  ramAllocationRatio: ram,
  hyperThreading: true,
  placement: 'spread',
  ...more,
});

const settings = {
  minutes: 3,
  stepSeconds: 1,
  hostPriceUsd: 10_000,
  objectives: { ...DEFAULT_SWEEP_OBJECTIVES },
};

describe('hostsNeeded: the engine admission, checked against the arithmetic', () => {
  it('at 1:1 needs 3 hosts', () => {
    // Lower bound: ceil(40 vCPUs / (16 x 1)) = 3, ceil(160 GiB / (64 x 1)) = 3.
    // Spread, in file order: the 12 webs go 4 to each host (32 GiB, 8 vCPUs each); the dbs then
    // take the host with the most free memory: 48, 48, 48 GiB, and the fourth brings one host to
    // 64/64 GiB and 16/16 vCPUs, exactly full. So 3 hosts, the lower bound.
    expect(hostsNeeded(small(), at(1, 1))).toEqual({ hosts: 3, lowerBound: 3 });
  });

  it('at cpu 1.5, ram 1.25 needs 2 hosts', () => {
    // Caps per host: 16 x 1.5 = 24 vCPUs, 64 x 1.25 = 80 GiB. Lower bound: ceil(40 / 24) = 2,
    // ceil(160 / 80) = 2. Webs 6 a host (48 GiB, 12 vCPUs); dbs to 64, 64, then 80 and 80 GiB
    // (20 vCPUs): everything fits on 2.
    expect(hostsNeeded(small(), at(1.5, 1.25))).toEqual({ hosts: 2, lowerBound: 2 });
  });

  it('takes the larger of the two bounds', () => {
    // cpu 1, ram 1.5: ceil(40 / 16) = 3 by CPU, ceil(160 / 96) = 2 by memory: 3.
    expect(hostsLowerBound(small(), at(1, 1.5))).toBe(3);
    // cpu 3, ram 1: ceil(40 / 48) = 1 by CPU, ceil(160 / 64) = 3 by memory: 3.
    expect(hostsLowerBound(small(), at(3, 1))).toBe(3);
    // cpu 4, ram 3: 1 and 1; one host takes 40/64 vCPUs and 160/192 GiB.
    expect(hostsNeeded(small(), at(4, 3))).toEqual({ hosts: 1, lowerBound: 1 });
  });

  it('counts logical CPUs without hyper-threading when the point turns it off', () => {
    // HT off: 8 logical CPUs. cpu 1: ceil(40 / 8) = 5 by CPU (memory: 3). On 5 hosts the webs
    // spread 3, 3, 2, 2, 2 (6, 6, 4, 4, 4 vCPUs: spread ranks by memory only); three dbs (4
    // vCPUs) fill the hosts at 4 to 8/8, and the fourth finds 6 + 4 = 10 > 8 on the other two:
    // refused. On 6 hosts the webs go 2 a host (4 vCPUs) and the dbs fill four of them: 6 hosts.
    expect(hostsNeeded(small(), at(1, 1, { hyperThreading: false }))).toEqual({
      hosts: 6,
      lowerBound: 5,
    });
  });

  it('adds hosts past the lower bound when NUMA strict cannot pack a node', () => {
    // 2 sockets x 4 cores x 2 threads, 64 GiB: two NUMA nodes of 8 logical CPUs and 32 GiB.
    // Six 20 GiB VMs: 120 GiB, lower bound ceil(120 / 64) = 2. A node holds one (two would be
    // 40 > 32 GiB) and strict NUMA refuses a VM no node holds, so a host takes 2: 3 hosts.
    const numa = (mode: 'strict' | 'prefer-local') =>
      small({
        policy: { numa: mode },
        hosts: [
          {
            name: 'esx',
            count: 2,
            cpu: { sockets: 2, coresPerSocket: 4, threadsPerCore: 2 },
            memoryGiB: 64,
          },
        ],
        vms: [{ name: 'vm', count: 6, vcpus: 2, memoryGiB: 20 }],
      });
    expect(hostsNeeded(numa('strict'), at(1, 1))).toEqual({ hosts: 3, lowerBound: 2 });
    // prefer-local lets the third VM of a host go wide: 60/64 GiB, 2 hosts.
    expect(hostsNeeded(numa('prefer-local'), at(1, 1))).toEqual({ hosts: 2, lowerBound: 2 });
  });

  it('refuses a VM bigger than the host model, whatever the number of hosts', () => {
    const big = small({
      vms: [
        { name: 'web', count: 2, vcpus: 2, memoryGiB: 8 },
        { name: 'huge', count: 1, vcpus: 20, memoryGiB: 8 },
      ],
    });
    const verdict = hostsNeeded(big, at(1, 1));
    expect(verdict).toEqual({
      refused:
        'at cpu 1:1, ram 1:1: vms[1] (huge: 20 vCPUs, 8 GiB) fits no host of model esx, even an empty one (vCPUs 20/16 at ratio 1)',
    });
    // At cpu 2 it fits (32 vCPUs a host).
    expect(hostsNeeded(big, at(2, 1))).toEqual({ hosts: 1, lowerBound: 1 });
  });

  it('uses the first host spec as the model and ignores pins', () => {
    const two = small({
      hosts: [
        {
          name: 'esx',
          count: 1,
          cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 2 },
          memoryGiB: 64,
        },
        { name: 'other', count: 9, cpu: { sockets: 4, coresPerSocket: 64 }, memoryGiB: 4096 },
      ],
      vms: [
        { name: 'web', count: 12, vcpus: 2, memoryGiB: 8, host: 'other-01' },
        { name: 'db', count: 4, vcpus: 4, memoryGiB: 16 },
      ],
    });
    expect(hostsNeeded(two, at(1, 1))).toEqual({ hosts: 3, lowerBound: 3 });
  });
});

describe('runPoint', () => {
  it('runs the cluster with the hosts it needs and collects its figures', () => {
    const r = runPoint(small(), at(1, 1), settings);
    expect(r.hosts).toBe(3);
    expect(r.purchaseUsd).toBe(30_000);
    expect(r.ticks).toBe(180);
    expect(r.vmSteps).toBe(180 * 16);
    expect(r.vmsRefused).toBe(0);
    // Three idle-ish hosts: every figure in its range.
    expect(r.meanPowerW).toBeGreaterThan(3 * 86);
    expect(r.meanPowerW).toBeLessThan(3 * 117);
    expect(r.energyKWh).toBeCloseTo((r.meanPowerW * 180) / 3.6e6, 9);
    expect(r.readyPct.p50).toBeLessThanOrEqual(r.readyPct.p95);
    expect(r.readyPct.p95).toBeLessThanOrEqual(r.readyPct.p99);
    expect(r.performancePct.worst).toBeLessThanOrEqual(r.performancePct.mean);
    expect(r.swapInMiB).toBe(0);
    expect(r.meetsObjectives).toBe(true);
  });

  it('is pure: the same figures twice, in any order, through JSON', () => {
    const scenario = small();
    const points = [at(1, 1), at(2, 1.25), at(4, 2), at(3, 1.5, { placement: 'pack' })];
    const forward = points.map((p) => runPoint(scenario, p, settings));
    const backward = [...points].reverse().map((p) => runPoint(scenario, p, settings));
    backward.reverse();
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
    // A scenario that went through a structured clone or JSON (a worker thread) gives the same.
    const copy = JSON.parse(JSON.stringify(scenario)) as Scenario;
    expect(JSON.stringify(runPoint(copy, points[2]!, settings))).toBe(JSON.stringify(forward[2]));
  });

  it('shows contention at high density: one host for the whole fleet', () => {
    // cpu 4, ram 3 puts 40 vCPUs wanting 0.4-0.5 each (about 17 threads) on 8 cores: ready, and
    // 160 GiB configured on 64 GiB: ballooning.
    const dense = runPoint(small(), at(4, 3), { ...settings, minutes: 10 });
    expect(dense.hosts).toBe(1);
    const sparse = runPoint(small(), at(1, 1), { ...settings, minutes: 10 });
    expect(dense.readyPct.p95).toBeGreaterThan(sparse.readyPct.p95);
    expect(dense.performancePct.mean).toBeLessThan(sparse.performancePct.mean);
    expect(dense.balloonMiB.max).toBeGreaterThan(0);
    expect(dense.meetsObjectives).toBe(false);
    expect(dense.alarmsFired).toBeGreaterThan(0);
  });
});

describe('objectives', () => {
  const figures = (p95: number, swapIn: number, worst: number) => ({
    readyPct: { p50: 0, p95, p99: p95 },
    swapInMiB: swapIn,
    performancePct: { mean: 100, worst, worstVm: 'vm-01' },
  });

  it('holds p95 ready below 5 %, no swap-in, the worst VM above 90 % by default', () => {
    const o = { ...DEFAULT_SWEEP_OBJECTIVES };
    expect(judge(o, figures(4.99, 0, 90.01))).toEqual({
      p95ReadyBelowPct: true,
      swapInAtMostMiB: true,
      worstPerformanceAbovePct: true,
    });
    // The bounds themselves fail: below 5, above 90; any swap-in at all fails.
    expect(judge(o, figures(5, 0.001, 90))).toEqual({
      p95ReadyBelowPct: false,
      swapInAtMostMiB: false,
      worstPerformanceAbovePct: false,
    });
  });

  it('can be overridden per request', () => {
    const scenario = small();
    const strict = sweep(scenario, {
      cpu: [1, 4],
      ram: [1, 3],
      minutes: 3,
      objectives: { worstPerformanceAbovePct: 99.99 },
    });
    const loose = sweep(scenario, {
      cpu: [1, 4],
      ram: [1, 3],
      minutes: 3,
      objectives: { p95ReadyBelowPct: 100, swapInAtMostMiB: 1e9, worstPerformanceAbovePct: 0 },
    });
    if (!strict.ok || !loose.ok) throw new Error('refused');
    expect(loose.result.points.every((p) => p.meetsObjectives)).toBe(true);
    // Loose: the densest point, one host (cpu 4, ram 3).
    expect(loose.result.points[loose.result.recommended!]).toMatchObject({ hosts: 1 });
    expect(strict.result.objectives.worstPerformanceAbovePct).toBe(99.99);
    expect(strict.result.objectives.p95ReadyBelowPct).toBe(5);
  });
});

describe('sweep', () => {
  it('recommends the densest point that keeps the objectives and says what it saves against 1:1', () => {
    const scenario = small();
    const progress: [number, number][] = [];
    const out = sweep(scenario, { cpu: '1.5:2:0.5', ram: [1.25, 1.5], minutes: 3 }, (done, total) =>
      progress.push([done, total]),
    );
    if (!out.ok) throw new Error(JSON.stringify(out.errors));
    const r = out.result;
    // Grid: 2 x 2 points, none 1:1, so the reference runs apart: 5 runs.
    expect(progress.at(-1)).toEqual([5, 5]);
    expect(r.points.map((p) => [p.cpuAllocationRatio, p.ramAllocationRatio, p.hosts])).toEqual([
      [1.5, 1.25, 2],
      [1.5, 1.5, 2],
      [2, 1.25, 2],
      [2, 1.5, 2],
    ]);
    expect(r.reference).toMatchObject({ cpuAllocationRatio: 1, ramAllocationRatio: 1, hosts: 3 });
    expect(r.priceSource).toBe('scenario');
    expect(r.hostModel).toBe('esx');
    // Every point needs 2 hosts; the first of them keeps the objectives (its worst VM is above
    // 90 %), and so does every other one: on a tie the earlier point.
    expect(r.recommended).toBe(0);
    const p = r.points[0]!;
    expect(p.meetsObjectives).toBe(true);
    expect(r.savings).toMatchObject({ hosts: 1, purchaseUsd: 10_000 });
    expect(r.savings!.watts).toBeCloseTo(r.reference.meanPowerW - p.meanPowerW, 9);
    expect(r.savings!.energyUsdPerYear).toBeCloseTo(((r.savings!.watts * 8760) / 1000) * 0.2, 6);
    expect(r.answer).toMatch(
      /^the densest policy that keeps the objectives is cpu 1\.5:1, ram 1\.25:1: 2 hosts instead of 3, saves \$10,000 and \d+ W \(\$\d+ of energy a year\); no knee/,
    );
  });

  it('takes the price from the request before the scenario, and says when there is none', () => {
    const { cost: _cost, ...bare } = small();
    const none = sweep(bare, { cpu: [2], ram: [1.5], minutes: 1 });
    const given = sweep(small(), { cpu: [2], ram: [1.5], minutes: 1, hostPriceUsd: 7000 });
    if (!none.ok || !given.ok) throw new Error('refused');
    expect(none.result.priceSource).toBe('none');
    expect(none.result.points[0]!.purchaseUsd).toBeNull();
    expect(given.result.priceSource).toBe('request');
    expect(given.result.points[0]!.purchaseUsd).toBe(2 * 7000);
  });

  it('gives the same result twice', () => {
    const request = { cpu: [1, 2, 4], ram: [1, 2], minutes: 2, placement: ['spread', 'pack'] };
    const a = sweep(small(), request);
    const b = sweep(small(), request);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('the knee (Kneedle on hosts saved against performance lost)', () => {
  const result = (hosts: number, perf: number, meets = true) =>
    ({
      hosts,
      performancePct: { mean: perf, worst: perf, worstVm: 'vm' },
      readyPct: { p50: 0, p95: 0, p99: 0 },
      meetsObjectives: meets,
    }) as SweepPointResult;

  it('is the point farthest above the chord', () => {
    // Reference: 10 hosts, 0 % lost. Points: 8, 6, 4, 2 hosts losing 1, 2, 4, 20 %.
    // x = hosts saved 0, 2, 4, 6, 8 -> 0, .25, .5, .75, 1; y = 0, 1, 2, 4, 20 -> 0, .05, .1, .2, 1.
    // x - y = 0, .2, .4, .55, 0: the knee is the 4-host point (index 2).
    const points = [result(8, 99), result(6, 98), result(4, 96), result(2, 80)];
    expect(findKnee(points, result(10, 100))).toBe(2);
  });

  it('takes the least contention at each host count and drops dominated points', () => {
    // Two 6-host points (2 % and 30 % lost): the 2 % one is on the frontier. A 5-host point
    // losing 50 % is dominated by the 4-host one losing 4 %.
    const points = [
      result(8, 99),
      result(6, 70),
      result(6, 98),
      result(5, 50),
      result(4, 96),
      result(2, 80),
    ];
    expect(findKnee(points, result(10, 100))).toBe(4);
  });

  it('is null when contention does not rise or the frontier is too short', () => {
    expect(findKnee([result(8, 100), result(6, 100)], result(10, 100))).toBeNull();
    expect(findKnee([result(8, 99)], result(10, 100))).toBeNull();
    // Linear: every point on the chord, none above it.
    expect(findKnee([result(8, 98), result(6, 96), result(4, 94)], result(10, 100))).toBeNull();
  });

  it('recommends the fewest hosts among points that keep the objectives', () => {
    const points = [result(8, 99), result(4, 96), result(2, 80, false), result(4, 97)];
    // Two 4-host points: the better worst VM wins.
    expect(recommend(points)).toBe(3);
    expect(recommend([result(2, 80, false)])).toBeNull();
  });
});

describe('bad requests are refused with their paths', () => {
  const refused = (request: unknown) => {
    const out = planSweep(small(), request);
    if (out.ok) throw new Error('accepted');
    return out.errors;
  };

  it('a range that goes down, a zero step, a ratio out of bounds', () => {
    expect(refused({ cpu: '4:1:0.25', ram: [1], minutes: 1 })).toEqual([
      {
        path: 'cpu',
        message: 'a range goes up: start 4 is past end 1 (write 1:4:0.25)',
      },
    ]);
    expect(refused({ cpu: [1], ram: '1:2:0', minutes: 1 })[0]).toEqual({
      path: 'ram',
      message: "a range's step must be greater than 0, got 0",
    });
    expect(refused({ cpu: [0], ram: [1], minutes: 1 })[0]!.path).toBe('cpu');
    expect(refused({ cpu: [101], ram: [1], minutes: 1 })[0]!.message).toContain('at most 100');
  });

  it('too many points, too long a run, too much work', () => {
    const many = refused({ cpu: '1:20:1', ram: '1:21:1', minutes: 1 });
    expect(many).toEqual([
      { path: 'cpu', message: '420 points (cpu 20 x ram 21); a sweep has at most 400' },
    ]);
    expect(refused({ cpu: '1:100:0.001', ram: [1], minutes: 1 })[0]!.message).toBe(
      '99,001 values; a sweep has at most 400 points',
    );
    expect(refused({ cpu: [1], ram: [1], minutes: 2000 })[0]).toMatchObject({ path: 'minutes' });
    // 16 VMs: 400 points x 16 VMs x 86,400 ticks (1,440 minutes) is past 500 million VM-steps.
    const work = refused({ cpu: '1:20:1', ram: '1:20:1', minutes: 1440 });
    expect(work[0]!.path).toBe('minutes');
    expect(work[0]!.message).toContain('a sweep may take at most 500,000,000');
  });

  it('unknown keys, bad objectives and a VM too big for the host model', () => {
    expect(refused({ cpu: [1], ram: [1], minutes: 1, cpus: [2] })[0]!.path).toBe('cpus');
    expect(
      refused({ cpu: [1], ram: [1], minutes: 1, objectives: { p95ReadyBelowPct: -1 } })[0]!.path,
    ).toBe('objectives.p95ReadyBelowPct');
    expect(refused({ cpu: [1], ram: [1], minutes: 1, placement: ['sprad'] })[0]!.path).toBe(
      'placement[0]',
    );
    const big = small({ vms: [{ name: 'huge', count: 1, vcpus: 40, memoryGiB: 8 }] });
    const out = planSweep(big, { cpu: [1, 2], ram: [1], minutes: 1 });
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.errors[0]!.message).toContain('fits no host of model esx');
  });
});

describe('PercentHistogram', () => {
  it('reads percentiles by nearest rank, rounded up to 0.01', () => {
    const h = new PercentHistogram();
    for (let i = 1; i <= 100; i++) h.add(i / 10); // 0.1 .. 10
    expect(h.percentile(50)).toBe(5);
    expect(h.percentile(95)).toBe(9.5);
    expect(h.percentile(99)).toBe(9.9);
    const g = new PercentHistogram();
    g.add(4.991);
    expect(g.percentile(95)).toBe(5); // never below the exact value
    expect(new PercentHistogram().percentile(95)).toBe(0);
  });
});
