import { z } from 'zod';
import { VALUE_LIMITS as MAX } from './scenario-limits';
import { plainText } from '../text/text';
import { briefingSchema } from './briefing';

// The scenario file, version 1 (SCENARIOS.md). Every object is strict: an
// unknown key is an error naming the key and its path, never a silent default.
// Sizes are GiB in files; the engine works in MiB.

// Every number has an upper bound (VALUE_LIMITS), so that nothing the engine computes from it can
// overflow into Infinity or NaN, and no single value can make a tick's work unbounded.
const atMost = (what: string, max: number) => ({
  error: `${what} is at most ${max.toLocaleString('en-US')}`,
});
const positive = (what: string, max: number) =>
  z
    .number({ error: `expected ${what}` })
    .positive({ error: `${what} must be greater than 0` })
    .max(max, atMost(what, max));
const nonNegative = (what: string, max: number) =>
  z
    .number({ error: `expected ${what}` })
    .min(0, { error: `${what} cannot be negative` })
    .max(max, atMost(what, max));
const count = (what: string, max: number = MAX.count) =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `${what} must be a whole number` })
    .min(1, { error: `${what} must be at least 1` })
    .max(max, atMost(what, max));
/** A threshold: any finite number within the bound. */
const threshold = (what: string) =>
  z
    .number({ error: `expected ${what}` })
    .min(-MAX.threshold, atMost(`-${what}`, MAX.threshold))
    .max(MAX.threshold, atMost(what, MAX.threshold));
const share = (what: string) =>
  z
    .number({ error: `expected ${what}` })
    .min(0, { error: `${what} must be between 0 and 1` })
    .max(1, { error: `${what} must be between 0 and 1` });
const name = z.string({ error: 'expected a name' }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
  error: 'a name is 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
});

export const workloadProfiles = ['constant', 'diurnal', 'bursty', 'step'] as const;
export type WorkloadProfile = (typeof workloadProfiles)[number];

/** What a guest asks of its vCPUs and memory over time. */
export const workloadSchema = z.strictObject({
  profile: z.enum(workloadProfiles).default('constant'),
  /** Mean demand per vCPU, 0..1. */
  cpu: share('cpu (demand per vCPU)').default(0.5),
  /** Diurnal / bursty swing around the mean, 0..1. */
  amplitude: share('amplitude').default(0.2),
  /** Diurnal period; for bursty, the mean time between bursts. */
  periodSeconds: positive('periodSeconds', MAX.seconds).default(600),
  /** Step profile: demand changes from `cpu` to `stepTo` at `stepAtSeconds`. */
  stepAtSeconds: nonNegative('stepAtSeconds', MAX.seconds).default(300),
  stepTo: share('stepTo').default(0.9),
  /** Share of configured memory the guest really touches. */
  memoryActive: share('memoryActive').default(0.6),
  /** How much the guest slows on remote NUMA memory, 0..1. */
  memoryBound: share('memoryBound').default(0.3),
  /** Page dirtying rate, for live migration. */
  dirtyMiBps: nonNegative('dirtyMiBps', MAX.dirtyMiBps).default(40),
  /** Share of CPU time spent in the guest kernel (privileged instructions); binary translation pays for it. */
  kernelShare: share('kernelShare').default(0.2),
});
export type Workload = z.output<typeof workloadSchema>;
// Not workloadSchema.partial(): in zod 4 an optional field with a default still
// takes its default when absent, so a patch of { cpu } would reset every other field.
export const workloadPatchSchema = z.strictObject({
  profile: z.enum(workloadProfiles).optional(),
  cpu: share('cpu (demand per vCPU)').optional(),
  amplitude: share('amplitude').optional(),
  periodSeconds: positive('periodSeconds', MAX.seconds).optional(),
  stepAtSeconds: nonNegative('stepAtSeconds', MAX.seconds).optional(),
  stepTo: share('stepTo').optional(),
  memoryActive: share('memoryActive').optional(),
  memoryBound: share('memoryBound').optional(),
  dirtyMiBps: nonNegative('dirtyMiBps', MAX.dirtyMiBps).optional(),
  kernelShare: share('kernelShare').optional(),
});
export type WorkloadPatch = z.output<typeof workloadPatchSchema>;

export const placementModes = ['spread', 'pack'] as const;
export const numaModes = ['prefer-local', 'strict', 'ignore'] as const;

