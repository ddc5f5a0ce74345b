import { type AlarmRuleId, alarmRuleInfo } from '@overcommit/contracts';

// The one threshold table the dashboard colours figures by: the "who suffers" panel, the heat
// map's marks and the VM table's cells all read it, so a figure is never good in one place and bad
// in another. Where an alarm rule watches the figure, the numbers are the rule's own (the
// contracts' alarmRuleInfo, as the engine uses them); the rest are the dashboard's, with the reason.

export type Level = 'ok' | 'warning' | 'critical';

/** The figures the dashboard judges. */
export type JudgedMetric =
  | 'ready'
  | 'costop'
  | 'memMissing'
  | 'numaLocal'
  | 'numaRemote'
  | 'performance'
  | 'swapIn'
  | 'hostCpu';

export interface Threshold {
  /** At or past this, a look; at or past `critical`, a problem. */
  warning: number;
  critical: number;
  /** Whether higher values are worse (ready) or lower ones (performance). */
  worse: 'higher' | 'lower';
  unit: string;
  /** The alarm rule whose thresholds these are, if any. */
  rule?: AlarmRuleId;
}

/** Every threshold built the same way: one object shape, so judging a thousand figures stays fast. */
const threshold = (
  warning: number,
  critical: number,
  worse: Threshold['worse'],
  unit: string,
  rule?: AlarmRuleId,
): Threshold => ({ warning, critical, worse, unit, rule });

const fromRule = (rule: AlarmRuleId, unit = alarmRuleInfo[rule].unit): Threshold =>
  threshold(alarmRuleInfo[rule].warning, alarmRuleInfo[rule].critical, 'higher', unit, rule);

export const THRESHOLDS: Record<JudgedMetric, Threshold> = {
  ready: fromRule('vm-cpu-ready'),
  costop: fromRule('vm-costop'),
  memMissing: fromRule('vm-memory-starved'),
  // NUMA local % is 100 minus the remote share the numa-remote rule reads.
  numaLocal: threshold(
    100 - alarmRuleInfo['numa-remote'].warning,
    100 - alarmRuleInfo['numa-remote'].critical,
    'lower',
    '%',
    'numa-remote',
  ),
  numaRemote: fromRule('numa-remote'),
  // No rule reads performance. The dashboard's lines follow the memory rule's: 1% of the working set
  // missing is a guest at about 77% of its speed, 5% one at about 40% (docs/model.md, section 13).
  performance: threshold(80, 50, 'lower', '%'),
  swapIn: fromRule('host-swap-in'),
  hostCpu: fromRule('host-cpu-usage'),
};

/** How a figure stands against its thresholds. */
export function levelOf(metric: JudgedMetric, value: number): Level {
  return LEVELS[levelIndex(THRESHOLDS[metric], value)]!;
}

export const LEVELS: readonly Level[] = ['ok', 'warning', 'critical'];

/** The level as 0 (ok), 1 (warning) or 2 (critical): what a loop over a thousand VMs uses. */
export function levelIndex(t: Threshold, value: number): 0 | 1 | 2 {
  // Not a finite number (NaN, ±Infinity): nothing to judge. (No global lookup in this hot path.)
  if (value - value !== 0) return 0;
  if (t.worse === 'higher') return value >= t.critical ? 2 : value >= t.warning ? 1 : 0;
  return value <= t.critical ? 2 : value <= t.warning ? 1 : 0;
}

export const levelRank: Record<Level, number> = { ok: 0, warning: 1, critical: 2 };

/** The icon that goes with a level wherever its colour shows (never colour alone). */
export const levelIcon: Record<Level, string> = { ok: '', warning: '◆', critical: '▲' };
