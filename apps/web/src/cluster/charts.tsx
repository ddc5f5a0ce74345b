'use client';

import { SegmentedControl, Text } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { memo, useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { useFeedView } from '../live/hooks';
import type { ClusterFeed } from '../live/feed';
import { lttb, type SeriesPoint } from '../live/series';
import { palette, simTime } from '../ui/format';

export const WINDOWS = [
  { value: '300', label: '5 min' },
  { value: '900', label: '15 min' },
  { value: '3600', label: '60 min' },
];

const HEIGHT = 170;

export interface LineSpec {
  key: string;
  name: string;
  color: string;
  dash?: string;
  value: (p: SeriesPoint) => number | null;
}

type Row = Record<string, number | null>;

const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];

/** About five round simulated times across [first, last] for the time axis. */
export function timeTicks(first: number, last: number): number[] {
  if (!(last > first)) return [first];
  const raw = (last - first) / 4;
  const step = TICK_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 3600) * 3600;
  const ticks: number[] = [];
  for (let t = Math.ceil(first / step) * step; t <= last; t += step) ticks.push(t);
  return ticks;
}

/**
 * One live chart: the window's points, downsampled (LTTB on the first line)
 * to about one point per two pixels, drawn without animation.
 */
const Chart = memo(function Chart({
  title,
  feed,
  seconds,
  stagger = 0,
  lines,
  unit,
  domain,
  reference,
  testId,
}: {
  title: string;
  feed: ClusterFeed;
  /** The window, in simulated seconds. */
  seconds: number;
  /** Charts that redraw every few ticks take turns: this one's offset. */
  stagger?: number;
  lines: readonly LineSpec[];
  unit: string;
  domain?: [number, number | 'auto'];
  reference?: { value: number; label: string };
  testId: string;
}) {
  const { ref, width } = useElementSize();
  const target = Math.max(60, Math.floor((width || 600) / 2));
  // A chart redraws when its window has gained about one drawn point: every
  // tick in the 5-minute window, every few ticks in longer ones (a tick
  // there is less than a pixel), the charts taking turns.
  const stepSeconds = useFeedView(feed, (v) => v.stepSeconds, 1);
  const stride = Math.max(1, Math.floor(seconds / Math.max(stepSeconds, 0.001) / target));
  const epoch = useFeedView(feed, (v) => Math.floor((v.seriesVersion + stagger) / stride), 0);
  const points = useMemo(
    () => (epoch >= 0 ? feed.series.window(seconds) : []),
    [feed, seconds, epoch],
  );
  const [xDomain, xTicks] = useMemo(() => {
    const first = points[0]?.time ?? 0;
    const last = points[points.length - 1]?.time ?? 0;
    return [[first, last] as [number, number], timeTicks(first, last)];
  }, [points]);
  const rows = useMemo(() => {
    const first = lines[0]!;
    const sampled = lttb(points, target, first.value);
    return sampled.map((p) => {
      const row: Row = { time: p.time, tick: p.tick };
      for (const l of lines) row[l.key] = l.value(p);
      return row;
    });
  }, [points, lines, target]);
  // What the window holds, for anyone checking that no tick is missing: the
  // ticks it spans, the points it has and the gaps (ticks never recovered) in it.
  const span = useMemo(() => {
    let gaps = 0;
    for (const p of points) if (p.hostCpu === null) gaps++;
    return {
      first: points[0]?.tick ?? '',
      last: points[points.length - 1]?.tick ?? '',
      count: points.length,
      gaps,
    };
  }, [points]);
  return (
    <section
      className="chart"
      data-testid={testId}
      aria-label={title}
      data-first-tick={span.first}
      data-last-tick={span.last}
      data-points={span.count}
      data-gaps={span.gaps}
    >
      <Text size="sm" fw={600}>
        {title} <span className="dim">({unit})</span>
      </Text>
      <ul className="chart-legend" aria-hidden="true">
        {lines.map((l) => (
          <li key={l.key}>
            <span
              className="swatch"
              style={{ borderColor: l.color, borderStyle: l.dash ? 'dashed' : 'solid' }}
            />
            {l.name}
          </li>
        ))}
      </ul>
      <div ref={ref} className="chart-box" style={{ height: HEIGHT }}>
        {rows.length === 0 ? (
          <div className="empty">waiting for the first frame…</div>
        ) : width > 0 ? (
          <LineChart
            width={width}
            height={HEIGHT}
            data={rows}
            margin={{ top: 4, right: 8, bottom: 0, left: -12 }}
          >
            {/* Horizontal lines only, fixed ticks, no interval search and our own
                legend: recharts then measures no label, so no tick forces a layout. */}
            <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
            <XAxis
              dataKey="time"
              type="number"
              domain={xDomain}
              ticks={xTicks}
              interval={0}
              tickFormatter={simTime}
              tick={{ fontSize: 11 }}
            />
            <YAxis domain={domain ?? [0, 'auto']} tick={{ fontSize: 11 }} width={48} interval={0} />
            <Tooltip
              isAnimationActive={false}
              labelFormatter={(t) => `t=${simTime(Number(t))}`}
              formatter={(v) => (typeof v === 'number' ? v.toFixed(2) : String(v))}
            />
            {reference ? (
              <ReferenceLine
                y={reference.value}
                stroke={palette.critical}
                strokeDasharray="4 3"
                label={{ value: reference.label, fontSize: 10, position: 'insideTopRight' }}
              />
            ) : null}
            {lines.map((l) => (
              <Line
                key={l.key}
                dataKey={l.key}
                name={l.name}
                stroke={l.color}
                strokeDasharray={l.dash}
                dot={false}
                isAnimationActive={false}
                connectNulls={false}
                strokeWidth={1.5}
              />
            ))}
          </LineChart>
        ) : null}
      </div>
    </section>
  );
});

