import type { InputError } from '../errors/input-error';
import { closestName } from '../text/suggest';
import { expandNames } from './name-expansion';
import type { Scenario, ScenarioEvent } from './scenario.schema';

// The checks on a scenario that its schema cannot express: names unique after count expansion,
// every name an event or a VM gives existing (and being a host or a VM as needed) at that time,
// NUMA nodes dividing the cores, power and alarm thresholds in order.

function listOf(items: readonly string[], limit = 12): string {
  if (items.length <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}

interface NamedEntry {
  /** Where the entry is: `vms[3]`, `events[2].vm`. */
  where: string;
  /** As written, before count expansion. */
  base: string;
  count: number;
}

function describeEntry(entry: NamedEntry): string {
  if (entry.count === 1) return `${entry.where} ("${entry.base}")`;
  const names = expandNames(entry.base, entry.count);
  return `${entry.where} ("${entry.base}" with count ${entry.count}: ${names[0]} .. ${names[names.length - 1]})`;
}

/** Expands every entry's names and reports the second occurrence of a name. */
function expandUnique(
  kind: 'host' | 'VM',
  list: 'hosts' | 'vms',
  entries: readonly { name: string; count: number }[],
  errors: InputError[],
): Map<string, NamedEntry> {
  const owners = new Map<string, NamedEntry>();
  entries.forEach((spec, index) => {
    const entry: NamedEntry = { where: `${list}[${index}]`, base: spec.name, count: spec.count };
    for (const name of expandNames(spec.name, spec.count)) {
      const first = owners.get(name);
      if (first) {
        const expands =
          spec.count > 1
            ? `"${spec.name}" with count ${spec.count} expands to "${name}", which`
            : `this name`;
        errors.push({
          path: `${list}[${index}].name`,
          message: `duplicate ${kind} name "${name}": ${expands} is already used by ${describeEntry(first)}`,
        });
        continue;
      }
      owners.set(name, entry);
    }
  });
  return owners;
}

/** Why `name` is not one of `names`, with the nearest one, if any. */
function noSuch(kind: 'host' | 'VM', name: string, names: readonly string[]): string {
  let message = `no ${kind} named "${name}"`;
  const suggestion = closestName(name, names);
  if (suggestion) return `${message}, did you mean "${suggestion}"?`;
  const group = names.filter(
    (n) => n.startsWith(`${name}-`) && /^\d+$/.test(n.slice(name.length + 1)),
  );
  if (group.length > 0) {
    return `${message}: "${name}" has count ${group.length}, so its ${kind}s are ${group[0]} .. ${group[group.length - 1]}`;
  }
  if (names.length === 0) return `${message} (there are none)`;
  message += `; ${kind}s are: ${listOf(names)}`;
  return message;
}

/** Every error the schema cannot see, all at once (names are expanded here: call after the limits). */
export function crossCheckScenario(scenario: Scenario): InputError[] {
  const errors: InputError[] = [];

  const hostOwners = expandUnique('host', 'hosts', scenario.hosts, errors);
  const vmOwners = expandUnique('VM', 'vms', scenario.vms, errors);
  const hostNames = [...hostOwners.keys()];
  const hosts = new Set(hostNames);

  scenario.hosts.forEach((host, index) => {
    const cores = host.cpu.sockets * host.cpu.coresPerSocket;
    const coresText = `${cores} cores (${host.cpu.sockets} sockets x ${host.cpu.coresPerSocket} cores)`;
    if (host.numaNodes !== undefined) {
      if (host.numaNodes > cores) {
        errors.push({
          path: `hosts[${index}].numaNodes`,
          message: `${host.numaNodes} NUMA nodes exceed the ${coresText}; each node needs at least one core`,
        });
      } else if (cores % host.numaNodes !== 0) {
        errors.push({
          path: `hosts[${index}].numaNodes`,
          message: `${host.numaNodes} NUMA nodes do not divide the ${coresText} evenly`,
        });
      }
    }
    if (host.power && host.power.maxWatts < host.power.idleWatts) {
      errors.push({
        path: `hosts[${index}].power.maxWatts`,
        message: `maxWatts (${host.power.maxWatts}) is below idleWatts (${host.power.idleWatts}); a busy host draws at least its idle power`,
      });
    }
  });

  scenario.vms.forEach((vm, index) => {
    if (vm.host !== undefined && !hosts.has(vm.host)) {
      errors.push({ path: `vms[${index}].host`, message: noSuch('host', vm.host, hostNames) });
    }
  });

  checkEvents(scenario.events, vmOwners, hostNames, errors);

  scenario.alarms.forEach((alarm, index) => {
    if (
      alarm.warning !== undefined &&
      alarm.critical !== undefined &&
      alarm.critical < alarm.warning
    ) {
      errors.push({
        path: `alarms[${index}].critical`,
        message: `critical (${alarm.critical}) is less severe than warning (${alarm.warning}); for ${alarm.rule} higher is worse, so critical must be at least warning`,
      });
    }
  });

  return errors;
}

type VmState = { where: string; alive: true } | { where: string; alive: false; deletedBy: string };

/** Replays the events in the order the engine applies them (by `at`, then file order). */
function checkEvents(
  events: readonly ScenarioEvent[],
  vmOwners: ReadonlyMap<string, NamedEntry>,
  hostNames: readonly string[],
  errors: InputError[],
): void {
  const hosts = new Set(hostNames);
  const vms = new Map<string, VmState>();
  for (const [name, owner] of vmOwners) vms.set(name, { where: owner.where, alive: true });

  const createdLater = new Map<string, number>();
  events.forEach((event, index) => {
    if (event.do === 'create-vm' && !createdLater.has(event.vm.name))
      createdLater.set(event.vm.name, index);
  });

  const order = events.map((event, index) => ({ event, index }));
  order.sort((a, b) => a.event.at - b.event.at || a.index - b.index);

  const vmNames = (): string[] => [...vms].filter(([, s]) => s.alive).map(([n]) => n);
  const when = (index: number): string => `events[${index}] (at ${events[index]?.at ?? '?'})`;

  const checkVmTarget = (event: ScenarioEvent & { target: string }, index: number): void => {
    const state = vms.get(event.target);
    const path = `events[${index}].target`;
    if (state?.alive) return;
    if (state && !state.alive) {
      errors.push({
        path,
        message: `VM "${event.target}" no longer exists: ${state.deletedBy} deleted it`,
      });
      return;
    }
    const creator = createdLater.get(event.target);
    if (creator !== undefined) {
      errors.push({
        path,
        message: `VM "${event.target}" does not exist yet at ${event.at}s: ${when(creator)} creates it later`,
      });
      return;
    }
    if (hosts.has(event.target)) {
      errors.push({ path, message: `"${event.target}" is a host; ${event.do} needs a VM` });
      return;
    }
    errors.push({ path, message: noSuch('VM', event.target, vmNames()) });
  };

  const checkHostTarget = (event: ScenarioEvent & { target: string }, index: number): void => {
    if (hosts.has(event.target)) return;
    const path = `events[${index}].target`;
    if (vms.has(event.target)) {
      errors.push({ path, message: `"${event.target}" is a VM; ${event.do} needs a host` });
      return;
    }
    errors.push({ path, message: noSuch('host', event.target, hostNames) });
  };

  for (const { event, index } of order) {
    switch (event.do) {
      case 'fail-host':
      case 'recover-host':
      case 'set-maintenance':
      case 'set-hyperthreading':
        checkHostTarget(event, index);
        break;
      case 'set-workload':
      case 'power-on-vm':
      case 'power-off-vm':
        checkVmTarget(event, index);
        break;
      case 'migrate-vm':
        checkVmTarget(event, index);
        if (event.to !== undefined && !hosts.has(event.to)) {
          errors.push({
            path: `events[${index}].to`,
            message: noSuch('host', event.to, hostNames),
          });
        }
        break;
      case 'delete-vm': {
        checkVmTarget(event, index);
        const state = vms.get(event.target);
        if (state?.alive)
          vms.set(event.target, { where: state.where, alive: false, deletedBy: when(index) });
        break;
      }
      case 'create-vm': {
        const name = event.vm.name;
        const existing = vms.get(name);
        if (existing?.alive) {
          errors.push({
            path: `events[${index}].vm.name`,
            message: `a VM named "${name}" already exists (${existing.where}); delete it first or choose another name`,
          });
        } else {
          vms.set(name, { where: when(index), alive: true });
        }
        if (event.vm.host !== undefined && !hosts.has(event.vm.host)) {
          errors.push({
            path: `events[${index}].vm.host`,
            message: noSuch('host', event.vm.host, hostNames),
          });
        }
        break;
      }
      case 'set-policy':
        break;
    }
  }
}
