import { MIB_PER_GIB, MODEL } from './model';
import type { HostRt, SimState, VmRt } from './state';
import { logicalCpus } from './topology/topology';

/** What admission needs to know of a VM. */
export interface VmDemand {
  name: string;
  vcpus: number;
  memMiB: number;
  nestedHypervisor: boolean;
  pinned: string | null;
}

export interface Placement {
  host: number;
  nodes: number[];
}

const gib = (mib: number) => {
  const v = mib / MIB_PER_GIB;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
};
const ratio = (r: number) => String(Math.round(r * 100) / 100);

export function hostLogicalCpus(host: HostRt): number {
  return logicalCpus(host, host.hyperThreading);
}

/** Memory admission may hand out before the ratio: total less reserved (and a type-2 host OS). */
export function usableMemMiB(host: HostRt, state: SimState): number {
  const reserved =
    state.policy.reservedHostMemoryGiB * MIB_PER_GIB +
    (host.hypervisor === 'type-2' ? MODEL.type2HostOsMiB : 0);
  return Math.max(0, host.memMiB - reserved);
}

/**
 * NUMA placement on one host: the single node with the most room when the VM
 * fits one (home node), else the fewest nodes that hold it (a wide VM).
 * `numa: strict` refuses a VM that fits no single node. Returns the nodes, or a reason.
 */
function numaNodesFor(host: HostRt, vm: VmDemand, state: SimState): number[] | string {
  const nodes = host.numaNodes;
  const lcpuPerNode = hostLogicalCpus(host) / nodes;
  const memPerNode = usableMemMiB(host, state) / nodes;
  if (state.policy.numa === 'ignore') return Array.from({ length: nodes }, (_, i) => i);
  const vcpuCap = lcpuPerNode * state.policy.cpuAllocationRatio;
  const memCap = memPerNode * state.policy.ramAllocationRatio;
  // Home node: the node with the most free memory that fits the VM's vCPUs and memory.
  let best = -1;
  let bestFree = -Infinity;
  for (let n = 0; n < nodes; n++) {
    const fitsCpu = vm.vcpus <= lcpuPerNode && host.nodeVcpusAlloc[n]! + vm.vcpus <= vcpuCap;
    const fitsMem = vm.memMiB <= memPerNode && host.nodeMemAllocMiB[n]! + vm.memMiB <= memCap;
    const free = memCap - host.nodeMemAllocMiB[n]!;
    if (fitsCpu && fitsMem && free > bestFree) {
      best = n;
      bestFree = free;
    }
  }
  if (best >= 0) return [best];
  if (state.policy.numa === 'strict') {
    return `NUMA strict: no node holds ${vm.vcpus} vCPUs and ${gib(vm.memMiB)} GiB (a node has ${lcpuPerNode} logical CPUs and ${gib(memPerNode)} GiB)`;
  }
  // Wide VM: as many nodes as its vCPUs or memory need, least loaded first.
  const width = Math.min(
    nodes,
    Math.max(Math.ceil(vm.vcpus / lcpuPerNode), Math.ceil(vm.memMiB / memPerNode), 1),
  );
  const order = Array.from({ length: nodes }, (_, i) => i).sort(
    (a, b) => host.nodeMemAllocMiB[a]! - host.nodeMemAllocMiB[b]! || a - b,
  );
  return order.slice(0, width).sort((a, b) => a - b);
}

