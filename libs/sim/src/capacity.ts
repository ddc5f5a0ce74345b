// docs/model.md, section 2 (Topology) and the usable memory of section 3:
// what a host has to hand out, before any allocation ratio.
import { MIB_PER_GIB, MODEL } from './model';
import type { HostRt, SimState } from './state';
import { logicalCpus } from './topology/topology';

/** Logical CPUs the host runs now (threads per core only while hyper-threading is on). */
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

/** GiB as a refusal shows it: whole, or with one decimal. */
export const gib = (mib: number) => {
  const v = mib / MIB_PER_GIB;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
};
