'use client';

// What-if forks (issue 20) on the cluster page: the Fork button (a private, paused copy of this
// cluster at its current tick, opened at once), and on a fork's page its panel: where it comes
// from, run-ahead, and how it compares with its source over the simulated time both have run
// since the fork (the source's lines also drawn, dashed, on the fork's charts).
import { type ClusterSummary, type FrameColumns, type ForkOf } from '@overcommit/contracts';
import { Button, Group } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useEffect, useMemo, useRef, useState } from 'react';
import { type ApiError, clusterSummary, forkCluster, history } from '../api';
import { rememberOperatorToken } from '../home/tokens';
import { useErrorText } from '../i18n/errors';
import type { LineSpec } from './charts';
import { useFeedView } from '../live/hooks';
import { palette, simTime } from '../ui/format';
import { ActButton, CommandResult, useCluster, useCommand } from './context';

const SOURCES_KEY = 'overcommit:fork-sources';

/** The objectives a comparison checks (issue 20): p95 CPU ready, swap-in, the worst VM's speed. */
export const OBJECTIVES = { readyP95Below: 5, worstPerformanceAbove: 90 } as const;

/** The token this browser opened a fork's source with (kept when it forked), if any. */
export function forkSourceToken(forkId: string): string | undefined {
  try {
    const stored = JSON.parse(window.localStorage.getItem(SOURCES_KEY) ?? '{}') as Record<
      string,
      { token?: string }
    >;
    return stored[forkId]?.token;
  } catch {
    return undefined;
  }
}

function rememberForkSource(forkId: string, token: string | undefined): void {
  try {
    const stored = JSON.parse(window.localStorage.getItem(SOURCES_KEY) ?? '{}') as Record<
      string,
      { token?: string; at: number }
    >;
    stored[forkId] = { ...(token ? { token } : {}), at: Date.now() };
    // The newest 100 only.
    const kept = Object.entries(stored)
      .sort((a, b) => b[1].at - a[1].at)
      .slice(0, 100);
    window.localStorage.setItem(SOURCES_KEY, JSON.stringify(Object.fromEntries(kept)));
  } catch {
    // Storage full or disabled: the fork's page then compares only with a public source.
  }
}

/** Forks this cluster and opens the fork (any link that opens a cluster may fork it). */
export function ForkButton() {
  const { apiUrl, clusterId, token, feed } = useCluster();
  const role = useFeedView(feed, (v) => v.role, null);
  const [state, setState] = useState<
    { phase: 'idle' } | { phase: 'sending' } | { phase: 'error'; error: ApiError }
  >({ phase: 'idle' });
  const t = useTranslations('fork');
  const errorText = useErrorText();
  const fork = async () => {
    setState({ phase: 'sending' });
    const r = await forkCluster(apiUrl, clusterId, token);
    if (!r.ok) return setState({ phase: 'error', error: r.error });
    rememberOperatorToken(r.value.id, r.value.operatorToken);
    rememberForkSource(r.value.id, token);
    window.location.assign(
      `/clusters/${encodeURIComponent(r.value.id)}?token=${encodeURIComponent(r.value.operatorToken)}`,
    );
  };
  return (
    <Group gap={6}>
      <Button
        size="xs"
        variant="default"
        onClick={() => void fork()}
        disabled={role === null}
        loading={state.phase === 'sending'}
        data-testid="fork-button"
        title={t('buttonHelp')}
      >
        {t('button')}
      </Button>
      {state.phase === 'error' ? (
        <span className="cmd-result" data-tone="crit" role="alert">
          {errorText(state.error)}
        </span>
      ) : null}
    </Group>
  );
}

/** One sampled tick of a cluster, as a comparison reads it. */
export interface ComparePoint {
  tick: number;
  time: number;
  cpuUsagePct: number;
  cpuReadyPct: number;
  memConsumedGiB: number;
  swapUsedGiB: number;
  powerKW: number;
  swapIn: boolean;
  worstPerformancePct: number | null;
}

const GiB = 1024;

export function comparePoint(frame: FrameColumns): ComparePoint {
  const c = frame.cluster;
  return {
    tick: frame.tick,
    time: frame.time,
    cpuUsagePct: c.cpuUsagePct,
    cpuReadyPct: c.cpuReadyPct,
    memConsumedGiB: c.memConsumedMiB / GiB,
    swapUsedGiB: c.swapUsedMiB / GiB,
    powerKW: c.powerWatts / 1000,
    swapIn: frame.hosts.column('swapInMiBps').some((v) => v > 0),
    worstPerformancePct: c.worstPerformancePct ?? null,
  };
}

/** What the objectives say of a run of points: p95 ready, any swap-in, the worst VM's speed. */
export interface Verdict {
  points: number;
  readyP95: number;
  swapIn: boolean;
  worstPerformance: number | null;
  holds: boolean;
}

