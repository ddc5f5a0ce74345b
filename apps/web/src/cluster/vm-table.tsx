'use client';

import type { VmFrame } from '@overcommit/contracts';
import { Button, Group, Pagination, Switch, TextInput, UnstyledButton } from '@mantine/core';
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import { useFeedView } from '../live/hooks';
import { mib, pct } from '../ui/format';
import { useCluster } from './context';
import { type VmAction, VmActionModal } from './vm-actions';

type Key = keyof Pick<
  VmFrame,
  | 'name'
  | 'host'
  | 'state'
  | 'vcpus'
  | 'cpuUsagePct'
  | 'cpuReadyPct'
  | 'costopPct'
  | 'memActiveMiB'
  | 'balloonMiB'
  | 'swappedMiB'
  | 'numaLocalPct'
  | 'performancePct'
>;

const COLUMNS: {
  key: Key | 'migration';
  label: string;
  num?: boolean;
  show: (v: VmFrame) => string;
}[] = [
  { key: 'name', label: 'name', show: (v) => v.name },
  { key: 'host', label: 'host', show: (v) => v.host ?? '–' },
  { key: 'state', label: 'state', show: (v) => v.state },
  { key: 'vcpus', label: 'vCPUs', num: true, show: (v) => String(v.vcpus) },
  { key: 'cpuUsagePct', label: 'CPU %', num: true, show: (v) => pct(v.cpuUsagePct) },
  { key: 'cpuReadyPct', label: 'ready %', num: true, show: (v) => pct(v.cpuReadyPct) },
  { key: 'costopPct', label: 'co-stop %', num: true, show: (v) => pct(v.costopPct) },
  { key: 'memActiveMiB', label: 'mem active', num: true, show: (v) => mib(v.memActiveMiB) },
  { key: 'balloonMiB', label: 'balloon', num: true, show: (v) => mib(v.balloonMiB) },
  { key: 'swappedMiB', label: 'swap', num: true, show: (v) => mib(v.swappedMiB) },
  { key: 'numaLocalPct', label: 'NUMA local %', num: true, show: (v) => pct(v.numaLocalPct, 0) },
  { key: 'performancePct', label: 'perf %', num: true, show: (v) => pct(v.performancePct, 0) },
  {
    key: 'migration',
    label: 'migration',
    show: (v) => (v.migration ? `${v.migration.progressPct.toFixed(0)}% → ${v.migration.to}` : ''),
  },
];

const PAGE = 25;

/** Natural order (vm-2 before vm-10); one collator, as `localeCompare` with options builds one per call. */
const byName = new Intl.Collator('en', { numeric: true }).compare;

function compare(a: VmFrame, b: VmFrame, key: Key | 'migration'): number {
  if (key === 'migration')
    return (a.migration?.progressPct ?? -1) - (b.migration?.progressPct ?? -1);
  const x = a[key];
  const y = b[key];
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return byName(String(x ?? ''), String(y ?? ''));
}

const sameVm = (a: VmFrame, b: VmFrame) =>
  COLUMNS.every((c) => c.show(a) === c.show(b)) &&
  (a.migration?.progressPct ?? -1) === (b.migration?.progressPct ?? -1);

/** One VM's row, plain markup, redrawn only when a figure it shows changes. */
const Row = memo(
  function Row({ vm: v, onAction }: { vm: VmFrame; onAction: (a: VmAction) => void }) {
    return (
      <tr data-testid={`vm-${v.name}`}>
        {COLUMNS.map((c) =>
          c.key === 'migration' ? (
            <td key={c.key} data-col="migration">
              {v.migration ? (
                <progress
                  max={100}
                  value={v.migration.progressPct}
                  aria-label={`migration to ${v.migration.to}: ${v.migration.progressPct.toFixed(0)}%`}
                />
              ) : null}
              <span className="dim">{c.show(v)}</span>
            </td>
          ) : (
            <td key={c.key} className={c.num ? 'num' : undefined} data-col={c.key}>
              {c.show(v)}
            </td>
          ),
        )}
        <td>
          <button
            type="button"
            className="row-action"
            aria-label={`Actions for ${v.name}`}
            onClick={() => onAction({ kind: 'choose', vm: v })}
          >
            ⋯
          </button>
        </td>
      </tr>
    );
  },
  (prev, next) => prev.onAction === next.onAction && sameVm(prev.vm, next.vm),
);

