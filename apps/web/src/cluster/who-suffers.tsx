'use client';

import { useTranslations } from 'next-intl';
import { Select } from '@mantine/core';
import { memo, useEffect, useMemo, useState } from 'react';
import { type Level, levelIcon } from '../help/thresholds';
import type { MetricId } from '../help/metrics';
import { useFeedView } from '../live/hooks';
import { mib, pct } from '../ui/format';
import { MetricHelp } from '../ui/metric-help';
import { useCluster } from './context';
import { useOps } from './ops-context';
import {
  rankSuffering,
  type RankBy,
  SUFFER_FIGURES,
  type SufferFigure,
  sufferingOf,
  type VmSuffering,
} from './suffering';
import { useWaitingText } from './waiting';

const SHOWN = 8;

/** Each figure: its help entry and how it is written in a chip. */
const FIGURES: Record<SufferFigure, { help: MetricId; show: (v: VmSuffering) => string }> = {
  performance: { help: 'performance', show: (v) => pct(v.values.performance, 0) },
  ready: { help: 'ready', show: (v) => pct(v.values.ready) },
  costop: { help: 'costop', show: (v) => pct(v.values.costop) },
  memMissing: { help: 'memMissing', show: (v) => pct(v.values.memMissing) },
  swap: {
    help: 'swapIn',
    show: (v) =>
      v.values.swappedMiB > 0
        ? `${mib(v.values.swappedMiB)} @ ${v.values.swapIn.toFixed(1)} MiB/s`
        : '0',
  },
  numaLocal: { help: 'numaLocal', show: (v) => pct(v.values.numaLocal, 0) },
};

/** One figure of a VM: its value in the figure's colour band, with the level's icon. */
function Chip({ figure, vm }: { figure: SufferFigure; vm: VmSuffering }) {
  const t = useTranslations('help');
  const level: Level = vm.levels[figure];
  return (
    <span className="chip num" data-level={level} data-figure={figure}>
      <span className="chip-label">{t(`suffer.short.${figure}`)}</span>{' '}
      {level !== 'ok' ? <span aria-hidden="true">{levelIcon[level]} </span> : null}
      {FIGURES[figure].show(vm)}
    </span>
  );
}

const sameRow = (a: VmSuffering, b: VmSuffering) =>
  a.name === b.name &&
  a.host === b.host &&
  a.level === b.level &&
  SUFFER_FIGURES.every(
    (f) => a.levels[f] === b.levels[f] && FIGURES[f].show(a) === FIGURES[f].show(b),
  );

/** One suffering VM, redrawn only when what it shows changes. */
const Row = memo(
  function Row({ vm, onOpen }: { vm: VmSuffering; onOpen: (name: string) => void }) {
    const t = useTranslations('help');
    const tc = useTranslations('cluster');
    return (
      <li className="suffer-row" data-testid={`suffer-vm-${vm.name}`} data-level={vm.level}>
        <div className="suffer-who">
          <button
            type="button"
            className="link-button"
            onClick={() => onOpen(vm.name)}
            aria-label={tc('vms.actionsFor', { name: vm.name })}
          >
            {vm.level !== 'ok' ? <span aria-hidden="true">{levelIcon[vm.level]} </span> : null}
            <strong>{vm.name}</strong>
          </button>{' '}
          <span className="dim">
            {vm.host ? t('suffer.on', { host: vm.host }) : ''} · {t(`suffer.level.${vm.level}`)}
          </span>
        </div>
        <div className="chips">
          {SUFFER_FIGURES.map((f) => (
            <Chip key={f} figure={f} vm={vm} />
          ))}
        </div>
      </li>
    );
  },
  (prev, next) => prev.onOpen === next.onOpen && sameRow(prev.vm, next.vm),
);

/**
 * Who suffers, always on: the running VMs that a figure puts at warning or worse (ready, co-stop,
 * working set missing, swap-in, NUMA local, performance), worst first, each figure in its threshold
 * colour with its icon; or the worst by one figure. The thresholds are the VM table's and the heat
 * map's (help/thresholds.ts). Per-VM figures stream while it is on the page.
 */
export const WhoSuffers = memo(function WhoSuffers() {
  const { feed } = useCluster();
  const ops = useOps();
  const waiting = useWaitingText();
  const t = useTranslations('help');
  const tc = useTranslations('cluster');
  useEffect(() => {
    feed.watchVms(true);
    return () => feed.watchVms(false);
  }, [feed]);
  const vms = useFeedView(feed, (v) => v.vms, null);
  const frame = useFeedView(feed, (v) => v.frame, null);
  const [by, setBy] = useState<RankBy>('worst');
  const view = useMemo(() => (vms ? sufferingOf(vms) : null), [vms]);
  const rows = useMemo(() => (view ? rankSuffering(view, by, SHOWN) : []), [view, by]);
  const onOpen = useMemo(() => (name: string) => ops.openVmNamed(name, 'choose'), [ops]);
  const picker = useMemo(
    () => (
      <Select
        size="xs"
        w={190}
        aria-label={tc('suffer.rankBy')}
        data={(['worst', ...SUFFER_FIGURES] as RankBy[]).map((value) => ({
          value,
          label: t(`suffer.rankBy.${value}`),
        }))}
        value={by}
        onChange={(v) => v && setBy(v)}
        allowDeselect={false}
      />
    ),
    [by, t, tc],
  );
  const legend = useMemo(
    () => (
      <p className="legend">
        {SUFFER_FIGURES.map((f, i) => (
          <span key={f}>
            {i > 0 ? ' · ' : ''}
            {t(`suffer.short.${f}`)}:{' '}
            <MetricHelp id={FIGURES[f].help}>{t(`suffer.long.${f}`)}</MetricHelp>
          </span>
        ))}
        . {t('suffer.legend')}
      </p>
    ),
    [t],
  );
  const summary = view
    ? view.suffering === 0
      ? null
      : t('suffer.summary', {
          suffering: view.suffering,
          running: view.running,
          causes: SUFFER_FIGURES.filter((f) => view.byFigure[f] > 0)
            .map((f) =>
              t('suffer.causeCount', { count: view.byFigure[f], cause: t(`suffer.cause.${f}`) }),
            )
            .join(t('suffer.separator')),
        })
    : null;
  return (
    <section
      className="panel who-suffers"
      aria-labelledby="suffer-title"
      data-testid="who-suffers"
      data-count={view?.suffering ?? ''}
    >
      <div className="panel-head">
        <h2 id="suffer-title">
          {t('suffer.title')} {view ? <span className="dim num">({view.suffering})</span> : null}
        </h2>
        {picker}
      </div>
      {!frame || !vms ? (
        <div className="empty">{waiting ?? t('suffer.loading')}</div>
      ) : (
        <>
          {summary ? <p className="suffer-summary">{summary}</p> : null}
          {rows.length === 0 ? (
            <div className="empty" data-testid="none-suffer">
              <span aria-hidden="true">✔ </span>
              {by === 'worst'
                ? t('suffer.none')
                : t('suffer.noneBy', { figure: t(`suffer.long.${by}`) })}
            </div>
          ) : (
            <ol className="suffer-list">
              {rows.map((vm) => (
                <Row key={vm.name} vm={vm} onOpen={onOpen} />
              ))}
            </ol>
          )}
          {view && by === 'worst' && view.suffering > rows.length ? (
            <p className="dim suffer-more">
              {t('suffer.more', { count: view.suffering - rows.length })}
            </p>
          ) : null}
        </>
      )}
      {legend}
    </section>
  );
});