export function verdict(points: readonly ComparePoint[]): Verdict | null {
  if (points.length === 0) return null;
  const ready = points.map((p) => p.cpuReadyPct).sort((a, b) => a - b);
  const readyP95 = ready[Math.min(ready.length - 1, Math.ceil(0.95 * ready.length) - 1)]!;
  const swapIn = points.some((p) => p.swapIn);
  const worsts = points.flatMap((p) =>
    p.worstPerformancePct === null ? [] : [p.worstPerformancePct],
  );
  const worstPerformance = worsts.length > 0 ? Math.min(...worsts) : null;
  return {
    points: points.length,
    readyP95,
    swapIn,
    worstPerformance,
    holds:
      readyP95 < OBJECTIVES.readyP95Below &&
      !swapIn &&
      (worstPerformance === null || worstPerformance > OBJECTIVES.worstPerformanceAbove),
  };
}

/** At most this many points a fetch (every Nth tick beyond). */
const MAX_POINTS = 300;
const REFRESH_MS = 4000;

async function points(
  api: string,
  id: string,
  token: string | undefined,
  from: number,
  to: number,
): Promise<ComparePoint[] | null> {
  if (to < from) return [];
  const every = Math.max(1, Math.ceil((to - from + 1) / MAX_POINTS));
  const r = await history(api, id, token, from, to, every);
  return r.ok ? r.value.map(comparePoint) : null;
}

export interface ForkCompare {
  /** The source's points around and after the fork tick (the dashed lines). */
  overlay: ComparePoint[];
  /** Both over the same ticks since the fork: (fork tick, the lesser of their ticks]. */
  window: { from: number; to: number; fromTime: number; toTime: number } | null;
  fork: Verdict | null;
  source: Verdict | null;
  /** The source cannot be read (deleted, or private and this browser has no token for it). */
  sourceGone: boolean;
}

/** A fork's comparison with its source, refreshed every few seconds. */
export function useForkCompare(summary: ClusterSummary | null): ForkCompare | null {
  const { apiUrl, clusterId, token } = useCluster();
  const forkOf = summary?.forkOf;
  const forkTick = summary?.tick ?? 0;
  const [compare, setCompare] = useState<ForkCompare | null>(null);
  // The fork's own tick moves the window's end without restarting the polling.
  const forkTickRef = useRef(forkTick);
  forkTickRef.current = forkTick;
  const sourceId = forkOf?.id;
  const at = forkOf?.tick;
  useEffect(() => {
    if (sourceId === undefined || at === undefined) return;
    const sourceToken = forkSourceToken(clusterId);
    let stopped = false;
    const load = async () => {
      const s = await clusterSummary(apiUrl, sourceId, sourceToken);
      if (stopped) return;
      if (!s.ok) {
        setCompare({ overlay: [], window: null, fork: null, source: null, sourceGone: true });
        return;
      }
      const end = Math.min(forkTickRef.current, s.value.tick);
      const [overlay, forkPoints, sourcePoints] = await Promise.all([
        points(
          apiUrl,
          sourceId,
          sourceToken,
          Math.max(0, at - 300),
          Math.min(s.value.tick, at + 3600),
        ),
        points(apiUrl, clusterId, token, at + 1, end),
        points(apiUrl, sourceId, sourceToken, at + 1, end),
      ]);
      if (stopped) return;
      const f = forkPoints ?? [];
      const o = sourcePoints ?? [];
      setCompare({
        overlay: overlay ?? [],
        window:
          f.length > 0 && o.length > 0
            ? { from: at + 1, to: end, fromTime: f[0]!.time, toTime: f.at(-1)!.time }
            : null,
        fork: verdict(f),
        source: verdict(o),
        sourceGone: overlay === null,
      });
    };
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [apiUrl, clusterId, token, sourceId, at]);
  return forkOf ? compare : null;
}

/** The point of `points` (sorted by time) at `time`, or null when none is within `tolerance`. */
function pointAt(
  points: readonly ComparePoint[],
  time: number,
  tolerance: number,
): ComparePoint | null {
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid]!.time <= time) lo = mid;
    else hi = mid - 1;
  }
  const p = points[lo];
  return p && Math.abs(p.time - time) <= tolerance ? p : null;
}

/** The source's lines, dashed, for the fork's charts: at the same simulated time as each point. */
export function useOverlayLines(
  overlay: readonly ComparePoint[] | undefined,
): Partial<Record<'cpu' | 'mem' | 'power', LineSpec[]>> | undefined {
  const t = useTranslations('fork');
  return useMemo(() => {
    if (!overlay || overlay.length < 2) return undefined;
    const spacing = (overlay.at(-1)!.time - overlay[0]!.time) / (overlay.length - 1);
    const tolerance = spacing * 1.01;
    const line = (
      key: string,
      name: string,
      color: string,
      read: (p: ComparePoint) => number,
    ): LineSpec => ({
      key,
      name,
      color,
      dash: '4 3',
      value: (series, i) => {
        const p = pointAt(overlay, series.time(i), tolerance);
        return p ? read(p) : null;
      },
    });
    return {
      cpu: [
        line('srcCpu', t('overlay.cpuUsage'), palette.info, (p) => p.cpuUsagePct),
        line('srcReady', t('overlay.cpuReady'), palette.critical, (p) => p.cpuReadyPct),
      ],
      mem: [
        line('srcConsumed', t('overlay.consumed'), palette.info, (p) => p.memConsumedGiB),
        line('srcSwap', t('overlay.swapped'), palette.critical, (p) => p.swapUsedGiB),
      ],
      power: [line('srcPower', t('overlay.power'), palette.warning, (p) => p.powerKW)],
    };
  }, [overlay, t]);
}

