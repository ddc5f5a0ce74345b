// docs/model.md, sections 13 (Alarm rules) and 14 (Alarm lifecycle, hysteresis,
// overrides): turning this tick's readings (alarm-readings.ts) into raised,
// held and cleared alarms, acknowledgements and per-cluster rule overrides.
import {
  type AlarmOverride,
  type AlarmRuleId,
  alarmRuleIds,
  alarmRuleInfo,
  type Severity,
} from '@overcommit/contracts';
import { MODEL } from './model';
import type { EventLog } from './events';
import type { AlarmRt, SimState, VmRt } from './state';

/** A rule's thresholds: higher values are worse; clear thresholds give hysteresis. */
export interface AlarmRule {
  id: AlarmRuleId;
  warning: number;
  critical: number;
  clearWarning: number;
  clearCritical: number;
  forSeconds: number;
  enabled: boolean;
}

/**
 * The built-in rules (DOMAIN.md, Alarms), before a scenario's overrides: the thresholds live in the
 * contracts' `alarmRuleInfo` (one place for rule metadata, which the dashboard reads too).
 */
export const BUILT_IN_RULES = Object.fromEntries(
  alarmRuleIds.map((id) => {
    const { warning, critical, clearWarning, clearCritical, forSeconds } = alarmRuleInfo[id];
    return [id, { id, warning, critical, clearWarning, clearCritical, forSeconds }];
  }),
) as Record<AlarmRuleId, Omit<AlarmRule, 'enabled'>>;

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

/** The rules read once per VM (alarm-readings.ts): their alarms are kept in a slot per VM. */
export const VM_ALARM_RULES = [
  'vm-cpu-ready',
  'vm-costop',
  'numa-remote',
  'vm-swap-full',
  'ha-restart-failed',
  'migration',
  'vm-memory-starved',
] as const satisfies readonly AlarmRuleId[];
export type VmAlarmRuleId = (typeof VM_ALARM_RULES)[number];
/** The rules read per host or for the whole cluster, by target name. */
export type NamedAlarmRuleId = Exclude<AlarmRuleId, VmAlarmRuleId>;

const isVmRule = (rule: AlarmRuleId): rule is VmAlarmRuleId =>
  (VM_ALARM_RULES as readonly AlarmRuleId[]).includes(rule);

/**
 * The active alarms, indexed for the tick's readings. A VM rule's alarms sit in a slot per VM,
 * by index in `state.vms` (laid out for the VMs in `vms`); a slot whose alarm has resolved since
 * is empty. Every other alarm (hosts, the cluster, and a VM rule's alarm whose VM is gone) is
 * found by rule and target.
 */
interface AlarmIndex {
  /** The VMs, in order, the slots are laid out for. */
  vms: VmRt[];
  byVm: Record<VmAlarmRuleId, (AlarmRt | null)[]>;
  byTarget: Map<AlarmRuleId, Map<string, AlarmRt>>;
}

/**
 * Kept between ticks for the same `state.alarms` array while the VMs are the same objects in the
 * same order (the warm path); a state read back from JSON has a new array, and a VM created or
 * deleted moves the slots: either gets the index rebuilt from the alarms.
 */
const indexes = new WeakMap<AlarmRt[], AlarmIndex>();

function sameVms(laidOut: readonly VmRt[], vms: readonly VmRt[]): boolean {
  if (laidOut.length !== vms.length) return false;
  for (let i = 0; i < vms.length; i++) if (laidOut[i] !== vms[i]) return false;
  return true;
}

function buildIndex(state: SimState): AlarmIndex {
  const vms = state.vms.slice();
  const emptySlots = () => new Array<AlarmRt | null>(vms.length).fill(null);
  const byVm = Object.fromEntries(VM_ALARM_RULES.map((rule) => [rule, emptySlots()])) as Record<
    VmAlarmRuleId,
    (AlarmRt | null)[]
  >;
  const byTarget = new Map<AlarmRuleId, Map<string, AlarmRt>>();
  let vmByName: Map<string, number> | null = null;
  for (const alarm of state.alarms) {
    if (isVmRule(alarm.rule)) {
      vmByName ??= new Map(vms.map((vm, i) => [vm.name, i]));
      const vm = vmByName.get(alarm.target);
      if (vm !== undefined) {
        byVm[alarm.rule][vm] = alarm;
        continue;
      }
    }
    let named = byTarget.get(alarm.rule);
    if (!named) byTarget.set(alarm.rule, (named = new Map<string, AlarmRt>()));
    named.set(alarm.target, alarm);
  }
  return { vms, byVm, byTarget };
}

function indexFor(state: SimState): AlarmIndex {
  let index = indexes.get(state.alarms);
  if (!index || !sameVms(index.vms, state.vms)) {
    index = buildIndex(state);
    indexes.set(state.alarms, index);
  }
  return index;
}

/** One VM rule as the tick reads it: its thresholds, the value below which it reads nothing, its slots. */
export interface VmRuleReading {
  rule: AlarmRule;
  floor: number;
  slots: (AlarmRt | null)[];
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
  readonly rules: Record<AlarmRuleId, AlarmRule>;

  constructor(
    private readonly state: SimState,
    private readonly log: EventLog,
  ) {
    this.rules = effectiveRules(state.alarmOverrides);
    this.index = indexFor(state);
  }

  /** The lowest value at which `rule` may matter: below it an active alarm resolves and none starts. */
  floor(rule: AlarmRuleId): number {
    const r = this.rules[rule];
    return r.enabled ? Math.min(r.warning, r.clearWarning) : Infinity;
  }

