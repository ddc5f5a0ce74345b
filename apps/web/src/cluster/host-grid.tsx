'use client';

import type { HostFrame } from '@overcommit/contracts';
import { Select } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { memo, useMemo, useState } from 'react';
import { levelIcon, type Level } from '../help/thresholds';
import { useFeedView } from '../live/hooks';
import { heat } from '../ui/color';
import { pct, ratio, severityLabel } from '../ui/format';
import { MetricHelp } from '../ui/metric-help';
import { useCluster } from './context';
import { useWaitingText } from './waiting';
import { WAITING_TEXT } from '../help/waiting';
import { type SufferingView, sufferingOf, swapInOf } from './suffering';

type Metric = 'cpu' | 'ready' | 'memory' | 'swap';

/** What the heat map can show: the figure read from a host, its full scale and its words. */
const METRICS: {
  value: Metric;
  label: string;
  read: (h: HostFrame) => number;
  scale: number;
  scaleText: string;
  format: (v: number) => string;
}[] = [
  {
    value: 'cpu',
    label: 'CPU usage',
    read: (h) => h.cpuUsagePct,
    scale: 100,
    scaleText: '100%',
    format: (v) => pct(v, 0),
  },
  {
    value: 'ready',
    label: 'CPU ready',
    read: (h) => h.cpuReadyPct,
    scale: 20,
    scaleText: '20%',
    format: (v) => `${pct(v)} rdy`,
  },
  {
    value: 'memory',
    label: 'Memory consumed',
    read: (h) => (h.memTotalMiB > 0 ? (h.memConsumedMiB / h.memTotalMiB) * 100 : 0),
    scale: 100,
    scaleText: '100%',
    format: (v) => pct(v, 0),
  },
  {
    value: 'swap',
    label: 'Swap-in',
    read: (h) => h.swapInMiBps,
    scale: 50,
    scaleText: '50 MiB/s',
    format: (v) => `${v.toFixed(1)} MiB/s`,
  },
];

const STATE_WORD: Record<HostFrame['state'], string> = {
  up: '',
  maintenance: 'MAINT',
  failed: 'FAIL',
};

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
              {suffering} suffer
            </span>
          ) : null}
        </span>
        <span className="host-ratios num">
          {ratios}
          {over ? ' ▲' : ''}
        </span>
        <span className="host-foot">
          {vms} VMs
          {state === 'maintenance' ? ' · maintenance' : ''}
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
  const marksKey = useFeedView(
    feed,
    (v) => (v.vms && v.frame ? marksOf(sufferingOf(v.vms, swapInOf(v.frame))) : ''),
    '',
  );
  const waiting = useWaitingText();
  const [metric, setMetric] = useState<Metric>('cpu');
  const m = METRICS.find((x) => x.value === metric)!;
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
        aria-label="Colour hosts by"
        data={METRICS.map((x) => ({ value: x.value, label: `colour by ${x.label}` }))}
        value={metric}
        onChange={(v) => v && setMetric(v)}
        allowDeselect={false}
      />
    ),
    [metric],
  );
  return (
    <section className="panel" aria-labelledby="hosts-title" data-testid="host-grid">
      <div className="panel-head">
        <h2 id="hosts-title">Hosts</h2>
        {picker}
      </div>
      {!frame ? (
        <div className="empty">{waiting ?? WAITING_TEXT.firstFrame}</div>
      ) : frame.hosts.length === 0 ? (
        <div className="empty">this cluster has no hosts</div>
      ) : (
        <ul className="host-grid">
          {frame.hosts.map((h) => {
            const up = h.state === 'up';
            const figure = m.read(h);
            const shown = m.format(figure);
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
                value={up ? shown : STATE_WORD[h.state]}
                ratios={`${ratio(h.vcpuRatio)}:1 · ${ratio(h.memOvercommitRatio)}×`}
                over={cpuOver || memOver}
                vms={h.vmsRunning}
                critical={alarms?.critical ?? 0}
                warning={alarms?.warning ?? 0}
                suffering={suffer?.count ?? 0}
                sufferLevel={suffer?.level ?? 'ok'}
                label={`${h.name}: ${h.state}, ${m.label} ${shown}, vCPU:pCPU ${ratio(h.vcpuRatio)} of ${ratio(frame.cluster.cpuAllocationRatio)}${cpuOver ? ' (over the policy)' : ''}, memory overcommit ${ratio(h.memOvercommitRatio)} of ${ratio(frame.cluster.ramAllocationRatio)}${memOver ? ' (over the policy)' : ''}, ${h.vmsRunning} VMs${suffer ? `, ${suffer.count} suffering` : ''}${alarms ? `, ${alarms.critical} critical and ${alarms.warning} warning alarms` : ''}`}
              />
            );
          })}
        </ul>
      )}
      <p className="legend">
        <span className="heat-legend" aria-hidden="true" /> colour: {m.label}, 0 (pale) to{' '}
        {m.scaleText} (dark red) · second line: the host’s own{' '}
        <MetricHelp id="vcpuRatio">vCPU:pCPU</MetricHelp> and{' '}
        <MetricHelp id="memOvercommit">memory overcommit</MetricHelp>, ▲ past the policy ·{' '}
        <span aria-hidden="true">▲◆</span> N suffer: its VMs in Who suffers · ▲ critical,{' '}
        <span aria-hidden="true">◆</span> warning alarms · FAIL failed, MAINT maintenance
      </p>
    </section>
  );
});
