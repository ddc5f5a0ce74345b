'use client';

import { useTranslations } from 'next-intl';
import type { VmColumns, VmFrame } from '@overcommit/contracts';
import { Group, Pagination, Switch, TextInput, UnstyledButton } from '@mantine/core';
import { type CSSProperties, memo, useEffect, useMemo, useRef, useState } from 'react';
import type { MetricId } from '../help/metrics';
import { type Level, levelIcon, levelOf } from '../help/thresholds';
import { useFeedView } from '../live/hooks';
import { mib, pct } from '../ui/format';
import { MetricHelp } from '../ui/metric-help';
import { ActButton, useCluster } from './context';
import { useOps } from './ops-context';
import { filterVms } from './vm-filter';
import type { VmAction } from './vm-actions';

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
  | 'swapInMiBps'
  | 'memMissingPct'
  | 'numaLocalPct'
  | 'performancePct'
>;

/** The table's columns (each head's words are cluster.json's `vms.columns.<key>`). */
const COLUMNS: {
  key: Key | 'migration';
  /** The column's width (the table's layout never depends on the figures in it). */
  width: string;
  num?: boolean;
  show: (v: VmFrame) => string;
  /** The figure's help (hover on its head). */
  help?: MetricId;
  /** The figure's level against the one threshold table (help/thresholds.ts), for running VMs. */
  judge?: (v: VmFrame) => Level;
}[] = [
  { key: 'name', width: '7rem', show: (v) => v.name },
  { key: 'host', width: '5.5rem', show: (v) => v.host ?? '–' },
  { key: 'state', width: '5.5rem', show: (v) => v.state },
  { key: 'vcpus', width: '4rem', num: true, show: (v) => String(v.vcpus) },
  { key: 'cpuUsagePct', width: '4rem', num: true, show: (v) => pct(v.cpuUsagePct) },
  {
    key: 'cpuReadyPct',
    width: '4.5rem',
    num: true,
    show: (v) => pct(v.cpuReadyPct),
    help: 'ready',
    judge: (v) => levelOf('ready', v.cpuReadyPct),
  },
  {
    key: 'costopPct',
    width: '5rem',
    num: true,
    show: (v) => pct(v.costopPct),
    help: 'costop',
    judge: (v) => levelOf('costop', v.costopPct),
  },
  {
    key: 'memActiveMiB',
    width: '6rem',
    num: true,
    show: (v) => mib(v.memActiveMiB),
    help: 'active',
  },
  {
    key: 'balloonMiB',
    width: '5rem',
    num: true,
    show: (v) => mib(v.balloonMiB),
    help: 'balloon',
  },
  {
    key: 'swappedMiB',
    width: '4.5rem',
    num: true,
    show: (v) => mib(v.swappedMiB),
    help: 'swapped',
  },
  {
    key: 'swapInMiBps',
    width: '5rem',
    num: true,
    show: (v) => v.swapInMiBps.toFixed(1),
    help: 'swapIn',
    judge: (v) => levelOf('swapIn', v.swapInMiBps),
  },
  {
    key: 'memMissingPct',
    width: '6.5rem',
    num: true,
    show: (v) => pct(v.memMissingPct ?? 0),
    help: 'memMissing',
    judge: (v) => levelOf('memMissing', v.memMissingPct ?? 0),
  },
  {
    key: 'numaLocalPct',
    width: '6.5rem',
    num: true,
    show: (v) => pct(v.numaLocalPct, 0),
    help: 'numaLocal',
    judge: (v) => levelOf('numaLocal', v.numaLocalPct),
  },
  {
    key: 'performancePct',
    width: '4rem',
    num: true,
    show: (v) => pct(v.performancePct, 0),
    help: 'performance',
    judge: (v) => levelOf('performance', v.performancePct),
  },
  {
    key: 'migration',
    width: '12rem',
    show: (v) => (v.migration ? `${v.migration.progressPct.toFixed(0)}% → ${v.migration.to}` : ''),
  },
];

const PAGE = 25;

/**
 * The grid's columns (see .vm-table in globals.css): the name and the migration share what is left,
 * the rest fixed. Their sum (88rem) stays within the table's min-width (88.5rem), or the last columns
 * would fall outside the rows, which are size-contained.
 */
