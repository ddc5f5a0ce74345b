// What one tick shows (docs/model.md, section 1, step 7): the frame of
// cluster, host and NUMA figures, the active alarms (at most FRAME_ALARMS_MAX,
// the most severe first) and the tick's events; per-VM figures when asked for.
import { FRAME_ALARMS_MAX, type Frame, type HostFrame, type VmFrame } from '@overcommit/contracts';
import { hostLogicalCpus } from './capacity';
import type { EventLog } from './events';
import type { AlarmRt, HostRt, SimState, VmRt } from './state';

export interface StepOptions {
  /** Include per-VM metrics (`frame.vms`); the live system asks only while someone watches them. */
  vmMetrics?: boolean;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const r2 = (x: number) => Math.round(x * 100) / 100;

/** Listing order: critical before warning; firing, then acknowledged, pending, resolved. */
const rank = (a: AlarmRt) =>
  (a.severity === 'critical' ? 0 : 4) +
  (a.state === 'firing' ? 0 : a.state === 'acknowledged' ? 1 : a.state === 'pending' ? 2 : 3);

/**
 * At most FRAME_ALARMS_MAX alarms, the most severe first and, within a rank, in the engine's
 * order (oldest first); all of them when they fit. One pass per rank, no sort of the whole list.
 */
function mostSevere(alarms: readonly AlarmRt[]): readonly AlarmRt[] {
  if (alarms.length <= FRAME_ALARMS_MAX) return alarms;
  const chosen: AlarmRt[] = [];
  for (let r = 0; r < 8 && chosen.length < FRAME_ALARMS_MAX; r++)
    for (const a of alarms) {
      if (rank(a) !== r) continue;
      chosen.push(a);
      if (chosen.length === FRAME_ALARMS_MAX) break;
    }
  return chosen;
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
    cpuUsagePct: r2(host.cpuUsagePct),
    cpuDemandPct: r2(host.cpuDemandPct),
    cpuReadyPct: r2(host.cpuReadyPct),
    vcpuRatio: r3(logical > 0 ? host.vcpusAlloc / logical : 0),
    memTotalMiB: host.memMiB,
    memConfiguredMiB: r2(host.memAllocMiB),
    memActiveMiB: r2(host.memActiveMiB),
    memConsumedMiB: r2(host.memConsumedMiB),
    memOvercommitRatio: r3(host.memAllocMiB / host.memMiB),
    memState: host.memState,
    memFreeMiB: r2(host.memFreeMiB),
    sharedMiB: r2(host.sharedMiB),
    balloonMiB: r2(balloon),
    compressedMiB: r2(compressed),
    swapUsedMiB: r2(swapped),
    swapTotalMiB: host.swapMiB,
    swapInMiBps: r2(host.swapInMiBps),
    powerWatts: r2(host.powerWatts),
    numa: host.nodeCpuPct.map((cpu, node) => ({
      node,
      cpuUsagePct: r2(cpu),
      memUsedMiB: r2(host.nodeMemMiB[node]!),
      memTotalMiB: r2(nodeCap),
      remoteAccessPct: r2(host.nodeRemotePct[node]!),
    })),
  };
}

export function vmFrame(state: SimState, vm: VmRt): VmFrame {
  const m = vm.migration;
  return {
    name: vm.name,
    host: vm.host >= 0 ? state.hosts[vm.host]!.name : null,
    state: vm.state,
    vcpus: vm.vcpus,
    memConfiguredMiB: vm.memMiB,
    cpuDemandPct: r2(vm.cpuDemandPct),
    cpuUsagePct: r2(vm.cpuUsagePct),
    cpuReadyPct: r2(vm.cpuReadyPct),
    cpuRunPct: r2(vm.cpuRunPct),
    cpuIdlePct: r2(Math.max(0, 100 - vm.cpuRunPct - vm.cpuReadyPct - vm.costopPct)),
    costopPct: r2(vm.costopPct),
    memActiveMiB: r2(vm.activeMiB),
    balloonMiB: r2(vm.balloonMiB),
    compressedMiB: r2(vm.compressedMiB),
    swappedMiB: r2(vm.swappedMiB),
    numaNodes: vm.nodes,
    numaLocalPct: r2(vm.numaLocalPct),
    performancePct: r2(vm.performancePct),
    migration: m
      ? {
          from: state.hosts[m.from]!.name,
          to: state.hosts[m.to]!.name,
          round: m.round,
          progressPct: r2(Math.min(100, (m.transferredMiB / vm.memMiB) * 100)),
          transferredMiB: r2(m.transferredMiB),
          remainingMiB: r2(m.roundLeftMiB),
          throttlePct: r2(m.throttle * 100),
        }
      : null,
  };
}

