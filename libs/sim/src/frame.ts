// What one tick shows (docs/model.md, section 1, step 7): the frame of
// cluster, host and NUMA figures, the active alarms (at most FRAME_ALARMS_MAX,
// the most severe first) and the tick's events; and, apart, the per-VM table.
// Figures leave the engine exact: the wire spec (libs/contracts frame/frame-codec.ts)
// alone decides the decimals each one travels and shows with.
import { FRAME_ALARMS_MAX, type Frame, type HostFrame, type VmFrame } from '@overcommit/contracts';
import { hostLogicalCpus } from './capacity';
import type { GuestTotals } from './contention';
import type { EventLog } from './events';
import { workingSetMissing } from './memory';
import type { AlarmRt, HostRt, SimState, VmRt } from './state';

export interface StepOptions {
  /** Build the per-VM table (`vms` of the tick); the live system asks only while someone watches it. */
  vmMetrics?: boolean;
}

/** Listing order: critical before warning; firing, then acknowledged, pending, resolved. */
const rank = (a: AlarmRt) =>
  (a.severity === 'critical' ? 0 : 4) +
  (a.state === 'firing' ? 0 : a.state === 'acknowledged' ? 1 : a.state === 'pending' ? 2 : 3);

/** How many ranks `rank` gives. */
const RANKS = 8;

/**
 * The active alarms as the frame counts and lists them, handed over one by one in the engine's
 * order (oldest first) as the tick's alarms are finished (alarms.ts): firing or acknowledged ones
 * by severity, and at most FRAME_ALARMS_MAX of them, the most severe first and, within a rank, in
 * the engine's order; all of them when they fit. No sort of the whole list.
 */
export class FrameAlarms {
  warning = 0;
  critical = 0;
  /** The first FRAME_ALARMS_MAX of each rank. */
  private readonly byRank: AlarmRt[][] = Array.from({ length: RANKS }, () => []);

  add(alarm: AlarmRt): void {
    if (alarm.state !== 'pending') {
      if (alarm.severity === 'critical') this.critical++;
      else this.warning++;
    }
    const ranked = this.byRank[rank(alarm)]!;
    if (ranked.length < FRAME_ALARMS_MAX) ranked.push(alarm);
  }

  /** The alarms the frame lists, of `active` (every alarm handed over, in order). */
  listed(active: readonly AlarmRt[]): readonly AlarmRt[] {
    return active.length <= FRAME_ALARMS_MAX
      ? active
      : this.byRank.flat().slice(0, FRAME_ALARMS_MAX);
  }
}

function hostFrame(
  state: SimState,
  host: HostRt,
  vmsRunning: number,
  balloon: number,
  compressed: number,
  swapped: number,
): HostFrame {
  const logical = hostLogicalCpus(host);
  const nodeCap = host.memMiB / host.numaNodes;
  return {
    name: host.name,
    state: host.state,
    hyperThreading: host.hyperThreading,
    logicalCpus: logical,
    physicalCores: host.sockets * host.coresPerSocket,
    vcpus: host.vcpusAlloc,
    vmsRunning,
    cpuUsagePct: host.cpuUsagePct,
    cpuDemandPct: host.cpuDemandPct,
    cpuReadyPct: host.cpuReadyPct,
    vcpuRatio: logical > 0 ? host.vcpusAlloc / logical : 0,
    memTotalMiB: host.memMiB,
    memConfiguredMiB: host.memAllocMiB,
    memActiveMiB: host.memActiveMiB,
    memConsumedMiB: host.memConsumedMiB,
    memOvercommitRatio: host.memAllocMiB / host.memMiB,
    memState: host.memState,
    // The model's free memory goes below 0 when backed memory outgrows the host (a migration's
    // inbound pages, a reserve raised under running VMs): the deficit reclamation works off. Free
    // memory itself is never negative (docs/model.md, section 5).
    memFreeMiB: Math.max(0, host.memFreeMiB),
    sharedMiB: host.sharedMiB,
    balloonMiB: balloon,
    compressedMiB: compressed,
    swapUsedMiB: swapped,
    swapTotalMiB: host.swapMiB,
    swapInMiBps: host.swapInMiBps,
    powerWatts: host.powerWatts,
    numa: host.nodeCpuPct.map((cpu, node) => ({
      node,
      cpuUsagePct: cpu,
      memUsedMiB: host.nodeMemMiB[node]!,
      memTotalMiB: nodeCap,
      remoteAccessPct: host.nodeRemotePct[node]!,
    })),
  };
}

/** Every VM's figures this tick, in the state's order. */
export function vmTable(state: SimState): VmFrame[] {
  return state.vms.map((vm) => vmFrame(state, vm));
}