/** Why `host` cannot take `vm`, with the numbers, or the NUMA nodes it would get. */
export function admissionRefusal(
  host: HostRt,
  vm: VmDemand,
  state: SimState,
): string | { nodes: number[] } {
  if (host.state === 'failed') return `${host.name}: host failed`;
  if (host.state === 'maintenance') return `${host.name}: in maintenance`;
  if (
    vm.nestedHypervisor &&
    !(host.nestedVirtualization && host.virtualization === 'hardware-assisted')
  ) {
    return host.nestedVirtualization
      ? `${host.name}: nested virtualization needs hardware-assisted virtualization (host uses binary translation)`
      : `${host.name}: nested virtualization not allowed on this host`;
  }
  const { cpuAllocationRatio: cpuRatio, ramAllocationRatio: ramRatio } = state.policy;
  const vcpuCap = hostLogicalCpus(host) * cpuRatio;
  if (host.vcpusAlloc + vm.vcpus > vcpuCap + 1e-9) {
    return `${host.name}: vCPUs ${host.vcpusAlloc + vm.vcpus}/${Math.floor(vcpuCap)} at ratio ${ratio(cpuRatio)}`;
  }
  const memCap = usableMemMiB(host, state) * ramRatio;
  if (host.memAllocMiB + vm.memMiB > memCap + 1e-6) {
    return `${host.name}: memory ${gib(host.memAllocMiB + vm.memMiB)}/${gib(memCap)} GiB at ratio ${ratio(ramRatio)}`;
  }
  const nodes = numaNodesFor(host, vm, state);
  if (typeof nodes === 'string') return `${host.name}: ${nodes}`;
  return { nodes };
}

/**
 * Picks a host for `vm` with Nova's semantics: every candidate is checked;
 * `spread` takes the one with the most free memory after placement, `pack`
 * the one with the least. Returns the placement, or a refusal that names
 * every host considered and the limit that failed on each.
 */
export function chooseHost(
  state: SimState,
  vm: VmDemand,
  hostIndex: ReadonlyMap<string, number>,
  exclude = -1,
): Placement | { refused: string } {
  const candidates: number[] = [];
  if (vm.pinned !== null) {
    const pin = hostIndex.get(vm.pinned);
    if (pin === undefined) return { refused: `pinned to host ${vm.pinned}, which does not exist` };
    candidates.push(pin);
  } else {
    for (let i = 0; i < state.hosts.length; i++) if (i !== exclude) candidates.push(i);
  }
  const reasons: string[] = [];
  let best: Placement | null = null;
  let bestScore = 0;
  for (const index of candidates) {
    const host = state.hosts[index]!;
    const verdict = admissionRefusal(host, vm, state);
    if (typeof verdict === 'string') {
      reasons.push(verdict);
      continue;
    }
    const free =
      usableMemMiB(host, state) * state.policy.ramAllocationRatio - host.memAllocMiB - vm.memMiB;
    const score = state.policy.placement === 'spread' ? free : -free;
    if (best === null || score > bestScore) {
      best = { host: index, nodes: verdict.nodes };
      bestScore = score;
    }
  }
  if (best) return best;
  const what = `${vm.vcpus} vCPUs, ${gib(vm.memMiB)} GiB`;
  return { refused: `no host can take ${vm.name} (${what}): ${reasons.join('; ') || 'no hosts'}` };
}

/** Charges a VM's allocation to a host (placement, migration destination). */
export function allocate(host: HostRt, vm: Pick<VmRt, 'vcpus' | 'memMiB'>, nodes: number[]): void {
  host.vcpusAlloc += vm.vcpus;
  host.memAllocMiB += vm.memMiB;
  for (const n of nodes) {
    host.nodeVcpusAlloc[n] = host.nodeVcpusAlloc[n]! + vm.vcpus / nodes.length;
    host.nodeMemAllocMiB[n] = host.nodeMemAllocMiB[n]! + vm.memMiB / nodes.length;
  }
}

/** Gives a VM's allocation back. */
export function release(host: HostRt, vm: Pick<VmRt, 'vcpus' | 'memMiB'>, nodes: number[]): void {
  host.vcpusAlloc = Math.max(0, host.vcpusAlloc - vm.vcpus);
  host.memAllocMiB = Math.max(0, host.memAllocMiB - vm.memMiB);
  for (const n of nodes) {
    host.nodeVcpusAlloc[n] = Math.max(0, host.nodeVcpusAlloc[n]! - vm.vcpus / nodes.length);
    host.nodeMemAllocMiB[n] = Math.max(0, host.nodeMemAllocMiB[n]! - vm.memMiB / nodes.length);
  }
}
