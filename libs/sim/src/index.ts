export * from './topology/topology';
export { MODEL } from './model';
export type { SimState, HostRt, VmRt, AlarmRt, MigrationRt } from './state';
export { createCluster, step, type StepOptions, type TickOutput } from './step';
export { linkMiBps } from './migration';
export { BUILT_IN_RULES, effectiveRules, type AlarmRule } from './alarms';
export { minFreeMiB, memStateFor } from './memory';
export { deliveredCores } from './cpu';
export { migrationTargets } from './migration-targets';
export { clusterConfig } from './cluster-config';
export {
  aggregateMetric,
  exerciseFrame,
  newExercise,
  responseScore,
  scoreTick,
  type ExerciseAlarmRt,
  type ExerciseRt,
} from './exercise-scoring';
export {
  admissionImpossible,
  hostsNeeded,
  hostsLowerBound,
  pointScenario,
  type HostsNeeded,
} from './sweep/hosts-needed';
export {
  runPoint,
  runTicks,
  judge,
  type PointSettings,
  type PlannedPoint,
} from './sweep/run-point';
export {
  planSweep,
  sweep,
  summarizeSweep,
  recommend,
  findKnee,
  savingsAgainst,
  describePoint,
  sweepAnswer,
  performanceLost,
  type PlannedSweepPoint,
  type SweepPlan,
  type SweepPlanResult,
  type SweepProgress,
} from './sweep/sweep';
export { PercentHistogram } from './sweep/histogram';
export { scenarioFromState } from './sweep/from-state';
export { coded, reasonFields, refusal, refusalText, ticksSkipped, type Refusal } from './refusals';