export const policySchema = z.strictObject({
  cpuAllocationRatio: positive('cpuAllocationRatio', MAX.allocationRatio).default(4),
  ramAllocationRatio: positive('ramAllocationRatio', MAX.allocationRatio).default(1.5),
  reservedHostMemoryGiB: nonNegative('reservedHostMemoryGiB', MAX.hostMemoryGiB).default(0),
  placement: z.enum(placementModes).default('spread'),
  numa: z.enum(numaModes).default('prefer-local'),
});
export type Policy = z.output<typeof policySchema>;
export const policyPatchSchema = z.strictObject({
  cpuAllocationRatio: positive('cpuAllocationRatio', MAX.allocationRatio).optional(),
  ramAllocationRatio: positive('ramAllocationRatio', MAX.allocationRatio).optional(),
  reservedHostMemoryGiB: nonNegative('reservedHostMemoryGiB', MAX.hostMemoryGiB).optional(),
  placement: z.enum(placementModes).optional(),
  numa: z.enum(numaModes).optional(),
});
export type PolicyPatch = z.output<typeof policyPatchSchema>;

export const virtualizationModes = ['hardware-assisted', 'binary-translation'] as const;
export const hypervisorTypes = ['type-1', 'type-2'] as const;

export const hostSpecSchema = z.strictObject({
  name,
  count: count('count').default(1),
  cpu: z.strictObject({
    sockets: count('sockets', MAX.sockets),
    coresPerSocket: count('coresPerSocket', MAX.coresPerSocket),
    threadsPerCore: z
      .number()
      .int()
      .min(1, { error: 'threadsPerCore is 1 or 2' })
      .max(2, { error: 'threadsPerCore is 1 or 2' })
      .default(1),
    ghz: positive('ghz', MAX.ghz).default(2.4),
  }),
  memoryGiB: positive('memoryGiB', MAX.hostMemoryGiB),
  /** Default: one per socket. Cores and memory split evenly. */
  numaNodes: count('numaNodes', MAX.numaNodes).optional(),
  swapGiB: nonNegative('swapGiB', MAX.hostMemoryGiB).default(64),
  virtualization: z.enum(virtualizationModes).default('hardware-assisted'),
  hypervisor: z.enum(hypervisorTypes).default('type-1'),
  nestedVirtualization: z.boolean().default(false),
  networkGbps: positive('networkGbps', MAX.networkGbps).default(10),
  /** Hyper-threading on at start (only meaningful with threadsPerCore 2). */
  hyperThreading: z.boolean().default(true),
  /** Linear power model; defaults scale the SPECpower HP ML110 G4 figures per socket. */
  power: z
    .strictObject({
      idleWatts: nonNegative('idleWatts', MAX.watts),
      maxWatts: positive('maxWatts', MAX.watts),
    })
    .optional(),
});
export type HostSpec = z.output<typeof hostSpecSchema>;

export const vmSpecSchema = z.strictObject({
  name,
  count: count('count').default(1),
  vcpus: count('vcpus', MAX.vcpus),
  memoryGiB: positive('memoryGiB', MAX.vmMemoryGiB),
  /** Pin to a host; otherwise the scheduler places it. */
  host: name.optional(),
  nestedHypervisor: z.boolean().default(false),
  /** Powered on when the cluster starts (default true). */
  poweredOn: z.boolean().default(true),
  workload: workloadSchema.default(workloadSchema.parse({})),
});
export type VmSpec = z.output<typeof vmSpecSchema>;
/** A single VM (create-vm): no count. */
export const singleVmSpecSchema = vmSpecSchema.omit({ count: true });
export type SingleVmSpec = z.output<typeof singleVmSpecSchema>;

export const alarmRuleIds = [
  'vm-cpu-ready',
  'vm-costop',
  'host-cpu-usage',
  'vcpu-overcommit',
  'mem-overcommit',
  'host-mem-state',
  'host-swap-in',
  'vm-swap-full',
  'numa-remote',
  'migration',
  'host-down',
  'ha-restart-failed',
  // Appended, not grouped with the VM rules: frames carry a rule as its index in this list.
  'vm-memory-starved',
] as const;
export type AlarmRuleId = (typeof alarmRuleIds)[number];