const CPU_LINES: LineSpec[] = [
  { key: 'cpu', name: 'CPU usage %', color: palette.info, value: (p) => p.cpuUsagePct },
  { key: 'ready', name: 'CPU ready %', color: palette.critical, value: (p) => p.cpuReadyPct },
];
const MEM_LINES: LineSpec[] = [
  { key: 'consumed', name: 'consumed', color: palette.info, value: (p) => p.memConsumedGiB },
  { key: 'active', name: 'active', color: palette.ok, value: (p) => p.memActiveGiB },
  { key: 'balloon', name: 'ballooned', color: palette.warning, value: (p) => p.balloonGiB },
  { key: 'compressed', name: 'compressed', color: palette.purple, value: (p) => p.compressedGiB },
  { key: 'swap', name: 'swapped', color: palette.critical, value: (p) => p.swapUsedGiB },
  {
    key: 'capacity',
    name: 'capacity',
    color: palette.neutral,
    dash: '5 4',
    value: (p) => p.memTotalGiB,
  },
];
const NUMA_LINES: LineSpec[] = [
  { key: 'local', name: 'local %', color: palette.ok, value: (p) => p.numaLocalPct },
  { key: 'remote', name: 'remote %', color: palette.critical, value: (p) => p.numaRemotePct },
];
const POWER_LINES: LineSpec[] = [
  { key: 'power', name: 'power kW', color: palette.warning, value: (p) => p.powerKW },
];
const PCT: [number, number] = [0, 100];
const HOST_COLORS = [palette.info, palette.critical, palette.ok, palette.purple, palette.warning];

/** Per-host CPU lines for the hosts to show (the busiest, or one host on its page). */
function hostLines(
  names: readonly string[],
  indexes: readonly number[],
  metric: 'cpu' | 'ready',
): LineSpec[] {
  return indexes.map((i, k) => ({
    key: `h${i}`,
    name: names[i] ?? `host ${i}`,
    color: HOST_COLORS[k % HOST_COLORS.length]!,
    value: (p) => {
      const arr = metric === 'cpu' ? p.hostCpu : p.hostReady;
      const v = arr ? arr[i] : undefined;
      return v === undefined || Number.isNaN(v) ? null : v;
    },
  }));
}

