import type { VmColumns } from '@overcommit/contracts';
import { type JudgedMetric, type Level, levelOf, levelRank } from '../help/thresholds';

// Who suffers: every running VM's figures judged against the one threshold table
// (help/thresholds.ts), once per tick however many panels ask (the heat map marks the hosts, the
// panel lists the VMs). Rendering only: the figures are the engine's.

/** The figures a VM is judged by, in the panel's order. */
export const SUFFER_FIGURES = [
  'performance',
  'ready',
  'costop',
  'memMissing',
  'swap',
  'numaLocal',
] as const;
export type SufferFigure = (typeof SUFFER_FIGURES)[number];

export interface VmSuffering {
  /** Index in the tick's VM columns. */
  index: number;
  name: string;
  host: string | null;
  /** The worst of its figures' levels. */
  level: Level;
  levels: Record<SufferFigure, Level>;
  values: {
    performance: number;
    ready: number;
    costop: number;
    memMissing: number;
    /** MiB of the VM on its host's swap. */
    swappedMiB: number;
    /** Its host's swap-in rate, MiB/s: what its swapped pages cost it now. */
    hostSwapIn: number;
    numaLocal: number;
  };
}

export interface SufferingView {
  /** Running VMs, in the columns' order. */
  vms: VmSuffering[];
  /** VMs at warning or worse. */
  suffering: number;
  /** How many VMs each figure puts at warning or worse. */
  byFigure: Record<SufferFigure, number>;
  /** Per host: the VMs at warning or worse on it and the worst level among them. */
  byHost: Map<string, { count: number; level: Level }>;
}

const judged: Record<Exclude<SufferFigure, 'swap'>, JudgedMetric> = {
  performance: 'performance',
  ready: 'ready',
  costop: 'costop',
  memMissing: 'memMissing',
  numaLocal: 'numaLocal',
};

const cache = new WeakMap<VmColumns, { swapKey: string; view: SufferingView }>();

/**
 * Every running VM judged. A VM's swapped pages are judged by its host's swap-in rate (the
 * host-swap-in rule's thresholds): pages on swap that nobody reads cost nothing, pages read back
 * cost a thousand RAM accesses each.
 */
export function sufferingOf(
  vms: VmColumns,
  hostSwapIn: ReadonlyMap<string, number>,
): SufferingView {
  const swapKey = [...hostSwapIn].map(([h, v]) => `${h}:${v}`).join(',');
  const hit = cache.get(vms);
  if (hit && hit.swapKey === swapKey) return hit.view;
  const names = vms.column('name');
  const hosts = vms.column('host');
  const states = vms.column('state');
  const perf = vms.column('performancePct');
  const ready = vms.column('cpuReadyPct');
  const costop = vms.column('costopPct');
  const missing = vms.column('memMissingPct');
  const swapped = vms.column('swappedMiB');
  const local = vms.column('numaLocalPct');
  const out: VmSuffering[] = [];
  const byFigure = Object.fromEntries(SUFFER_FIGURES.map((f) => [f, 0])) as Record<
    SufferFigure,
    number
  >;
  const byHost = new Map<string, { count: number; level: Level }>();
  let suffering = 0;
  for (let i = 0; i < vms.length; i++) {
    if (states[i] !== 'running') continue;
    const host = hosts[i] ?? null;
    const values = {
      performance: perf[i]!,
      ready: ready[i]!,
      costop: costop[i]!,
      // An older API's frames have no such column: nothing missing, as far as we know.
      memMissing: missing[i] ?? 0,
      swappedMiB: swapped[i]!,
      hostSwapIn: host ? (hostSwapIn.get(host) ?? 0) : 0,
      numaLocal: local[i]!,
    };
    const levels = {
      performance: levelOf(judged.performance, values.performance),
      ready: levelOf(judged.ready, values.ready),
      costop: levelOf(judged.costop, values.costop),
      memMissing: levelOf(judged.memMissing, values.memMissing),
      swap: values.swappedMiB > 0 ? levelOf('swapIn', values.hostSwapIn) : 'ok',
      numaLocal: levelOf(judged.numaLocal, values.numaLocal),
    } satisfies Record<SufferFigure, Level>;
    let level: Level = 'ok';
    for (const f of SUFFER_FIGURES) {
      if (levels[f] === 'ok') continue;
      byFigure[f]++;
      if (levelRank[levels[f]] > levelRank[level]) level = levels[f];
    }
    if (level !== 'ok') {
      suffering++;
      if (host) {
        const mark = byHost.get(host) ?? { count: 0, level: 'ok' as Level };
        mark.count++;
        if (levelRank[level] > levelRank[mark.level]) mark.level = level;
        byHost.set(host, mark);
      }
    }
    out.push({ index: i, name: names[i]!, host, level, levels, values });
  }
  const view = { vms: out, suffering, byFigure, byHost };
  cache.set(vms, { swapKey, view });
  return view;
}

export type RankBy = 'worst' | SufferFigure;

/** A figure's value for ranking, higher = worse. */
function badness(v: VmSuffering, by: SufferFigure): number {
  switch (by) {
    case 'performance':
      return 100 - v.values.performance;
    case 'numaLocal':
      return 100 - v.values.numaLocal;
    case 'swap':
      return v.values.swappedMiB > 0 ? v.values.hostSwapIn * 1e6 + v.values.swappedMiB : 0;
    default:
      return v.values[by];
  }
}

/**
 * The worst `limit` VMs. `worst`: those at warning or worse, by their worst level, then by how
 * much speed they lost. A figure: the VMs that figure hurts at all (ready above 0, performance below
 * 100...), worst first, whatever their level.
 */
export function rankSuffering(view: SufferingView, by: RankBy, limit: number): VmSuffering[] {
  const picked =
    by === 'worst'
      ? view.vms.filter((v) => v.level !== 'ok')
      : view.vms.filter((v) => badness(v, by) > 0.05);
  const score =
    by === 'worst'
      ? (v: VmSuffering) => levelRank[v.level] * 1000 + (100 - v.values.performance)
      : (v: VmSuffering) => badness(v, by);
  return picked
    .map((v) => [score(v), v] as const)
    .sort((a, b) => b[0] - a[0] || (a[1].name < b[1].name ? -1 : 1))
    .slice(0, limit)
    .map(([, v]) => v);
}