/**
 * A rule's built-in thresholds (docs/model.md, section 13), before a scenario's overrides: it
 * triggers at or above `warning` / `critical`; a firing alarm resolves below `clearWarning` and
 * drops from critical to warning below `clearCritical` (hysteresis); `forSeconds` is the hold.
 */
export interface AlarmThresholds {
  warning: number;
  critical: number;
  clearWarning: number;
  clearCritical: number;
  forSeconds: number;
}

/** What a rule reads its value from: a VM, a host or the whole cluster. */
export type AlarmRuleScope = 'vm' | 'host' | 'cluster';

/**
 * Each rule's metadata, the one place it lives: what it watches in words, the unit of its value,
 * what it reads, and its built-in thresholds (the engine's rules are built from these; docs/model.md,
 * section 13, gives their sources).
 */
export const alarmRuleInfo: Record<
  AlarmRuleId,
  { label: string; unit: string; scope: AlarmRuleScope } & AlarmThresholds
> = {
  // VMware: ready above 5% per vCPU is worth a look, above 10% a problem; real-time charts sample 20 s.
  'vm-cpu-ready': {
    label: 'VM waits for a CPU (ready, per vCPU)',
    unit: '%',
    scope: 'vm',
    warning: 5,
    critical: 10,
    clearWarning: 4,
    clearCritical: 8,
    forSeconds: 20,
  },
  // Co-stop: keep it at or below 3%.
  'vm-costop': {
    label: 'VM vCPUs held back to stay in step (co-stop)',
    unit: '%',
    scope: 'vm',
    warning: 3,
    critical: 6,
    clearWarning: 2,
    clearCritical: 5,
    forSeconds: 20,
  },
  // Netdata: warn above 85%, clear below 75%; critical above 95%, clear below 85%.
  'host-cpu-usage': {
    label: 'Host CPU usage',
    unit: '%',
    scope: 'host',
    warning: 85,
    critical: 95,
    clearWarning: 75,
    clearCritical: 85,
    forSeconds: 20,
  },
  // Share of the policy's limit handed out: near (90%) or at/above (100%) the allocation ratio.
  'vcpu-overcommit': {
    label: 'vCPUs handed out, of the policy limit',
    unit: '% of limit',
    scope: 'cluster',
    warning: 90,
    critical: 100,
    clearWarning: 85,
    clearCritical: 99,
    forSeconds: 0,
  },
  'mem-overcommit': {
    label: 'Memory handed out, of the policy limit',
    unit: '% of limit',
    scope: 'cluster',
    warning: 90,
    critical: 100,
    clearWarning: 85,
    clearCritical: 99,
    forSeconds: 0,
  },
  // Memory state as a level: 0 high/clear, 1 soft (ballooning), 2 hard, 3 low (swapping).
  'host-mem-state': {
    label: 'Host memory state (1 soft, 2 hard, 3 low)',
    unit: 'level',
    scope: 'host',
    warning: 1,
    critical: 2,
    clearWarning: 1,
    clearCritical: 2,
    forSeconds: 10,
  },
  'host-swap-in': {
    label: 'Host swapping pages back in',
    unit: 'MiB/s',
    scope: 'host',
    warning: 1,
    critical: 20,
    clearWarning: 0.5,
    clearCritical: 10,
    forSeconds: 10,
  },
  'vm-swap-full': {
    label: 'VM paused: host swap full',
    unit: 'paused',
    scope: 'vm',
    warning: 1,
    critical: 1,
    clearWarning: 1,
    clearCritical: 1,
    forSeconds: 0,
  },
  'numa-remote': {
    label: 'VM memory accesses to a remote NUMA node',
    unit: '%',
    scope: 'vm',
    warning: 25,
    critical: 50,
    clearWarning: 20,
    clearCritical: 45,
    forSeconds: 30,
  },
  // Rounds of an ongoing pre-copy; 30 (the cap) once it has aborted, held for five minutes.
  migration: {
    label: 'Live migration not converging or aborted',
    unit: 'rounds',
    scope: 'vm',
    warning: 10,
    critical: 20,
    clearWarning: 10,
    clearCritical: 20,
    forSeconds: 0,
  },
  'host-down': {
    label: 'Host down',
    unit: 'down',
    scope: 'host',
    warning: 1,
    critical: 1,
    clearWarning: 1,
    clearCritical: 1,
    forSeconds: 0,
  },
  'ha-restart-failed': {
    label: 'HA could not restart the VM',
    unit: 'down',
    scope: 'vm',
    warning: 1,
    critical: 1,
    clearWarning: 1,
    clearCritical: 1,
    forSeconds: 0,
  },
  // Running VM: % of its working set ballooned below, compressed or swapped (memory.ts,
  // workingSetMissing). VMware: ballooning is harmless until it reaches the working set, then the
  // guest swaps; any of the active set swapped is a problem. Each 1% costs memoryBound x 100% of
  // slowdown (section 7): 1% is a guest at about 77% (memoryBound 0.3), 5% one at about 40%.
  'vm-memory-starved': {
    label: 'VM working set not in RAM (ballooned below it, compressed or swapped)',
    unit: '% of working set',
    scope: 'vm',
    warning: 1,
    critical: 5,
    clearWarning: 0.5,
    clearCritical: 4,
    forSeconds: 20,
  },
};

