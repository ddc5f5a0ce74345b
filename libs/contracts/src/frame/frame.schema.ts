import { z } from 'zod';
import { codedReasonSchema, reasonParamsSchema } from '../errors/refusal-codes';
import { alarmRuleIds } from '../scenario/scenario.schema';

// What one tick produces. Units are in the names: Pct (0..100), MiB, MiBps,
// Watts, KWh, Seconds, Ms. `time` is simulated seconds since the cluster started.

export const hostStates = ['up', 'maintenance', 'failed'] as const;
export type HostState = (typeof hostStates)[number];
export const memStates = ['high', 'clear', 'soft', 'hard', 'low'] as const;
export type MemState = (typeof memStates)[number];
export const vmStates = ['running', 'stopped', 'down', 'paused', 'pending'] as const;
export type VmState = (typeof vmStates)[number];
export const severities = ['warning', 'critical'] as const;
export type Severity = (typeof severities)[number];
export const alarmStates = ['pending', 'firing', 'acknowledged', 'resolved'] as const;
export type AlarmState = (typeof alarmStates)[number];

export const numaNodeFrameSchema = z.object({
  node: z.number().int(),
  cpuUsagePct: z.number(),
  memUsedMiB: z.number(),
  memTotalMiB: z.number(),
  /** Share of memory accesses by vCPUs on this node that go to another node. */
  remoteAccessPct: z.number(),
});
export type NumaNodeFrame = z.infer<typeof numaNodeFrameSchema>;

export const hostFrameSchema = z.object({
  name: z.string(),
  state: z.enum(hostStates),
  hyperThreading: z.boolean(),
  logicalCpus: z.number().int(),
  physicalCores: z.number().int(),
  vcpus: z.number().int(),
  vmsRunning: z.number().int(),
  cpuUsagePct: z.number(),
  cpuDemandPct: z.number(),
  cpuReadyPct: z.number(),
  vcpuRatio: z.number(),
  memTotalMiB: z.number(),
  memConfiguredMiB: z.number(),
  memActiveMiB: z.number(),
  memConsumedMiB: z.number(),
  memOvercommitRatio: z.number(),
  memState: z.enum(memStates),
  memFreeMiB: z.number(),
  sharedMiB: z.number(),
  balloonMiB: z.number(),
  compressedMiB: z.number(),
  swapUsedMiB: z.number(),
  swapTotalMiB: z.number(),
  swapInMiBps: z.number(),
  powerWatts: z.number(),
  numa: z.array(numaNodeFrameSchema),
});
export type HostFrame = z.infer<typeof hostFrameSchema>;

export const migrationFrameSchema = z.object({
  to: z.string(),
  from: z.string(),
  round: z.number().int(),
  progressPct: z.number(),
  transferredMiB: z.number(),
  remainingMiB: z.number(),
  throttlePct: z.number(),
});
export type MigrationFrame = z.infer<typeof migrationFrameSchema>;

export const vmFrameSchema = z.object({
  name: z.string(),
  host: z.string().nullable(),
  state: z.enum(vmStates),
  vcpus: z.number().int(),
  memConfiguredMiB: z.number(),
  cpuDemandPct: z.number(),
  cpuUsagePct: z.number(),
  cpuReadyPct: z.number(),
  /** Per vCPU, shares of the interval: run + ready + co-stop + idle (or wait) = 100. */
  cpuRunPct: z.number(),
  cpuIdlePct: z.number(),
  costopPct: z.number(),
  memActiveMiB: z.number(),
  balloonMiB: z.number(),
  compressedMiB: z.number(),
  swappedMiB: z.number(),
  /** MiB/s of its swapped pages the VM reads back now: its share of its host's swapInMiBps. */
  swapInMiBps: z.number(),
  numaNodes: z.array(z.number().int()),
  numaLocalPct: z.number(),
  performancePct: z.number(),
  /**
   * Of a running VM, the share of its working set not in plain RAM (ballooned below it, compressed
   * or swapped): what the vm-memory-starved alarm reads (docs/model.md, section 13); else 0.
   */
  memMissingPct: z.number(),
  migration: migrationFrameSchema.nullable(),
});
export type VmFrame = z.infer<typeof vmFrameSchema>;

export const alarmFrameSchema = z.object({
  id: z.string(),
  rule: z.enum(alarmRuleIds),
  target: z.string(),
  severity: z.enum(severities),
  state: z.enum(alarmStates),
  /** Simulated second the condition started to hold. */
  since: z.number(),
  /** Simulated second it fired (null while pending). */
  firedAt: z.number().nullable(),
  value: z.number(),
  threshold: z.number(),
  ackedBy: z.string().nullable(),
  ackNote: z.string().nullable(),
  ackedAt: z.number().nullable(),
  resolvedAt: z.number().nullable(),
});
export type AlarmFrame = z.infer<typeof alarmFrameSchema>;

