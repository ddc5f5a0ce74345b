// docs/scenarios.md, section "The exercise section": scoring an exercise tick by
// tick (the watched metric against its target, the alarms to answer and how
// fast they were acknowledged) and the report a team sees.
import type {
  AlarmFrame,
  Exercise,
  ExerciseAggregate,
  ExerciseFrame,
  ExerciseMetricScope,
  Frame,
  ObjectiveScore,
  ResponseScore,
  VmFrame,
} from '@overcommit/contracts';

/** Critical alarms remembered for the response figures and the report (the oldest go first). */
const MAX_ALARMS = 500;

/** An objective's running tally. */
export interface ObjectiveRt {
  heldSeconds: number;
  violations: number;
  holding: boolean;
  value: number | null;
}

/** A critical alarm that fired during the exercise, as the team handled it (simulated seconds). */
export interface ExerciseAlarmRt {
  id: string;
  rule: string;
  target: string;
  firedAt: number;
  ackedAt: number | null;
  ackedBy: string | null;
  ackNote: string | null;
  resolvedAt: number | null;
}

/** An exercise in progress: part of the cluster's state, plain data. */
export interface ExerciseRt {
  spec: Exercise;
  elapsed: number;
  finished: boolean;
  /** Simulated time at which it finished (response figures stop there). */
  endedAt?: number;
  objectives: ObjectiveRt[];
  alarms: ExerciseAlarmRt[];
}

export function newExercise(spec: Exercise): ExerciseRt {
  return {
    spec,
    elapsed: 0,
    finished: false,
    objectives: spec.objectives.map(() => ({
      heldSeconds: 0,
      violations: 0,
      holding: true,
      value: null,
    })),
    alarms: [],
  };
}

