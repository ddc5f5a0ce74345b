'use client';

import { Button, Group, SegmentedControl, Text, TextInput } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useTranslations } from 'next-intl';
import { memo, type PointerEvent, useCallback, useMemo, useRef, useState } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceArea,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useFeedView } from '../live/hooks';
import type { ClusterFeed } from '../live/feed';
import { type HostMetric, lttb, type Series, type SeriesMetric } from '../live/series';
import { palette, parseSimTime, simTime } from '../ui/format';
import { useWaitingText } from './waiting';

/** The windows a panel offers, in simulated seconds (each labelled in minutes). */
export const WINDOWS = [300, 900, 3600] as const;

/**
 * What a panel's charts show: the last N simulated seconds, following the live ticks, or a fixed
 * range of simulated time (typed in, or dragged across a chart to zoom).
 */
export type TimeView =
  { kind: 'window'; seconds: number } | { kind: 'range'; from: number; to: number };

const DEFAULT_VIEW: TimeView = { kind: 'window', seconds: 900 };

const HEIGHT = 170;
/** The chart's margins and its y axis's width: the plot runs from PLOT_LEFT to width - MARGIN.right. */
const MARGIN = { top: 4, right: 22, bottom: 0, left: -12 };
const Y_AXIS_WIDTH = 48;
const PLOT_LEFT = MARGIN.left + Y_AXIS_WIDTH;
/** Pixels a finger moves sideways before its drag is taken as a zoom rather than a tap. */
const TOUCH_SLOP = 8;

/** A finger on a chart: where it went down, the time there, and whether it is zooming yet. */
interface TouchDrag {
  id: number;
  x: number;
  y: number;
  from: number;
  to: number;
  zooming: boolean;
}

export interface LineSpec {
  key: string;
  /** The line's name in the reader's language (the chart's legend and tooltip). */
  name: string;
  color: string;
  dash?: string;
  /** The line's value at the series' i-th point (null: a gap). */
  value: (series: Series, i: number) => number | null;
}

type Row = Record<string, number | null>;

const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];

