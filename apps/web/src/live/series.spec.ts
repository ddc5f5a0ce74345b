import { decodeFrameColumns, encodeFrame, type Frame, type HostFrame } from '@overcommit/contracts';
import { gapPoint, lttb, pointOf, Series, type SeriesPoint } from './series';

const point = (tick: number, cpu = tick % 7): SeriesPoint => ({
  ...gapPoint(tick, tick),
  cpuUsagePct: cpu,
  hostCpu: new Float32Array([cpu, 100 - cpu]),
  hostReady: new Float32Array([0, 1]),
});

const ticksOf = (series: Series) => Array.from({ length: series.length }, (_, i) => series.tick(i));

describe('the chart series', () => {
  it('keeps at most its capacity, dropping the oldest, so a page left open all day does not grow', () => {
    const series = new Series(100);
    for (let t = 1; t <= 1000; t++) series.add(point(t));
    expect(series.length).toBe(100);
    expect(series.tick(0)).toBe(901);
    expect(series.tick(series.length - 1)).toBe(1000);
    expect(series.metric('cpuUsagePct', 99)).toBe(1000 % 7);
    expect(series.host('cpu', 1, 99)).toBe(100 - (1000 % 7));
  });

  it('keeps ticks in order and once: late history slots in, a repeated tick replaces the first', () => {
    const series = new Series(100);
    for (const t of [5, 6, 7]) series.add(point(t));
    series.add(point(2));
    series.add(point(6, 99));
    expect(ticksOf(series)).toEqual([2, 5, 6, 7]);
    expect(series.metric('cpuUsagePct', 2)).toBe(99);
    expect(series.point(2).hostCpu).toEqual(new Float32Array([99, 1]));
  });

  it('merges a batch of history older than the live ticks, keeping the newest when it overflows', () => {
    const series = new Series(50);
    for (let t = 100; t < 120; t++) series.add(point(t));
    series.addAll(Array.from({ length: 100 }, (_, k) => point(k)));
    expect(series.length).toBe(50);
    expect(series.tick(0)).toBe(70);
    expect(series.tick(series.length - 1)).toBe(119);
    expect(ticksOf(series)).toEqual([
      ...Array.from({ length: 30 }, (_, k) => 70 + k),
      ...Array.from({ length: 20 }, (_, k) => 100 + k),
    ]);
    // Appending after the merge goes on from the right place in the ring.
    series.add(point(120, 3));
    expect(series.tick(series.length - 1)).toBe(120);
    expect(series.tick(0)).toBe(71);
    expect(series.metric('cpuUsagePct', 49)).toBe(3);
  });

  it('keeps a gap a gap: no figures, no hosts', () => {
    const series = new Series(10);
    series.add(point(1));
    series.add(gapPoint(2, 2));
    series.add(point(3));
    expect(series.isGap(1)).toBe(true);
    expect(series.metric('cpuUsagePct', 1)).toBeNull();
    expect(series.host('cpu', 0, 1)).toBeNull();
    expect(series.isGap(2)).toBe(false);
  });

  it('gives the window of simulated time ending at the newest point', () => {
    const series = new Series(1000);
    for (let t = 1; t <= 600; t++) series.add(point(t));
    const from = series.windowStart(300);
    expect(series.time(from)).toBe(300);
    expect(series.length - from).toBe(301);
    expect(series.time(series.length - 1)).toBe(600);
  });
});

