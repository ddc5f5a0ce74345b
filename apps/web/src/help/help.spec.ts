import { type AlarmFrame, alarmRuleIds, alarmRuleInfo } from '@overcommit/contracts';
import { alarmWords as alarmWordsIn, ruleThresholds, thresholdFigure } from './alarm-state';
import { ALARM_HELP, alarmActionLabel, alarmHelpText } from './alarms';
import { englishHelp } from './english';
import { terms } from './glossary';
import { METRICS, type MetricId, metricText, rangesText } from './metrics';
import { levelOf, THRESHOLDS } from './thresholds';

const t = englishHelp();
const alarmWords = (a: AlarmFrame, th: Parameters<typeof alarmWordsIn>[1]) =>
  alarmWordsIn(a, th, t);

const alarm = (over: Partial<AlarmFrame>): AlarmFrame => ({
  id: 'a1',
  rule: 'host-cpu-usage',
  target: 'esx-05',
  severity: 'critical',
  state: 'firing',
  since: 230,
  firedAt: 250,
  value: 86.9,
  threshold: 95,
  ackedBy: null,
  ackNote: null,
  ackedAt: null,
  resolvedAt: null,
  ...over,
});

describe('the one threshold table', () => {
  it('takes the alarm rules’ own numbers where a rule watches the figure', () => {
    expect(THRESHOLDS.ready).toMatchObject({ warning: 5, critical: 10, worse: 'higher' });
    expect(THRESHOLDS.costop).toMatchObject({
      warning: alarmRuleInfo['vm-costop'].warning,
      critical: alarmRuleInfo['vm-costop'].critical,
    });
    expect(THRESHOLDS.memMissing.rule).toBe('vm-memory-starved');
    // NUMA local is 100 minus the remote share the rule reads.
    expect(THRESHOLDS.numaLocal).toMatchObject({ warning: 75, critical: 50, worse: 'lower' });
  });

  it('judges figures at and past each threshold, in the right direction', () => {
    expect(levelOf('ready', 4.99)).toBe('ok');
    expect(levelOf('ready', 5)).toBe('warning');
    expect(levelOf('ready', 10)).toBe('critical');
    expect(levelOf('performance', 95)).toBe('ok');
    expect(levelOf('performance', 80)).toBe('warning');
    expect(levelOf('performance', 13)).toBe('critical');
    expect(levelOf('numaLocal', 50)).toBe('critical');
    expect(levelOf('ready', Number.NaN)).toBe('ok');
  });
});

describe('help for every figure and every rule', () => {
  it('every metric has a definition, a unit, a source and ranges', () => {
    for (const id of Object.keys(METRICS) as MetricId[]) {
      const help = metricText(id, t);
      expect(help.definition.length).toBeGreaterThan(40);
      expect(help.unit).not.toBe('');
      expect(help.source).not.toBe('');
      expect(rangesText(id, t)).not.toBe('');
      expect(id).toMatch(/^[a-z][A-Za-z]+$/);
    }
  });

  it('writes ranges from the thresholds, not from prose that could disagree', () => {
    expect(rangesText('ready', t)).toBe(
      'good below 5% · worth a look from 5% · a problem from 10%',
    );
    expect(rangesText('performance', t)).toBe(
      'good above 80% · worth a look at 80% and below · a problem at 50% and below',
    );
    expect(rangesText('swapIn', t)).toBe(
      'good below 1 MiB/s · worth a look from 1 MiB/s · a problem from 20 MiB/s',
    );
  });

  it('every alarm rule says what it measures, why, what to do, with actions that fit its target', () => {
    for (const rule of alarmRuleIds) {
      const help = ALARM_HELP[rule];
      const words = alarmHelpText(rule, t);
      for (const text of [words.measures, words.cause, words.action])
        expect(text.length).toBeGreaterThan(30);
      expect(help.actions.length).toBeGreaterThan(0);
      const scope = alarmRuleInfo[rule].scope;
      // VM actions only on VM alarms, host actions only on host alarms.
      if (help.actions.includes('migrate-vm')) expect(scope).toBe('vm');
      if (help.actions.includes('migrate-off-host')) expect(scope).toBe('host');
      for (const a of help.actions) expect(alarmActionLabel(a, 'x', t)).not.toBe('');
    }
  });

  it('carries the seed notes’ images where they fit', () => {
    expect(alarmHelpText('vm-cpu-ready', t).image).toContain('One cook, two stoves');
    expect(alarmHelpText('vcpu-overcommit', t).image).toContain('gambler');
    expect(alarmHelpText('mem-overcommit', t).image).toContain('150% line');
    expect(terms(t).map((term) => term.id)).toEqual(
      expect.arrayContaining(['overcommit', 'hyper-threading']),
    );
  });
});

describe('an alarm’s state machine in words', () => {
  it('a critical alarm under its trigger says it holds until its clear threshold (the issue’s case)', () => {
    const words = alarmWords(alarm({}), ruleThresholds('host-cpu-usage', undefined));
    expect(words.short).toBe(
      'critical · firing since 0:04:10 · clears below 75% (warning below 85%)',
    );
    expect(words.long.join(' ')).toContain(
      'It reads 86.9%, under the 95% that made it critical, and stays critical until it falls below 85%: hysteresis',
    );
    expect(words.long[0]).toBe(
      'Fired at 0:04:10, after the condition held for 20 s (from 0:03:50).',
    );
  });

  it('uses the cluster’s thresholds after its overrides when it has them', () => {
    const rules = {
      'host-cpu-usage': {
        warning: 80,
        critical: 90,
        clearWarning: 70,
        clearCritical: 80,
        forSeconds: 20,
        enabled: true,
      },
    };
    const words = alarmWords(alarm({ threshold: 90 }), ruleThresholds('host-cpu-usage', rules));
    expect(words.short).toContain('clears below 70% (warning below 80%)');
  });

  it('pending, warning, acknowledged and flag rules read as such, with units', () => {
    const th = ruleThresholds('vm-memory-starved', undefined);
    expect(
      alarmWords(
        alarm({
          rule: 'vm-memory-starved',
          state: 'pending',
          severity: 'warning',
          firedAt: null,
          value: 2,
        }),
        th,
      ).short,
    ).toBe('pending since 0:03:50 · fires if it holds 20 s at 1% of working set or more');
    const warn = alarmWords(
      alarm({ rule: 'vm-memory-starved', severity: 'warning', value: 0.8 }),
      th,
    );
    expect(warn.short).toBe('warning · firing since 0:04:10 · clears below 0.5% of working set');
    expect(warn.long.join(' ')).toContain('under the 1% of working set that raised it');
    const down = alarmWords(
      alarm({
        rule: 'host-down',
        value: 1,
        state: 'acknowledged',
        ackedBy: 'Lin',
        ackedAt: 260,
        ackNote: 'on it',
      }),
      ruleThresholds('host-down', undefined),
    );
    expect(down.short).toBe('critical · firing since 0:04:10 · clears when the host is recovered');
    expect(down.long.join(' ')).toContain('Acknowledged by Lin at 0:04:20: “on it”.');
    expect(thresholdFigure('host-swap-in', 0.5, t)).toBe('0.5 MiB/s');
    expect(thresholdFigure('vcpu-overcommit', 100, t)).toBe('100% of limit');
  });
});
