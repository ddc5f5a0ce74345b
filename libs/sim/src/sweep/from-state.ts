// docs/sweep.md, "A live cluster": the scenario a sweep of a live cluster starts from. The state
// keeps no copy of the scenario it was created from, and commands have changed it since (policy,
// hyper-threading, new VMs, workloads): the sweep takes the cluster as it is now.
import type { HostSpec, Scenario, ScenarioEvent, VmSpec } from '@overcommit/contracts';
import type { SimState } from '../state';

const MIB_PER_GIB = 1024;

/**
 * A scenario of the cluster as it stands: its hosts (the first is the sweep's host model), every
 * VM that exists with its size and current workload (powered on unless it is stopped), its
 * policy, seed, clock and alarm overrides, and the scenario events not yet applied, moved so that
 * now is time 0. Not carried: runtime figures (memory touched, ballooned, swapped), migrations in
 * flight, alarms, pins (a sweep drops them), a workload's start time (step profiles count from
 * the run's start), and the exercise section.
 */
export function scenarioFromState(state: SimState): Scenario {
  const hosts: HostSpec[] = state.hosts.map((h) => ({
    name: h.name,
    count: 1,
    cpu: {
      sockets: h.sockets,
      coresPerSocket: h.coresPerSocket,
      threadsPerCore: h.threadsPerCore,
      ghz: h.ghz,
    },
    memoryGiB: h.memMiB / MIB_PER_GIB,
    numaNodes: h.numaNodes,
    swapGiB: h.swapMiB / MIB_PER_GIB,
    virtualization: h.virtualization,
    hypervisor: h.hypervisor,
    nestedVirtualization: h.nestedVirtualization,
    networkGbps: h.networkGbps,
    hyperThreading: h.hyperThreading,
    power: { idleWatts: h.power[0], maxWatts: h.power[2] },
  }));
  const vms: VmSpec[] = state.vms.map((vm) => ({
    name: vm.name,
    count: 1,
    vcpus: vm.vcpus,
    memoryGiB: vm.memMiB / MIB_PER_GIB,
    nestedHypervisor: vm.nestedHypervisor,
    poweredOn: vm.state !== 'stopped',
    workload: structuredClone(vm.workload),
  }));
  const events: ScenarioEvent[] = state.events
    .slice(state.nextEvent)
    .map((e) => ({ ...structuredClone(e), at: Math.max(0, e.at - state.time) }));
  return {
    version: 1,
    name: state.name,
    description: '',
    seed: state.seed,
    clock: { tickMs: state.tickMs, stepSeconds: state.stepSeconds },
    policy: { ...state.policy },
    hosts,
    vms,
    events,
    alarms: structuredClone(state.alarmOverrides),
  };
}
