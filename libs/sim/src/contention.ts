// docs/model.md, sections 4-7 and 12 for every host, once a tick: what its
// guests want of CPU and memory (pass 1), the CPU's fair share and the memory
// state with its reclamation (the host), then each guest's run, ready,
// co-stop, NUMA and performance figures (pass 2), and the host's power. The
// equations are in cpu.ts, memory.ts, numa.ts, performance.ts and power.ts;
// this file only walks the hosts and their VMs in order.
import { usableMemMiB } from './capacity';
import {
  costopShare,
  cpuPerformance,
  deliveredCores,
  fairShareLevel,
  type HostCpu,
  hostCpu,
  overheadFactor,
  readyQueueing,
  readyShare,
} from './cpu';
import {
  backedMiB,
  growRoomOf,
  type HostMemory,
  type HostVms,
  memorySlowdown,
  workingSetMissing,
  minFreeMiB,
  reclaimMemory,
  swapInWantedOf,
  touchMemory,
} from './memory';
import { addNodeMemory, finishNodeFigures, numaSlowdown, remoteShare } from './numa';
import { performancePct } from './performance';
import { powerAt } from './power';
import type { HostRt, SimState, VmRt } from './state';
import { cpuDemand } from './workload';

const onHost = (vm: VmRt) => vm.host >= 0 && (vm.state === 'running' || vm.state === 'paused');

/** What a host's guests want of CPU and hold of memory this tick (pass 1), summed. */
class GuestSums implements HostMemory {
  active = 0;
  consumed = 0;
  balloon = 0;
  compressed = 0;
  swapped = 0;
  configured = 0;
  swapInWanted = 0;
  anyPaused = false;
  /** Threads the guests keep busy: vCPUs x runnable share. */
  runnableThreads = 0;
  /** Core-equivalents wanted, overhead included. */
  work = 0;
  vcpus = 0;
}

/**
 * A tick's working arrays: per VM by index, per host, and for the host being simulated. Kept for
 * the next tick (of any cluster: one tick runs to its end before another starts) and replaced
 * only when a tick needs more room; every tick writes what it reads.
 */
class TickScratch {
  /** What the guest wants per vCPU (0..1), before any throttle and without overhead. */
  readonly wanted: Float64Array;
  /** What each vCPU may run, overhead included, at most 1. */
  readonly runnable: Float64Array;
  /** The hypervisor's overhead factor for the guest. */
  readonly overhead: Float64Array;
  /** The host each VM runs on this tick, or -1. */
  readonly hostOf: Int32Array;
  /** The VMs of each host, contiguous: host h's are `order[start[h]..start[h + 1])`. */
  readonly order: Int32Array;
  readonly start: Int32Array;
  /** Where the next VM of each host goes in `order` while it is filled. */
  readonly cursor: Int32Array;
  /** Memory held on each host by migrations coming in. */
  readonly inboundMiB: Float64Array;
  /** What the frame sums of each host's guests (see GuestTotals). */
  readonly runningVms: Int32Array;
  readonly balloonMiB: Float64Array;
  readonly compressedMiB: Float64Array;
  readonly swappedMiB: Float64Array;
  /** Per VM: its ready % x vCPUs while running, else 0. */
  readonly readyWeighted: Float64Array;
  /** Per VM: what the alarm rules read (see VmReadings). */
  readonly readyPct: Float64Array;
  readonly costopPct: Float64Array;
  readonly numaRemotePct: Float64Array;
  readonly memStarvedPct: Float64Array;
  readonly steady: Uint8Array;
  /** The VMs of the host being simulated, by runnable share (fair share's order). */
  readonly byShare: Int32Array;
  /** vCPUs per NUMA node of the host being simulated. */
  readonly nodeVcpus: Float64Array;
  /** What the guests of the host being simulated want and hold (pass 1). */
  readonly sums = new GuestSums();

