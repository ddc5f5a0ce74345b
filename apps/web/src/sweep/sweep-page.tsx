'use client';

import {
  type SweepInfo,
  type SweepObjectiveId,
  sweepObjectiveIds,
  type SweepPointResult,
  type SweepProgress,
  type SweepResult,
  sweepSocketEvents,
} from '@overcommit/contracts';
import { Alert, Button, Group, Progress, Stack, Text } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useFormatter, useTranslations } from 'next-intl';
import { useCallback, useEffect, useState } from 'react';
import { CartesianGrid, ComposedChart, Line, ReferenceDot, Tooltip, XAxis, YAxis } from 'recharts';
import type { ApiError } from '../api';
import { useApiUrl } from '../app-config';
import { pathOf } from '../home/new-cluster';
import { rememberOperatorToken } from '../home/tokens';
import { useErrorText } from '../i18n/errors';
import { sharedSocket } from '../live/socket';
import { palette } from '../ui/format';
import { PageSettings } from '../ui/language-switch';
import { cancelSweep, openPointAsCluster, sweepInfo } from './sweep-api';

const FINISHED = new Set(['done', 'failed', 'cancelled']);
const POLL_MS = 3000;
const ratio = (n: number) => String(Math.round(n * 1000) / 1000);

/** The first objective a point fails, in the contract's order, or null when all held. */
export function firstFailure(p: SweepPointResult): SweepObjectiveId | null {
  return sweepObjectiveIds.find((id) => !p.objectives[id]) ?? null;
}

/** A grid cell's kind: the first objective the point fails, or `held`. */
const cellKind = (p: SweepPointResult): SweepObjectiveId | 'held' => firstFailure(p) ?? 'held';

