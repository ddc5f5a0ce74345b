// docs/sweep.md, "The run" and "The figures": one point of a sweep, the cluster built with the
// hosts it needs and run with the scenario's workloads, its figures read from the state each tick.
import {
  type AlarmRuleId,
  type Scenario,
  type SweepObjectives,
  type SweepPoint,
  type SweepPointResult,
} from '@overcommit/contracts';
import { createCluster, step } from '../step';
import { PercentHistogram } from './histogram';
import { hostsNeeded, pointScenario } from './hosts-needed';

/** What every point of a sweep shares. */
export interface PointSettings {
  minutes: number;
  /** Simulated seconds per tick. */
  stepSeconds: number;
  hostPriceUsd: number | null;
  objectives: SweepObjectives;
}

/** A point with the hosts it needs, when already known (planSweep works them out first). */
export type PlannedPoint = SweepPoint & { hosts?: number; hostsLowerBound?: number };

/** Ticks a run of `minutes` takes at `stepSeconds`. */
export function runTicks(minutes: number, stepSeconds: number): number {
  return Math.max(1, Math.ceil((minutes * 60) / stepSeconds - 1e-9));
}

/** Whether each objective held (docs/sweep.md, "Objectives"). */
export function judge(
  objectives: SweepObjectives,
  figures: Pick<SweepPointResult, 'readyPct' | 'swapInMiB' | 'performancePct'>,
): SweepPointResult['objectives'] {
  return {
    p95ReadyBelowPct: figures.readyPct.p95 < objectives.p95ReadyBelowPct,
    swapInAtMostMiB: figures.swapInMiB <= objectives.swapInAtMostMiB,
    worstPerformanceAbovePct: figures.performancePct.worst > objectives.worstPerformanceAbovePct,
  };
}

/**
 * Runs one point: the fewest hosts that admit the fleet (hostsNeeded), a cluster of that many
 * under the point's policy, `minutes` of simulated time with the scenario's workloads and events.
 * Pure and deterministic: the same scenario and point give the same figures, in any process and
 * in any order. Throws only when the point cannot admit the fleet (planSweep refuses those first).
 */
export function runPoint(
  scenario: Scenario,
  point: PlannedPoint,
  settings: PointSettings,
): SweepPointResult {
  let hosts = point.hosts;
  let lowerBound = point.hostsLowerBound;
  if (hosts === undefined || lowerBound === undefined) {
    const needed = hostsNeeded(scenario, point);
    if ('refused' in needed) throw new Error(needed.refused);
    hosts = needed.hosts;
    lowerBound = needed.lowerBound;
  }
  const state = createCluster(pointScenario(scenario, point, hosts, settings.stepSeconds));
  const ticks = runTicks(settings.minutes, settings.stepSeconds);
  const dt = settings.stepSeconds;
  const vms = state.vms;
  const ready = new PercentHistogram();
  const costop = new PercentHistogram();
  // Per VM: the sum of its performance over the ticks it ran, and how many.
  let perfSum = new Float64Array(vms.length);
  let perfTicks = new Uint32Array(vms.length);
  let perfAll = 0;
  let samples = 0;
  let balloonSum = 0;
  let balloonMax = 0;
  let compressedSum = 0;
  let compressedMax = 0;
  let swappedSum = 0;
  let swappedMax = 0;
  let swapInMiB = 0;
  let wattsSum = 0;
  let alarmsFired = 0;
  let vmsRefused = 0;
  const byRule: Partial<Record<AlarmRuleId, number>> = {};
  for (let t = 0; t < ticks; t++) {
    const { frame } = step(state);
    for (const e of frame.events) {
      if (e.type === 'vm-refused') vmsRefused++;
      else if (e.type === 'alarm-fired' && e['escalated'] !== true) {
        alarmsFired++;
        const rule = e['rule'] as AlarmRuleId;
        byRule[rule] = (byRule[rule] ?? 0) + 1;
      }
    }
    if (vms.length > perfSum.length) {
      // create-vm events grew the fleet.
      const sum = new Float64Array(vms.length);
      sum.set(perfSum);
      perfSum = sum;
      const n = new Uint32Array(vms.length);
      n.set(perfTicks);
      perfTicks = n;
    }
    for (let i = 0; i < vms.length; i++) {
      const vm = vms[i]!;
      // On a host: running, or paused with its host's swap full (performance 0).
      if (vm.host < 0 || (vm.state !== 'running' && vm.state !== 'paused')) continue;
      ready.add(vm.cpuReadyPct);
      costop.add(vm.costopPct);
      const perf = vm.performancePct;
      perfSum[i]! += perf;
      perfTicks[i]! += 1;
      perfAll += perf;
      samples++;
      const b = vm.balloonMiB;
      const c = vm.compressedMiB;
      const s = vm.swappedMiB;
      balloonSum += b;
      compressedSum += c;
      swappedSum += s;
      if (b > balloonMax) balloonMax = b;
      if (c > compressedMax) compressedMax = c;
      if (s > swappedMax) swappedMax = s;
    }
    const hostList = state.hosts;
    for (let h = 0; h < hostList.length; h++) {
      const host = hostList[h]!;
      swapInMiB += host.swapInMiBps * dt;
      wattsSum += host.powerWatts;
    }
  }
  let worst = 100;
  let worstVm = '';
  for (let i = 0; i < vms.length; i++) {
    if (perfTicks[i]! === 0) continue;
    const m = perfSum[i]! / perfTicks[i]!;
    if (worstVm === '' || m < worst) {
      worst = m;
      worstVm = vms[i]!.name;
    }
  }
  if (worstVm === '') worst = 0;
  const mean = (sum: number) => (samples > 0 ? sum / samples : 0);
  const figures = {
    readyPct: { p50: ready.percentile(50), p95: ready.percentile(95), p99: ready.percentile(99) },
    swapInMiB,
    performancePct: { mean: mean(perfAll), worst, worstVm },
  };
  const objectives = judge(settings.objectives, figures);
  return {
    cpuAllocationRatio: point.cpuAllocationRatio,
    ramAllocationRatio: point.ramAllocationRatio,
    hyperThreading: point.hyperThreading,
    placement: point.placement,
    hosts,
    hostsLowerBound: lowerBound,
    purchaseUsd: settings.hostPriceUsd === null ? null : hosts * settings.hostPriceUsd,
    meanPowerW: wattsSum / ticks,
    energyKWh: state.energyKWh,
    ...figures,
    costopP95Pct: costop.percentile(95),
    balloonMiB: { mean: mean(balloonSum), max: balloonMax },
    compressedMiB: { mean: mean(compressedSum), max: compressedMax },
    swappedMiB: { mean: mean(swappedSum), max: swappedMax },
    alarmsFired,
    alarmsByRule: byRule,
    vmsRefused,
    ticks,
    vmSteps: ticks * vms.length,
    objectives,
    meetsObjectives:
      objectives.p95ReadyBelowPct &&
      objectives.swapInAtMostMiB &&
      objectives.worstPerformanceAbovePct,
  };
}