describe('downsampling (LTTB)', () => {
  const data = Array.from({ length: 3600 }, (_, i) => Math.sin(i / 50) * 50 + 50);
  const read = (values: readonly (number | null)[]) => (i: number) => values[i] ?? null;

  it('draws a long window with as many points as asked, keeping the first and the last', () => {
    const out = lttb(0, data.length, 300, read(data));
    expect(out).toHaveLength(300);
    expect(out[0]).toBe(0);
    expect(out.at(-1)).toBe(data.length - 1);
    expect([...out].sort((a, b) => a - b)).toEqual(out);
  });

  it('samples only the window asked for', () => {
    const out = lttb(3000, 3600, 100, read(data));
    expect(out[0]).toBe(3000);
    expect(out.at(-1)).toBe(3599);
    expect(out.every((i) => i >= 3000 && i < 3600)).toBe(true);
  });

  it('keeps the peaks a chart must show', () => {
    const spiky = data.map((v, i) => (i === 1234 ? 1000 : v));
    expect(lttb(0, spiky.length, 200, read(spiky))).toContain(1234);
  });

  it('never joins a line over a gap: gap points survive', () => {
    const withGap = data.map((v, i) => (i === 2000 ? null : v));
    expect(lttb(0, withGap.length, 150, read(withGap))).toContain(2000);
  });

  it('returns short series whole', () => {
    expect(lttb(0, 50, 300, read(data))).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('a chart point from the wire', () => {
  const host = (name: string, state: HostFrame['state'], cpu: number, remote: number[]) =>
    ({
      name,
      state,
      hyperThreading: true,
      logicalCpus: 64,
      physicalCores: 32,
      vcpus: 96,
      vmsRunning: 10,
      cpuUsagePct: cpu,
      cpuDemandPct: cpu,
      cpuReadyPct: cpu / 10,
      vcpuRatio: 1.5,
      memTotalMiB: 65536,
      memConfiguredMiB: 60000,
      memActiveMiB: 30000,
      memConsumedMiB: 40000,
      memOvercommitRatio: 0.92,
      memState: 'high',
      memFreeMiB: 20000,
      sharedMiB: 0,
      balloonMiB: 0,
      compressedMiB: 0,
      swapUsedMiB: 0,
      swapTotalMiB: 8192,
      swapInMiBps: 0,
      powerWatts: 300,
      numa: remote.map((pct, node) => ({
        node,
        cpuUsagePct: cpu,
        memUsedMiB: 1000 * (node + 1),
        memTotalMiB: 32768,
        remoteAccessPct: pct,
      })),
    }) satisfies HostFrame;
  const frame: Frame = {
    tick: 7,
    time: 35,
    stepSeconds: 5,
    cluster: {
      hostsTotal: 3,
      hostsUp: 2,
      vmsTotal: 30,
      vmsRunning: 20,
      vcpus: 288,
      logicalCpus: 192,
      vcpuRatio: 1.5,
      cpuAllocationRatio: 4,
      memConfiguredMiB: 180000,
      memTotalMiB: 196608,
      memOvercommitRatio: 0.92,
      ramAllocationRatio: 1.5,
      cpuUsagePct: 41.25,
      cpuReadyPct: 3.3,
      memActiveMiB: 90000,
      memConsumedMiB: 120000,
      balloonMiB: 2048,
      compressedMiB: 0,
      swapUsedMiB: 0,
      powerWatts: 900,
      energyKWh: 0.01,
      alarms: { warning: 0, critical: 0 },
    },
    hosts: [
      host('a', 'up', 50, [10, 40]),
      host('b', 'failed', 0, [90]),
      host('c', 'up', 20, [0, 0]),
    ],
    alarms: [],
    events: [],
  };

  it('reads the columns as they came: hosts by name, NUMA-remote weighted by memory of hosts up', () => {
    const point = pointOf(decodeFrameColumns(encodeFrame(frame)), ['c', 'a', 'gone']);
    expect(Array.from(point.hostCpu!)).toEqual([20, 50, NaN]);
    expect(point.hostReady![1]).toBeCloseTo(5, 5);
    // Up hosts only (b failed): (10x1000 + 40x2000 + 0 + 0) / (1000 + 2000 + 1000 + 2000) = 15%.
    expect(point.numaRemotePct).toBeCloseTo(15, 10);
    expect(point.numaLocalPct).toBeCloseTo(85, 10);
    // At the wire's precision: one decimal for percentages, GiB from whole MiB.
    expect(point.cpuUsagePct).toBe(41.3);
    expect(point.balloonGiB).toBe(2);
    expect(point.powerKW).toBe(0.9);
  });

  it('keeps each host’s memory for its page’s chart: consumed, active, reclaimed, swapped, in GiB', () => {
    const point = pointOf(decodeFrameColumns(encodeFrame(frame)), ['a', 'b']);
    const series = new Series(10);
    series.add(point);
    const h = frame.hosts[0]!;
    expect(series.host('memConsumed', 0, 0)).toBeCloseTo(h.memConsumedMiB / 1024, 3);
    expect(series.host('memActive', 0, 0)).toBeCloseTo(h.memActiveMiB / 1024, 3);
    expect(series.host('reclaimed', 0, 0)).toBeCloseTo((h.balloonMiB + h.compressedMiB) / 1024, 3);
    expect(series.host('swap', 0, 0)).toBeCloseTo(h.swapUsedMiB / 1024, 3);
    expect(series.host('cpu', 1, 0)).toBe(0);
  });
});