const TABLE_STYLE = {
  '--vm-columns': [
    ...COLUMNS.map((c) =>
      c.key === 'name'
        ? `minmax(${c.width}, 1.4fr)`
        : c.key === 'migration'
          ? `minmax(${c.width}, 1.2fr)`
          : c.width,
    ),
    '3rem',
  ].join(' '),
} as CSSProperties;

/** Natural order (vm-2 before vm-10); one collator, as `localeCompare` with options builds one per call. */
const byName = new Intl.Collator('en', { numeric: true }).compare;

/** What a column sorts by, one value per VM (migration: its progress, -1 when none). */
function sortValues(vms: VmColumns, key: Key | 'migration'): readonly (number | string | null)[] {
  if (key === 'migration') return vms.column('migration').map((m) => m?.progressPct ?? -1);
  return vms.column(key);
}

function compareValues(x: number | string | null, y: number | string | null): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return byName(String(x ?? ''), String(y ?? ''));
}

const sameVm = (a: VmFrame, b: VmFrame) =>
  a.state === b.state &&
  COLUMNS.every((c) => c.show(a) === c.show(b)) &&
  (a.migration?.progressPct ?? -1) === (b.migration?.progressPct ?? -1);

/** One figure; a judged one in its level's tint with the level's icon (never colour alone). */
function Cell({ column: c, vm: v }: { column: (typeof COLUMNS)[number]; vm: VmFrame }) {
  const t = useTranslations('cluster');
  const level: Level = c.judge && v.state === 'running' ? c.judge(v) : 'ok';
  const shown = c.key === 'state' ? t(`states.vm.${v.state}`) : c.show(v);
  return (
    <td
      role="cell"
      className={c.num ? 'num' : undefined}
      data-col={c.key}
      data-level={level === 'ok' ? undefined : level}
      title={c.num ? undefined : shown}
    >
      {level === 'ok' ? null : <span aria-hidden="true">{levelIcon[level]} </span>}
      {shown}
    </td>
  );
}

/**
 * One row of the page, plain markup, redrawn only when a figure it shows changes. Rows are keyed by
 * their place on the page, not by VM: when a re-sort moves a VM up or down (every tick, sorted by
 * ready time), its figures are written into the rows already there instead of the rows being moved,
 * which would make the browser re-create, restyle and re-lay out every cell of each moved row.
 */