export const alarmOverrideSchema = z.strictObject({
  rule: z.enum(alarmRuleIds),
  warning: threshold('warning').optional(),
  critical: threshold('critical').optional(),
  clearWarning: threshold('clearWarning').optional(),
  clearCritical: threshold('clearCritical').optional(),
  forSeconds: nonNegative('forSeconds', 86_400).optional(),
  enabled: z.boolean().optional(),
});
export type AlarmOverride = z.output<typeof alarmOverrideSchema>;

// --- actions: what an event does and what a person can command -------------

const target = z
  .string({ error: 'expected a target name' })
  .min(1, { error: 'target cannot be empty' });

export const actionSchemas = {
  'set-workload': z.strictObject({
    do: z.literal('set-workload'),
    target,
    workload: workloadPatchSchema,
  }),
  'fail-host': z.strictObject({ do: z.literal('fail-host'), target }),
  'recover-host': z.strictObject({ do: z.literal('recover-host'), target }),
  'set-maintenance': z.strictObject({ do: z.literal('set-maintenance'), target, on: z.boolean() }),
  'set-hyperthreading': z.strictObject({
    do: z.literal('set-hyperthreading'),
    target,
    on: z.boolean(),
  }),
  'migrate-vm': z.strictObject({
    do: z.literal('migrate-vm'),
    target,
    to: z.string().min(1).optional(),
    autoConverge: z.boolean().default(false),
  }),
  'power-on-vm': z.strictObject({ do: z.literal('power-on-vm'), target }),
  'power-off-vm': z.strictObject({ do: z.literal('power-off-vm'), target }),
  'delete-vm': z.strictObject({ do: z.literal('delete-vm'), target }),
  'create-vm': z.strictObject({ do: z.literal('create-vm'), vm: singleVmSpecSchema }),
  'set-policy': z.strictObject({ do: z.literal('set-policy'), policy: policyPatchSchema }),
  'ack-alarm': z.strictObject({
    do: z.literal('ack-alarm'),
    /** The alarm's id, as frames give it. */
    target,
    note: plainText('note', 500, { lines: true }).default(''),
  }),
} as const;
export type ActionKind = keyof typeof actionSchemas;
export const actionKinds = Object.keys(actionSchemas) as ActionKind[];
/** Actions a scenario's events may schedule (acknowledging needs a person). */
export const eventActionKinds = actionKinds.filter((kind) => kind !== 'ack-alarm');

export const actionSchema = z.discriminatedUnion(
  'do',
  Object.values(actionSchemas) as unknown as [
    (typeof actionSchemas)[ActionKind],
    ...(typeof actionSchemas)[ActionKind][],
  ],
);
export type Action = z.output<typeof actionSchema>;

// Generic over the shape (not `T extends z.ZodObject`), or ScenarioEvent loses its fields.
const withAt = <Shape extends z.core.$ZodShape>(schema: z.ZodObject<Shape, z.core.$strict>) =>
  schema.extend({ at: nonNegative('at (simulated seconds)', MAX.seconds) });
export const scenarioEventSchema = z.discriminatedUnion('do', [
  withAt(actionSchemas['set-workload']),
  withAt(actionSchemas['fail-host']),
  withAt(actionSchemas['recover-host']),
  withAt(actionSchemas['set-maintenance']),
  withAt(actionSchemas['set-hyperthreading']),
  withAt(actionSchemas['migrate-vm']),
  withAt(actionSchemas['power-on-vm']),
  withAt(actionSchemas['power-off-vm']),
  withAt(actionSchemas['delete-vm']),
  withAt(actionSchemas['create-vm']),
  withAt(actionSchemas['set-policy']),
]);
export type ScenarioEvent = z.output<typeof scenarioEventSchema>;

