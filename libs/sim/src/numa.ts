// docs/model.md, section 6 (NUMA): which nodes a VM's vCPUs and memory get
// (a home node, or several for a wide VM), the share of its memory accesses
// that go remote, and what that costs a memory-bound guest.
import type { VmDemand } from './admission';
import { gib, hostLogicalCpus, usableMemMiB } from './capacity';
import { MODEL } from './model';
import type { HostRt, SimState, VmRt } from './state';

/**
 * NUMA placement on one host: the single node with the most room when the VM
 * fits one (home node), else the fewest nodes that hold it (a wide VM).
 * `numa: strict` refuses a VM that fits no single node. Returns the nodes, or the figures of
 * the refusal (admission says it: admission-numa-strict).
 */
export function homeNodes(
  host: HostRt,
  vm: VmDemand,
  state: SimState,
): number[] | { vcpus: number; memoryGiB: string; nodeCpus: number; nodeMemoryGiB: string } {
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
    return {
      vcpus: vm.vcpus,
      memoryGiB: gib(vm.memMiB),
      nodeCpus: lcpuPerNode,
      nodeMemoryGiB: gib(memPerNode),
    };
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

/** Adds a VM's backed memory to the nodes it lives on, split evenly. */
export function addNodeMemory(nodeMemMiB: number[], vm: VmRt, backed: number): void {
  const nodes = vm.nodes;
  const share = Math.max(0, backed) / Math.max(1, nodes.length);
  for (let j = 0; j < nodes.length; j++) nodeMemMiB[nodes[j]!]! += share;
}

/**
 * Share of a VM's memory accesses that go to another node: all but one node's when the policy
 * ignores NUMA (interleaved), all but one of a wide VM's nodes, or what spilled over its home
 * node's capacity.
 */
export function remoteShare(
  vm: VmRt,
  nodeCount: number,
  numaIgnored: boolean,
  nodeMemMiB: readonly number[],
  nodeCapMiB: number,
): number {
  const spans = vm.nodes.length;
  if (numaIgnored) return (nodeCount - 1) / nodeCount;
  if (spans > 1) return (spans - 1) / spans;
  if (spans === 1) {
    const used = nodeMemMiB[vm.nodes[0]!]!;
    return used > nodeCapMiB ? (used - nodeCapMiB) / used : 0;
  }
  return 0;
}

/** Section 7: remote accesses cost the latency ratio, as much as the guest is memory-bound. */
export function numaSlowdown(memoryBound: number, remote: number): number {
  return 1 + memoryBound * remote * (MODEL.numaLatencyRatio - 1);
}

/** Per node: CPU delivered as a share of the node's, and the vCPU-weighted remote share. */
export function finishNodeFigures(
  host: HostRt,
  nodeVcpus: Float64Array,
  maxDelivered: number,
): void {
  const nodes = host.numaNodes;
  const nodeCpu = host.nodeCpuPct;
  const nodeRemote = host.nodeRemotePct;
  const nodeMaxDelivered = maxDelivered / nodes;
  for (let node = 0; node < nodes; node++) {
    nodeCpu[node] =
      nodeMaxDelivered > 0
        ? (Math.min(nodeCpu[node]!, nodeMaxDelivered) / nodeMaxDelivered) * 100
        : 0;
    nodeRemote[node] = nodeVcpus[node]! > 0 ? (nodeRemote[node]! / nodeVcpus[node]!) * 100 : 0;
  }
}