/** The metric's value over its targets at this tick; null when it has no target (no VM running). */
export function aggregateMetric(
  metric: string,
  aggregate: ExerciseAggregate,
  frame: Frame,
  vms: () => readonly VmFrame[],
): number | null {
  const dot = metric.indexOf('.');
  const scope = metric.slice(0, dot) as ExerciseMetricScope;
  const field = metric.slice(dot + 1);
  let values: number[];
  if (scope === 'cluster') values = [(frame.cluster as unknown as Record<string, number>)[field]!];
  else if (scope === 'host')
    values = frame.hosts
      .filter((h) => h.state === 'up')
      .map((h) => (h as unknown as Record<string, number>)[field]!);
  else
    values = vms()
      .filter((vm) => vm.state === 'running')
      .map((vm) => (vm as unknown as Record<string, number>)[field]!);
  if (values.length === 0) return null;
  switch (aggregate) {
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

/**
 * Scores one tick of `dt` simulated seconds: each metric objective holds when its aggregate is on
 * the right side of its threshold (or has no target), a forbid objective holds until the team's
 * first accepted forbidden command; held time accrues until the exercise's duration is reached.
 * Critical alarms are followed from firing to acknowledgement and resolution.
 */
export function scoreTick(
  rt: ExerciseRt,
  frame: Frame,
  /** Every active alarm (the frame lists only the most severe). */
  alarms: readonly FollowedAlarm[],
  vms: () => readonly VmFrame[],
  dt: number,
): void {
  if (rt.finished) return;
  const span = Math.max(0, Math.min(dt, rt.spec.durationSeconds - rt.elapsed));
  rt.spec.objectives.forEach((objective, i) => {
    const o = rt.objectives[i]!;
    if (objective.forbid) {
      // People's commands only: not the scenario's events, nor what the system or the instructor
      // sends in (actors named with a leading "@", a prefix people's names cannot have).
      const used = frame.events.filter(
        (e) =>
          e.type === 'command-accepted' &&
          e.commandId !== undefined &&
          !e.by.startsWith('@') &&
          (objective.forbid as readonly unknown[]).includes(e['do']),
      ).length;
      o.violations += used;
      o.holding = o.violations === 0;
    } else {
      const value = aggregateMetric(objective.metric!, objective.aggregate ?? 'max', frame, vms);
      o.value = value;
      o.holding =
        value === null ||
        (objective.below !== undefined ? value < objective.below : value > objective.above!);
    }
    if (o.holding) o.heldSeconds += span;
  });
  followAlarms(rt, frame, alarms, frame.time);
  rt.elapsed += span;
  if (rt.elapsed >= rt.spec.durationSeconds - 1e-9) {
    rt.finished = true;
    rt.endedAt = frame.time;
  }
}

/** What scoring reads of an alarm: the frame's fields, as the engine holds them. */
export type FollowedAlarm = Pick<
  AlarmFrame,
  | 'id'
  | 'rule'
  | 'target'
  | 'severity'
  | 'firedAt'
  | 'ackedAt'
  | 'ackedBy'
  | 'ackNote'
  | 'resolvedAt'
>;

/**
 * Follows the critical alarms: new ones from when they fire; acknowledgements from the tick's
 * `alarm-acked` events (an alarm acknowledged and resolved in the same tick has left the list) and
 * as frames show them; resolution when the alarm says so or leaves the frame's list (resolved alarms
 * are not kept there).
 */
function followAlarms(
  rt: ExerciseRt,
  frame: Frame,
  alarms: readonly FollowedAlarm[],
  now: number,
): void {
  const present = new Map<string, FollowedAlarm>();
  for (const alarm of alarms) {
    present.set(alarm.id, alarm);
    if (alarm.severity !== 'critical' || alarm.firedAt === null) continue;
    if (rt.alarms.some((a) => a.id === alarm.id)) continue;
    rt.alarms.push({
      id: alarm.id,
      rule: alarm.rule,
      target: alarm.target,
      firedAt: alarm.firedAt,
      ackedAt: null,
      ackedBy: null,
      ackNote: null,
      resolvedAt: null,
    });
    if (rt.alarms.length > MAX_ALARMS) rt.alarms.shift();
  }
  for (const e of frame.events) {
    if (e.type !== 'alarm-acked') continue;
    const known = rt.alarms.find((a) => a.id === e['alarmId']);
    if (!known || known.ackedAt !== null) continue;
    known.ackedAt = e.time;
    known.ackedBy = e.by;
    known.ackNote = typeof e['note'] === 'string' ? e['note'] : null;
  }
  for (const known of rt.alarms) {
    if (known.resolvedAt !== null) continue;
    const alarm = present.get(known.id);
    if (!alarm) {
      known.resolvedAt = now;
      continue;
    }
    if (alarm.ackedAt !== null && known.ackedAt === null) {
      known.ackedAt = alarm.ackedAt;
      known.ackedBy = alarm.ackedBy;
      known.ackNote = alarm.ackNote;
    }
    if (alarm.resolvedAt !== null) known.resolvedAt = alarm.resolvedAt;
  }
}

/** The score as the frame carries it, at simulated time `now` (exact: the wire spec rounds it). */
export function exerciseFrame(rt: ExerciseRt, now: number): ExerciseFrame {
  const objectives: ObjectiveScore[] = rt.spec.objectives.map((objective, i) => {
    const o = rt.objectives[i]!;
    const share = rt.elapsed > 0 ? o.heldSeconds / rt.elapsed : 1;
    return {
      id: objective.id,
      text: objective.text,
      weight: objective.weight,
      heldPct: share * 100,
      points: share * objective.weight,
      holding: o.holding,
      value: o.value,
      violations: o.violations,
    };
  });
  return {
    elapsedSeconds: rt.elapsed,
    durationSeconds: rt.spec.durationSeconds,
    finished: rt.finished,
    points: objectives.reduce((a, o) => a + o.points, 0),
    maxPoints: rt.spec.objectives.reduce((a, o) => a + o.weight, 0),
    objectives,
    response: responseScore(rt, rt.finished ? (rt.endedAt ?? now) : now),
  };
}

/**
 * Time to acknowledge and to resolve the critical alarms, mean (over those done) and worst (an
 * alarm still open counts with the time it has been open), against the exercise's targets.
 */
export function responseScore(rt: ExerciseRt, now: number): ResponseScore {
  const { ackSeconds, resolveSeconds } = rt.spec.responseTargets;
  const acks: number[] = [];
  const resolves: number[] = [];
  let ackWorst: number | null = null;
  let resolveWorst: number | null = null;
  for (const a of rt.alarms) {
    const ack = (a.ackedAt ?? now) - a.firedAt;
    const resolve = (a.resolvedAt ?? now) - a.firedAt;
    if (a.ackedAt !== null) acks.push(ack);
    if (a.resolvedAt !== null) resolves.push(resolve);
    // An alarm resolved without an acknowledgement was never acknowledged: it counts until resolved.
    const ackOpen = a.ackedAt !== null ? ack : resolve;
    ackWorst = Math.max(ackWorst ?? 0, ackOpen);
    resolveWorst = Math.max(resolveWorst ?? 0, resolve);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return {
    critical: rt.alarms.length,
    acknowledged: acks.length,
    resolved: resolves.length,
    ackMeanSeconds: mean(acks),
    ackWorstSeconds: ackWorst === null ? null : ackWorst,
    resolveMeanSeconds: mean(resolves),
    resolveWorstSeconds: resolveWorst === null ? null : resolveWorst,
    ackTargetSeconds: ackSeconds,
    resolveTargetSeconds: resolveSeconds,
    ackMet: (ackWorst ?? 0) <= ackSeconds,
    resolveMet: (resolveWorst ?? 0) <= resolveSeconds,
  };
}