/** About `count` round simulated times across [first, last] for the time axis. */
export function timeTicks(first: number, last: number, count = 5): number[] {
  if (!(last > first)) return [first];
  const raw = (last - first) / Math.max(1, count - 1);
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
  view,
  onZoom,
  stagger = 0,
  lines,
  unit,
  domain,
  reference,
  testId,
  waiting,
}: {
  title: string;
  feed: ClusterFeed;
  /** The window (following the live ticks) or the fixed range shown. */
  view: TimeView;
  /** A range dragged across the chart (simulated seconds). */
  onZoom: (from: number, to: number) => void;
  /** Charts that redraw every few ticks take turns: this one's offset. */
  stagger?: number;
  lines: readonly LineSpec[];
  unit: string;
  domain?: [number, number | 'auto'];
  reference?: { value: number; label: string };
  testId: string;
  /** What to say while there is no frame (the panel's, read once for all its charts). */
  waiting: string | null;
}) {
  const { ref, width } = useElementSize();
  const t = useTranslations('help');
  const target = Math.max(60, Math.floor((width || 600) / 2));
  const seconds = view.kind === 'window' ? view.seconds : view.to - view.from;
  // A chart redraws when its window has gained about one drawn point: every
  // tick in the 5-minute window, every few ticks in longer ones (a tick
  // there is less than a pixel), the charts taking turns. A fixed range
  // redraws only when history arrives (its points were loaded late).
  const stepSeconds = useFeedView(feed, (v) => v.stepSeconds, 1);
  const stride = Math.max(1, Math.floor(seconds / Math.max(stepSeconds, 0.001) / target));
  const epoch = useFeedView(
    feed,
    (v) =>
      view.kind === 'range'
        ? -1 - Math.floor(v.seriesVersion / 300)
        : Math.floor((v.seriesVersion + stagger) / stride),
    0,
  );
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  // The window's rows: LTTB on the first line picks the points, then every
  // line is read at those points. The series is a ring of numbers; only the
  // few hundred drawn rows become objects.
  const { rows, span } = useMemo(() => {
    const series = feed.series;
    void epoch;
    const from =
      view.kind === 'range' ? series.indexAtTime(view.from) : series.windowStart(view.seconds);
    const to = view.kind === 'range' ? series.indexAtTime(view.to + 1e-6) : series.length;
    const first = lines[0]!;
    const picked = lttb(from, to, target, (i) => first.value(series, i));
    let gaps = 0;
    for (let i = from; i < to; i++) if (series.isGap(i)) gaps++;
    return {
      rows: picked.map((i) => {
        const row: Row = { time: series.time(i), tick: series.tick(i) };
        for (const l of lines) row[l.key] = l.value(series, i);
        return row;
      }),
      // What the window holds, for anyone checking that no tick is missing: the
      // ticks it spans, the points it has and the gaps (ticks never recovered) in it.
      span: {
        first: to > from ? series.tick(from) : '',
        last: to > from ? series.tick(to - 1) : '',
        count: to - from,
        gaps,
      },
    };
  }, [feed, view, epoch, lines, target]);
  const [xDomain, xTicks] = useMemo(() => {
    const first = rows[0]?.['time'] ?? 0;
    const last = rows[rows.length - 1]?.['time'] ?? 0;
    // About one label per 90 px: a phone's chart gets three, not five cut ones.
    const count = Math.max(2, Math.min(5, Math.floor((width || 600) / 90)));
    return [[first, last] as [number, number], timeTicks(first, last, count)];
  }, [rows, width]);
  const label = (state: { activeLabel?: string | number | undefined }) =>
    state.activeLabel === undefined ? null : Number(state.activeLabel);
  // A finger (pointer events; recharts' own handlers are the mouse's): dragged sideways across the
  // plot it zooms as the mouse does. The box's `touch-action: pan-y` leaves a vertical drag to the
  // browser, which scrolls the page and cancels the pointer.
  const touch = useRef<TouchDrag | null>(null);
  const timeAt = (clientX: number, box: Element) => {
    const r = box.getBoundingClientRect();
    const plot = Math.max(1, r.width - PLOT_LEFT - MARGIN.right);
    const share = Math.min(1, Math.max(0, (clientX - r.left - PLOT_LEFT) / plot));
    // On a tick, as the mouse's drag (recharts' active label) is.
    const step = Math.max(stepSeconds, 0.001);
    return Math.round((xDomain[0] + share * (xDomain[1] - xDomain[0])) / step) * step;
  };
  const onTouchDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.pointerType !== 'touch' || !e.isPrimary || rows.length === 0) return;
    const at = timeAt(e.clientX, e.currentTarget);
    touch.current = {
      id: e.pointerId,
      x: e.clientX,
      y: e.clientY,
      from: at,
      to: at,
      zooming: false,
    };
  };
  const onTouchMove = (e: PointerEvent<HTMLDivElement>) => {
    const f = touch.current;
    if (!f || e.pointerId !== f.id) return;
    const dx = Math.abs(e.clientX - f.x);
    if (!f.zooming && (dx < TOUCH_SLOP || dx < Math.abs(e.clientY - f.y))) return;
    f.zooming = true;
    f.to = timeAt(e.clientX, e.currentTarget);
    setDrag({ from: f.from, to: f.to });
  };
  const onTouchUp = (e: PointerEvent<HTMLDivElement>) => {
    const f = touch.current;
    if (!f || e.pointerId !== f.id) return;
    touch.current = null;
    if (f.zooming && f.from !== f.to) onZoom(Math.min(f.from, f.to), Math.max(f.from, f.to));
    setDrag(null);
  };
  const onTouchCancel = () => {
    touch.current = null;
    setDrag(null);
  };
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
      <div
        ref={ref}
        className="chart-box"
        style={{ height: HEIGHT }}
        onPointerDown={onTouchDown}
        onPointerMove={onTouchMove}
        onPointerUp={onTouchUp}
        onPointerCancel={onTouchCancel}
      >
        {rows.length === 0 ? (
          <div className="empty">
            {view.kind === 'range' ? t('charts.emptyRange') : (waiting ?? t('charts.waiting'))}
          </div>
        ) : width > 0 ? (
          <LineChart
            width={width}
            height={HEIGHT}
            data={rows}
            margin={MARGIN}
            onMouseDown={(state) => {
              const t = label(state);
              if (t !== null) setDrag({ from: t, to: t });
            }}
            onMouseMove={(state) => {
              const t = label(state);
              if (drag && t !== null && t !== drag.to) setDrag({ from: drag.from, to: t });
            }}
            onMouseUp={() => {
              if (drag && drag.from !== drag.to)
                onZoom(Math.min(drag.from, drag.to), Math.max(drag.from, drag.to));
              setDrag(null);
            }}
            onMouseLeave={() => setDrag(null)}
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
            <YAxis
              domain={domain ?? [0, 'auto']}
              tick={{ fontSize: 11 }}
              width={Y_AXIS_WIDTH}
              interval={0}
            />
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
                ifOverflow="extendDomain"
                label={{ value: reference.label, fontSize: 10, position: 'insideTopRight' }}
              />
            ) : null}
            {drag && drag.from !== drag.to ? (
              <ReferenceArea
                x1={Math.min(drag.from, drag.to)}
                x2={Math.max(drag.from, drag.to)}
                fill="var(--line-info)"
                fillOpacity={0.15}
                ifOverflow="hidden"
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

/** A line of one cluster figure. */
const line = (
  key: string,
  name: string,
  color: string,
  metric: SeriesMetric,
  dash?: string,
): LineSpec => ({ key, name, color, dash, value: (s, i) => s.metric(metric, i) });

type ClusterT = ReturnType<typeof useTranslations<'cluster'>>;

/** The cluster charts' lines, named in the reader's language. */
function clusterLines(t: ClusterT) {
  return {
    cpu: [
      line('cpu', t('charts.lines.cpuUsage'), palette.info, 'cpuUsagePct'),
      line('ready', t('charts.lines.cpuReady'), palette.critical, 'cpuReadyPct'),
    ],
    mem: [
      line('consumed', t('charts.lines.consumed'), palette.info, 'memConsumedGiB'),
      line('active', t('charts.lines.active'), palette.ok, 'memActiveGiB'),
      line('balloon', t('charts.lines.ballooned'), palette.warning, 'balloonGiB'),
      line('compressed', t('charts.lines.compressed'), palette.purple, 'compressedGiB'),
      line('swap', t('charts.lines.swapped'), palette.critical, 'swapUsedGiB'),
      line('capacity', t('charts.lines.capacity'), palette.neutral, 'memTotalGiB', '5 4'),
    ],
    numa: [
      line('local', t('charts.lines.local'), palette.ok, 'numaLocalPct'),
      line('remote', t('charts.lines.remote'), palette.critical, 'numaRemotePct'),
    ],
    power: [line('power', t('charts.lines.power'), palette.warning, 'powerKW')],
  };
}
const PCT: [number, number] = [0, 100];
const HOST_COLORS = [palette.info, palette.critical, palette.ok, palette.purple, palette.warning];

/** Per-host CPU lines for the hosts to show (the busiest, or one host on its page). */
function hostLines(
  names: readonly string[],
  indexes: readonly number[],
  metric: HostMetric,
): LineSpec[] {
  return indexes.map((i, k) => ({
    key: `h${i}`,
    name: names[i] ?? `#${i}`,
    color: HOST_COLORS[k % HOST_COLORS.length]!,
    value: (s, at) => s.host(metric, i, at),
  }));
}

/**
 * A panel's time controls: the 5, 15 and 60-minute windows (following the live ticks), a range of
 * simulated time typed in (from, to), and the way back to live after zooming.
 */
export const TimeControls = memo(function TimeControls({
  view,
  onChange,
}: {
  view: TimeView;
  onChange: (view: TimeView) => void;
}) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);
  const t = useTranslations('help');
  const apply = () => {
    const a = parseSimTime(from);
    const b = parseSimTime(to);
    if (a === null || b === null) return setError(t('charts.badTime'));
    if (b <= a) return setError(t('charts.badOrder'));
    setError(null);
    onChange({ kind: 'range', from: a, to: b });
  };
  return (
    <div className="time-controls">
      <SegmentedControl
        size="xs"
        value={view.kind === 'window' ? String(view.seconds) : ''}
        onChange={(v) => onChange({ kind: 'window', seconds: Number(v) })}
        data={WINDOWS.map((w) => ({
          value: String(w),
          label: t('charts.minutes', { count: w / 60 }),
        }))}
        aria-label={t('charts.window')}
      />
      <form
        className="time-range"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <span className="dim legend-inline">{t('charts.range')}</span>
        <TextInput
          size="xs"
          w={76}
          placeholder="0:10:00"
          aria-label={t('charts.from')}
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
          error={error !== null}
        />
        <span aria-hidden="true">–</span>
        <TextInput
          size="xs"
          w={76}
          placeholder="0:20:00"
          aria-label={t('charts.to')}
          value={to}
          onChange={(e) => setTo(e.currentTarget.value)}
          error={error !== null}
        />
        <Button type="submit" size="compact-xs" variant="default">
          {t('charts.show')}
        </Button>
      </form>
      {view.kind === 'range' ? (
        <Group gap={6} className="time-zoomed">
          <span className="dim num" data-testid="time-range">
            {simTime(view.from)}–{simTime(view.to)}
          </span>
          <Button
            size="compact-xs"
            variant="light"
            onClick={() => onChange(DEFAULT_VIEW)}
            data-testid="back-to-live"
          >
            {t('charts.live')}
          </Button>
        </Group>
      ) : (
        <span className="dim legend-inline">{t('charts.dragHint')}</span>
      )}
      {error ? (
        <span className="cmd-result" data-tone="crit" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
});

/** A panel's view and the callbacks its controls and charts use (stable, so charts stay memoised). */
function useTimeView() {
  const [view, setView] = useState<TimeView>(DEFAULT_VIEW);
  const onZoom = useCallback(
    (from: number, to: number) => setView({ kind: 'range', from, to }),
    [],
  );
  return { view, setView, onZoom };
}

/** Lines drawn beside a chart's own (a fork's source, dashed): by chart. */
export type OverlayLines = Partial<Record<'cpu' | 'mem' | 'power', readonly LineSpec[]>>;

/** The cluster's live charts, with 5, 15 and 60-minute windows opened from the history. */
export const ClusterCharts = memo(function ClusterCharts({
  feed,
  overlay,
}: {
  feed: ClusterFeed;
  /** More lines on the CPU, memory and power charts (a fork's source, at the same simulated time). */
  overlay?: OverlayLines;
}) {
  const { view, setView, onZoom } = useTimeView();
  const waiting = useWaitingText();
  const t = useTranslations('cluster');
  const lines = useMemo(() => clusterLines(t), [t]);
  // The busiest hosts are re-ranked every 30 updates, so lines do not swap colours every second.
  const epoch = useFeedView(feed, (v) => Math.floor(v.seriesVersion / 30), 0);
  const busiestKey = useMemo(() => {
    const series = feed.series;
    if (series.length === 0 || series.hostCount === 0 || epoch < 0) return '';
    const at = series.length - 1;
    return Array.from(
      { length: series.hostCount },
      (_, i) => [series.host('cpu', i, at) ?? -1, i] as const,
    )
      .sort((a, b) => b[0] - a[0])
      .slice(0, 5)
      .map(([, i]) => i)
      .join(',');
  }, [feed, epoch]);
  const hostCpuLines = useMemo(
    () => hostLines(feed.hostNames, busiestKey ? busiestKey.split(',').map(Number) : [], 'cpu'),
    [feed, busiestKey],
  );
  const charts: {
    title: string;
    unit: string;
    lines: readonly LineSpec[];
    domain?: [number, number];
    testId: string;
  }[] = [
    {
      title: t('charts.clusterCpu'),
      unit: '%',
      lines: overlay?.cpu ? [...lines.cpu, ...overlay.cpu] : lines.cpu,
      domain: PCT,
      testId: 'chart-cpu',
    },
    {
      title: t('charts.busiestHosts'),
      unit: '%',
      lines: hostCpuLines.length ? hostCpuLines : lines.cpu.slice(0, 1),
      domain: PCT,
      testId: 'chart-hosts',
    },
    {
      title: t('charts.memory'),
      unit: 'GiB',
      lines: overlay?.mem ? [...lines.mem, ...overlay.mem] : lines.mem,
      testId: 'chart-memory',
    },
    {
      title: t('charts.numa'),
      unit: t('charts.numaUnit'),
      lines: lines.numa,
      domain: PCT,
      testId: 'chart-numa',
    },
    {
      title: t('charts.power'),
      unit: 'kW',
      lines: overlay?.power ? [...lines.power, ...overlay.power] : lines.power,
      testId: 'chart-power',
    },
  ];
  return (
    <section className="panel charts" aria-labelledby="charts-title">
      <div className="panel-head">
        <h2 id="charts-title">{t('charts.title')}</h2>
        <TimeControls view={view} onChange={setView} />
      </div>
      <div className="chart-grid">
        {charts.map((chart, i) => (
          <Chart
            key={chart.testId}
            {...chart}
            feed={feed}
            view={view}
            onZoom={onZoom}
            stagger={i}
            waiting={waiting}
          />
        ))}
      </div>
    </section>
  );
});

/** One host's charts (its own page): CPU and, beside it, memory. */
export const HostCharts = memo(function HostCharts({
  feed,
  host,
  memTotalGiB,
}: {
  feed: ClusterFeed;
  host: string;
  /** The host's memory, for the capacity line. */
  memTotalGiB: number | null;
}) {
  const { view, setView, onZoom } = useTimeView();
  const waiting = useWaitingText();
  const t = useTranslations('cluster');
  const th = useTranslations('help');
  const index = feed.hostNames.indexOf(host);
  const cpuLines = useMemo(
    () =>
      index < 0
        ? []
        : [
            {
              ...hostLines(feed.hostNames, [index], 'cpu')[0]!,
              name: t('charts.lines.cpuUsage'),
              color: palette.info,
            },
            {
              ...hostLines(feed.hostNames, [index], 'ready')[0]!,
              key: 'ready',
              name: t('charts.lines.cpuReady'),
              color: palette.critical,
            },
          ],
    [feed, index, t],
  );
  const memLines = useMemo(() => {
    if (index < 0) return [];
    const one = (metric: HostMetric, key: string, name: string, color: string): LineSpec => ({
      key,
      name,
      color,
      value: (s, at) => s.host(metric, index, at),
    });
    return [
      one('memConsumed', 'consumed', t('charts.lines.consumed'), palette.info),
      one('memActive', 'active', t('charts.lines.active'), palette.ok),
      one('reclaimed', 'reclaimed', t('charts.lines.reclaimed'), palette.warning),
      one('swap', 'swap', t('charts.lines.swapped'), palette.critical),
    ];
  }, [index, t]);
  const capacity = useMemo(
    () =>
      memTotalGiB === null
        ? undefined
        : { value: memTotalGiB, label: `${memTotalGiB.toFixed(0)} GiB` },
    [memTotalGiB],
  );
  return (
    <section className="panel charts" aria-labelledby="host-charts-title">
      <div className="panel-head">
        <h2 id="host-charts-title">{t('charts.hostTitle', { host })}</h2>
        <TimeControls view={view} onChange={setView} />
      </div>
      {index >= 0 ? (
        <div className="chart-grid">
          <Chart
            title={t('charts.hostCpu')}
            unit="%"
            feed={feed}
            view={view}
            onZoom={onZoom}
            stagger={5}
            lines={cpuLines}
            domain={PCT}
            testId="chart-host-cpu"
            waiting={waiting}
          />
          <Chart
            title={t('charts.hostMemory')}
            unit="GiB"
            feed={feed}
            view={view}
            onZoom={onZoom}
            stagger={6}
            lines={memLines}
            reference={capacity}
            testId="chart-host-memory"
            waiting={waiting}
          />
        </div>
      ) : (
        <div className="empty">{th('charts.waiting')}</div>
      )}
    </section>
  );
});