  constructor(
    readonly vmRoom: number,
    readonly hostRoom: number,
    readonly nodeRoom: number,
  ) {
    this.wanted = new Float64Array(vmRoom);
    this.runnable = new Float64Array(vmRoom);
    this.overhead = new Float64Array(vmRoom);
    this.hostOf = new Int32Array(vmRoom);
    this.order = new Int32Array(vmRoom);
    this.start = new Int32Array(hostRoom + 1);
    this.cursor = new Int32Array(hostRoom);
    this.inboundMiB = new Float64Array(hostRoom);
    this.runningVms = new Int32Array(hostRoom);
    this.balloonMiB = new Float64Array(hostRoom);
    this.compressedMiB = new Float64Array(hostRoom);
    this.swappedMiB = new Float64Array(hostRoom);
    this.readyWeighted = new Float64Array(vmRoom);
    this.readyPct = new Float64Array(vmRoom);
    this.costopPct = new Float64Array(vmRoom);
    this.numaRemotePct = new Float64Array(vmRoom);
    this.memStarvedPct = new Float64Array(vmRoom);
    this.steady = new Uint8Array(vmRoom);
    this.byShare = new Int32Array(vmRoom);
    this.nodeVcpus = new Float64Array(nodeRoom);
  }
}

let lastScratch = new TickScratch(0, 0, 1);

function scratchFor(vmCount: number, hostCount: number, maxNodes: number): TickScratch {
  const s = lastScratch;
  if (s.vmRoom < vmCount || s.hostRoom < hostCount || s.nodeRoom < maxNodes)
    lastScratch = new TickScratch(
      Math.max(vmCount, s.vmRoom),
      Math.max(hostCount, s.hostRoom),
      Math.max(maxNodes, s.nodeRoom),
    );
  return lastScratch;
}

/**
 * Each VM's figures the alarm rules read (alarm-readings.ts), by VM index, as written into the
 * VMs, so that reading them need not visit every VM. `steady[i]` is 1 for a VM running with no HA
 * failure and no migration (ongoing, or aborted): no other rule can read it.
 */
export interface VmReadings {
  readyPct: Float64Array;
  costopPct: Float64Array;
  /** 100 - NUMA-local %. */
  numaRemotePct: Float64Array;
  /** Of a running VM, its working set not in plain RAM, % (workingSetMissing); else 0. */
  memStarvedPct: Float64Array;
  steady: Uint8Array;
}

/**
 * What contention leaves for the rest of the tick, gathered while each host's guests are at hand.
 * For the frame: by host index, the VMs running and the memory ballooned, compressed and swapped
 * from its guests; by VM index, a running VM's ready % x vCPUs (else 0), for the cluster's ready
 * in the VMs' order. For the alarms: `readings`. Views into the tick's scratch: read them before
 * the next tick.
 */
export interface GuestTotals {
  runningVms: Int32Array;
  balloonMiB: Float64Array;
  compressedMiB: Float64Array;
  swappedMiB: Float64Array;
  readyWeighted: Float64Array;
  /** vCPUs of the running VMs. */
  vcpusRunning: number;
  /** The VMs paused this tick (swap full), by index, ascending. */
  paused: number[];
  readings: VmReadings;
}

/**
 * One tick of contention on every host: CPU (fair share, hyper-threading,
 * ready and co-stop), memory (states and reclamation), NUMA, power. Writes the
 * figures into the hosts and VMs; returns what the frame and the alarms read of them.
 */