/** A command: an action plus who sent it and an id (the same id twice applies once). */
/** A command's id: the same id twice applies once. */
export const commandIdSchema = z
  .string({ error: 'expected a command id (text)' })
  .min(1, { error: 'a command id cannot be empty' })
  .max(100, { error: 'a command id is at most 100 characters' });
const commandMeta = { id: commandIdSchema, by: plainText('by', 100) };
export const commandSchema = z.discriminatedUnion('do', [
  actionSchemas['set-workload'].extend(commandMeta),
  actionSchemas['fail-host'].extend(commandMeta),
  actionSchemas['recover-host'].extend(commandMeta),
  actionSchemas['set-maintenance'].extend(commandMeta),
  actionSchemas['set-hyperthreading'].extend(commandMeta),
  actionSchemas['migrate-vm'].extend(commandMeta),
  actionSchemas['power-on-vm'].extend(commandMeta),
  actionSchemas['power-off-vm'].extend(commandMeta),
  actionSchemas['delete-vm'].extend(commandMeta),
  actionSchemas['create-vm'].extend(commandMeta),
  actionSchemas['set-policy'].extend(commandMeta),
  actionSchemas['ack-alarm'].extend(commandMeta),
]);
export type Command = z.output<typeof commandSchema>;

/**
 * Frame metrics an exercise objective may watch, by what they are read from: each VM running, each
 * host up, or the cluster. Every one is a number in the frame (held by a test against the frame
 * schemas); `vm.*` objectives are scored from per-VM metrics whether or not anyone watches them.
 */
export const exerciseMetrics = {
  vm: [
    'cpuDemandPct',
    'cpuUsagePct',
    'cpuReadyPct',
    'cpuRunPct',
    'costopPct',
    'memActiveMiB',
    'balloonMiB',
    'compressedMiB',
    'swappedMiB',
    'swapInMiBps',
    'numaLocalPct',
    'performancePct',
  ],
  host: [
    'cpuUsagePct',
    'cpuDemandPct',
    'cpuReadyPct',
    'vcpuRatio',
    'memActiveMiB',
    'memConsumedMiB',
    'memOvercommitRatio',
    'memFreeMiB',
    'balloonMiB',
    'compressedMiB',
    'swapUsedMiB',
    'swapInMiBps',
    'powerWatts',
    'vmsRunning',
  ],
  cluster: [
    'hostsUp',
    'vmsRunning',
    'vcpuRatio',
    'memOvercommitRatio',
    'cpuUsagePct',
    'cpuReadyPct',
    'memActiveMiB',
    'memConsumedMiB',
    'balloonMiB',
    'compressedMiB',
    'swapUsedMiB',
    'powerWatts',
  ],
} as const;
export type ExerciseMetricScope = keyof typeof exerciseMetrics;
export const exerciseMetricNames = (Object.keys(exerciseMetrics) as ExerciseMetricScope[]).flatMap(
  (scope) => exerciseMetrics[scope].map((field) => `${scope}.${field}`),
);
export const exerciseAggregates = ['max', 'mean', 'min', 'sum'] as const;
export type ExerciseAggregate = (typeof exerciseAggregates)[number];

const objectiveId = z
  .string({ error: 'expected an objective id' })
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, {
    error: 'an objective id is 1-40 lower-case letters, digits or "-"',
  });

/**
 * One objective: a frame metric, aggregated over its targets, kept below or above a threshold; or
 * commands the team must not use. Scored as the share of simulated time it held, times its weight.
 */