const Row = memo(
  function Row({ vm: v, onAction }: { vm: VmFrame; onAction: (a: VmAction) => void }) {
    const t = useTranslations('cluster');
    return (
      <tr role="row" data-testid={`vm-${v.name}`}>
        {COLUMNS.map((c) =>
          c.key === 'migration' ? (
            <td key={c.key} role="cell" data-col="migration" title={c.show(v) || undefined}>
              {v.migration ? (
                <progress
                  max={100}
                  value={v.migration.progressPct}
                  aria-label={t('vms.migrationLabel', {
                    to: v.migration.to,
                    progress: v.migration.progressPct.toFixed(0),
                  })}
                />
              ) : null}
              <span className="dim">{c.show(v)}</span>
            </td>
          ) : (
            <Cell key={c.key} column={c} vm={v} />
          ),
        )}
        <td role="cell">
          <button
            type="button"
            className="row-action"
            aria-label={t('vms.actionsFor', { name: v.name })}
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

/** A column head: sorts on click; a figure's head shows its help on hover and focus. */
function SortButton({
  label,
  help,
  mark,
  onClick,
}: {
  label: string;
  help: MetricId | undefined;
  mark: string;
  onClick: () => void;
}) {
  const button = (
    <UnstyledButton onClick={onClick}>
      {label} {mark}
    </UnstyledButton>
  );
  return help ? <MetricHelp id={help}>{button}</MetricHelp> : button;
}

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
  const { openVm: onAction } = useOps();
  const t = useTranslations('cluster');
  const vms = useFeedView(feed, (v) => v.vms, null);
  useEffect(() => {
    if (!open) return;
    feed.watchVms(true);
    return () => feed.watchVms(false);
  }, [feed, open]);
  // The VMs to show, as indexes, filtered and sorted: only the columns these read are decoded, and
  // no row object is built for a VM off the page.
  const order = useMemo(() => {
    if (!vms) return [];
    const names = vms.column('name');
    const picked = filterVms(vms, filter, (s) => t(`states.vm.${s}`));
    const values = sortValues(vms, sort.key);
    const direction = sort.desc ? -1 : 1;
    picked.sort(
      (a, b) => direction * compareValues(values[a]!, values[b]!) || byName(names[a]!, names[b]!),
    );
    return picked;
  }, [vms, filter, sort, t]);
  const pages = Math.max(1, Math.ceil(order.length / PAGE));
  const current = Math.min(page, pages);
  // While the pointer is over the rows or focus is in them, the page keeps its VMs in their places
  // (their figures still change): rows are keyed by place, so a re-sort would otherwise put another
  // VM under the pointer or the focused button between aiming and clicking.
  const [pointerIn, setPointerIn] = useState(false);
  const [focusIn, setFocusIn] = useState(false);
  const held = pointerIn || focusIn;
  const shownNames = useRef<readonly string[]>([]);
  const pageRows = useMemo(() => {
    if (!vms) return [];
    let picked = order.slice((current - 1) * PAGE, current * PAGE);
    if (held) {
      const at = new Map(vms.column('name').map((name, i) => [name, i]));
      const kept = shownNames.current.flatMap((name) => at.get(name) ?? []);
      if (kept.length > 0) picked = kept;
    }
    return picked.map((i) => vms.row(i));
  }, [order, current, held, vms]);
  useEffect(() => {
    shownNames.current = pageRows.map((v) => v.name);
  }, [pageRows]);
  // The controls, the column heads and the pager re-render when what they show changes, not with
  // every tick's figures (each is a handful of Mantine components).
  const controls = useMemo(
    () => (
      <Group gap="sm">
        {open ? (
          <TextInput
            size="xs"
            placeholder={t('vms.filterPlaceholder')}
            value={filter}
            onChange={(e) => {
              setFilter(e.currentTarget.value);
              setPage(1);
            }}
            aria-label={t('vms.filter')}
          />
        ) : null}
        {open ? (
          <ActButton size="xs" variant="default" onClick={() => onAction({ kind: 'create' })}>
            {t('vms.newVm')}
          </ActButton>
        ) : null}
        <Switch
          label={t('vms.show')}
          checked={open}
          onChange={(e) => setOpen(e.currentTarget.checked)}
        />
      </Group>
    ),
    [open, filter, onAction, t],
  );
  const head = useMemo(
    () => (
      <thead role="rowgroup">
        <tr role="row">
          {COLUMNS.map((c) => (
            <th
              key={c.key}
              role="columnheader"
              aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
              className={c.num ? 'num' : undefined}
            >
              <SortButton
                label={t(`vms.columns.${c.key}`)}
                help={c.help}
                mark={sort.key === c.key ? (sort.desc ? '▼' : '▲') : ''}
                onClick={() =>
                  setSort((s) => ({
                    key: c.key,
                    desc: s.key === c.key ? !s.desc : c.num === true,
                  }))
                }
              />
            </th>
          ))}
          <th role="columnheader" aria-label={t('vms.actions')} />
        </tr>
      </thead>
    ),
    [sort, t],
  );
  const pager = useMemo(
    () => <Pagination size="sm" total={pages} value={current} onChange={setPage} />,
    [pages, current],
  );
  return (
    <section className="panel" aria-labelledby="vms-title" data-testid="vm-table">
      <div className="panel-head">
        <h2 id="vms-title">{t('vms.title')}</h2>
        {controls}
      </div>
      {!open ? null : !vms ? (
        <div className="empty">{t('vms.loading')}</div>
      ) : order.length === 0 ? (
        <div className="empty">
          {vms.length === 0 ? t('vms.none') : t('vms.noMatch', { query: filter })}
        </div>
      ) : (
        <>
          <div className="table-scroll">
            <table className="vm-table" role="table" style={TABLE_STYLE}>
              {head}
              <tbody
                role="rowgroup"
                onPointerEnter={() => setPointerIn(true)}
                onPointerLeave={() => setPointerIn(false)}
                onFocus={() => setFocusIn(true)}
                onBlur={(e) => {
                  if (!e.currentTarget.contains(e.relatedTarget)) setFocusIn(false);
                }}
              >
                {pageRows.map((v, i) => (
                  <Row key={i} vm={v} onAction={onAction} />
                ))}
              </tbody>
            </table>
          </div>
          <div className="table-foot">
            <span className="dim">
              {t('vms.count', { shown: order.length, total: vms.length })}
              {held ? ` · ${t('vms.held')}` : ''}
            </span>
            {pager}
          </div>
        </>
      )}
    </section>
  );
});