export function simulateHosts(state: SimState, dt: number): GuestTotals {
  const { hosts, vms } = state;
  const hostCount = hosts.length;
  const vmCount = vms.length;
  let maxNodes = 1;
  for (let h = 0; h < hostCount; h++) maxNodes = Math.max(maxNodes, hosts[h]!.numaNodes);
  const scratch = scratchFor(vmCount, hostCount, maxNodes);
  const { hostOf, order, start, cursor, inboundMiB, readyWeighted, steady } = scratch;
  // One pass over the VMs: count the VMs on each host, note memory held by incoming
  // migrations, which VMs are steady, and zero the figures of VMs on no host.
  start.fill(0, 0, hostCount + 1);
  inboundMiB.fill(0, 0, hostCount);
  for (let i = 0; i < vmCount; i++) {
    const vm = vms[i]!;
    readyWeighted[i] = 0;
    if (onHost(vm)) {
      hostOf[i] = vm.host;
      start[vm.host + 1]!++;
      const mig = vm.migration;
      if (mig !== null)
        inboundMiB[mig.to]! += vm.consumedMiB * Math.min(1, mig.transferredMiB / vm.memMiB);
      steady[i] =
        vm.state === 'running' && !vm.haFailed && mig === null && vm.lastMigrationAbortAt === null
          ? 1
          : 0;
    } else {
      hostOf[i] = -1;
      steady[i] = 0;
      vm.cpuDemandPct = vm.cpuUsagePct = vm.cpuRunPct = vm.cpuReadyPct = vm.costopPct = 0;
      vm.activeMiB = vm.consumedMiB = 0;
      vm.performancePct = 0;
      vm.swapInMiBps = 0;
      vm.numaLocalPct = 100;
      scratch.readyPct[i] = scratch.costopPct[i] = scratch.numaRemotePct[i] = 0;
      scratch.memStarvedPct[i] = 0;
    }
  }
  for (let h = 0; h < hostCount; h++) start[h + 1]! += start[h]!;
  // The VMs of each host, contiguous in one flat index array, in the VMs' order.
  cursor.set(start.subarray(0, hostCount));
  for (let i = 0; i < vmCount; i++) {
    const h = hostOf[i]!;
    if (h >= 0) order[cursor[h]!++] = i;
  }
  const paused: number[] = [];
  let vcpusRunning = 0;
  for (let h = 0; h < hostCount; h++) {
    const on: HostVms = { vms, order, from: start[h]!, to: start[h + 1]! };
    const pausedVm = simulateHost(state, hosts[h]!, on, scratch, inboundMiB[h]!, dt);
    if (pausedVm >= 0) paused.push(pausedVm);
    vcpusRunning += sumForFrame(on, h, scratch);
  }
  const {
    runningVms,
    balloonMiB,
    compressedMiB,
    swappedMiB,
    readyPct,
    costopPct,
    numaRemotePct,
    memStarvedPct,
  } = scratch;
  paused.sort((a, b) => a - b);
  for (let k = 0; k < paused.length; k++) steady[paused[k]!] = 0;
  return {
    runningVms,
    balloonMiB,
    compressedMiB,
    swappedMiB,
    readyWeighted,
    vcpusRunning,
    paused,
    readings: { readyPct, costopPct, numaRemotePct, memStarvedPct, steady },
  };
}

/** The frame's sums of one host's guests (see GuestTotals), in the VMs' order; returns their running vCPUs. */
function sumForFrame(on: HostVms, h: number, scratch: TickScratch): number {
  const { vms, order, from, to } = on;
  let running = 0;
  let vcpus = 0;
  let balloon = 0;
  let compressed = 0;
  let swapped = 0;
  for (let k = from; k < to; k++) {
    const i = order[k]!;
    const vm = vms[i]!;
    if (vm.state === 'running') {
      running++;
      vcpus += vm.vcpus;
      scratch.readyWeighted[i] = vm.cpuReadyPct * vm.vcpus;
    }
    balloon += vm.balloonMiB;
    compressed += vm.compressedMiB;
    swapped += vm.swappedMiB;
  }
  scratch.runningVms[h] = running;
  scratch.balloonMiB[h] = balloon;
  scratch.compressedMiB[h] = compressed;
  scratch.swappedMiB[h] = swapped;
  return vcpus;
}

/** A failed host runs nothing and draws nothing. */
function stopFailedHost(host: HostRt, reservedMiB: number): void {
  host.cpuUsagePct = host.cpuDemandPct = host.cpuReadyPct = 0;
  host.memActiveMiB = host.memConsumedMiB = host.sharedMiB = host.swapInMiBps = 0;
  host.memFreeMiB = host.memMiB - reservedMiB;
  host.memState = 'high';
  host.powerWatts = 0;
  host.nodeCpuPct.fill(0);
  host.nodeMemMiB.fill(0);
  host.nodeRemotePct.fill(0);
}

