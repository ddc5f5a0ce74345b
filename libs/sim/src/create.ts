// docs/model.md, section 2 (Topology): a scenario's hosts, VMs and policy
// expanded into the engine's state, before the first tick.
import { newExercise } from './exercise-scoring';
import { expandNames, type Scenario, type SingleVmSpec } from '@overcommit/contracts';
import { MIB_PER_GIB, MODEL } from './model';
import { hashName } from './prng';
import type { HostRt, SimState, VmRt } from './state';

export function newHost(spec: Scenario['hosts'][number], name: string): HostRt {
  const nodes = spec.numaNodes ?? spec.cpu.sockets;
  const [p0, p50, p100] = MODEL.powerPerSocket;
  const power: [number, number, number] = spec.power
    ? [spec.power.idleWatts, (spec.power.idleWatts + spec.power.maxWatts) / 2, spec.power.maxWatts]
    : [p0 * spec.cpu.sockets, p50 * spec.cpu.sockets, p100 * spec.cpu.sockets];
  return {
    name,
    sockets: spec.cpu.sockets,
    coresPerSocket: spec.cpu.coresPerSocket,
    threadsPerCore: spec.cpu.threadsPerCore,
    ghz: spec.cpu.ghz,
    memMiB: spec.memoryGiB * MIB_PER_GIB,
    numaNodes: nodes,
    swapMiB: spec.swapGiB * MIB_PER_GIB,
    virtualization: spec.virtualization,
    hypervisor: spec.hypervisor,
    nestedVirtualization: spec.nestedVirtualization,
    networkGbps: spec.networkGbps,
    power,
    state: 'up',
    hyperThreading: spec.hyperThreading && spec.cpu.threadsPerCore > 1,
    vcpusAlloc: 0,
    memAllocMiB: 0,
    nodeVcpusAlloc: new Array<number>(nodes).fill(0),
    nodeMemAllocMiB: new Array<number>(nodes).fill(0),
    memState: 'high',
    sharedMiB: 0,
    cpuUsagePct: 0,
    cpuDemandPct: 0,
    cpuReadyPct: 0,
    memActiveMiB: 0,
    memConsumedMiB: 0,
    memFreeMiB: spec.memoryGiB * MIB_PER_GIB,
    swapInMiBps: 0,
    powerWatts: 0,
    nodeCpuPct: new Array<number>(nodes).fill(0),
    nodeMemMiB: new Array<number>(nodes).fill(0),
    nodeRemotePct: new Array<number>(nodes).fill(0),
    alarmCount: 0,
  };
}

export function newVm(spec: SingleVmSpec, name: string, time: number): VmRt {
  return {
    name,
    key: hashName(name),
    vcpus: spec.vcpus,
    memMiB: spec.memoryGiB * MIB_PER_GIB,
    nestedHypervisor: spec.nestedHypervisor,
    workload: { ...spec.workload },
    workloadSince: time,
    pinned: spec.host ?? null,
    // Powered-on VMs are placed, in file order, at the first tick.
    state: spec.poweredOn ? 'pending' : 'stopped',
    host: -1,
    nodes: [],
    touchedMiB: 0,
    balloonMiB: 0,
    compressedMiB: 0,
    swappedMiB: 0,
    migration: null,
    migrationNodes: [],
    downSince: null,
    haPending: false,
    haFailed: false,
    lastMigrationAbortAt: null,
    cpuDemandPct: 0,
    cpuUsagePct: 0,
    cpuRunPct: 0,
    cpuReadyPct: 0,
    costopPct: 0,
    activeMiB: 0,
    consumedMiB: 0,
    numaLocalPct: 100,
    performancePct: 0,
    swapInMiBps: 0,
    alarmCount: 0,
  };
}

/** The state before the first tick: hosts and VMs expanded, nothing placed yet. */
export function initialState(scenario: Scenario): SimState {
  const hosts = scenario.hosts.flatMap((spec) =>
    expandNames(spec.name, spec.count).map((name) => newHost(spec, name)),
  );
  const vms = scenario.vms.flatMap((spec) => {
    const { count, ...single } = spec;
    return expandNames(spec.name, count).map((name) => newVm(single, name, 0));
  });
  return {
    version: 1,
    name: scenario.name,
    seed: scenario.seed,
    tick: 0,
    time: 0,
    stepSeconds: scenario.clock.stepSeconds,
    tickMs: scenario.clock.tickMs,
    policy: { ...scenario.policy },
    alarmOverrides: scenario.alarms,
    hosts,
    vms,
    events: [...scenario.events].sort((a, b) => a.at - b.at),
    nextEvent: 0,
    alarms: [],
    alarmHistory: [],
    alarmSeq: 0,
    commandIds: [],
    energyKWh: 0,
    exercise: scenario.exercise ? newExercise(scenario.exercise) : null,
  };
}
