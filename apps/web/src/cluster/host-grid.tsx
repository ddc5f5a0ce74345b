'use client';

import type { HostFrame } from '@overcommit/contracts';
import { Select } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { memo, useMemo, useState } from 'react';
import { useFeedView } from '../live/hooks';
import { heat, pct, severityLabel } from '../ui/format';
import { useCluster } from './context';

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
  dark: boolean;
  value: string;
  vms: number;
  critical: number;
  warning: number;
  label: string;
}) {
  const router = useRouter();
  const { name, state, href, background, dark, value, vms, critical, warning, label } = props;
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
        data-testid={`host-${name}`}
        style={background ? { background, color: dark ? '#111' : '#fff' } : undefined}
        aria-label={label}
        title={label}
      >
        <span className="host-name">{name}</span>
        <span className="host-value num">{value}</span>
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

/** Hosts as tiles coloured by the chosen metric; state and alarms show as words and icons. */
export const HostGrid = memo(function HostGrid() {
  const { feed, clusterId, token } = useCluster();
  const frame = useFeedView(feed, (v) => v.frame, null);
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
        <div className="empty">waiting for the first frame…</div>
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
            return (
              <HostTile
                key={h.name}
                name={h.name}
                state={h.state}
                href={`/clusters/${encodeURIComponent(clusterId)}/hosts/${encodeURIComponent(h.name)}${query}`}
                background={colour?.background}
                dark={colour?.dark ?? false}
                value={up ? shown : STATE_WORD[h.state]}
                vms={h.vmsRunning}
                critical={alarms?.critical ?? 0}
                warning={alarms?.warning ?? 0}
                label={`${h.name}: ${h.state}, ${m.label} ${shown}, ${h.vmsRunning} VMs${alarms ? `, ${alarms.critical} critical and ${alarms.warning} warning alarms` : ''}`}
              />
            );
          })}
        </ul>
      )}
      <p className="legend">
        colour: {m.label}, 0 (dark) to {m.scaleText} (light) · <span aria-hidden="true">▲</span>{' '}
        critical, <span aria-hidden="true">◆</span> warning alarms · FAIL failed, MAINT maintenance
      </p>
    </section>
  );
});
