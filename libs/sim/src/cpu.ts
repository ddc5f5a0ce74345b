// docs/model.md, section 4 (CPU): what each guest wants of its vCPUs, the
// hypervisor's overhead, the fair share a contended host gives each vCPU
// (max-min), hyper-threading ("one cook, two stoves"), and the per-vCPU time
// accounting of VMware: run + ready + co-stop + wait = 100%.
import { MODEL } from './model';
import type { HostRt, VmRt } from './state';

/** Work delivered by `busy` busy threads on `cores` cores: a core's second thread adds `htGain`, not a whole core. */
export function deliveredCores(busy: number, cores: number, ht: boolean): number {
  if (busy <= cores) return busy;
  return ht ? cores + MODEL.htGain * Math.min(busy - cores, cores) : cores;
}

/** A host's CPU as the tick sees it. */
export interface HostCpu {
  cores: number;
  hyperThreading: boolean;
  /** Threads that can run at once: cores, or cores x threads with hyper-threading on. */
  logical: number;
  /** Core-equivalents of work the host delivers with every thread busy. */
  maxDelivered: number;
  binaryTranslation: boolean;
  /** The hypervisor's overhead factor for an ordinary guest (virtualization mode and type). */
  hostOverhead: number;
}

export function hostCpu(host: HostRt): HostCpu {
  const cores = host.sockets * host.coresPerSocket;
  const ht = host.hyperThreading;
  const logical = ht ? cores * host.threadsPerCore : cores;
  const binaryTranslation = host.virtualization === 'binary-translation';
  return {
    cores,
    hyperThreading: ht,
    logical,
    maxDelivered: deliveredCores(logical, cores, ht),
    binaryTranslation,
    hostOverhead:
      1 +
      (binaryTranslation ? MODEL.overheadBinaryTranslationBase : MODEL.overheadHardwareAssisted) +
      (host.hypervisor === 'type-2' ? MODEL.overheadType2 : 0),
  };
}

/** The overhead factor `m` of one guest: binary translation pays per kernel share, a nested hypervisor per layer. */
export function overheadFactor(cpu: HostCpu, vm: VmRt): number {
  let m = cpu.binaryTranslation
    ? cpu.hostOverhead + MODEL.overheadBinaryTranslationKernel * vm.workload.kernelShare
    : cpu.hostOverhead;
  if (vm.nestedHypervisor) m *= 1 + MODEL.overheadNestedLayer;
  return m;
}

/** Above this many VMs on a host, fairShareLevel sorts with Array.prototype.sort instead of by insertion. */
const INSERTION_SORT_MAX = 256;

/**
 * The fair-share level `L` (max-min over vCPUs): when the runnable threads exceed the logical
 * CPUs, `sum v_i min(f_i, L) = logical`, found by water-filling over the host's VMs sorted by
 * their runnable share `f_i`; Infinity when every thread can run. `runnable[i]` is VM i's share;
 * `byShare` is scratch room for the host's VM indexes, at least `to - from` long.
 */
export function fairShareLevel(
  vms: readonly VmRt[],
  order: Int32Array,
  from: number,
  to: number,
  runnable: Float64Array,
  runnableThreads: number,
  logical: number,
  vcpus: number,
  byShare: Int32Array,
): number {
  if (runnableThreads <= logical) return Infinity;
  const count = to - from;
  if (count <= INSERTION_SORT_MAX) {
    // Ascending share; equal shares keep their order, as a stable sort leaves them.
    for (let k = 0; k < count; k++) {
      const i = order[from + k]!;
      const share = runnable[i]!;
      let j = k;
      for (; j > 0 && runnable[byShare[j - 1]!]! > share; j--) byShare[j] = byShare[j - 1]!;
      byShare[j] = i;
    }
  } else {
    byShare.set(Array.from(order.subarray(from, to)).sort((a, b) => runnable[a]! - runnable[b]!));
  }
  let capacity = logical;
  let remaining = vcpus;
  for (let k = 0; k < count; k++) {
    const i = byShare[k]!;
    const fair = capacity / remaining;
    if (runnable[i]! <= fair) {
      capacity -= runnable[i]! * vms[i]!.vcpus;
      remaining -= vms[i]!.vcpus;
    } else {
      return fair;
    }
  }
  return Infinity;
}

/** Queueing: even below saturation a vCPU waits a little, growing steeply with utilisation. */
export function readyQueueing(utilisation: number): number {
  return MODEL.readyQueueing * utilisation ** 8;
}

/**
 * Co-stop share of a vCPU: part of an SMP VM's wait that its siblings spend stopped, more for
 * wider VMs (a 1-vCPU VM has none). `width` is the VM's vCPUs over a NUMA node's cores, at most 1.
 */
export function costopShare(wait: number, vcpus: number, width: number): number {
  const share = vcpus > 1 ? MODEL.costopShare * ((vcpus - 1) / vcpus) * width : 0;
  return wait * share;
}

/** Ready share of a vCPU: waiting to run but not scheduled, plus the queueing at this utilisation. */
export function readyShare(
  run: number,
  wait: number,
  costop: number,
  runnable: number,
  queueing: number,
): number {
  return Math.min(1 - run - costop, wait - costop + runnable * queueing);
}

/** The CPU part of performance: work done (overhead taken out) against what the guest wanted. */
export function cpuPerformance(
  run: number,
  speed: number,
  overhead: number,
  wanted: number,
): number {
  return wanted > 0 ? Math.min(1, (run * speed) / overhead / wanted) : 1;
}
