import {
  type AlarmFrame,
  type AlarmRuleId,
  alarmRuleInfo,
  type EffectiveAlarmRule,
} from '@overcommit/contracts';
import { simTime } from '../ui/format';
import { ALARM_HELP } from './alarms';
import type { HelpT } from './t';

// An alarm's state machine in words (docs/model.md, section 14): pending, firing, acknowledged,
// and when it drops back or clears (hysteresis). The sentences are messages (help.json `state`),
// filled in here, so that a language changes the message files and nothing in the components.

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
export function thresholdFigure(rule: AlarmRuleId, value: number, t: HelpT): string {
  return t(`figure.${rule}`, { value: compact(value) });
}

export interface AlarmWords {
  /** One line under the alarm: its state, since when, and when it clears. */
  short: string;
  /** The state machine for this alarm, a sentence each. */
  long: string[];
}

export function alarmWords(alarm: AlarmFrame, th: EffectiveAlarmRule, t: HelpT): AlarmWords {
  const f = (v: number) => thresholdFigure(alarm.rule, v, t);
  const help = ALARM_HELP[alarm.rule];
  const flag = help.clears ? t(`alarmClears.${alarm.rule as 'host-down'}`) : null;
  const critical = alarm.severity === 'critical';
  const clears = flag ?? t('state.clearsBelow', { value: f(th.clearWarning) });
  const since = simTime(alarm.firedAt ?? alarm.since);
  const long: string[] = [];
  let short: string;
  if (alarm.state === 'pending') {
    short = t('state.pendingShort', {
      since: simTime(alarm.since),
      seconds: th.forSeconds,
      warning: f(th.warning),
    });
    long.push(
      t('state.pendingLong', {
        value: f(critical ? th.critical : th.warning),
        since: simTime(alarm.since),
        seconds: th.forSeconds,
        warning: f(th.warning),
      }),
    );
  } else {
    const step =
      critical && !flag && th.clearCritical > th.clearWarning
        ? t('state.step', { value: f(th.clearCritical) })
        : '';
    short = t('state.firingShort', {
      severity: t(critical ? 'levelWord.critical' : 'levelWord.warning'),
      since,
      clears,
      step,
    });
    long.push(
      th.forSeconds > 0
        ? t('state.firedAfter', {
            since,
            seconds: th.forSeconds,
            start: simTime(alarm.since),
          })
        : t('state.firedAtOnce', { since }),
    );
    if (critical) {
      if (!flag)
        long.push(
          t('state.criticalRange', {
            critical: f(th.critical),
            clearCritical: f(th.clearCritical),
            clearWarning: f(th.clearWarning),
          }),
        );
      if (!flag && alarm.value < th.critical)
        long.push(
          t('state.criticalUnder', {
            value: f(alarm.value),
            critical: f(th.critical),
            clearCritical: f(th.clearCritical),
          }),
        );
    } else if (!flag) {
      long.push(
        t('state.warningRange', {
          warning: f(th.warning),
          critical: f(th.critical),
          clearWarning: f(th.clearWarning),
        }),
      );
      if (alarm.value < th.warning)
        long.push(
          t('state.warningUnder', {
            value: f(alarm.value),
            warning: f(th.warning),
            clearWarning: f(th.clearWarning),
          }),
        );
    } else long.push(t('state.flagClears', { clears: flag }));
  }
  if (alarm.state === 'acknowledged' && alarm.ackedBy)
    long.push(
      t('state.acked', {
        by: alarm.ackedBy,
        at: alarm.ackedAt !== null ? t('state.ackedAt', { time: simTime(alarm.ackedAt) }) : '',
        note: alarm.ackNote ? t('state.ackedNote', { note: alarm.ackNote }) : '',
      }),
    );
  return { short, long };
}
