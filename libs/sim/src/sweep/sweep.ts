// docs/sweep.md: the trade-off sweep. planSweep works out every point's hosts and checks the
// request's size; runPoint (run-point.ts) runs one point; summarizeSweep picks the densest point
// that keeps the objectives, what it saves against 1:1, and the knee. sweep() does all three in
// order; the CLI runs the points on worker threads instead and gets the same figures.
import {
  checkSweepWork,
  type InputError,
  parseSweepRequest,
  type Scenario,
  type SweepPoint,
  type SweepPointResult,
  type SweepRequest,
  type SweepResult,
  type SweepSavings,
} from '@overcommit/contracts';
import { admissionImpossible } from './hosts-needed';
import { type PointSettings, runPoint, runTicks } from './run-point';

/** A point of the plan: the hosts it needs are worked out where it runs (runPoint). */
export type PlannedSweepPoint = SweepPoint;

/** Everything a sweep will run: plain data, so it can be handed to worker threads as it is. */
export interface SweepPlan {
  scenario: string;
  hostModel: string;
  vms: number;
  settings: PointSettings;
  priceSource: SweepResult['priceSource'];
  kwhPriceUsd: number | null;
  /** The grid, in order: hyper-threading, placement, cpu, ram. */
  points: PlannedSweepPoint[];
  /** The 1:1 point; `referenceIndex` is its place in `points`, or null when it is run apart. */
  reference: PlannedSweepPoint;
  referenceIndex: number | null;
  /** Runs in all (the grid, plus the reference when outside it). */
  runs: number;
  ticks: number;
}

export type SweepPlanResult = { ok: true; plan: SweepPlan } | { ok: false; errors: InputError[] };

const samePoint = (a: SweepPoint, b: SweepPoint) =>
  a.cpuAllocationRatio === b.cpuAllocationRatio &&
  a.ramAllocationRatio === b.ramAllocationRatio &&
  a.hyperThreading === b.hyperThreading &&
  a.placement === b.placement;

/**
 * Checks a sweep request against a scenario and works out each point's hosts: the request's own
 * errors at their paths, its total work against SWEEP_LIMITS, and a point that cannot admit the
 * fleet at all (a VM bigger than the host model) refused with the reason.
 */
export function planSweep(scenario: Scenario, input: unknown): SweepPlanResult {
  const parsed = parseSweepRequest(input);
  if (!parsed.ok) return parsed;
  const request: SweepRequest = parsed.request;
  const model = scenario.hosts[0]!;
  const stepSeconds = request.stepSeconds ?? scenario.clock.stepSeconds;
  const ticks = runTicks(request.minutes, stepSeconds);
  let vms = 0;
  for (const spec of scenario.vms) vms += spec.count;
  const hts = request.hyperThreading
    ? [...new Set(request.hyperThreading)].map((s) => s === 'on')
    : [model.hyperThreading];
  const placements = request.placement
    ? [...new Set(request.placement)]
    : [scenario.policy.placement];
  const grid: SweepPoint[] = [];
  for (const hyperThreading of hts)
    for (const placement of placements)
      for (const cpuAllocationRatio of request.cpu)
        for (const ramAllocationRatio of request.ram)
          grid.push({ cpuAllocationRatio, ramAllocationRatio, hyperThreading, placement });
  const referencePoint: SweepPoint = {
    cpuAllocationRatio: 1,
    ramAllocationRatio: 1,
    hyperThreading: model.hyperThreading,
    placement: scenario.policy.placement,
  };
  const found = grid.findIndex((p) => samePoint(p, referencePoint));
  const referenceIndex = found >= 0 ? found : null;
  const runs = grid.length + (referenceIndex === null ? 1 : 0);
  const work = checkSweepWork(runs, vms, ticks);
  if (work.length > 0) return { ok: false, errors: work };
  // Only the cheap checks here (a VM too big for the model, too many hosts); each point's
  // search for its hosts runs with the point, in parallel on the command line.
  const refusals: InputError[] = [];
  for (const point of referenceIndex === null ? [...grid, referencePoint] : grid) {
    const impossible = admissionImpossible(scenario, point);
    if (impossible === null) continue;
    refusals.push({ path: '(root)', message: impossible });
    if (refusals.length >= 5) break;
  }
  if (refusals.length > 0) return { ok: false, errors: refusals };
  const planned = grid;
  const reference = referenceIndex === null ? referencePoint : grid[referenceIndex]!;
  const hostPrice = request.hostPriceUsd ?? scenario.cost?.hostPriceUsd ?? null;
  return {
    ok: true,
    plan: {
      scenario: scenario.name,
      hostModel: model.name,
      vms,
      settings: {
        minutes: request.minutes,
        stepSeconds,
        hostPriceUsd: hostPrice,
        objectives: request.objectives,
      },
      priceSource:
        request.hostPriceUsd !== undefined
          ? 'request'
          : scenario.cost?.hostPriceUsd !== undefined
            ? 'scenario'
            : 'none',
      kwhPriceUsd: request.kwhPriceUsd ?? scenario.cost?.kwhPriceUsd ?? null,
      points: planned,
      reference,
      referenceIndex,
      runs,
      ticks,
    },
  };
}