export const eventTypes = [
  'vm-placed',
  'vm-refused',
  'vm-powered-on',
  'vm-powered-off',
  'vm-created',
  'vm-deleted',
  'vm-paused',
  'command-accepted',
  'command-refused',
  'migration-started',
  'migration-completed',
  'migration-aborted',
  'host-failed',
  'host-recovered',
  'host-maintenance',
  'hyperthreading-changed',
  'policy-changed',
  'workload-changed',
  'ha-restarted',
  'ha-failed',
  'alarm-fired',
  'alarm-acked',
  'alarm-resolved',
  /** The live system resumed a cluster after an outage longer than it replays (reason says how long). */
  'ticks-skipped',
] as const;
export type EventType = (typeof eventTypes)[number];

export const frameEventSchema = z
  .object({
    type: z.enum(eventTypes),
    time: z.number(),
    target: z.string(),
    by: z.string(),
    /** Why, in English (refusals, ha-failed, migration-aborted, vm-paused, ticks-skipped...). */
    reason: z.string().optional(),
    /** The reason's code (refusalCodes), beside `reason`; absent from an older engine's frames. */
    reasonCode: z.string().optional(),
    reasonParams: reasonParamsSchema.optional(),
    /** The reasons it is made of (destination-refused, no-host-fits, cannot-evacuate). */
    reasonCauses: z.array(codedReasonSchema).optional(),
    commandId: z.string().optional(),
  })
  .catchall(z.unknown());
export type FrameEvent = z.infer<typeof frameEventSchema>;

export const clusterFrameSchema = z.object({
  hostsTotal: z.number().int(),
  hostsUp: z.number().int(),
  vmsTotal: z.number().int(),
  vmsRunning: z.number().int(),
  vcpus: z.number().int(),
  logicalCpus: z.number().int(),
  vcpuRatio: z.number(),
  cpuAllocationRatio: z.number(),
  memConfiguredMiB: z.number(),
  memTotalMiB: z.number(),
  memOvercommitRatio: z.number(),
  ramAllocationRatio: z.number(),
  cpuUsagePct: z.number(),
  cpuReadyPct: z.number(),
  memActiveMiB: z.number(),
  memConsumedMiB: z.number(),
  balloonMiB: z.number(),
  compressedMiB: z.number(),
  swapUsedMiB: z.number(),
  powerWatts: z.number(),
  energyKWh: z.number(),
  /** The lowest performancePct of any running VM (100 with none); absent in older frames. */
  worstPerformancePct: z.number().optional(),
  alarms: z.object({ warning: z.number().int(), critical: z.number().int() }),
});
export type ClusterFrame = z.infer<typeof clusterFrameSchema>;

/** One objective's standing so far (held share of the exercise's simulated time, points). */
export const objectiveScoreSchema = z.object({
  id: z.string(),
  text: z.string(),
  weight: z.number(),
  /** Share of the exercise's elapsed simulated time during which it held, 0..100. */
  heldPct: z.number(),
  points: z.number(),
  /** Whether it holds at this tick. */
  holding: z.boolean(),
  /** The aggregated metric at this tick (metric objectives; null when nothing to aggregate). */
  value: z.number().nullable(),
  /** Forbidden commands accepted so far (forbid objectives). */
  violations: z.number().int(),
});
export type ObjectiveScore = z.infer<typeof objectiveScoreSchema>;

/** Response to critical alarms that fired during the exercise, in simulated seconds. */
export const responseScoreSchema = z.object({
  critical: z.number().int(),
  acknowledged: z.number().int(),
  resolved: z.number().int(),
  ackMeanSeconds: z.number().nullable(),
  ackWorstSeconds: z.number().nullable(),
  resolveMeanSeconds: z.number().nullable(),
  resolveWorstSeconds: z.number().nullable(),
  ackTargetSeconds: z.number(),
  resolveTargetSeconds: z.number(),
  /** Every critical alarm acknowledged within the target (none open past it). */
  ackMet: z.boolean(),
  resolveMet: z.boolean(),
});
export type ResponseScore = z.infer<typeof responseScoreSchema>;

/** An exercise cluster's score at this tick (scenario section `exercise:`). */
export const exerciseFrameSchema = z.object({
  elapsedSeconds: z.number(),
  durationSeconds: z.number(),
  /** The exercise's time is up: the score is final. */
  finished: z.boolean(),
  points: z.number(),
  maxPoints: z.number(),
  objectives: z.array(objectiveScoreSchema),
  response: responseScoreSchema,
});
export type ExerciseFrame = z.infer<typeof exerciseFrameSchema>;

export const frameSchema = z.object({
  tick: z.number().int(),
  time: z.number(),
  stepSeconds: z.number(),
  cluster: clusterFrameSchema,
  hosts: z.array(hostFrameSchema),
  alarms: z.array(alarmFrameSchema),
  events: z.array(frameEventSchema),
  /** Present when the scenario is an exercise. */
  exercise: exerciseFrameSchema.optional(),
});
export type Frame = z.infer<typeof frameSchema>;
