import { z } from 'zod';
import { codedReasonSchema, reasonParamsSchema } from '../errors/refusal-codes';
import { briefingAnswerSchema } from '../scenario/briefing';
import { hostStates, vmStates } from '../frame/frame.schema';
import {
  alarmRuleIds,
  hypervisorTypes,
  policySchema,
  virtualizationModes,
} from '../scenario/scenario.schema';

// What a cluster is made of (its policy and each host's topology), and where
// one of its VMs could live-migrate to. Both are read from the stored state.

/** One host's topology as the engine holds it now (hyper-threading can be switched by a command). */
export const hostTopologySchema = z.object({
  name: z.string(),
  sockets: z.number().int(),
  coresPerSocket: z.number().int(),
  /** Threads per core in the hardware (1 or 2); `hyperThreading` says whether the second is in use. */
  threadsPerCore: z.number().int(),
  ghz: z.number(),
  memMiB: z.number(),
  /** Cores and memory split evenly across them. */
  numaNodes: z.number().int(),
  hyperThreading: z.boolean(),
  virtualization: z.enum(virtualizationModes),
  hypervisor: z.enum(hypervisorTypes),
  nestedVirtualization: z.boolean(),
  swapMiB: z.number(),
  networkGbps: z.number(),
});
export type HostTopology = z.infer<typeof hostTopologySchema>;

/** One alarm rule as it applies to this cluster: the built-in thresholds after the scenario's overrides. */
export const effectiveAlarmRuleSchema = z.object({
  warning: z.number(),
  critical: z.number(),
  /** A firing alarm resolves below this. */
  clearWarning: z.number(),
  /** A critical alarm drops back to warning below this. */
  clearCritical: z.number(),
  /** How long the condition must hold before the alarm fires, simulated seconds. */
  forSeconds: z.number(),
  enabled: z.boolean(),
});
export type EffectiveAlarmRule = z.infer<typeof effectiveAlarmRuleSchema>;

/** `config` of `GET /api/clusters/:id`: the admission policy in force and every host's topology. */
export const clusterConfigSchema = z.object({
  policy: policySchema,
  hosts: z.array(hostTopologySchema),
  /** For an exercise's cluster: what the teams are told, and how long it lasts (simulated seconds). */
  exercise: z.object({ briefing: briefingAnswerSchema, durationSeconds: z.number() }).optional(),
  /**
   * Every alarm rule's thresholds as they apply here (the scenario's overrides taken), so that an
   * alarm can say when it clears. Optional: an older API does not send it.
   */
  alarmRules: z.partialRecord(z.enum(alarmRuleIds), effectiveAlarmRuleSchema).optional(),
});
export type ClusterConfig = z.output<typeof clusterConfigSchema>;

/** One host as a live-migration destination for a VM. */
export const migrationTargetSchema = z.object({
  host: z.string(),
  state: z.enum(hostStates),
  /** Whether a `migrate-vm` to this host would be accepted now. */
  fits: z.boolean(),
  /** Why not, when it does not fit: the engine's own refusal. */
  reason: z.string().optional(),
  /** The refusal's code (refusalCodes), params and causes, beside `reason`. */
  code: z.string().optional(),
  params: reasonParamsSchema.optional(),
  causes: z.array(codedReasonSchema).optional(),
  /** The NUMA nodes the VM would get there, when it fits. */
  numaNodes: z.array(z.number().int()).optional(),
  /** vCPUs admission may hand out: logical CPUs x cpuAllocationRatio. */
  vcpuCapacity: z.number(),
  /** vCPUs still free under that cap (negative when a policy change left the host above it). */
  freeVcpus: z.number(),
  /** Memory admission may hand out: (memory - reserved) x ramAllocationRatio. */
  memCapacityMiB: z.number(),
  /** Memory still free under that cap, MiB (negative when above it). */
  freeMemMiB: z.number(),
});
export type MigrationTarget = z.infer<typeof migrationTargetSchema>;

/** `GET /api/clusters/:id/vms/:vm/targets`: every host, in cluster order, for one VM. */
export const migrationTargetsSchema = z.object({
  vm: z.string(),
  vmState: z.enum(vmStates),
  vcpus: z.number().int(),
  memMiB: z.number(),
  /** The host it runs on (null when it is not placed). */
  host: z.string().nullable(),
  /** The destination of the migration under way, if any. */
  migratingTo: z.string().nullable(),
  /** Why the VM cannot migrate anywhere now (not running, already migrating), or null. */
  refusal: z.string().nullable(),
  /** That refusal's code and params (vm-already-migrating, vm-not-running), when there is one. */
  refusalCode: z.string().optional(),
  refusalParams: reasonParamsSchema.optional(),
  targets: z.array(migrationTargetSchema),
});
export type MigrationTargets = z.infer<typeof migrationTargetsSchema>;