/** What the sweep tells its caller after each run: runs done, of how many. */
export type SweepProgress = (done: number, total: number) => void;

/**
 * The whole sweep in this thread: plans it, runs every point in grid order (then the reference
 * when outside the grid) and summarizes. Returns the errors instead when the request is refused.
 */
export function sweep(
  scenario: Scenario,
  request: unknown,
  onProgress?: SweepProgress,
): { ok: true; result: SweepResult } | { ok: false; errors: InputError[] } {
  const planned = planSweep(scenario, request);
  if (!planned.ok) return planned;
  const plan = planned.plan;
  const results: SweepPointResult[] = [];
  for (const point of plan.points) {
    results.push(runPoint(scenario, point, plan.settings));
    onProgress?.(results.length, plan.runs);
  }
  let reference: SweepPointResult;
  if (plan.referenceIndex === null) {
    reference = runPoint(scenario, plan.reference, plan.settings);
    onProgress?.(plan.runs, plan.runs);
  } else reference = results[plan.referenceIndex]!;
  return { ok: true, result: summarizeSweep(plan, results, reference) };
}

/** Performance lost, the knee's measure of contention: 100 - the mean performance over VM-ticks. */
export const performanceLost = (p: SweepPointResult) => 100 - p.performancePct.mean;

/**
 * The densest point that keeps every objective: the fewest hosts; on a tie the best worst VM,
 * then the lowest p95 ready, then the earlier point in the grid.
 */
export function recommend(points: readonly SweepPointResult[]): number | null {
  let best: number | null = null;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (!p.meetsObjectives) continue;
    if (best === null) {
      best = i;
      continue;
    }
    const b = points[best]!;
    if (
      p.hosts < b.hosts ||
      (p.hosts === b.hosts &&
        (p.performancePct.worst > b.performancePct.worst ||
          (p.performancePct.worst === b.performancePct.worst && p.readyPct.p95 < b.readyPct.p95)))
    )
      best = i;
  }
  return best;
}

/**
 * The knee, by the Kneedle rule (Satopää et al., 2011) on the frontier of hosts saved against
 * performance lost (docs/sweep.md, "The knee"):
 * 1. x = reference hosts - hosts (hosts saved), y = performance lost; the reference is the curve's
 *    start (x = 0) whether or not it is in the grid;
 * 2. the frontier: for each x the point with the least y (the earlier point on a tie), then only
 *    points with less y than every point of larger x (none dominated), in order of x;
 * 3. x and y scaled to 0..1 over the frontier; the knee is the frontier point with the largest
 *    x_n - y_n (the farthest above the chord from the first to the last), the earlier on a tie.
 * Null when the frontier has fewer than three points, y does not rise, or no point lies above the
 * chord (contention grows as fast as the savings from the start). Returns an index in `points`.
 */
export function findKnee(
  points: readonly SweepPointResult[],
  reference: SweepPointResult,
): number | null {
  // -1 stands for the reference when it is not one of the points.
  const all: { index: number; x: number; y: number }[] = [
    { index: -1, x: 0, y: performanceLost(reference) },
  ];
  points.forEach((p, index) =>
    all.push({ index, x: reference.hosts - p.hosts, y: performanceLost(p) }),
  );
  const byX = new Map<number, { index: number; x: number; y: number }>();
  for (const p of all) {
    const seen = byX.get(p.x);
    if (!seen || p.y < seen.y || (p.y === seen.y && seen.index === -1 && p.index >= 0))
      byX.set(p.x, p);
  }
  const sorted = [...byX.values()].sort((a, b) => a.x - b.x);
  // Keep a point only if it has less contention than every point saving more hosts.
  const frontier: typeof sorted = [];
  let minAfter = Infinity;
  for (let i = sorted.length - 1; i >= 0; i--) {
    if (sorted[i]!.y < minAfter) {
      frontier.unshift(sorted[i]!);
      minAfter = sorted[i]!.y;
    }
  }
  // The curve starts at its least saving point: where x is smallest.
  if (frontier.length < 3) return null;
  const x0 = frontier[0]!.x;
  const x1 = frontier[frontier.length - 1]!.x;
  const y0 = Math.min(...frontier.map((p) => p.y));
  const y1 = Math.max(...frontier.map((p) => p.y));
  if (x1 <= x0 || y1 - y0 < 1e-9) return null;
  let best: { index: number; d: number } | null = null;
  for (const p of frontier) {
    const d = (p.x - x0) / (x1 - x0) - (p.y - y0) / (y1 - y0);
    if (d > 1e-9 && (best === null || d > best.d + 1e-12)) best = { index: p.index, d };
  }
  return best === null || best.index < 0 ? null : best.index;
}