/** The cluster's live charts, with 5, 15 and 60-minute windows opened from the history. */
export const ClusterCharts = memo(function ClusterCharts({ feed }: { feed: ClusterFeed }) {
  const [windowSeconds, setWindow] = useState('900');
  const seconds = Number(windowSeconds);
  // The busiest hosts are re-ranked every 30 updates, so lines do not swap colours every second.
  const epoch = useFeedView(feed, (v) => Math.floor(v.seriesVersion / 30), 0);
  const busiestKey = useMemo(() => {
    const last = feed.series.last?.hostCpu;
    if (!last || epoch < 0) return '';
    return Array.from(last, (v, i) => [v, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 5)
      .map(([, i]) => i)
      .join(',');
  }, [feed, epoch]);
  const hostCpuLines = useMemo(
    () => hostLines(feed.hostNames, busiestKey ? busiestKey.split(',').map(Number) : [], 'cpu'),
    [feed, busiestKey],
  );
  return (
    <section className="panel charts" aria-labelledby="charts-title">
      <div className="panel-head">
        <h2 id="charts-title">Metrics</h2>
        <SegmentedControl
          size="xs"
          value={windowSeconds}
          onChange={setWindow}
          data={WINDOWS}
          aria-label="Time window"
        />
      </div>
      <div className="chart-grid">
        {[
          {
            title: 'Cluster CPU usage and ready',
            unit: '%',
            lines: CPU_LINES,
            domain: PCT,
            testId: 'chart-cpu',
          },
          {
            title: 'CPU usage, 5 busiest hosts',
            unit: '%',
            lines: hostCpuLines.length ? hostCpuLines : CPU_LINES.slice(0, 1),
            domain: PCT,
            testId: 'chart-hosts',
          },
          {
            title: 'Memory against capacity',
            unit: 'GiB',
            lines: MEM_LINES,
            testId: 'chart-memory',
          },
          {
            title: 'NUMA local against remote',
            unit: '% of memory accesses',
            lines: NUMA_LINES,
            domain: PCT,
            testId: 'chart-numa',
          },
          { title: 'Power', unit: 'kW', lines: POWER_LINES, testId: 'chart-power' },
        ].map((chart, i) => (
          <Chart key={chart.testId} {...chart} feed={feed} seconds={seconds} stagger={i} />
        ))}
      </div>
    </section>
  );
});

/** One host's charts (its own page). */
export const HostCharts = memo(function HostCharts({
  feed,
  host,
}: {
  feed: ClusterFeed;
  host: string;
}) {
  const [windowSeconds, setWindow] = useState('900');
  const seconds = Number(windowSeconds);
  const index = feed.hostNames.indexOf(host);
  const lines = useMemo(
    () =>
      index < 0
        ? []
        : [
            {
              ...hostLines(feed.hostNames, [index], 'cpu')[0]!,
              name: 'CPU usage %',
              color: palette.info,
            },
            {
              ...hostLines(feed.hostNames, [index], 'ready')[0]!,
              key: 'ready',
              name: 'CPU ready %',
              color: palette.critical,
            },
          ],
    [feed, index],
  );
  return (
    <section className="panel charts" aria-labelledby="host-charts-title">
      <div className="panel-head">
        <h2 id="host-charts-title">{host}: CPU</h2>
        <SegmentedControl
          size="xs"
          value={windowSeconds}
          onChange={setWindow}
          data={WINDOWS}
          aria-label="Time window"
        />
      </div>
      {lines.length ? (
        <Chart
          title="CPU usage and ready"
          unit="%"
          feed={feed}
          seconds={seconds}
          stagger={5}
          lines={lines}
          domain={[0, 100]}
          testId="chart-host-cpu"
        />
      ) : (
        <div className="empty">waiting for the first frame…</div>
      )}
    </section>
  );
});
