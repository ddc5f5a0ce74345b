// docs/model.md, sections 3 and 8: for one VM, every host it could migrate to
// now, and for each one the reason in words when it cannot.
import type { MigrationTarget, MigrationTargets } from '@overcommit/contracts';
import { admissionRefusal } from './admission';
import { hostLogicalCpus, usableMemMiB } from './capacity';
import { noVmNamed } from './commands';
import { migrationRefusal } from './migration';
import { coded, type Refusal, refusal } from './refusals';
import type { SimState } from './state';

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Where `vmName` could live-migrate to now: every host, in cluster order, with
 * whether a `migrate-vm` to it would be accepted (the same checks, in the same
 * order, as the command: a VM already migrating or not running goes nowhere;
 * its own host is refused; any other host goes through admission), the
 * engine's own reason when not, the NUMA nodes it would get when it fits, and
 * the host's headroom under the policy's allocation ratios.
 *
 * Reads the state as it is: a command sent now is applied at the next tick,
 * after any scenario event due in that tick. Pure; never throws: an unknown
 * VM gives `{ notFound }` with the reason.
 */
export function migrationTargets(
  state: SimState,
  vmName: string,
): MigrationTargets | { notFound: string } {
  const vm = state.vms.find((v) => v.name === vmName);
  if (!vm)
    return {
      notFound: noVmNamed(
        vmName,
        state.vms.map((v) => v.name),
      ).text,
    };
  const vmRefusal = migrationRefusal(state, vm);
  const { cpuAllocationRatio, ramAllocationRatio } = state.policy;
  const targets = state.hosts.map((host, index): MigrationTarget => {
    const vcpuCapacity = hostLogicalCpus(host) * cpuAllocationRatio;
    const memCapacityMiB = usableMemMiB(host, state) * ramAllocationRatio;
    const figures = {
      vcpuCapacity: r3(vcpuCapacity),
      freeVcpus: r3(vcpuCapacity - host.vcpusAlloc),
      memCapacityMiB: r3(memCapacityMiB),
      freeMemMiB: r3(memCapacityMiB - host.memAllocMiB),
    };
    const refused = (why: Refusal): MigrationTarget => ({
      host: host.name,
      state: host.state,
      fits: false,
      reason: why.text,
      ...coded(why),
      ...figures,
    });
    if (index === vm.host)
      return refused(refusal('vm-already-on-host', { vm: vm.name, host: host.name }));
    if (vmRefusal !== null) return refused(vmRefusal);
    const verdict = admissionRefusal(host, vm, state);
    if (!('nodes' in verdict)) return refused(verdict);
    return { host: host.name, state: host.state, fits: true, numaNodes: verdict.nodes, ...figures };
  });
  return {
    vm: vm.name,
    vmState: vm.state,
    vcpus: vm.vcpus,
    memMiB: vm.memMiB,
    host: vm.host >= 0 ? state.hosts[vm.host]!.name : null,
    migratingTo: vm.migration ? state.hosts[vm.migration.to]!.name : null,
    refusal: vmRefusal?.text ?? null,
    ...(vmRefusal ? { refusalCode: vmRefusal.code, refusalParams: vmRefusal.params } : {}),
    targets,
  };
}