/** One host's tick (see simulateHosts); returns the VM it paused, by index, or -1. */
function simulateHost(
  state: SimState,
  host: HostRt,
  on: HostVms,
  scratch: TickScratch,
  inboundMiB: number,
  dt: number,
): number {
  const reservedMiB = host.memMiB - usableMemMiB(host, state);
  if (host.state === 'failed') {
    stopFailedHost(host, reservedMiB);
    // Its guests (none: a failing host's VMs go down) would keep their figures.
    const { vms, order, from, to } = on;
    for (let k = from; k < to; k++) {
      const i = order[k]!;
      scratch.readyPct[i] = vms[i]!.cpuReadyPct;
      scratch.costopPct[i] = vms[i]!.costopPct;
      scratch.numaRemotePct[i] = 100 - vms[i]!.numaLocalPct;
      scratch.memStarvedPct[i] = 0;
      vms[i]!.swapInMiBps = 0;
    }
    return -1;
  }
  const cpu = hostCpu(host);
  const minFree = minFreeMiB(host.memMiB);
  sumGuests(state, host, cpu, on, scratch, minFree, dt);
  const sums = scratch.sums;

  // The host: CPU fair share and speed, memory state and reclamation.
  const { vms, order, from, to } = on;
  const level = fairShareLevel(
    vms,
    order,
    from,
    to,
    scratch.runnable,
    sums.runnableThreads,
    cpu.logical,
    sums.vcpus,
    scratch.byShare,
  );
  const busy = Math.min(sums.runnableThreads, cpu.logical);
  const delivered = deliveredCores(busy, cpu.cores, cpu.hyperThreading);
  const speed = busy > 0 ? delivered / busy : 1;
  const queueing = readyQueueing(cpu.logical > 0 ? busy / cpu.logical : 0);
  const pausedVm = reclaimMemory(host, on, sums, inboundMiB, reservedMiB, minFree, state.time, dt);

  const readySum = guestFigures(state, host, cpu, on, scratch, level, speed, queueing);
  finishNodeFigures(host, scratch.nodeVcpus, cpu.maxDelivered);
  const usage = cpu.maxDelivered > 0 ? delivered / cpu.maxDelivered : 0;
  host.cpuUsagePct = usage * 100;
  host.cpuDemandPct = cpu.maxDelivered > 0 ? (sums.work / cpu.maxDelivered) * 100 : 0;
  host.cpuReadyPct = sums.vcpus > 0 ? (readySum / sums.vcpus) * 100 : 0;
  host.powerWatts = powerAt(host, usage);
  return pausedVm;
}

/**
 * Pass 1 over a host's guests: what each wants of its vCPUs (into the scratch's `wanted`,
 * `runnable` and `overhead`), touches of memory (memory.ts) and holds on each NUMA node (into
 * `host.nodeMemMiB`); their sums go to `scratch.sums`.
 */
function sumGuests(
  state: SimState,
  host: HostRt,
  cpu: HostCpu,
  on: HostVms,
  scratch: TickScratch,
  minFree: number,
  dt: number,
): void {
  const { vms, order, from, to } = on;
  const { seed, time, tick } = state;
  const { wanted, runnable, overhead } = scratch;
  const nodeMem = host.nodeMemMiB;
  nodeMem.fill(0);
  let growRoom = growRoomOf(host, minFree);
  let active = 0;
  let consumed = 0;
  let balloon = 0;
  let compressed = 0;
  let swapped = 0;
  let configured = 0;
  let swapInWanted = 0;
  let anyPaused = false;
  let runnableThreads = 0;
  let work = 0;
  let vcpus = 0;
  for (let k = from; k < to; k++) {
    const i = order[k]!;
    const vm = vms[i]!;
    const running = vm.state === 'running';
    // Auto-converge throttles what the guest may run, not what it wants.
    const wants = running ? cpuDemand(vm.workload, time, vm.workloadSince, seed, vm.key, tick) : 0;
    const allowed = vm.migration !== null ? wants * (1 - vm.migration.throttle) : wants;
    const overheadOfVm = overheadFactor(cpu, vm);
    const runnableShare = Math.min(1, allowed * overheadOfVm);
    wanted[i] = wants;
    overhead[i] = overheadOfVm;
    runnable[i] = runnableShare;
    runnableThreads += vm.vcpus * runnableShare;
    work += vm.vcpus * allowed * overheadOfVm;
    vcpus += vm.vcpus;
    growRoom = touchMemory(vm, running, growRoom, seed, tick, dt);
    if (!running) anyPaused = true;
    active += vm.activeMiB;
    consumed += vm.consumedMiB;
    balloon += vm.balloonMiB;
    compressed += vm.compressedMiB;
    swapped += vm.swappedMiB;
    configured += vm.memMiB;
    // What the guest would read back; reclaimMemory scales it to the host's swap-in.
    if (vm.swappedMiB > 0 && running) swapInWanted += vm.swapInMiBps = swapInWantedOf(vm);
    else vm.swapInMiBps = 0;
    addNodeMemory(nodeMem, vm, backedMiB(vm));
  }
  const sums = scratch.sums;
  sums.active = active;
  sums.consumed = consumed;
  sums.balloon = balloon;
  sums.compressed = compressed;
  sums.swapped = swapped;
  sums.configured = configured;
  sums.swapInWanted = swapInWanted;
  sums.anyPaused = anyPaused;
  sums.runnableThreads = runnableThreads;
  sums.work = work;
  sums.vcpus = vcpus;
}

