import { z } from 'zod';
import type { InputError } from '../errors/input-error';
import { zodIssuesToInputErrors } from '../errors/zod-issues';
import { VALUE_LIMITS } from '../scenario/scenario-limits';
import { alarmRuleIds, placementModes } from '../scenario/scenario.schema';

// The trade-off sweep (docs/sweep.md): a grid of allocation ratios (and optionally hyper-threading
// and placement) run against one scenario; what each point costs and how its guests fare; the
// densest point that keeps the objectives, what it saves against 1:1, and the knee.

/** How big one sweep may be: bounded so that one request cannot take the machine. */
export const SWEEP_LIMITS = {
  /** Points in the grid (cpu x ram x hyper-threading x placement). */
  points: 400,
  /** Simulated minutes per point: one day. */
  minutes: 1440,
  /**
   * VM-steps in all (points, plus the 1:1 reference when the grid lacks it, x VMs x ticks): about
   * three minutes on two cores at the engine's 1.5-3 million VM-steps a second per core.
   */
  vmSteps: 500_000_000,
  /** Hosts one point may need (the engine's cluster limit). */
  hosts: 20_000,
} as const;

const MAX_RATIO = VALUE_LIMITS.allocationRatio;
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 6 });

/** Rounds a ratio on a range's grid to 6 decimals, so that 1 + 3 x 0.1 is 1.3, not 1.3000000000000003. */
const onGrid = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * The values of an axis from what a person wrote: a list of numbers, a text list (`1,1.5,2`) or a
 * range `start:end:step` (both ends included when the step lands on the end). Sorted, no
 * duplicates. Returns the values, or what is wrong (the caller names the field or flag).
 */
export function parseRatioAxis(input: unknown): number[] | string {
  let values: number[];
  if (typeof input === 'number') values = [input];
  else if (Array.isArray(input)) {
    const list: unknown[] = input;
    if (!list.every((v): v is number => typeof v === 'number'))
      return 'expected ratios (numbers), a list such as 1,1.5,2 or a range start:end:step';
    values = list;
  } else if (typeof input === 'string') {
    const text = input.trim();
    if (text.includes(':')) {
      const parts = text.split(':');
      if (parts.length !== 3) return `a range is start:end:step (such as 1:4:0.25), got "${input}"`;
      const [start, end, stepSize] = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
      if (![start, end, stepSize].every((n) => Number.isFinite(n)))
        return `a range is three numbers start:end:step (such as 1:4:0.25), got "${input}"`;
      if (stepSize! <= 0) return `a range's step must be greater than 0, got ${stepSize}`;
      if (start! <= 0) return `ratios must be greater than 0, got ${start}`;
      if (end! < start!)
        return `a range goes up: start ${start} is past end ${end} (write ${end}:${start}:${stepSize})`;
      if (end! > MAX_RATIO) return `ratios are at most ${MAX_RATIO}, got ${end}`;
      // Counted before expanding: 1:100:1e-9 is refused, not built.
      const n = Math.floor((end! - start!) / stepSize! + 1e-9) + 1;
      if (n > SWEEP_LIMITS.points)
        return `${fmt(n)} values; a sweep has at most ${SWEEP_LIMITS.points} points`;
      values = Array.from({ length: n }, (_, i) => onGrid(start! + i * stepSize!));
    } else {
      const parts = text.split(',');
      values = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
      if (!values.every((n) => Number.isFinite(n)))
        return `expected ratios such as 1,1.5,2 or a range start:end:step (1:4:0.25), got "${input}"`;
    }
  } else return 'expected ratios: a list such as [1, 1.5, 2] or a range "start:end:step"';
  if (values.length === 0) return 'expected at least one ratio';
  if (values.length > SWEEP_LIMITS.points)
    return `${fmt(values.length)} values; a sweep has at most ${SWEEP_LIMITS.points} points`;
  for (const v of values) {
    if (!Number.isFinite(v) || v <= 0) return `ratios must be greater than 0, got ${v}`;
    if (v > MAX_RATIO) return `ratios are at most ${MAX_RATIO}, got ${v}`;
  }
  return [...new Set(values.map(onGrid))].sort((a, b) => a - b);
}