/** `/sweeps/[id]?token=`: progress (socket, polling as a fallback), cancel, then the result. */
export function SweepPage({ sweepId, token }: { sweepId: string; token: string | undefined }) {
  const t = useTranslations('sweep');
  const apiUrl = useApiUrl();
  const errorText = useErrorText();
  const [info, setInfo] = useState<SweepInfo | null>(null);
  const [progress, setProgress] = useState<SweepProgress | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(async () => {
    const r = await sweepInfo(apiUrl, sweepId, token);
    if (r.ok) {
      setInfo(r.value);
      setError(null);
    } else setError(r.error);
    return r;
  }, [apiUrl, sweepId, token]);

  const finished = info ? FINISHED.has(info.status) : false;
  // GET now and every few seconds until finished: the fallback when the socket says nothing.
  useEffect(() => {
    if (finished) return;
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [load, finished]);
  // Progress over socket.io; the end of the sweep fetches its result.
  useEffect(() => {
    const socket = sharedSocket(apiUrl);
    const watch = () =>
      socket.emit(
        sweepSocketEvents.watchSweep,
        { sweepId, ...(token ? { token } : {}) },
        (ack: { ok: boolean; progress?: SweepProgress }) => {
          if (ack?.ok && ack.progress) setProgress(ack.progress);
        },
      );
    const onProgress = (p: SweepProgress) => {
      if (p.sweepId !== sweepId) return;
      setProgress(p);
      if (FINISHED.has(p.status)) void load();
    };
    socket.on(sweepSocketEvents.sweepProgress, onProgress);
    socket.on('connect', watch);
    if (socket.connected) watch();
    return () => {
      socket.off(sweepSocketEvents.sweepProgress, onProgress);
      socket.off('connect', watch);
    };
  }, [apiUrl, sweepId, token, load]);

  const status =
    info && FINISHED.has(info.status) ? info.status : (progress?.status ?? info?.status);
  const done = Math.max(progress?.done ?? 0, info?.done ?? 0);
  const total = progress?.total ?? info?.total ?? 0;
  return (
    <main className="page sweep-page">
      <header className="home-head">
        <h1>{t('page.title', { id: sweepId })}</h1>
        <p className="lede">
          {info ? t('page.scenario', { name: info.scenario }) : null}{' '}
          <Link href="/sweeps/new">{t('page.another')}</Link>
        </p>
        <PageSettings />
      </header>
      {error ? (
        <Alert color="red" role="alert" data-testid="sweep-error" title={errorText(error)} />
      ) : null}
      {status && status !== 'done' ? (
        <section className="panel" data-testid="sweep-progress">
          <Group justify="space-between" wrap="wrap">
            <Text fw={600} data-testid="sweep-status">
              {t(`page.status.${status}`)}
            </Text>
            <Text size="sm">{t('page.progress', { done, total })}</Text>
          </Group>
          <Progress value={total ? (100 * done) / total : 0} mt="xs" animated={!finished} />
          {status === 'queued' || status === 'running' ? (
            <Button
              mt="sm"
              variant="default"
              size="xs"
              data-testid="sweep-cancel"
              onClick={() =>
                void cancelSweep(apiUrl, sweepId, token).then((r) =>
                  r.ok ? setInfo(r.value) : setError(r.error),
                )
              }
            >
              {t('page.cancel')}
            </Button>
          ) : null}
          {info?.status === 'failed' ? (
            <Text c="red" mt="xs">
              {t('page.failed', { error: info.error ?? '' })}
            </Text>
          ) : null}
          {info?.status === 'cancelled' ? <Text mt="xs">{t('page.cancelled')}</Text> : null}
        </section>
      ) : null}
      {info?.status === 'done' && info.result ? (
        <SweepResultView result={info.result} sweepId={sweepId} token={token} />
      ) : null}
    </main>
  );
}

function SweepResultView({
  result,
  sweepId,
  token,
}: {
  result: SweepResult;
  sweepId: string;
  token: string | undefined;
}) {
  return (
    <Stack gap="md" data-testid="sweep-result">
      <Answer result={result} />
      <DensityChart result={result} />
      <FailureGrid result={result} />
      <PointsTable result={result} sweepId={sweepId} token={token} />
    </Stack>
  );
}

function Answer({ result }: { result: SweepResult }) {
  const t = useTranslations('sweep');
  const format = useFormatter();
  const rec = result.recommended === null ? null : result.points[result.recommended]!;
  const knee = result.knee === null ? null : result.points[result.knee]!;
  const savings = result.savings;
  return (
    <section className="panel" aria-labelledby="answer-title" data-testid="sweep-answer">
      <div className="panel-head">
        <h2 id="answer-title">{t('answer.title')}</h2>
      </div>
      {rec ? (
        <Text>
          {t('answer.recommended', {
            cpu: ratio(rec.cpuAllocationRatio),
            ram: ratio(rec.ramAllocationRatio),
            hosts: rec.hosts,
            refHosts: result.reference.hosts,
          })}{' '}
          {savings
            ? savings.purchaseUsd !== null
              ? t('answer.saves', {
                  usd: format.number(savings.purchaseUsd, {
                    style: 'currency',
                    currency: 'USD',
                    maximumFractionDigits: 0,
                  }),
                  watts: format.number(Math.round(savings.watts)),
                })
              : t('answer.savesWatts', { watts: format.number(Math.round(savings.watts)) })
            : null}
        </Text>
      ) : (
        <Text>{t('answer.none')}</Text>
      )}
      <Text mt="xs" data-testid="sweep-knee">
        {knee
          ? t('answer.knee', {
              cpu: ratio(knee.cpuAllocationRatio),
              ram: ratio(knee.ramAllocationRatio),
              hosts: knee.hosts,
              lost: format.number(100 - knee.performancePct.mean, { maximumFractionDigits: 1 }),
            })
          : t('answer.noKnee')}
      </Text>
    </section>
  );
}

const CHART_HEIGHT = 280;

/** Hosts saved (x) against p95 ready and performance lost (y), one point per policy. */
function DensityChart({ result }: { result: SweepResult }) {
  const t = useTranslations('sweep');
  const { ref, width } = useElementSize();
  const rows = result.points
    .map((p, i) => ({
      i,
      saved: result.reference.hosts - p.hosts,
      ready: Math.round(p.readyPct.p95 * 100) / 100,
      lost: Math.round((100 - p.performancePct.mean) * 100) / 100,
      name: `${ratio(p.cpuAllocationRatio)}/${ratio(p.ramAllocationRatio)}`,
    }))
    .sort((a, b) => a.saved - b.saved || a.lost - b.lost);
  const mark = (index: number | null, label: string, color: string) => {
    const row = rows.find((r) => r.i === index);
    return row ? (
      <ReferenceDot
        x={row.saved}
        y={row.lost}
        r={7}
        fill="none"
        stroke={color}
        strokeWidth={2}
        label={{ value: label, position: 'top', fontSize: 11, fill: color }}
      />
    ) : null;
  };
  const recommendedMark = mark(result.recommended, t('chart.recommended'), palette.ok);
  const kneeMark = mark(result.knee, t('chart.knee'), palette.critical);
  return (
    <section className="panel" aria-labelledby="chart-title" data-testid="sweep-chart">
      <div className="panel-head">
        <h2 id="chart-title">{t('chart.title')}</h2>
      </div>
      <ul className="chart-legend" aria-hidden="true">
        <li>
          <span
            className="swatch"
            style={{ borderColor: palette.critical, borderStyle: 'solid' }}
          />
          {t('chart.lost')}
        </li>
        <li>
          <span className="swatch" style={{ borderColor: palette.info, borderStyle: 'dashed' }} />
          {t('chart.ready')}
        </li>
      </ul>
      <div ref={ref} className="chart-box" style={{ height: CHART_HEIGHT }}>
        {width > 0 ? (
          <ComposedChart
            width={width}
            height={CHART_HEIGHT}
            data={rows}
            margin={{ top: 20, right: 20, bottom: 20, left: 0 }}
          >
            <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
            <XAxis
              dataKey="saved"
              type="number"
              domain={['dataMin', 'dataMax']}
              allowDecimals={false}
              tick={{ fontSize: 11 }}
              label={{ value: t('chart.x'), position: 'insideBottom', offset: -10, fontSize: 11 }}
            />
            <YAxis tick={{ fontSize: 11 }} width={48} />
            <Tooltip isAnimationActive={false} />
            <Line
              dataKey="lost"
              name={t('chart.lost')}
              stroke={palette.critical}
              isAnimationActive={false}
              dot={{ r: 3 }}
            />
            <Line
              dataKey="ready"
              name={t('chart.ready')}
              stroke={palette.info}
              strokeDasharray="5 3"
              isAnimationActive={false}
              dot={{ r: 3 }}
            />
            {recommendedMark}
            {kneeMark}
          </ComposedChart>
        ) : null}
      </div>
    </section>
  );
}

const CELL: Record<SweepObjectiveId | 'held', { icon: string; background: string; text: string }> =
  {
    // Words and icons carry the meaning; the colours (Okabe-Ito) only add to it.
    held: { icon: '✓', background: '#009e73', text: '#000' },
    p95ReadyBelowPct: { icon: '◔', background: '#e69f00', text: '#000' },
    swapInAtMostMiB: { icon: '⇅', background: '#56b4e9', text: '#000' },
    worstPerformanceAbovePct: { icon: '▼', background: '#d55e00', text: '#000' },
  };

/** The cpu x ram grid (rows ram, columns cpu), each cell the objective that fails first. */
function FailureGrid({ result }: { result: SweepResult }) {
  const t = useTranslations('sweep');
  const cpus = [...new Set(result.points.map((p) => p.cpuAllocationRatio))].sort((a, b) => a - b);
  const rams = [...new Set(result.points.map((p) => p.ramAllocationRatio))].sort((a, b) => a - b);
  // With hyper-threading or placement axes, a cell shows the first point of its ratios.
  const at = (cpu: number, ram: number) =>
    result.points.find((p) => p.cpuAllocationRatio === cpu && p.ramAllocationRatio === ram);
  return (
    <section className="panel" aria-labelledby="grid-title" data-testid="sweep-grid">
      <div className="panel-head">
        <h2 id="grid-title">{t('grid.title')}</h2>
      </div>
      <Text size="xs" c="dimmed" mb="xs">
        {t('grid.legend')}
      </Text>
      <div className="table-scroll">
        <table className="sweep-grid">
          <thead>
            <tr>
              <th scope="col">{t('grid.corner')}</th>
              {cpus.map((c) => (
                <th key={c} scope="col">
                  {ratio(c)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rams.map((r) => (
              <tr key={r}>
                <th scope="row">{ratio(r)}</th>
                {cpus.map((c) => {
                  const p = at(c, r);
                  if (!p) return <td key={c} />;
                  const kind = cellKind(p);
                  const style = CELL[kind];
                  return (
                    <td
                      key={c}
                      data-testid="sweep-cell"
                      data-kind={kind}
                      style={{ background: style.background, color: style.text }}
                    >
                      <span aria-hidden="true">{style.icon} </span>
                      {kind === 'held' ? t('grid.held') : t(`grid.${kind}`)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function PointsTable({
  result,
  sweepId,
  token,
}: {
  result: SweepResult;
  sweepId: string;
  token: string | undefined;
}) {
  const t = useTranslations('sweep');
  const format = useFormatter();
  const apiUrl = useApiUrl();
  const router = useRouter();
  const errorText = useErrorText();
  const [opening, setOpening] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const n1 = (v: number) => format.number(v, { maximumFractionDigits: 1 });
  const open = (i: number) => {
    setOpening(i);
    setError(null);
    void openPointAsCluster(apiUrl, sweepId, token, i).then((r) => {
      if (r.ok) {
        rememberOperatorToken(r.value.id, r.value.operatorToken);
        router.push(pathOf(r.value.operatorLink));
      } else {
        setOpening(null);
        setError(r.error);
      }
    });
  };
  return (
    <section className="panel" aria-labelledby="table-title" data-testid="sweep-table">
      <div className="panel-head">
        <h2 id="table-title">{t('table.title')}</h2>
      </div>
      {error ? <Alert color="red" role="alert" title={errorText(error)} mb="xs" /> : null}
      <div className="table-scroll">
        <table className="sweep-table">
          <thead>
            <tr>
              <th scope="col">{t('table.policy')}</th>
              <th scope="col">{t('table.hosts')}</th>
              <th scope="col">{t('table.purchase')}</th>
              <th scope="col">{t('table.power')}</th>
              <th scope="col">{t('table.ready')}</th>
              <th scope="col">{t('table.perfMean')}</th>
              <th scope="col">{t('table.perfWorst')}</th>
              <th scope="col">{t('table.swapIn')}</th>
              <th scope="col">{t('table.alarms')}</th>
              <th scope="col">{t('table.held')}</th>
              <th scope="col">{t('table.openHead')}</th>
            </tr>
          </thead>
          <tbody>
            {result.points.map((p, i) => (
              <tr key={i} data-testid="sweep-row">
                <td>
                  {ratio(p.cpuAllocationRatio)}:1 / {ratio(p.ramAllocationRatio)}:1
                  {p.hyperThreading ? ' HT' : ''} {p.placement}
                  {i === result.recommended ? ` ★ ${t('table.recommendedMark')}` : ''}
                  {i === result.knee ? ` ◆ ${t('table.kneeMark')}` : ''}
                </td>
                <td>{p.hosts}</td>
                <td>{p.purchaseUsd === null ? '—' : format.number(p.purchaseUsd)}</td>
                <td>{format.number(Math.round(p.meanPowerW))}</td>
                <td>{n1(p.readyPct.p95)}</td>
                <td>{n1(p.performancePct.mean)}</td>
                <td>{n1(p.performancePct.worst)}</td>
                <td>{n1(p.swapInMiB)}</td>
                <td>{p.alarmsFired}</td>
                <td>{p.meetsObjectives ? `✓ ${t('table.yes')}` : `✗ ${t('table.no')}`}</td>
                <td>
                  <Button
                    size="compact-xs"
                    variant="default"
                    loading={opening === i}
                    disabled={opening !== null}
                    onClick={() => open(i)}
                    data-testid="sweep-open"
                    aria-label={t('table.openAria', {
                      cpu: ratio(p.cpuAllocationRatio),
                      ram: ratio(p.ramAllocationRatio),
                    })}
                  >
                    {t('table.open')}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