/**
 * Pass 2 over a host's guests, once the host has shared its CPU (`level`, `speed`, `queueing`)
 * and reclaimed memory: each guest's run, ready, co-stop, NUMA and performance figures, and the
 * host's per-node CPU and remote shares (finished by numa.ts). Returns the guests' ready share
 * weighted by vCPUs.
 */
function guestFigures(
  state: SimState,
  host: HostRt,
  cpu: HostCpu,
  on: HostVms,
  scratch: TickScratch,
  level: number,
  speed: number,
  queueing: number,
): number {
  const { vms, order, from, to } = on;
  const { wanted, runnable, overhead, nodeVcpus, readyPct, costopPct, numaRemotePct } = scratch;
  const { memStarvedPct } = scratch;
  const nodeCount = host.numaNodes;
  const coresPerNode = cpu.cores / nodeCount;
  const nodeMem = host.nodeMemMiB;
  const nodeCap = usableMemMiB(host, state) / nodeCount;
  const nodeCpu = host.nodeCpuPct;
  const nodeRemote = host.nodeRemotePct;
  nodeCpu.fill(0);
  nodeRemote.fill(0);
  nodeVcpus.fill(0);
  const numaIgnored = state.policy.numa === 'ignore';
  let readySum = 0;
  for (let k = from; k < to; k++) {
    const i = order[k]!;
    const vm = vms[i]!;
    const runnableShare = runnable[i]!;
    const run = runnableShare < level ? runnableShare : level;
    const wait = runnableShare - run;
    const width = Math.min(1, vm.vcpus / Math.max(1, coresPerNode));
    const costop = costopShare(wait, vm.vcpus, width);
    const ready = readyShare(run, wait, costop, runnableShare, queueing);
    const remote = remoteShare(vm, nodeCount, numaIgnored, nodeMem, nodeCap);
    vm.cpuDemandPct = wanted[i]! * 100;
    vm.cpuUsagePct = run * speed * 100;
    vm.cpuRunPct = run * 100;
    vm.cpuReadyPct = readyPct[i] = ready * 100;
    vm.costopPct = costopPct[i] = costop * 100;
    vm.numaLocalPct = (1 - remote) * 100;
    numaRemotePct[i] = 100 - vm.numaLocalPct;
    const running = vm.state === 'running';
    memStarvedPct[i] = running ? workingSetMissing(vm) * 100 : 0;
    vm.performancePct = performancePct(
      running,
      cpuPerformance(run, speed, overhead[i]!, wanted[i]!),
      numaSlowdown(vm.workload.memoryBound, remote),
      memorySlowdown(vm),
    );
    readySum += ready * vm.vcpus;
    const spans = vm.nodes.length;
    const perNode = vm.vcpus / Math.max(1, spans);
    for (let j = 0; j < spans; j++) {
      const node = vm.nodes[j]!;
      nodeCpu[node]! += run * speed * perNode;
      nodeRemote[node]! += remote * perNode;
      nodeVcpus[node]! += perNode;
    }
  }
  return readySum;
}
