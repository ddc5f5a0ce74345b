// docs/model.md, sections 13 (Alarm rules) and 14 (Alarm lifecycle, hysteresis,
// overrides): turning this tick's readings (alarm-readings.ts) into raised,
// held and cleared alarms, acknowledgements and per-cluster rule overrides.
import type { AlarmOverride, AlarmRuleId, Severity } from '@overcommit/contracts';
import { MODEL } from './model';
import type { EventLog } from './events';
import type { AlarmRt, SimState } from './state';

/** A rule's thresholds: higher values are worse; clear thresholds give hysteresis. */
export interface AlarmRule {
  id: AlarmRuleId;
  warning: number;
  critical: number;
  clearWarning: number;
  clearCritical: number;
  forSeconds: number;
  enabled: boolean;
  unit: string;
}

/** The built-in rules (DOMAIN.md, Alarms), before a scenario's overrides. */
export const BUILT_IN_RULES: Record<AlarmRuleId, Omit<AlarmRule, 'enabled'>> = {
  // VMware: ready above 5% per vCPU is worth a look, above 10% a problem; real-time charts sample 20 s.
  'vm-cpu-ready': {
    id: 'vm-cpu-ready',
    warning: 5,
    critical: 10,
    clearWarning: 4,
    clearCritical: 8,
    forSeconds: 20,
    unit: '%',
  },
  // Co-stop: keep it at or below 3%.
  'vm-costop': {
    id: 'vm-costop',
    warning: 3,
    critical: 6,
    clearWarning: 2,
    clearCritical: 5,
    forSeconds: 20,
    unit: '%',
  },
  // Netdata: warn above 85%, clear below 75%; critical above 95%, clear below 85%.
  'host-cpu-usage': {
    id: 'host-cpu-usage',
    warning: 85,
    critical: 95,
    clearWarning: 75,
    clearCritical: 85,
    forSeconds: 20,
    unit: '%',
  },
  // Share of the policy's limit handed out: near (90%) or at/above (100%) the allocation ratio.
  'vcpu-overcommit': {
    id: 'vcpu-overcommit',
    warning: 90,
    critical: 100,
    clearWarning: 85,
    clearCritical: 99,
    forSeconds: 0,
    unit: '% of limit',
  },
  'mem-overcommit': {
    id: 'mem-overcommit',
    warning: 90,
    critical: 100,
    clearWarning: 85,
    clearCritical: 99,
    forSeconds: 0,
    unit: '% of limit',
  },
  // Memory state as a level: 0 high/clear, 1 soft (ballooning), 2 hard, 3 low (swapping).
  'host-mem-state': {
    id: 'host-mem-state',
    warning: 1,
    critical: 2,
    clearWarning: 1,
    clearCritical: 2,
    forSeconds: 10,
    unit: 'level',
  },
  'host-swap-in': {
    id: 'host-swap-in',
    warning: 1,
    critical: 20,
    clearWarning: 0.5,
    clearCritical: 10,
    forSeconds: 10,
    unit: 'MiB/s',
  },
  'vm-swap-full': {
    id: 'vm-swap-full',
    warning: 1,
    critical: 1,
    clearWarning: 1,
    clearCritical: 1,
    forSeconds: 0,
    unit: 'paused',
  },
  'numa-remote': {
    id: 'numa-remote',
    warning: 25,
    critical: 50,
    clearWarning: 20,
    clearCritical: 45,
    forSeconds: 30,
    unit: '%',
  },
  // Rounds of an ongoing pre-copy; 30 (the cap) once it has aborted, held for five minutes.
  migration: {
    id: 'migration',
    warning: 10,
    critical: 20,
    clearWarning: 10,
    clearCritical: 20,
    forSeconds: 0,
    unit: 'rounds',
  },
  'host-down': {
    id: 'host-down',
    warning: 1,
    critical: 1,
    clearWarning: 1,
    clearCritical: 1,
    forSeconds: 0,
    unit: 'down',
  },
  'ha-restart-failed': {
    id: 'ha-restart-failed',
    warning: 1,
    critical: 1,
    clearWarning: 1,
    clearCritical: 1,
    forSeconds: 0,
    unit: 'down',
  },
};

export function effectiveRules(overrides: AlarmOverride[]): Record<AlarmRuleId, AlarmRule> {
  const rules = {} as Record<AlarmRuleId, AlarmRule>;
  for (const [id, rule] of Object.entries(BUILT_IN_RULES) as [AlarmRuleId, AlarmRule][]) {
    rules[id] = { ...rule, enabled: true };
  }
  for (const o of overrides) {
    const r = rules[o.rule];
    const warning = o.warning ?? r.warning;
    const critical = o.critical ?? r.critical;
    rules[o.rule] = {
      ...r,
      warning,
      critical,
      // Moving a threshold moves its clear threshold with it unless given.
      clearWarning: o.clearWarning ?? Math.min(warning, r.clearWarning + (warning - r.warning)),
      clearCritical:
        o.clearCritical ?? Math.min(critical, r.clearCritical + (critical - r.critical)),
      forSeconds: o.forSeconds ?? r.forSeconds,
      enabled: o.enabled ?? true,
    };
  }
  return rules;
}

type AlarmIndex = Map<AlarmRuleId, Map<string, AlarmRt>>;

/**
 * The active alarms by rule and target. Kept between ticks for the same
 * `state.alarms` array (the warm path); a state read back from JSON has a new
 * array and gets its index rebuilt.
 */