/** The table of VMs: per-VM metrics stream only while it is open. */
export const VmTable = memo(function VmTable() {
  const { feed } = useCluster();
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: Key | 'migration'; desc: boolean }>({
    key: 'cpuReadyPct',
    desc: true,
  });
  const [page, setPage] = useState(1);
  const [action, setAction] = useState<VmAction | null>(null);
  const onAction = useCallback((a: VmAction) => setAction(a), []);
  const vms = useFeedView(feed, (v) => v.vms, null);
  useEffect(() => {
    if (!open) return;
    feed.watchVms(true);
    return () => feed.watchVms(false);
  }, [feed, open]);
  const rows = useMemo(() => {
    if (!vms) return [];
    const q = filter.trim().toLowerCase();
    const matching = q
      ? vms.filter(
          (v) =>
            v.name.toLowerCase().includes(q) ||
            (v.host ?? '').toLowerCase().includes(q) ||
            v.state.includes(q),
        )
      : vms.slice();
    matching.sort(
      (a, b) => (sort.desc ? -1 : 1) * compare(a, b, sort.key) || byName(a.name, b.name),
    );
    return matching;
  }, [vms, filter, sort]);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const current = Math.min(page, pages);
  return (
    <section className="panel" aria-labelledby="vms-title" data-testid="vm-table">
      <div className="panel-head">
        <h2 id="vms-title">VMs</h2>
        <Group gap="sm">
          {open ? (
            <TextInput
              size="xs"
              placeholder="filter by name, host, state"
              value={filter}
              onChange={(e) => {
                setFilter(e.currentTarget.value);
                setPage(1);
              }}
              aria-label="Filter VMs"
            />
          ) : null}
          {open ? (
            <Button size="xs" variant="default" onClick={() => onAction({ kind: 'create' })}>
              New VM…
            </Button>
          ) : null}
          <Switch
            label="show VM table (streams per-VM metrics)"
            checked={open}
            onChange={(e) => setOpen(e.currentTarget.checked)}
          />
        </Group>
      </div>
      {!open ? null : !vms ? (
        <div className="empty">loading per-VM metrics (next tick)…</div>
      ) : rows.length === 0 ? (
        <div className="empty">
          {vms.length === 0 ? 'this cluster has no VMs' : `no VM matches “${filter}”`}
        </div>
      ) : (
        <>
          <div className="table-scroll">
            <table className="vm-table">
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th
                      key={c.key}
                      aria-sort={
                        sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'
                      }
                      className={c.num ? 'num' : undefined}
                    >
                      <UnstyledButton
                        onClick={() =>
                          setSort((s) => ({
                            key: c.key,
                            desc: s.key === c.key ? !s.desc : c.num === true,
                          }))
                        }
                      >
                        {c.label} {sort.key === c.key ? (sort.desc ? '▼' : '▲') : ''}
                      </UnstyledButton>
                    </th>
                  ))}
                  <th aria-label="actions" />
                </tr>
              </thead>
              <tbody>
                {rows.slice((current - 1) * PAGE, current * PAGE).map((v) => (
                  <Row key={v.name} vm={v} onAction={onAction} />
                ))}
              </tbody>
            </table>
          </div>
          <Group justify="space-between" mt="xs">
            <span className="dim">
              {rows.length} of {vms.length} VMs
            </span>
            <Pagination size="sm" total={pages} value={current} onChange={setPage} />
          </Group>
        </>
      )}
      <VmActionModal action={action} onClose={() => setAction(null)} onChoose={setAction} />
    </section>
  );
});