const ratioAxis = z.unknown().transform((input, ctx): number[] => {
  const parsed = parseRatioAxis(input);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

export const hyperThreadingSettings = ['on', 'off'] as const;
export type HyperThreadingSetting = (typeof hyperThreadingSettings)[number];

/** Defaults: p95 CPU ready under 5 %, no swap-in at all, the worst VM above 90 % performance. */
export const DEFAULT_SWEEP_OBJECTIVES = {
  p95ReadyBelowPct: 5,
  swapInAtMostMiB: 0,
  worstPerformanceAbovePct: 90,
} as const;

/** The service objectives a point must keep; each may be overridden. */
export const sweepObjectivesSchema = z.strictObject({
  /** Held when the 95th percentile of CPU ready over VM-ticks is below this (%). */
  p95ReadyBelowPct: z
    .number({ error: 'expected a percentage' })
    .min(0, { error: 'p95ReadyBelowPct cannot be negative' })
    .max(100, { error: 'p95ReadyBelowPct is at most 100' })
    .default(DEFAULT_SWEEP_OBJECTIVES.p95ReadyBelowPct),
  /** Held when the hosts swapped in at most this many MiB in all over the run (0: no swap-in). */
  swapInAtMostMiB: z
    .number({ error: 'expected MiB' })
    .min(0, { error: 'swapInAtMostMiB cannot be negative' })
    .max(1e12, { error: 'swapInAtMostMiB is at most 1e12' })
    .default(DEFAULT_SWEEP_OBJECTIVES.swapInAtMostMiB),
  /** Held when the worst VM's time-mean performance is above this (%). */
  worstPerformanceAbovePct: z
    .number({ error: 'expected a percentage' })
    .min(0, { error: 'worstPerformanceAbovePct cannot be negative' })
    .max(100, { error: 'worstPerformanceAbovePct is at most 100' })
    .default(DEFAULT_SWEEP_OBJECTIVES.worstPerformanceAbovePct),
});
export type SweepObjectives = z.output<typeof sweepObjectivesSchema>;
export const sweepObjectiveIds = [
  'p95ReadyBelowPct',
  'swapInAtMostMiB',
  'worstPerformanceAbovePct',
] as const;
export type SweepObjectiveId = (typeof sweepObjectiveIds)[number];

const usd = (what: string) =>
  z
    .number({ error: `expected ${what} in US dollars` })
    .min(0, { error: `${what} cannot be negative` })
    .max(VALUE_LIMITS.priceUsd, { error: `${what} is at most ${fmt(VALUE_LIMITS.priceUsd)}` });

/** What to sweep: the grid, how long each point runs, prices and objectives. */
export const sweepRequestSchema = z
  .strictObject({
    /** cpuAllocationRatio values: a list or "start:end:step". */
    cpu: ratioAxis,
    /** ramAllocationRatio values: a list or "start:end:step". */
    ram: ratioAxis,
    /** Hyper-threading on the host model: default, the scenario's own setting only. */
    hyperThreading: z
      .array(z.enum(hyperThreadingSettings))
      .min(1, { error: 'hyperThreading needs at least one of on, off' })
      .max(2)
      .optional(),
    /** Placement: default, the scenario's policy only. */
    placement: z
      .array(z.enum(placementModes))
      .min(1, { error: 'placement needs at least one of spread, pack' })
      .max(2)
      .optional(),
    /** Simulated minutes each point runs. */
    minutes: z
      .number({ error: 'expected simulated minutes' })
      .positive({ error: 'minutes must be greater than 0' })
      .max(SWEEP_LIMITS.minutes, {
        error: `minutes is at most ${fmt(SWEEP_LIMITS.minutes)} (one day)`,
      }),
    /** Simulated seconds per tick; default the scenario's clock.stepSeconds. */
    stepSeconds: z
      .number({ error: 'expected seconds' })
      .positive({ error: 'stepSeconds must be greater than 0' })
      .max(3600, { error: 'stepSeconds is at most 3,600' })
      .optional(),
    /** Price of one host; default the scenario's cost.hostPriceUsd. */
    hostPriceUsd: usd('hostPriceUsd').optional(),
    /** Price of a kWh; default the scenario's cost.kwhPriceUsd. */
    kwhPriceUsd: usd('kwhPriceUsd').optional(),
    objectives: sweepObjectivesSchema.default({ ...DEFAULT_SWEEP_OBJECTIVES }),
  })
  .superRefine((request, ctx) => {
    const points =
      request.cpu.length *
      request.ram.length *
      (request.hyperThreading ? new Set(request.hyperThreading).size : 1) *
      (request.placement ? new Set(request.placement).size : 1);
    if (points > SWEEP_LIMITS.points)
      ctx.addIssue({
        code: 'custom',
        path: ['cpu'],
        message: `${fmt(points)} points (cpu ${request.cpu.length} x ram ${request.ram.length}${request.hyperThreading ? ` x hyperThreading ${request.hyperThreading.length}` : ''}${request.placement ? ` x placement ${request.placement.length}` : ''}); a sweep has at most ${SWEEP_LIMITS.points}`,
      });
  });
export type SweepRequest = z.output<typeof sweepRequestSchema>;
export type SweepRequestInput = z.input<typeof sweepRequestSchema>;

export type SweepRequestParseResult =
  { ok: true; request: SweepRequest } | { ok: false; errors: InputError[] };

/** Validates a sweep request, every error at its path. */
export function parseSweepRequest(input: unknown): SweepRequestParseResult {
  const result = sweepRequestSchema.safeParse(input);
  if (!result.success)
    return {
      ok: false,
      errors: zodIssuesToInputErrors(result.error.issues, {
        explain: { input, schema: sweepRequestSchema },
      }),
    };
  return { ok: true, request: result.data };
}

/** Points the request's grid has (without the 1:1 reference). */
export function sweepPointCount(request: SweepRequest): number {
  return (
    request.cpu.length *
    request.ram.length *
    (request.hyperThreading ? new Set(request.hyperThreading).size : 1) *
    (request.placement ? new Set(request.placement).size : 1)
  );
}

/**
 * The sweep's whole work against SWEEP_LIMITS.vmSteps: `runs` points (the grid, plus the 1:1
 * reference when the grid lacks it) x `vms` x ticks. An error names the field and the limit.
 */
export function checkSweepWork(runs: number, vms: number, ticks: number): InputError[] {
  const vmSteps = runs * vms * ticks;
  if (vmSteps <= SWEEP_LIMITS.vmSteps) return [];
  return [
    {
      path: 'minutes',
      message: `${fmt(runs)} runs x ${fmt(vms)} VMs x ${fmt(ticks)} ticks is ${fmt(vmSteps)} VM-steps; a sweep may take at most ${fmt(SWEEP_LIMITS.vmSteps)}: use fewer points, fewer minutes or a larger stepSeconds`,
    },
  ];
}

// --- results -----------------------------------------------------------------------------

const mean_max = z.strictObject({ mean: z.number(), max: z.number() });

/** One point of the grid: the policy it tried. */
export const sweepPointSchema = z.strictObject({
  cpuAllocationRatio: z.number(),
  ramAllocationRatio: z.number(),
  hyperThreading: z.boolean(),
  placement: z.enum(placementModes),
});
export type SweepPoint = z.output<typeof sweepPointSchema>;

/** What one point's run measured (docs/sweep.md, "The figures"). */
export const sweepPointResultSchema = sweepPointSchema.extend({
  /** Fewest hosts of the model that admit the fleet under the policy. */
  hosts: z.number().int(),
  /** The arithmetic lower bound hostsNeeded started from. */
  hostsLowerBound: z.number().int(),
  /** hosts x host price, or null without a price. */
  purchaseUsd: z.number().nullable(),
  /** Mean of the cluster's power over the run, W. */
  meanPowerW: z.number(),
  energyKWh: z.number(),
  /** CPU ready % per vCPU over VM-ticks of running VMs. */
  readyPct: z.strictObject({ p50: z.number(), p95: z.number(), p99: z.number() }),
  costopP95Pct: z.number(),
  /** Per VM-tick of running VMs: the mean and the largest single VM, MiB. */
  balloonMiB: mean_max,
  compressedMiB: mean_max,
  swappedMiB: mean_max,
  /** Swapped back in by all hosts over the run, MiB. */
  swapInMiB: z.number(),
  /** Mean over VM-ticks; worst: the lowest time-mean of one VM, and which. */
  performancePct: z.strictObject({ mean: z.number(), worst: z.number(), worstVm: z.string() }),
  /** Alarms that fired (reached firing) during the run, and by rule. */
  alarmsFired: z.number().int(),
  alarmsByRule: z.partialRecord(z.enum(alarmRuleIds), z.number().int()),
  /** VMs that could not be placed (0 unless the fleet grew with events). */
  vmsRefused: z.number().int(),
  ticks: z.number().int(),
  vmSteps: z.number().int(),
  /** Each objective: held or not. */
  objectives: z.strictObject({
    p95ReadyBelowPct: z.boolean(),
    swapInAtMostMiB: z.boolean(),
    worstPerformanceAbovePct: z.boolean(),
  }),
  meetsObjectives: z.boolean(),
});
export type SweepPointResult = z.output<typeof sweepPointResultSchema>;

/** A point's savings against the 1:1 reference (positive: saves). */
export const sweepSavingsSchema = z.strictObject({
  hosts: z.number().int(),
  /** Purchase: hosts saved x price; null without a price. */
  purchaseUsd: z.number().nullable(),
  /** Mean power saved, W. */
  watts: z.number(),
  /** Energy saved over the run, kWh, and at that rate for a year. */
  energyKWh: z.number(),
  energyKWhPerYear: z.number(),
  /** A year's energy saved x kWh price; null without one. */
  energyUsdPerYear: z.number().nullable(),
});
export type SweepSavings = z.output<typeof sweepSavingsSchema>;

export const sweepResultSchema = z.strictObject({
  scenario: z.string(),
  /** The host model: the scenario's first host spec. */
  hostModel: z.string(),
  vms: z.number().int(),
  minutes: z.number(),
  stepSeconds: z.number(),
  hostPriceUsd: z.number().nullable(),
  /** Where the price came from: the request (a flag), the scenario's cost section, or none. */
  priceSource: z.enum(['request', 'scenario', 'none']),
  kwhPriceUsd: z.number().nullable(),
  objectives: sweepObjectivesSchema,
  /** Every point, in grid order (hyper-threading, placement, cpu, ram). */
  points: z.array(sweepPointResultSchema),
  /** cpu 1, ram 1 on the scenario's own hyper-threading and placement (run even outside the grid). */
  reference: sweepPointResultSchema,
  /** Index in `points` of the densest point that keeps every objective, or null. */
  recommended: z.number().int().nullable(),
  savings: sweepSavingsSchema.nullable(),
  /**
   * The knee (docs/sweep.md): Kneedle on the frontier of hosts saved against performance lost;
   * index in `points`, or null when the frontier has fewer than three points or no contention.
   */
  knee: z.number().int().nullable(),
  /** The answer in words. */
  answer: z.string(),
});
export type SweepResult = z.output<typeof sweepResultSchema>;