export function buildFrame(
  state: SimState,
  log: EventLog,
  watts: number,
  options: StepOptions,
): Frame {
  const hostCount = state.hosts.length;
  const running = new Int32Array(hostCount);
  const balloon = new Float64Array(hostCount);
  const compressed = new Float64Array(hostCount);
  const swapped = new Float64Array(hostCount);
  let vmsRunning = 0;
  let readyWeighted = 0;
  let vcpusRunning = 0;
  for (const vm of state.vms) {
    if (vm.host < 0) continue;
    if (vm.state === 'running') {
      running[vm.host]!++;
      vmsRunning++;
      readyWeighted += vm.cpuReadyPct * vm.vcpus;
      vcpusRunning += vm.vcpus;
    }
    balloon[vm.host]! += vm.balloonMiB;
    compressed[vm.host]! += vm.compressedMiB;
    swapped[vm.host]! += vm.swappedMiB;
  }
  const hosts = state.hosts.map((host, h) =>
    hostFrame(state, host, running[h]!, balloon[h]!, compressed[h]!, swapped[h]!),
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
  for (const h of hosts) {
    if (h.state === 'failed') continue;
    if (h.state === 'up') hostsUp++;
    vcpus += h.vcpus;
    logical += h.logicalCpus;
    memConfigured += h.memConfiguredMiB;
    memTotal += h.memTotalMiB;
    usageWeighted += h.cpuUsagePct * h.logicalCpus;
    memActive += h.memActiveMiB;
    memConsumed += h.memConsumedMiB;
    b += h.balloonMiB;
    c += h.compressedMiB;
    s += h.swapUsedMiB;
  }
  let warning = 0;
  let critical = 0;
  for (const a of state.alarms) {
    if (a.state === 'pending') continue;
    if (a.severity === 'critical') critical++;
    else warning++;
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
      vcpuRatio: r3(logical > 0 ? vcpus / logical : 0),
      cpuAllocationRatio: state.policy.cpuAllocationRatio,
      memConfiguredMiB: r2(memConfigured),
      memTotalMiB: memTotal,
      memOvercommitRatio: r3(memTotal > 0 ? memConfigured / memTotal : 0),
      ramAllocationRatio: state.policy.ramAllocationRatio,
      cpuUsagePct: r2(logical > 0 ? usageWeighted / logical : 0),
      cpuReadyPct: r2(vcpusRunning > 0 ? readyWeighted / vcpusRunning : 0),
      memActiveMiB: r2(memActive),
      memConsumedMiB: r2(memConsumed),
      balloonMiB: r2(b),
      compressedMiB: r2(c),
      swapUsedMiB: r2(s),
      powerWatts: r2(watts),
      energyKWh: Math.round(state.energyKWh * 1e6) / 1e6,
      alarms: { warning, critical },
    },
    hosts,
    alarms: mostSevere(state.alarms).map((a) => ({
      id: a.id,
      rule: a.rule,
      target: a.target,
      severity: a.severity,
      state: a.state,
      since: a.since,
      firedAt: a.firedAt,
      value: r2(a.value),
      threshold: a.threshold,
      ackedBy: a.ackedBy,
      ackNote: a.ackNote,
      ackedAt: a.ackedAt,
      resolvedAt: a.resolvedAt,
    })),
    events: log.list,
  };
  if (options.vmMetrics) frame.vms = state.vms.map((vm) => vmFrame(state, vm));
  return frame;
}
