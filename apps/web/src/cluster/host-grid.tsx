'use client';

import type { HostFrame } from '@overcommit/contracts';
import { Select } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { memo, useMemo, useState } from 'react';
import { levelIcon, type Level } from '../help/thresholds';
import { useFeedView } from '../live/hooks';
import { heat } from '../ui/color';
import { pct, ratio, severityLabel } from '../ui/format';
import { MetricHelp } from '../ui/metric-help';
import { useCluster } from './context';
import { useWaitingText } from './waiting';
import { type SufferingView, sufferingOf } from './suffering';

type Metric = 'cpu' | 'ready' | 'memory' | 'swap';

/**
 * What the heat map can show: the figure read from a host, its full scale and how it is written
 * (its name is cluster.json's `hosts.metric.<value>`).
 */
const METRICS: {
  value: Metric;
  read: (h: HostFrame) => number;
  scale: number;
  scaleText: string;
  format: (v: number) => string;
}[] = [
  {
    value: 'cpu',
    read: (h) => h.cpuUsagePct,
    scale: 100,
    scaleText: '100%',
    format: (v) => pct(v, 0),
  },
  {
    value: 'ready',
    read: (h) => h.cpuReadyPct,
    scale: 20,
    scaleText: '20%',
    format: (v) => pct(v),
  },
  {
    value: 'memory',
    read: (h) => (h.memTotalMiB > 0 ? (h.memConsumedMiB / h.memTotalMiB) * 100 : 0),
    scale: 100,
    scaleText: '100%',
    format: (v) => pct(v, 0),
  },
  {
    value: 'swap',
    read: (h) => h.swapInMiBps,
    scale: 50,
    scaleText: '50 MiB/s',
    format: (v) => `${v.toFixed(1)} MiB/s`,
  },
];

/**
 * One host, redrawn only when what it shows changes. A plain link (the
 * router takes the click), as fifty `next/link`s re-rendered every second
 * cost more than the tiles themselves.
 */
const HostTile = memo(function HostTile(props: {
  name: string;
  state: HostFrame['state'];
  href: string;
  background: string | undefined;
  text: string | undefined;
  value: string;
  /** The host's own overcommit: vCPU:pCPU and memory, each with a mark when past the policy. */
  ratios: string;
  over: boolean;
  vms: number;
  critical: number;
  warning: number;
  /** Its VMs at warning or worse (who suffers), and the worst level among them. */
  suffering: number;
  sufferLevel: Level;
  label: string;
}) {
  const router = useRouter();
  const t = useTranslations('cluster');
  const { name, state, href, background, text, value, ratios, over, vms, critical, warning } =
    props;
  const { suffering, sufferLevel, label } = props;
  return (
    <li>
      <a
        href={href}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
          e.preventDefault();
          router.push(href);
        }}
        className="host-tile"
        data-state={state}
        data-suffering={suffering > 0 ? sufferLevel : undefined}
        data-testid={`host-${name}`}
        style={background ? { background, color: text } : undefined}
        aria-label={label}
        title={label}
      >
        <span className="host-name">{name}</span>
        <span className="host-value-line">
          <span className="host-value num">{value}</span>
          {suffering > 0 ? (
            <span className="suffer-mark" data-testid={`suffer-${name}`}>
              {levelIcon[sufferLevel]}
              {t('hosts.suffer', { count: suffering })}
            </span>
          ) : null}
        </span>
        <span className="host-ratios num">
          {ratios}
          {over ? ' ▲' : ''}
        </span>
        <span className="host-foot">
          {t('hosts.vms', { count: vms })}
          {state === 'maintenance' ? ` · ${t('hosts.maintenance')}` : ''}
          {critical ? (
            <span className="alarm-mark">
              {' '}
              {severityLabel.critical.icon}
              {critical}
            </span>
          ) : null}
          {warning ? (
            <span className="alarm-mark">
              {' '}
              {severityLabel.warning.icon}
              {warning}
            </span>
          ) : null}
        </span>
      </a>
    </li>
  );
});

const marksOf = (view: SufferingView): string =>
  [...view.byHost].map(([host, m]) => `${host}\t${m.count}\t${m.level}`).join('\n');

function parseMarks(key: string): Map<string, { count: number; level: Level }> {
  const map = new Map<string, { count: number; level: Level }>();
  if (!key) return map;
  for (const line of key.split('\n')) {
    const [host, count, level] = line.split('\t');
    map.set(host!, { count: Number(count), level: level as Level });
  }
  return map;
}

