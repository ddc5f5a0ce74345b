import type { Level } from './thresholds';

// The "who suffers" panel's words (keyed by figure), kept out of the component for translation.

type Figure = 'performance' | 'ready' | 'costop' | 'memMissing' | 'swap' | 'numaLocal';

export const SUFFER_TEXT = {
  title: 'Who suffers',
  loading: 'loading the VMs’ figures (next tick)…',
  none: 'no VM suffers: every running VM’s figures are in their good ranges',
  noneBy: (figure: string) => `no VM is hurt by ${figure} now`,
  on: 'on',
  more: (n: number) => `and ${n} more suffering: the VM table, sorted by a column, lists them all`,
  summary: (suffering: number, running: number, causes: string[]) =>
    `${suffering} of ${running} running VMs suffer (by figure: ${causes.join(', ')}).`,
  legend:
    'Colours and icons follow the alarm rules’ thresholds (▲ problem, ◆ worth a look), the same as the VM table’s and the heat map’s. Hover a figure’s name for its definition and ranges.',
  level: { ok: 'fine', warning: 'worth a look', critical: 'a problem' } satisfies Record<
    Level,
    string
  >,
  /** Chip labels (short) and figure names (long). */
  short: {
    performance: 'perf',
    ready: 'ready',
    costop: 'co-stop',
    memMissing: 'WS missing',
    swap: 'swap',
    numaLocal: 'NUMA local',
  } satisfies Record<Figure, string>,
  long: {
    performance: 'performance',
    ready: 'CPU ready',
    costop: 'co-stop',
    memMissing: 'working set missing (balloon below it, compressed, swapped)',
    swap: 'swap-in (its pages on swap, at its host’s swap-in rate)',
    numaLocal: 'NUMA local',
  } satisfies Record<Figure, string>,
  /** The figures as causes, in the summary line. */
  cause: {
    performance: 'slowed down',
    ready: 'CPU ready',
    costop: 'co-stop',
    memMissing: 'working set missing',
    swap: 'swap-in',
    numaLocal: 'NUMA remote',
  } satisfies Record<Figure, string>,
  rankBy: {
    worst: 'worst first',
    performance: 'by performance',
    ready: 'by CPU ready',
    costop: 'by co-stop',
    memMissing: 'by working set missing',
    swap: 'by swap-in',
    numaLocal: 'by NUMA local',
  } satisfies Record<'worst' | Figure, string>,
} as const;