function vmFrame(state: SimState, vm: VmRt): VmFrame {
  const m = vm.migration;
  return {
    name: vm.name,
    host: vm.host >= 0 ? state.hosts[vm.host]!.name : null,
    state: vm.state,
    vcpus: vm.vcpus,
    memConfiguredMiB: vm.memMiB,
    cpuDemandPct: vm.cpuDemandPct,
    cpuUsagePct: vm.cpuUsagePct,
    cpuReadyPct: vm.cpuReadyPct,
    cpuRunPct: vm.cpuRunPct,
    cpuIdlePct: Math.max(0, 100 - vm.cpuRunPct - vm.cpuReadyPct - vm.costopPct),
    costopPct: vm.costopPct,
    memActiveMiB: vm.activeMiB,
    balloonMiB: vm.balloonMiB,
    compressedMiB: vm.compressedMiB,
    swappedMiB: vm.swappedMiB,
    swapInMiBps: vm.swapInMiBps ?? 0,
    numaNodes: vm.nodes,
    numaLocalPct: vm.numaLocalPct,
    performancePct: vm.performancePct,
    memMissingPct: vm.state === 'running' ? workingSetMissing(vm) * 100 : 0,
    migration: m
      ? {
          from: state.hosts[m.from]!.name,
          to: state.hosts[m.to]!.name,
          round: m.round,
          progressPct: Math.min(100, (m.transferredMiB / vm.memMiB) * 100),
          transferredMiB: m.transferredMiB,
          remainingMiB: m.roundLeftMiB,
          throttlePct: m.throttle * 100,
        }
      : null,
  };
}

/**
 * The tick's frame. `guests`: what contention summed of the VMs (contention.ts); a VM is on a
 * host (`host >= 0`) exactly while it runs or is paused, so those sums are the frame's.
 * `alarms`: every active alarm, handed over by the alarms' finish.
 */
export function buildFrame(
  state: SimState,
  log: EventLog,
  watts: number,
  guests: GuestTotals,
  alarms: FrameAlarms,
): Frame {
  const hostCount = state.hosts.length;
  let vmsRunning = 0;
  for (let h = 0; h < hostCount; h++) vmsRunning += guests.runningVms[h]!;
  let readyWeighted = 0;
  for (let i = 0; i < state.vms.length; i++) readyWeighted += guests.readyWeighted[i]!;
  const vcpusRunning = guests.vcpusRunning;
  // The worst-off guest's speed (100 with none running): a fork's comparison reads it per tick.
  let worstPerformance = 100;
  for (const vm of state.vms)
    if (vm.state === 'running' && vm.performancePct < worstPerformance)
      worstPerformance = vm.performancePct;
  const hosts = state.hosts.map((host, h) =>
    hostFrame(
      state,
      host,
      guests.runningVms[h]!,
      guests.balloonMiB[h]!,
      guests.compressedMiB[h]!,
      guests.swappedMiB[h]!,
    ),
  );
  let hostsUp = 0;
  let vcpus = 0;
  let logical = 0;
  let memConfigured = 0;
  let memTotal = 0;
  let usageWeighted = 0;
  let memActive = 0;
  let memConsumed = 0;
  let b = 0;
  let c = 0;
  let s = 0;
  for (let h = 0; h < hosts.length; h++) {
    const host = hosts[h]!;
    if (host.state === 'failed') continue;
    if (host.state === 'up') hostsUp++;
    vcpus += host.vcpus;
    logical += host.logicalCpus;
    memConfigured += host.memConfiguredMiB;
    memTotal += host.memTotalMiB;
    usageWeighted += host.cpuUsagePct * host.logicalCpus;
    memActive += host.memActiveMiB;
    memConsumed += host.memConsumedMiB;
    b += host.balloonMiB;
    c += host.compressedMiB;
    s += host.swapUsedMiB;
  }
  const frame: Frame = {
    tick: state.tick,
    time: state.time,
    stepSeconds: state.stepSeconds,
    cluster: {
      hostsTotal: hostCount,
      hostsUp,
      vmsTotal: state.vms.length,
      vmsRunning,
      vcpus,
      logicalCpus: logical,
      vcpuRatio: logical > 0 ? vcpus / logical : 0,
      cpuAllocationRatio: state.policy.cpuAllocationRatio,
      memConfiguredMiB: memConfigured,
      memTotalMiB: memTotal,
      memOvercommitRatio: memTotal > 0 ? memConfigured / memTotal : 0,
      ramAllocationRatio: state.policy.ramAllocationRatio,
      cpuUsagePct: logical > 0 ? usageWeighted / logical : 0,
      cpuReadyPct: vcpusRunning > 0 ? readyWeighted / vcpusRunning : 0,
      memActiveMiB: memActive,
      memConsumedMiB: memConsumed,
      balloonMiB: b,
      compressedMiB: c,
      swapUsedMiB: s,
      powerWatts: watts,
      energyKWh: state.energyKWh,
      worstPerformancePct: worstPerformance,
      alarms: { warning: alarms.warning, critical: alarms.critical },
    },
    hosts,
    alarms: alarms.listed(state.alarms).map((a) => ({
      id: a.id,
      rule: a.rule,
      target: a.target,
      severity: a.severity,
      state: a.state,
      since: a.since,
      firedAt: a.firedAt,
      value: a.value,
      threshold: a.threshold,
      ackedBy: a.ackedBy,
      ackNote: a.ackNote,
      ackedAt: a.ackedAt,
      resolvedAt: a.resolvedAt,
    })),
    events: log.list,
  };
  return frame;
}