/** Hosts as tiles coloured by the chosen metric; state and alarms show as words and icons. */
export const HostGrid = memo(function HostGrid() {
  const { feed, clusterId, token } = useCluster();
  const frame = useFeedView(feed, (v) => v.frame, null);
  // The hosts of the VMs that suffer (the who-suffers panel's judging, once per tick), as a key
  // that changes only when a mark does: the grid does not redraw for every tick's VM figures.
  const marksKey = useFeedView(feed, (v) => (v.vms ? marksOf(sufferingOf(v.vms)) : ''), '');
  const waiting = useWaitingText();
  const t = useTranslations('cluster');
  const th = useTranslations('help');
  const [metric, setMetric] = useState<Metric>('cpu');
  const m = METRICS.find((x) => x.value === metric)!;
  const mLabel = t(`hosts.metric.${metric}`);
  const alarmsByHost = useMemo(() => {
    const map = new Map<string, { critical: number; warning: number }>();
    for (const a of frame?.alarms ?? []) {
      if (a.state === 'resolved' || a.state === 'pending') continue;
      const entry = map.get(a.target) ?? { critical: 0, warning: 0 };
      entry[a.severity]++;
      map.set(a.target, entry);
    }
    return map;
  }, [frame]);
  const suffering = useMemo(() => parseMarks(marksKey), [marksKey]);
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  // The metric picker (a Mantine Select) re-renders only when the metric changes, not every frame.
  const picker = useMemo(
    () => (
      <Select
        size="xs"
        w={170}
        aria-label={t('hosts.colourBy')}
        data={METRICS.map((x) => ({
          value: x.value,
          label: t('hosts.colourByMetric', { metric: t(`hosts.metric.${x.value}`) }),
        }))}
        value={metric}
        onChange={(v) => v && setMetric(v)}
        allowDeselect={false}
      />
    ),
    [metric, t],
  );
  return (
    <section className="panel" aria-labelledby="hosts-title" data-testid="host-grid">
      <div className="panel-head">
        <h2 id="hosts-title">{t('hosts.title')}</h2>
        {picker}
      </div>
      {!frame ? (
        <div className="empty">{waiting ?? th('waiting.firstFrame')}</div>
      ) : frame.hosts.length === 0 ? (
        <div className="empty">{t('hosts.none')}</div>
      ) : (
        <ul className="host-grid">
          {frame.hosts.map((h) => {
            const up = h.state === 'up';
            const figure = m.read(h);
            const shown =
              metric === 'ready'
                ? t('hosts.readyValue', { value: m.format(figure) })
                : m.format(figure);
            const colour = up ? heat(figure / m.scale) : null;
            const alarms = alarmsByHost.get(h.name);
            const suffer = suffering?.get(h.name);
            const cpuOver = h.vcpuRatio > frame.cluster.cpuAllocationRatio + 1e-9;
            const memOver = h.memOvercommitRatio > frame.cluster.ramAllocationRatio + 1e-9;
            return (
              <HostTile
                key={h.name}
                name={h.name}
                state={h.state}
                href={`/clusters/${encodeURIComponent(clusterId)}/hosts/${encodeURIComponent(h.name)}${query}`}
                background={colour?.background}
                text={colour?.text}
                value={up ? shown : t(`hosts.stateWord.${h.state}`)}
                ratios={`${ratio(h.vcpuRatio)}:1 · ${ratio(h.memOvercommitRatio)}×`}
                over={cpuOver || memOver}
                vms={h.vmsRunning}
                critical={alarms?.critical ?? 0}
                warning={alarms?.warning ?? 0}
                suffering={suffer?.count ?? 0}
                sufferLevel={suffer?.level ?? 'ok'}
                label={t('hosts.tileLabel', {
                  name: h.name,
                  state: h.state,
                  metric: mLabel,
                  value: shown,
                  vcpu: ratio(h.vcpuRatio),
                  cpuLimit: ratio(frame.cluster.cpuAllocationRatio),
                  cpuOver: cpuOver ? 'yes' : 'no',
                  mem: ratio(h.memOvercommitRatio),
                  memLimit: ratio(frame.cluster.ramAllocationRatio),
                  memOver: memOver ? 'yes' : 'no',
                  vms: h.vmsRunning,
                  suffering: suffer?.count ?? 0,
                  critical: alarms?.critical ?? 0,
                  warning: alarms?.warning ?? 0,
                  alarms: alarms ? 'yes' : 'no',
                })}
              />
            );
          })}
        </ul>
      )}
      <p className="legend">
        <span className="heat-legend" aria-hidden="true" />{' '}
        {t('hosts.legendColour', { metric: mLabel, scale: m.scaleText })} ·{' '}
        {t.rich('hosts.legendRatios', {
          vcpu: (chunks) => <MetricHelp id="vcpuRatio">{chunks}</MetricHelp>,
          mem: (chunks) => <MetricHelp id="memOvercommit">{chunks}</MetricHelp>,
        })}{' '}
        · <span aria-hidden="true">▲◆</span> {t('hosts.legendSuffer')} · {t('hosts.legendAlarms')}
      </p>
    </section>
  );
});