const indexes = new WeakMap<AlarmRt[], AlarmIndex>();

function indexFor(alarms: AlarmRt[]): AlarmIndex {
  let index = indexes.get(alarms);
  if (!index) {
    index = new Map();
    for (const alarm of alarms) {
      let byTarget = index.get(alarm.rule);
      if (!byTarget) index.set(alarm.rule, (byTarget = new Map<string, AlarmRt>()));
      byTarget.set(alarm.target, alarm);
    }
    indexes.set(alarms, index);
  }
  return index;
}

/**
 * Evaluates alarm readings with hold times and hysteresis. Lifecycle: a
 * condition at or above `warning` makes a pending alarm; held for
 * `forSeconds` it fires; it escalates to critical at `critical` and drops
 * back below `clearCritical`; it resolves below `clearWarning`. Acknowledged
 * alarms stay acknowledged while they last.
 */
export class AlarmEvaluator {
  private readonly index: AlarmIndex;
  private readonly removed = new Set<AlarmRt>();
  readonly rules: Record<AlarmRuleId, AlarmRule>;

  constructor(
    private readonly state: SimState,
    private readonly log: EventLog,
  ) {
    this.rules = effectiveRules(state.alarmOverrides);
    this.index = indexFor(state.alarms);
  }

  /** The lowest value at which `rule` may matter: below it an active alarm resolves and none starts. */
  floor(rule: AlarmRuleId): number {
    const r = this.rules[rule];
    return r.enabled ? Math.min(r.warning, r.clearWarning) : Infinity;
  }

  /** Feeds one reading; targets not read in a tick read as 0 (see finish). */
  read(rule: AlarmRuleId, target: string, value: number): void {
    const r = this.rules[rule];
    if (!r.enabled) return;
    let byTarget = this.index.get(rule);
    if (!byTarget) this.index.set(rule, (byTarget = new Map<string, AlarmRt>()));
    const time = this.state.time;
    const alarm = byTarget.get(target);
    if (!alarm) {
      if (value < r.warning) return;
      const severity: Severity = value >= r.critical ? 'critical' : 'warning';
      const created: AlarmRt = {
        id: `a${++this.state.alarmSeq}`,
        rule,
        target,
        severity,
        state: 'pending',
        since: time,
        firedAt: null,
        value,
        threshold: severity === 'critical' ? r.critical : r.warning,
        ackedBy: null,
        ackNote: null,
        ackedAt: null,
        resolvedAt: null,
        readTick: this.state.tick,
      };
      byTarget.set(target, created);
      this.state.alarms.push(created);
      this.fireIfHeld(created, r);
      return;
    }
    alarm.readTick = this.state.tick;
    alarm.value = value;
    if (alarm.state === 'pending') {
      if (value < r.clearWarning || value < r.warning) {
        this.drop(byTarget, alarm, false);
        return;
      }
      alarm.severity = value >= r.critical ? 'critical' : 'warning';
      alarm.threshold = alarm.severity === 'critical' ? r.critical : r.warning;
      this.fireIfHeld(alarm, r);
      return;
    }
    // Firing or acknowledged.
    if (value < r.clearWarning) {
      this.drop(byTarget, alarm, true);
      return;
    }
    if (alarm.severity === 'warning' && value >= r.critical) {
      alarm.severity = 'critical';
      alarm.threshold = r.critical;
      this.log.add('alarm-fired', alarm.target, 'system', {
        alarmId: alarm.id,
        rule,
        severity: 'critical',
        value,
        threshold: r.critical,
        escalated: true,
      });
    } else if (alarm.severity === 'critical' && value < r.clearCritical) {
      alarm.severity = 'warning';
      alarm.threshold = r.warning;
    }
  }

  private fireIfHeld(alarm: AlarmRt, r: AlarmRule): void {
    if (this.state.time - alarm.since + 1e-9 < r.forSeconds) return;
    alarm.state = 'firing';
    alarm.firedAt = this.state.time;
    this.log.add('alarm-fired', alarm.target, 'system', {
      alarmId: alarm.id,
      rule: alarm.rule,
      severity: alarm.severity,
      value: alarm.value,
      threshold: alarm.threshold,
    });
  }

  private drop(byTarget: Map<string, AlarmRt>, alarm: AlarmRt, fired: boolean): void {
    byTarget.delete(alarm.target);
    this.removed.add(alarm);
    if (!fired) return;
    alarm.state = 'resolved';
    alarm.resolvedAt = this.state.time;
    this.state.alarmHistory.push(alarm);
    if (this.state.alarmHistory.length > MODEL.alarmHistory) this.state.alarmHistory.shift();
    this.log.add('alarm-resolved', alarm.target, 'system', {
      alarmId: alarm.id,
      rule: alarm.rule,
      durationSeconds: this.state.time - (alarm.firedAt ?? alarm.since),
    });
  }

  /** Alarms whose target gave no reading this tick (gone, or below the floor) read 0 and clear. */
  finish(): void {
    for (const alarm of this.state.alarms) {
      if (alarm.readTick !== this.state.tick && !this.removed.has(alarm)) {
        this.read(alarm.rule, alarm.target, 0);
      }
    }
    if (this.removed.size === 0) return;
    const kept = this.state.alarms.filter((alarm) => !this.removed.has(alarm));
    indexes.set(kept, this.index);
    this.state.alarms = kept;
  }
}
