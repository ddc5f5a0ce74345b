// docs/sweep.md, "Hosts needed": the fewest hosts of the scenario's host model (its first host
// spec) that admit the whole fleet under a policy, by the engine's own admission and placement
// (admission.ts, placement.ts, NUMA rules included), starting from the arithmetic lower bound.
import { SWEEP_LIMITS, type Scenario, type SweepPoint } from '@overcommit/contracts';
import { admissionRefusal, allocate } from '../admission';
import { gib } from '../capacity';
import { initialState } from '../create';
import { MIB_PER_GIB, MODEL } from '../model';
import { chooseHost } from '../placement';
import { indexByName } from '../tick-context';
import { logicalCpus } from '../topology/topology';

/**
 * The scenario a sweep point runs: `hosts` hosts of the model (the first host spec) with the
 * point's hyper-threading, the point's ratios and placement, VMs unpinned (the hosts they named
 * are gone), `set-policy` events dropped (they would undo the point's policy) and no exercise.
 */
export function pointScenario(
  scenario: Scenario,
  point: SweepPoint,
  hosts: number,
  stepSeconds: number = scenario.clock.stepSeconds,
): Scenario {
  const model = scenario.hosts[0]!;
  const { exercise: _exercise, ...rest } = scenario;
  return {
    ...rest,
    clock: { ...scenario.clock, stepSeconds },
    policy: {
      ...scenario.policy,
      cpuAllocationRatio: point.cpuAllocationRatio,
      ramAllocationRatio: point.ramAllocationRatio,
      placement: point.placement,
    },
    hosts: [{ ...model, count: hosts, hyperThreading: point.hyperThreading }],
    vms: scenario.vms.map(({ host: _host, ...vm }) => vm),
    events: scenario.events.filter((e) => e.do !== 'set-policy'),
  };
}

export interface HostsNeeded {
  hosts: number;
  /** max(ceil(vCPUs / (logical x cpu ratio)), ceil(memory / (usable x ram ratio)), 1). */
  lowerBound: number;
}

/** The arithmetic lower bound on hosts for the powered-on fleet (docs/sweep.md). */
export function hostsLowerBound(scenario: Scenario, point: SweepPoint): number {
  const model = scenario.hosts[0]!;
  let vcpus = 0;
  let memMiB = 0;
  for (const vm of scenario.vms) {
    if (!vm.poweredOn) continue;
    vcpus += vm.count * vm.vcpus;
    memMiB += vm.count * vm.memoryGiB * MIB_PER_GIB;
  }
  const logical = logicalCpus(model.cpu, point.hyperThreading);
  const usable = usableModelMiB(scenario);
  const byCpu = Math.ceil(vcpus / (logical * point.cpuAllocationRatio) - 1e-9);
  const byMem = usable > 0 ? Math.ceil(memMiB / (usable * point.ramAllocationRatio) - 1e-9) : 1;
  return Math.max(1, byCpu, byMem);
}

function usableModelMiB(scenario: Scenario): number {
  const model = scenario.hosts[0]!;
  return (
    model.memoryGiB * MIB_PER_GIB -
    scenario.policy.reservedHostMemoryGiB * MIB_PER_GIB -
    (model.hypervisor === 'type-2' ? MODEL.type2HostOsMiB : 0)
  );
}

const ratioText = (r: number) => `${r}:1`;

/**
 * Why no number of hosts of the model admits the fleet under the point's policy, or null: a VM
 * that fails admission on an empty host of the model (no number of hosts helps it), or a lower
 * bound past the hosts a cluster may have. Cheap: one empty host, each VM spec once.
 */
export function admissionImpossible(scenario: Scenario, point: SweepPoint): string | null {
  const model = scenario.hosts[0]!;
  const where = `at cpu ${ratioText(point.cpuAllocationRatio)}, ram ${ratioText(point.ramAllocationRatio)}`;
  if (usableModelMiB(scenario) <= 0)
    return `${where}: host model ${model.name} has no usable memory (${model.memoryGiB} GiB, ${scenario.policy.reservedHostMemoryGiB} GiB reserved)`;
  // Each VM spec against one empty host of the model: no number of hosts helps a VM that fails here.
  const single = initialState(pointScenario(scenario, point, 1));
  const alone = single.hosts[0]!;
  for (let i = 0; i < scenario.vms.length; i++) {
    const spec = scenario.vms[i]!;
    if (!spec.poweredOn) continue;
    const vm = {
      name: spec.name,
      vcpus: spec.vcpus,
      memMiB: spec.memoryGiB * MIB_PER_GIB,
      nestedHypervisor: spec.nestedHypervisor,
      pinned: null,
    };
    const verdict = admissionRefusal(alone, vm, single);
    if ('code' in verdict)
      return `${where}: vms[${i}] (${spec.name}: ${spec.vcpus} vCPUs, ${gib(vm.memMiB)} GiB) fits no host of model ${model.name}, even an empty one (${verdict.text.replace(`${alone.name}: `, '')})`;
  }
  if (hostsLowerBound(scenario, point) > SWEEP_LIMITS.hosts) return tooMany(where, model.name);
  return null;
}

const tooMany = (where: string, model: string) =>
  `${where}: the fleet needs more than ${SWEEP_LIMITS.hosts.toLocaleString('en-US')} hosts of model ${model}, more than a cluster may have`;

/**
 * The fewest hosts of the model that take every powered-on VM, placed in file order by the
 * engine's scheduler exactly as the first tick places them: from the lower bound, one host more
 * until all fit. Refuses (with the reason) when a VM fits no host of the model even alone, or the
 * fleet would need more hosts than a cluster may have.
 */
export function hostsNeeded(
  scenario: Scenario,
  point: SweepPoint,
): HostsNeeded | { refused: string } {
  const impossible = admissionImpossible(scenario, point);
  if (impossible !== null) return { refused: impossible };
  const model = scenario.hosts[0]!;
  const where = `at cpu ${ratioText(point.cpuAllocationRatio)}, ram ${ratioText(point.ramAllocationRatio)}`;
  const lowerBound = hostsLowerBound(scenario, point);
  let fleet = 0;
  for (const spec of scenario.vms) if (spec.poweredOn) fleet += spec.count;
  // With as many hosts as VMs every VM finds an empty host, so the search ends by then.
  const upper = Math.max(lowerBound, fleet);
  for (let n = lowerBound; n <= upper; n++) {
    if (n > SWEEP_LIMITS.hosts) return { refused: tooMany(where, model.name) };
    if (placesAll(scenario, point, n)) return { hosts: n, lowerBound };
  }
  return { hosts: upper, lowerBound };
}

/** Whether `hosts` hosts take every powered-on VM, in file order, as step()'s first tick places them. */
function placesAll(scenario: Scenario, point: SweepPoint, hosts: number): boolean {
  const state = initialState(pointScenario(scenario, point, hosts));
  const hostIndex = indexByName(state.hosts);
  for (const vm of state.vms) {
    if (vm.state !== 'pending') continue;
    const choice = chooseHost(state, vm, hostIndex);
    if ('refused' in choice) return false;
    allocate(state.hosts[choice.host]!, vm, choice.nodes);
  }
  return true;
}