const AHEAD = [600, 3600] as const;

/** A fork's panel: its source, run-ahead, and the side-by-side summary of the objectives. */
export function ForkPanel({
  summary,
  compare,
}: {
  summary: ClusterSummary;
  compare: ForkCompare | null;
}) {
  const t = useTranslations('fork');
  const ahead = useCommand();
  const forkOf = summary.forkOf as ForkOf;
  const sourceToken = typeof window === 'undefined' ? undefined : forkSourceToken(summary.id);
  const sourceHref = `/clusters/${encodeURIComponent(forkOf.id)}${sourceToken ? `?token=${encodeURIComponent(sourceToken)}` : ''}`;
  const yes = t('compare.yes');
  const no = t('compare.no');
  const cell = (v: Verdict | null, read: (v: Verdict) => string) => (v ? read(v) : '–');
  const rows: { key: string; label: string; read: (v: Verdict) => string }[] = [
    {
      key: 'ready',
      label: t('compare.readyP95', { limit: OBJECTIVES.readyP95Below }),
      read: (v) => `${v.readyP95.toFixed(1)}%`,
    },
    { key: 'swapIn', label: t('compare.swapIn'), read: (v) => (v.swapIn ? yes : no) },
    {
      key: 'worst',
      label: t('compare.worst', { limit: OBJECTIVES.worstPerformanceAbove }),
      read: (v) => (v.worstPerformance === null ? '–' : `${v.worstPerformance.toFixed(1)}%`),
    },
    {
      key: 'holds',
      label: t('compare.holds'),
      read: (v) => (v.holds ? `✔ ${t('compare.held')}` : `✖ ${t('compare.notHeld')}`),
    },
  ];
  return (
    <section className="panel fork-panel" aria-labelledby="fork-title" data-testid="fork-panel">
      <div className="panel-head">
        <h2 id="fork-title">{t('title')}</h2>
        <span className="dim">
          {t.rich('of', {
            tick: forkOf.tick,
            source: (chunks) => (
              <a href={sourceHref} data-testid="fork-source">
                {chunks}
              </a>
            ),
          })}
        </span>
      </div>
      <Group gap="xs" wrap="wrap">
        <span className="dim">{t('runAhead')}</span>
        {AHEAD.map((seconds) => (
          <ActButton
            key={seconds}
            size="xs"
            variant="default"
            disabled={summary.aheadUntil !== undefined}
            onClick={() => void ahead.run({ do: 'run-ahead', seconds })}
            data-testid={`run-ahead-${seconds}`}
          >
            {t('ahead', { minutes: seconds / 60 })}
          </ActButton>
        ))}
        {summary.aheadUntil !== undefined ? (
          <span className="cmd-result" role="status" data-testid="running-ahead">
            {t('runningAhead', { time: simTime(summary.aheadUntil) })}
          </span>
        ) : (
          <CommandResult
            state={
              ahead.state.phase === 'done' && ahead.state.outcome.status !== 'refused'
                ? { phase: 'idle' }
                : ahead.state
            }
          />
        )}
      </Group>
      {compare?.sourceGone ? (
        <p className="dim" data-testid="fork-no-source">
          {t('compare.noSource')}
        </p>
      ) : compare?.window ? (
        <>
          <p className="dim" data-testid="fork-window">
            {t('compare.window', {
              from: simTime(compare.window.fromTime),
              to: simTime(compare.window.toTime),
              points: compare.fork?.points ?? 0,
            })}
          </p>
          <table className="fork-compare" data-testid="fork-compare">
            <thead>
              <tr>
                <th scope="col">{t('compare.objective')}</th>
                <th scope="col">{t('compare.fork')}</th>
                <th scope="col">{t('compare.source')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key} data-testid={`compare-${r.key}`}>
                  <th scope="row">{r.label}</th>
                  <td className="num" data-testid={`compare-${r.key}-fork`}>
                    {cell(compare.fork, r.read)}
                  </td>
                  <td className="num" data-testid={`compare-${r.key}-source`}>
                    {cell(compare.source, r.read)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p data-testid="fork-verdict">
            {compare.fork && compare.source
              ? t(
                  `verdict.${compare.fork.holds ? (compare.source.holds ? 'both' : 'forkOnly') : compare.source.holds ? 'sourceOnly' : 'neither'}`,
                )
              : null}
          </p>
        </>
      ) : (
        <p className="dim" data-testid="fork-waiting">
          {t('compare.waiting')}
        </p>
      )}
    </section>
  );
}