  /** A VM rule, to read with readVm for each VM. */
  vmRule(rule: VmAlarmRuleId): VmRuleReading {
    return { rule: this.rules[rule], floor: this.floor(rule), slots: this.index.byVm[rule] };
  }

  /** Feeds the reading of VM `vm` (its index in `state.vms`); VMs not read in a tick read as 0 (see finish). */
  readVm(reading: VmRuleReading, vm: number, value: number): void {
    const rule = reading.rule;
    if (!rule.enabled) return;
    const alarm = reading.slots[vm]!;
    if (alarm === null || alarm.state === 'resolved') {
      reading.slots[vm] = this.start(rule, this.state.vms[vm]!.name, value);
    } else {
      alarm.value = value;
      this.update(alarm, rule);
    }
  }

  /**
   * readVm of `figures[vm]`, taken from the array here: the loop over every VM hands over no
   * number, which V8 would allocate for each call it does not inline.
   */
  readVmFigure(reading: VmRuleReading, vm: number, figures: Float64Array): void {
    const rule = reading.rule;
    if (!rule.enabled) return;
    const alarm = reading.slots[vm]!;
    if (alarm === null || alarm.state === 'resolved') {
      reading.slots[vm] = this.start(rule, this.state.vms[vm]!.name, figures[vm]!);
    } else {
      alarm.value = figures[vm]!;
      this.update(alarm, rule);
    }
  }

  /** Feeds one reading of a host or the cluster; targets not read in a tick read as 0 (see finish). */
  read(ruleId: NamedAlarmRuleId, target: string, value: number): void {
    const rule = this.rules[ruleId];
    if (!rule.enabled) return;
    let named = this.index.byTarget.get(ruleId);
    if (!named) this.index.byTarget.set(ruleId, (named = new Map<string, AlarmRt>()));
    const alarm = named.get(target);
    if (alarm === undefined) {
      const created = this.start(rule, target, value);
      if (created !== null) named.set(target, created);
    } else {
      alarm.value = value;
      this.update(alarm, rule);
    }
  }

  /** A reading with no active alarm: a new pending (or at once firing) alarm at `warning`, else none. */
  private start(r: AlarmRule, target: string, value: number): AlarmRt | null {
    if (value < r.warning) return null;
    const severity: Severity = value >= r.critical ? 'critical' : 'warning';
    const created: AlarmRt = {
      id: `a${++this.state.alarmSeq}`,
      rule: r.id,
      target,
      severity,
      state: 'pending',
      since: this.state.time,
      firedAt: null,
      value,
      threshold: severity === 'critical' ? r.critical : r.warning,
      ackedBy: null,
      ackNote: null,
      ackedAt: null,
      resolvedAt: null,
      readTick: this.state.tick,
    };
    this.state.alarms.push(created);
    this.fireIfHeld(created, r);
    return created;
  }

  /** A reading of an active alarm, just written to `alarm.value`: it holds, fires, escalates, de-escalates or resolves. */
  private update(alarm: AlarmRt, r: AlarmRule): void {
    const value = alarm.value;
    alarm.readTick = this.state.tick;
    if (alarm.state === 'pending') {
      if (value < r.clearWarning || value < r.warning) {
        this.resolve(alarm, false);
        return;
      }
      alarm.severity = value >= r.critical ? 'critical' : 'warning';
      alarm.threshold = alarm.severity === 'critical' ? r.critical : r.warning;
      this.fireIfHeld(alarm, r);
      return;
    }
    // Firing or acknowledged.
    if (value < r.clearWarning) {
      this.resolve(alarm, true);
      return;
    }
    if (alarm.severity === 'warning' && value >= r.critical) {
      alarm.severity = 'critical';
      alarm.threshold = r.critical;
      this.log.add('alarm-fired', alarm.target, 'system', {
        alarmId: alarm.id,
        rule: r.id,
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

  /**
   * The alarm leaves the active list (at finish): marked resolved, and, when it had fired, kept
   * in the history with an event. A pending alarm that never fired leaves no trace.
   */
  private resolve(alarm: AlarmRt, fired: boolean): void {
    alarm.state = 'resolved';
    const named = this.index.byTarget.get(alarm.rule);
    if (named?.get(alarm.target) === alarm) named.delete(alarm.target);
    if (!fired) return;
    alarm.resolvedAt = this.state.time;
    this.state.alarmHistory.push(alarm);
    if (this.state.alarmHistory.length > MODEL.alarmHistory) this.state.alarmHistory.shift();
    this.log.add('alarm-resolved', alarm.target, 'system', {
      alarmId: alarm.id,
      rule: alarm.rule,
      durationSeconds: this.state.time - (alarm.firedAt ?? alarm.since),
    });
  }

  /**
   * Alarms whose target gave no reading this tick (gone, or below the floor) read 0 and clear;
   * the resolved leave `state.alarms`, in place (the array stays the key of its index), in the
   * same pass, which hands every alarm that stays active to `active`, in order.
   */
  finish(active: { add(alarm: AlarmRt): void }): void {
    const { alarms, tick } = this.state;
    let kept = 0;
    for (let k = 0; k < alarms.length; k++) {
      const alarm = alarms[k]!;
      if (alarm.readTick !== tick && alarm.state !== 'resolved') {
        const rule = this.rules[alarm.rule];
        if (rule.enabled) {
          alarm.value = 0;
          this.update(alarm, rule);
        }
      }
      if (alarm.state !== 'resolved') {
        alarms[kept++] = alarm;
        active.add(alarm);
      }
    }
    alarms.length = kept;
  }
}