/** A point's savings against the reference. */
export function savingsAgainst(
  point: SweepPointResult,
  reference: SweepPointResult,
  settings: PointSettings,
  kwhPriceUsd: number | null,
): SweepSavings {
  const hours = (settings.minutes * 60) / 3600;
  const watts = reference.meanPowerW - point.meanPowerW;
  const perYear = (watts * 24 * 365) / 1000;
  const hosts = reference.hosts - point.hosts;
  return {
    hosts,
    purchaseUsd: settings.hostPriceUsd === null ? null : hosts * settings.hostPriceUsd,
    watts,
    energyKWh: hours > 0 ? reference.energyKWh - point.energyKWh : 0,
    energyKWhPerYear: perYear,
    energyUsdPerYear: kwhPriceUsd === null ? null : perYear * kwhPriceUsd,
  };
}

/** The recommendation, the savings and the knee from every point's results. */
export function summarizeSweep(
  plan: SweepPlan,
  points: SweepPointResult[],
  reference: SweepPointResult,
): SweepResult {
  const recommended = recommend(points);
  const savings =
    recommended === null
      ? null
      : savingsAgainst(points[recommended]!, reference, plan.settings, plan.kwhPriceUsd);
  const knee = findKnee(points, reference);
  const result: SweepResult = {
    scenario: plan.scenario,
    hostModel: plan.hostModel,
    vms: plan.vms,
    minutes: plan.settings.minutes,
    stepSeconds: plan.settings.stepSeconds,
    hostPriceUsd: plan.settings.hostPriceUsd,
    priceSource: plan.priceSource,
    kwhPriceUsd: plan.kwhPriceUsd,
    objectives: plan.settings.objectives,
    points,
    reference,
    recommended,
    savings,
    knee,
    answer: '',
  };
  result.answer = sweepAnswer(result);
  return result;
}

const usd = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;
const num = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

/** A point's policy in words: `cpu 3:1, ram 1.4:1` (with hyper-threading and placement when they vary). */
export function describePoint(p: SweepPoint, points: readonly SweepPoint[]): string {
  let text = `cpu ${num(p.cpuAllocationRatio, 6)}:1, ram ${num(p.ramAllocationRatio, 6)}:1`;
  if (new Set(points.map((q) => q.hyperThreading)).size > 1)
    text += `, hyper-threading ${p.hyperThreading ? 'on' : 'off'}`;
  if (new Set(points.map((q) => q.placement)).size > 1) text += `, ${p.placement}`;
  return text;
}

/** The answer in a sentence or two (docs/sweep.md, "The answer"). */
export function sweepAnswer(result: SweepResult): string {
  const { points, reference } = result;
  const parts: string[] = [];
  if (result.recommended === null) {
    const failing = failedObjectives(points);
    parts.push(
      `no policy in the grid keeps the objectives (${failing}); the 1:1 reference needs ${reference.hosts} hosts and ${reference.meetsObjectives ? 'keeps them' : 'does not keep them either'}`,
    );
  } else {
    const p = points[result.recommended]!;
    const s = result.savings!;
    let saves: string;
    if (s.hosts <= 0) saves = 'no saving against 1:1';
    else {
      const money = s.purchaseUsd === null ? null : usd(s.purchaseUsd);
      saves = `saves ${money ?? `${s.hosts} host${s.hosts === 1 ? '' : 's'} (no host price: give one)`} and ${num(s.watts)} W`;
      if (s.energyUsdPerYear !== null) saves += ` (${usd(s.energyUsdPerYear)} of energy a year)`;
    }
    parts.push(
      `the densest policy that keeps the objectives is ${describePoint(p, points)}: ${p.hosts} host${p.hosts === 1 ? '' : 's'} instead of ${reference.hosts}, ${saves}`,
    );
  }
  if (result.knee !== null) {
    const k = points[result.knee]!;
    parts.push(
      `contention starts to cost more than it saves past ${describePoint(k, points)} (${k.hosts} hosts, ${num(performanceLost(k), 1)} % performance lost)`,
    );
  } else parts.push('no knee: contention does not rise faster than the savings within the grid');
  return parts.join('; ');
}

function failedObjectives(points: readonly SweepPointResult[]): string {
  const names = {
    p95ReadyBelowPct: 'p95 ready',
    swapInAtMostMiB: 'swap-in',
    worstPerformanceAbovePct: 'worst VM performance',
  } as const;
  const failed = new Set<string>();
  for (const p of points)
    for (const key of Object.keys(names) as (keyof typeof names)[])
      if (!p.objectives[key]) failed.add(names[key]);
  return failed.size > 0 ? `failing: ${[...failed].join(', ')}` : 'none ran';
}
