// docs/model.md, section 3 (Admission and placement; OpenStack Nova / Placement
// semantics): whether a host may take a VM under the policy, and charging or
// giving back what admission hands out.
import { gib, hostLogicalCpus, usableMemMiB } from './capacity';
import { homeNodes } from './numa';
import { type Refusal, refusal } from './refusals';
import type { HostRt, SimState, VmRt } from './state';

/** What admission needs to know of a VM. */
export interface VmDemand {
  name: string;
  vcpus: number;
  memMiB: number;
  nestedHypervisor: boolean;
  pinned: string | null;
}

const ratio = (r: number) => String(Math.round(r * 100) / 100);

/**
 * Why `host` cannot take `vm`, with the numbers (`esx-03: memory 70/64 GiB at ratio 1.5`), or
 * the NUMA nodes it would get. Capacity is (logical CPUs x cpuAllocationRatio) and
 * (usable memory x ramAllocationRatio), less what is already allocated.
 */
export function admissionRefusal(
  host: HostRt,
  vm: VmDemand,
  state: SimState,
): Refusal | { nodes: number[] } {
  if (host.state === 'failed') return refusal('admission-host-failed', { host: host.name });
  if (host.state === 'maintenance') return refusal('admission-maintenance', { host: host.name });
  if (
    vm.nestedHypervisor &&
    !(host.nestedVirtualization && host.virtualization === 'hardware-assisted')
  ) {
    return refusal(
      host.nestedVirtualization
        ? 'admission-nested-binary-translation'
        : 'admission-nested-not-allowed',
      { host: host.name },
    );
  }
  const { cpuAllocationRatio: cpuRatio, ramAllocationRatio: ramRatio } = state.policy;
  const vcpuCap = hostLogicalCpus(host) * cpuRatio;
  if (host.vcpusAlloc + vm.vcpus > vcpuCap + 1e-9) {
    return refusal('admission-vcpus', {
      host: host.name,
      vcpus: host.vcpusAlloc + vm.vcpus,
      capacity: Math.floor(vcpuCap),
      ratio: ratio(cpuRatio),
    });
  }
  const memCap = usableMemMiB(host, state) * ramRatio;
  if (host.memAllocMiB + vm.memMiB > memCap + 1e-6) {
    return refusal('admission-memory', {
      host: host.name,
      memoryGiB: gib(host.memAllocMiB + vm.memMiB),
      capacityGiB: gib(memCap),
      ratio: ratio(ramRatio),
    });
  }
  const nodes = homeNodes(host, vm, state);
  if (!Array.isArray(nodes)) return refusal('admission-numa-strict', { host: host.name, ...nodes });
  return { nodes };
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