export const exerciseObjectiveSchema = z
  .strictObject({
    id: objectiveId,
    text: plainText('text', 300),
    metric: z
      .string()
      .refine((value) => exerciseMetricNames.includes(value), {
        error: (issue) =>
          `unknown metric ${JSON.stringify(issue.input)}: one of ${exerciseMetricNames.join(', ')}`,
      })
      .optional(),
    aggregate: z.enum(exerciseAggregates).optional(),
    below: threshold('below').optional(),
    above: threshold('above').optional(),
    forbid: z
      .array(z.enum(actionKinds as [ActionKind, ...ActionKind[]]))
      .min(1, { error: 'forbid needs at least one command' })
      .optional(),
    weight: positive('weight', 1000),
  })
  .superRefine((o, ctx) => {
    if (o.metric === undefined && o.forbid === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['metric'],
        message:
          'an objective watches a metric (metric, below or above) or forbids commands (forbid)',
      });
    if (o.metric !== undefined && o.forbid !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['forbid'],
        message: 'an objective either watches a metric or forbids commands, not both',
      });
    if (o.metric !== undefined && (o.below === undefined) === (o.above === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['below'],
        message: 'a metric objective needs exactly one of below or above',
      });
    if (o.forbid !== undefined)
      for (const key of ['aggregate', 'below', 'above'] as const)
        if (o[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: `${key} is for metric objectives` });
  });
export type ExerciseObjective = z.output<typeof exerciseObjectiveSchema>;

/** An exercise's ticks at most: the API keeps 3,600 ticks of history, which the report reads whole. */
export const EXERCISE_MAX_TICKS = 3600;

/** The optional `exercise:` section (docs/scenarios.md): duration, briefing, objectives, response targets. */
export const exerciseSchema = z
  .strictObject({
    durationSeconds: positive('durationSeconds', 86_400),
    briefing: briefingSchema.default(''),
    objectives: z
      .array(exerciseObjectiveSchema)
      .min(1, { error: 'an exercise needs at least one objective' })
      .max(20),
    responseTargets: z
      .strictObject({
        ackSeconds: positive('ackSeconds', 86_400).default(60),
        resolveSeconds: positive('resolveSeconds', 86_400).default(300),
      })
      .default({ ackSeconds: 60, resolveSeconds: 300 }),
    /** Whether a team may fork its cluster (a what-if copy, never scored). Default: allowed. */
    allowForks: z.boolean({ error: 'allowForks is true or false' }).default(true),
  })
  .superRefine((exercise, ctx) => {
    const seen = new Set<string>();
    exercise.objectives.forEach((o, i) => {
      if (seen.has(o.id))
        ctx.addIssue({
          code: 'custom',
          path: ['objectives', i, 'id'],
          message: `objective id ${o.id} is used twice`,
        });
      seen.add(o.id);
    });
  });
export type Exercise = z.output<typeof exerciseSchema>;

/** Money, for the trade-off sweep (docs/sweep.md): what one host of the scenario's model costs to buy, and energy. */
export const costSchema = z.strictObject({
  hostPriceUsd: nonNegative('hostPriceUsd', MAX.priceUsd),
  kwhPriceUsd: nonNegative('kwhPriceUsd', MAX.priceUsd).optional(),
});
export type Cost = z.output<typeof costSchema>;

export const scenarioSchema = z
  .strictObject({
    version: z.literal(1, { error: 'version must be 1' }),
    name: plainText('name', 200),
    description: plainText('description', MAX.textLength, { lines: true, empty: true }).default(''),
    seed: z.number().int({ error: 'seed must be a whole number' }).default(1),
    clock: z
      .strictObject({
        tickMs: z
          .number()
          .int()
          .min(50, { error: 'tickMs must be at least 50' })
          .max(60_000)
          .default(1000),
        stepSeconds: positive('stepSeconds', 3600).default(1),
      })
      .default({ tickMs: 1000, stepSeconds: 1 }),
    policy: policySchema.default(policySchema.parse({})),
    hosts: z.array(hostSpecSchema).min(1, { error: 'a cluster needs at least one host' }),
    vms: z.array(vmSpecSchema).default([]),
    events: z.array(scenarioEventSchema).default([]),
    alarms: z.array(alarmOverrideSchema).max(MAX.alarmOverrides).default([]),
    exercise: exerciseSchema.optional(),
    cost: costSchema.optional(),
  })
  .superRefine((scenario, ctx) => {
    const ticks = scenario.exercise
      ? scenario.exercise.durationSeconds / scenario.clock.stepSeconds
      : 0;
    if (ticks > EXERCISE_MAX_TICKS)
      ctx.addIssue({
        code: 'custom',
        path: ['exercise', 'durationSeconds'],
        message: `an exercise lasts at most ${EXERCISE_MAX_TICKS} ticks (the history its report reads): ${scenario.exercise!.durationSeconds} s at clock.stepSeconds ${scenario.clock.stepSeconds} is ${Math.ceil(ticks)}; shorten it or raise stepSeconds`,
      });
  });
export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
