import type { VmColumns } from '@overcommit/contracts';
import { type Level, LEVELS, levelIndex, THRESHOLDS } from '../help/thresholds';

// Who suffers: every running VM's figures judged against the one threshold table
// (help/thresholds.ts), once per tick however many panels ask (the heat map marks the hosts, the
// panel lists the VMs). Rendering only: the figures are the engine's. A thousand VMs are judged
// into typed arrays; objects are built only for the few rows shown.

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

const FIGURES = SUFFER_FIGURES.length;
const RANK: Record<Level, number> = { ok: 0, warning: 1, critical: 2 };
/** In `level`: a VM not running (not judged). */
const NOT_RUNNING = 255;

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
    /** MiB/s of its swapped pages it reads back now: what its swap costs it. */
    swapIn: number;
    numaLocal: number;
  };
}

export interface SufferingView {
  /** Running VMs. */
  running: number;
  /** VMs at warning or worse. */
  suffering: number;
  /** How many VMs each figure puts at warning or worse. */
  byFigure: Record<SufferFigure, number>;
  /** Per host: the VMs at warning or worse on it and the worst level among them. */
  byHost: Map<string, { count: number; level: Level }>;
  /** The tick's VMs and, per VM, its overall level and each figure's (indexes into LEVELS). */
  vms: VmColumns;
  level: Uint8Array;
  figureLevels: Uint8Array;
}

const cache = new WeakMap<VmColumns, SufferingView>();

/**
 * Every running VM judged. A VM's swap is judged by its own swap-in rate (with the host-swap-in
 * rule's thresholds): pages on swap that nobody reads cost nothing, pages read back cost a
 * thousand RAM accesses each.
 */
export function sufferingOf(vms: VmColumns): SufferingView {
  const hit = cache.get(vms);
  if (hit) return hit;
  const n = vms.length;
  const hosts = vms.column('host');
  const states = vms.column('state');
  const perf = vms.column('performancePct');
  const ready = vms.column('cpuReadyPct');
  const costop = vms.column('costopPct');
  const missing = vms.column('memMissingPct');
  const swapIn = vms.column('swapInMiBps');
  const local = vms.column('numaLocalPct');
  const level = new Uint8Array(n);
  const figureLevels = new Uint8Array(n * FIGURES);
  const byFigure = Object.fromEntries(SUFFER_FIGURES.map((f) => [f, 0])) as Record<
    SufferFigure,
    number
  >;
  const byHost = new Map<string, { count: number; level: Level }>();
  const t = THRESHOLDS;
  let running = 0;
  let suffering = 0;
  for (let i = 0; i < n; i++) {
    if (states[i] !== 'running') {
      level[i] = NOT_RUNNING;
      continue;
    }
    running++;
    const host = hosts[i] ?? null;
    const base = i * FIGURES;
    figureLevels[base] = levelIndex(t.performance, perf[i]!);
    figureLevels[base + 1] = levelIndex(t.ready, ready[i]!);
    figureLevels[base + 2] = levelIndex(t.costop, costop[i]!);
    // An older API's frames have no such column: nothing missing, as far as we know.
    figureLevels[base + 3] = levelIndex(t.memMissing, missing[i] ?? 0);
    figureLevels[base + 4] = levelIndex(t.swapIn, swapIn[i]!);
    figureLevels[base + 5] = levelIndex(t.numaLocal, local[i]!);
    let worst = 0;
    for (let f = 0; f < FIGURES; f++) {
      const l = figureLevels[base + f]!;
      if (l === 0) continue;
      byFigure[SUFFER_FIGURES[f]!]++;
      if (l > worst) worst = l;
    }
    level[i] = worst;
    if (worst > 0) {
      suffering++;
      if (host) {
        const mark = byHost.get(host);
        if (!mark) byHost.set(host, { count: 1, level: LEVELS[worst]! });
        else {
          mark.count++;
          if (worst > RANK[mark.level]) mark.level = LEVELS[worst]!;
        }
      }
    }
  }
  const view = {
    running,
    suffering,
    byFigure,
    byHost,
    vms,
    level,
    figureLevels,
  };
  cache.set(vms, view);
  return view;
}

/** The i-th VM of a view, as the panel shows it. */
export function sufferingRow(view: SufferingView, i: number): VmSuffering {
  const { vms } = view;
  const host = vms.column('host')[i] ?? null;
  const base = i * FIGURES;
  const levels = Object.fromEntries(
    SUFFER_FIGURES.map((f, k) => [f, LEVELS[view.figureLevels[base + k]!]!]),
  ) as Record<SufferFigure, Level>;
  return {
    index: i,
    name: vms.column('name')[i]!,
    host,
    level: LEVELS[view.level[i]!] ?? 'ok',
    levels,
    values: {
      performance: vms.column('performancePct')[i]!,
      ready: vms.column('cpuReadyPct')[i]!,
      costop: vms.column('costopPct')[i]!,
      memMissing: vms.column('memMissingPct')[i] ?? 0,
      swappedMiB: vms.column('swappedMiB')[i]!,
      swapIn: vms.column('swapInMiBps')[i]!,
      numaLocal: vms.column('numaLocalPct')[i]!,
    },
  };
}

export type RankBy = 'worst' | SufferFigure;

/** How bad a running VM is by `by`, higher = worse; 0 (or less) when it does not hurt at all. */
function badnessOf(view: SufferingView, by: RankBy): (i: number) => number {
  const { vms } = view;
  switch (by) {
    case 'worst': {
      const perf = vms.column('performancePct');
      return (i) => (view.level[i]! > 0 ? view.level[i]! * 1000 + (100 - perf[i]!) : 0);
    }
    case 'performance': {
      const perf = vms.column('performancePct');
      return (i) => 100 - perf[i]!;
    }
    case 'numaLocal': {
      const local = vms.column('numaLocalPct');
      return (i) => 100 - local[i]!;
    }
    case 'swap': {
      // Reading back first (by rate), then what merely sits on swap (by size).
      const swapped = vms.column('swappedMiB');
      const swapIn = vms.column('swapInMiBps');
      return (i) => (swapped[i]! > 0 ? swapIn[i]! * 1e6 + swapped[i]! : 0);
    }
    case 'ready':
      return (
        (c) => (i: number) =>
          c[i]!
      )(vms.column('cpuReadyPct'));
    case 'costop':
      return (
        (c) => (i: number) =>
          c[i]!
      )(vms.column('costopPct'));
    case 'memMissing':
      return (
        (c) => (i: number) =>
          c[i] ?? 0
      )(vms.column('memMissingPct'));
  }
}

/**
 * The worst `limit` running VMs, as rows. `worst`: those at warning or worse, by their worst level,
 * then by how much speed they lost. A figure: the VMs that figure hurts at all (ready above 0,
 * performance below 100...), worst first, whatever their level. One pass keeps the top `limit`
 * (no sort of a thousand VMs a tick); ties go to the earlier VM.
 */
export function rankSuffering(view: SufferingView, by: RankBy, limit: number): VmSuffering[] {
  const badness = badnessOf(view, by);
  const top: { i: number; score: number }[] = [];
  for (let i = 0; i < view.level.length; i++) {
    if (view.level[i] === NOT_RUNNING) continue;
    const score = badness(i);
    if (!(score > 0.05)) continue;
    if (top.length === limit && score <= top[top.length - 1]!.score) continue;
    let at = top.length;
    while (at > 0 && top[at - 1]!.score < score) at--;
    top.splice(at, 0, { i, score });
    if (top.length > limit) top.pop();
  }
  return top.map(({ i }) => sufferingRow(view, i));
}
