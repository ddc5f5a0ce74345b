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

const fromRule = (rule: AlarmRuleId, unit = alarmRuleInfo[rule].unit): Threshold => ({
  warning: alarmRuleInfo[rule].warning,
  critical: alarmRuleInfo[rule].critical,
  worse: 'higher',
  unit,
  rule,
});

export const THRESHOLDS: Record<JudgedMetric, Threshold> = {
  ready: fromRule('vm-cpu-ready'),
  costop: fromRule('vm-costop'),
  memMissing: fromRule('vm-memory-starved'),
  // NUMA local % is 100 minus the remote share the numa-remote rule reads.
  numaLocal: {
    warning: 100 - alarmRuleInfo['numa-remote'].warning,
    critical: 100 - alarmRuleInfo['numa-remote'].critical,
    worse: 'lower',
    unit: '%',
    rule: 'numa-remote',
  },
  numaRemote: fromRule('numa-remote'),
  // No rule reads performance. The dashboard's lines follow the memory rule's: 1% of the working set
  // missing is a guest at about 77% of its speed, 5% one at about 40% (docs/model.md, section 13).
  performance: { warning: 80, critical: 50, worse: 'lower', unit: '%' },
  swapIn: fromRule('host-swap-in'),
  hostCpu: fromRule('host-cpu-usage'),
};

/** How a figure stands against its thresholds. */
export function levelOf(metric: JudgedMetric, value: number): Level {
  const t = THRESHOLDS[metric];
  if (!Number.isFinite(value)) return 'ok';
  if (t.worse === 'higher')
    return value >= t.critical ? 'critical' : value >= t.warning ? 'warning' : 'ok';
  return value <= t.critical ? 'critical' : value <= t.warning ? 'warning' : 'ok';
}

export const levelRank: Record<Level, number> = { ok: 0, warning: 1, critical: 2 };

/** The icon that goes with a level wherever its colour shows (never colour alone). */
export const levelIcon: Record<Level, string> = { ok: '', warning: '◆', critical: '▲' };
