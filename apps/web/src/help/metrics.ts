import type HelpMessages from '../../messages/en/help.json';
import type { HelpT } from './t';
import { type JudgedMetric, THRESHOLDS, type Threshold } from './thresholds';

// What each figure the dashboard shows means: the hover help on every metric name and the
// glossary page read this module (the prose is help.json's `metrics` and `metricRanges`, keyed by
// metric id; the thresholds its ranges are written from are here).
// Sources: docs/model.md (the equations the engine implements) and the seed notes' images.

export type MetricId =
  | 'ready'
  | 'costop'
  | 'cpuUsage'
  | 'balloon'
  | 'compressed'
  | 'swapped'
  | 'swapIn'
  | 'memMissing'
  | 'active'
  | 'consumed'
  | 'numaLocal'
  | 'numaRemote'
  | 'performance'
  | 'vcpuRatio'
  | 'memOvercommit'
  | 'memState';

export interface MetricHelp {
  /** Good and bad ranges in words (help.json `metricRanges.<id>`), when it has no threshold of its own. */
  ranges?: true;
  /** The threshold the dashboard colours it by (its ranges are written from it). */
  judged?: JudgedMetric;
}

type RangesMetric = keyof (typeof HelpMessages)['metricRanges'];

/** Each figure: judged by a threshold, or with its ranges in words (every one has one of the two). */
export const METRICS: Record<MetricId, MetricHelp> = {
  ready: { judged: 'ready' },
  costop: { judged: 'costop' },
  cpuUsage: { judged: 'hostCpu' },
  balloon: { ranges: true },
  compressed: { ranges: true },
  swapped: { ranges: true },
  swapIn: { judged: 'swapIn' },
  memMissing: { judged: 'memMissing' },
  active: { ranges: true },
  consumed: { ranges: true },
  numaLocal: { judged: 'numaLocal' },
  numaRemote: { judged: 'numaRemote' },
  performance: { judged: 'performance' },
  vcpuRatio: { ranges: true },
  memOvercommit: { ranges: true },
  memState: { ranges: true },
};

/** A figure's words in the reader's language. */
export interface MetricText {
  /** The name as the dashboard writes it. */
  name: string;
  unit: string;
  /** What the figure is, in a sentence or two. */
  definition: string;
  /** Good and bad ranges. */
  ranges: string;
  /** Where the figure or its thresholds come from. */
  source: string;
}

export function metricText(id: MetricId, t: HelpT): MetricText {
  return {
    name: t(`metrics.${id}.name`),
    unit: t(`metrics.${id}.unit`),
    definition: t(`metrics.${id}.definition`),
    ranges: rangesText(id, t),
    source: t(`metrics.${id}.source`),
  };
}

const n = (v: number) => String(+v.toFixed(2));

/** Good and bad ranges in words, written from the threshold table (one truth for the numbers). */
export function rangesText(id: MetricId, t: HelpT): string {
  const help = METRICS[id];
  if (!help.judged) return help.ranges ? t(`metricRanges.${id as RangesMetric}`) : '';
  return thresholdRanges(THRESHOLDS[help.judged], t);
}

export function thresholdRanges(th: Threshold, t: HelpT): string {
  const unit = th.unit.startsWith('%') ? '%' : ` ${th.unit}`;
  const values = { warning: n(th.warning), critical: n(th.critical), unit };
  return th.worse === 'higher' ? t('ranges.higher', values) : t('ranges.lower', values);
}
