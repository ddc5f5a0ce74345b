import { gapPoint, lttb, Series, type SeriesPoint } from './series';

const point = (tick: number, cpu = tick % 7): SeriesPoint => ({
  ...gapPoint(tick, tick),
  cpuUsagePct: cpu,
  hostCpu: new Float32Array([cpu]),
  hostReady: new Float32Array([0]),
});

describe('the chart series', () => {
  it('keeps at most its capacity, dropping the oldest, so a page left open all day does not grow', () => {
    const series = new Series(100);
    for (let t = 1; t <= 1000; t++) series.add(point(t));
    expect(series.length).toBe(100);
    expect(series.oldestTick()).toBe(901);
    expect(series.last?.tick).toBe(1000);
  });

  it('keeps ticks in order and once: late history slots in, a repeated tick replaces the first', () => {
    const series = new Series(100);
    for (const t of [5, 6, 7]) series.add(point(t));
    series.add(point(2));
    series.add(point(6, 99));
    expect(series.window(1e9).map((p) => p.tick)).toEqual([2, 5, 6, 7]);
    expect(series.window(1e9)[2]!.cpuUsagePct).toBe(99);
  });

  it('gives the window of simulated time ending at the newest point', () => {
    const series = new Series(1000);
    for (let t = 1; t <= 600; t++) series.add(point(t));
    const last5min = series.window(300);
    expect(last5min[0]!.time).toBe(300);
    expect(last5min.at(-1)!.time).toBe(600);
  });
});

describe('downsampling (LTTB)', () => {
  const data = Array.from({ length: 3600 }, (_, i) => point(i, Math.sin(i / 50) * 50 + 50));

  it('draws a long window with as many points as asked, keeping the first and the last', () => {
    const out = lttb(data, 300, (p) => p.cpuUsagePct);
    expect(out).toHaveLength(300);
    expect(out[0]).toBe(data[0]);
    expect(out.at(-1)).toBe(data.at(-1));
    const ticks = out.map((p) => p.tick);
    expect([...ticks].sort((a, b) => a - b)).toEqual(ticks);
  });

  it('keeps the peaks a chart must show', () => {
    const spiky = data.map((p, i) => (i === 1234 ? { ...p, cpuUsagePct: 1000 } : p));
    const out = lttb(spiky, 200, (p) => p.cpuUsagePct);
    expect(out.some((p) => p.cpuUsagePct === 1000)).toBe(true);
  });

  it('never joins a line over a gap: gap points survive', () => {
    const withGap = data.map((p, i) => (i === 2000 ? gapPoint(p.tick, p.time) : p));
    const out = lttb(withGap, 150, (p) => p.cpuUsagePct);
    expect(out.some((p) => p.cpuUsagePct === null)).toBe(true);
  });

  it('returns short series unchanged', () => {
    expect(lttb(data.slice(0, 50), 300, (p) => p.cpuUsagePct)).toHaveLength(50);
  });
});
