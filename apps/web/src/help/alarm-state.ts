import {
  type AlarmFrame,
  type AlarmRuleId,
  alarmRuleInfo,
  type EffectiveAlarmRule,
} from '@overcommit/contracts';
import { simTime } from '../ui/format';
import { ALARM_HELP } from './alarms';

// An alarm's state machine in words (docs/model.md, section 14): pending, firing, acknowledged,
// and when it drops back or clears (hysteresis). The sentences are here, as templates, so that a
// translation replaces this module and nothing in the components.

/** A rule's thresholds in force: the cluster's (after overrides) when known, else the built-in ones. */
export function ruleThresholds(
  rule: AlarmRuleId,
  rules: Partial<Record<AlarmRuleId, EffectiveAlarmRule>> | undefined,
): EffectiveAlarmRule {
  const known = rules?.[rule];
  if (known) return known;
  const { warning, critical, clearWarning, clearCritical, forSeconds } = alarmRuleInfo[rule];
  return { warning, critical, clearWarning, clearCritical, forSeconds, enabled: true };
}

const compact = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : String(+v.toFixed(Math.abs(v) >= 10 ? 1 : 2));

/** A rule's threshold with its unit, as short as it reads: "95%", "0.5 MiB/s", "5% of working set". */
export function thresholdFigure(rule: AlarmRuleId, value: number): string {
  const unit = alarmRuleInfo[rule].unit;
  return unit.startsWith('%') ? `${compact(value)}${unit}` : `${compact(value)} ${unit}`;
}

export interface AlarmWords {
  /** One line under the alarm: its state, since when, and when it clears. */
  short: string;
  /** The state machine for this alarm, a sentence each. */
  long: string[];
}

export function alarmWords(alarm: AlarmFrame, t: EffectiveAlarmRule): AlarmWords {
  const f = (v: number) => thresholdFigure(alarm.rule, v);
  const help = ALARM_HELP[alarm.rule];
  const critical = alarm.severity === 'critical';
  const clears = help.clears ?? `clears below ${f(t.clearWarning)}`;
  const since = simTime(alarm.firedAt ?? alarm.since);
  const long: string[] = [];
  let short: string;
  if (alarm.state === 'pending') {
    short = `pending since ${simTime(alarm.since)} · fires if it holds ${t.forSeconds} s at ${f(t.warning)} or more`;
    long.push(
      `Pending: the value reached ${f(critical ? t.critical : t.warning)} at ${simTime(alarm.since)}; it fires once it has held for ${t.forSeconds} s, and is dropped silently if it falls below ${f(t.warning)} first.`,
    );
  } else {
    const step =
      critical && !help.clears && t.clearCritical > t.clearWarning
        ? ` (warning below ${f(t.clearCritical)})`
        : '';
    short = `${critical ? 'critical' : 'warning'} · firing since ${since} · ${clears}${step}`;
    long.push(
      t.forSeconds > 0
        ? `Fired at ${since}, after the condition held for ${t.forSeconds} s (from ${simTime(alarm.since)}).`
        : `Fired at ${since}, as soon as the condition held.`,
    );
    if (critical) {
      if (!help.clears)
        long.push(
          `Critical at ${f(t.critical)} or more. It drops back to warning only below ${f(t.clearCritical)} and resolves below ${f(t.clearWarning)}.`,
        );
      if (!help.clears && alarm.value < t.critical)
        long.push(
          `It reads ${f(alarm.value)}, under the ${f(t.critical)} that made it critical, and stays critical until it falls below ${f(t.clearCritical)}: hysteresis, so an alarm does not flap on every dip.`,
        );
    } else if (!help.clears) {
      long.push(
        `Warning at ${f(t.warning)} or more; it escalates to critical at ${f(t.critical)} and resolves below ${f(t.clearWarning)}.`,
      );
      if (alarm.value < t.warning)
        long.push(
          `It reads ${f(alarm.value)}, under the ${f(t.warning)} that raised it, and stays until it falls below ${f(t.clearWarning)}: hysteresis, so an alarm does not flap on every dip.`,
        );
    } else long.push(`It ${help.clears}.`);
  }
  if (alarm.state === 'acknowledged' && alarm.ackedBy)
    long.push(
      `Acknowledged by ${alarm.ackedBy}${alarm.ackedAt !== null ? ` at ${simTime(alarm.ackedAt)}` : ''}${alarm.ackNote ? `: “${alarm.ackNote}”` : ''}. It stays acknowledged while it lasts, whatever its severity.`,
    );
  return { short, long };
}
