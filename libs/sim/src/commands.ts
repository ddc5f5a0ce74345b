// docs/model.md, sections 1 (steps 2-3: events and commands, in order) and
// 10 (failures): every action a scenario's event or a person's command names,
// carried out against the state, or refused with the reason in words.
import {
  type Action,
  closestName,
  ENGINE_CLUSTER_LIMITS,
  expandNames,
  type Workload,
} from '@overcommit/contracts';
import { admissionRefusal } from './admission';
import { newVm } from './create';
import { abortMigration, migrationRefusal, startMigration } from './migration';
import { chooseHost, evacuate, placeVm, unplaceVm } from './placement';
import type { VmRt } from './state';
import { type Ctx, indexByName } from './tick-context';

/** "; did you mean X?" when a known name is close to the one given. */
function closest(name: string, names: Iterable<string>): string {
  const match = closestName(name, names);
  return match === undefined ? '' : `; did you mean ${match}?`;
}

/** The refusal for a VM name that is not in the cluster, with the closest known one. */
export function noVmNamed(name: string, names: Iterable<string>): string {
  return `no VM named ${name}${closest(name, names)}`;
}

function findVm(ctx: Ctx, name: string): VmRt | string {
  const i = ctx.vmIndex.get(name);
  return i === undefined ? noVmNamed(name, ctx.vmIndex.keys()) : ctx.state.vms[i]!;
}

function findHost(ctx: Ctx, name: string): number | string {
  const i = ctx.hostIndex.get(name);
  return i === undefined ? `no host named ${name}${closest(name, ctx.hostIndex.keys())}` : i;
}

/**
 * Applies one action (a scenario event or a person's command). Returns null
 * when it was carried out, or the reason it was refused; a refusal changes nothing.
 */
export function applyAction(ctx: Ctx, action: Action, by: string): string | null {
  const { state, log } = ctx;
  switch (action.do) {
    case 'set-workload': {
      const vm = findVm(ctx, action.target);
      if (typeof vm === 'string') return vm;
      const patch = Object.fromEntries(
        Object.entries(action.workload).filter(([, v]) => v !== undefined),
      );
      if (Object.keys(patch).length === 0) return 'set-workload names no field to change';
      vm.workload = { ...vm.workload, ...(patch as Partial<Workload>) };
      vm.workloadSince = state.time;
      log.add('workload-changed', vm.name, by, { workload: patch });
      return null;
    }
    case 'fail-host': {
      const h = findHost(ctx, action.target);
      if (typeof h === 'string') return h;
      const host = state.hosts[h]!;
      if (host.state === 'failed') return `${host.name} has already failed`;
      host.state = 'failed';
      const lost: string[] = [];
      for (const vm of state.vms) {
        if (vm.migration && vm.migration.to === h)
          abortMigration(state, vm, `destination ${host.name} failed`, log);
        if (vm.host !== h) continue;
        const wasUp = vm.state === 'running' || vm.state === 'paused';
        unplaceVm(ctx, vm, `source ${host.name} failed`);
        if (wasUp) {
          vm.state = 'down';
          vm.downSince = state.time;
          vm.haPending = true;
          lost.push(vm.name);
        }
      }
      log.add('host-failed', host.name, by, { vmsDown: lost });
      return null;
    }
    case 'recover-host': {
      const h = findHost(ctx, action.target);
      if (typeof h === 'string') return h;
      const host = state.hosts[h]!;
      if (host.state !== 'failed') return `${host.name} has not failed (it is ${host.state})`;
      host.state = 'up';
      log.add('host-recovered', host.name, by);
      return null;
    }
    case 'set-maintenance': {
      const h = findHost(ctx, action.target);
      if (typeof h === 'string') return h;
      const host = state.hosts[h]!;
      if (host.state === 'failed') return `${host.name} has failed; recover it first`;
      if (action.on === (host.state === 'maintenance'))
        return `${host.name} is already ${host.state === 'maintenance' ? 'in' : 'out of'} maintenance`;
      host.state = action.on ? 'maintenance' : 'up';
      log.add('host-maintenance', host.name, by, { on: action.on });
      if (action.on) evacuate(ctx, h, by);
      return null;
    }
    case 'set-hyperthreading': {
      const h = findHost(ctx, action.target);
      if (typeof h === 'string') return h;
      const host = state.hosts[h]!;
      if (host.threadsPerCore < 2)
        return `${host.name} has one thread per core: there is no hyper-threading to turn ${action.on ? 'on' : 'off'}`;
      if (host.hyperThreading === action.on)
        return `hyper-threading is already ${action.on ? 'on' : 'off'} on ${host.name}`;
      host.hyperThreading = action.on;
      log.add('hyperthreading-changed', host.name, by, { on: action.on });
      return null;
    }
    case 'migrate-vm': {
      const vm = findVm(ctx, action.target);
      if (typeof vm === 'string') return vm;
      const cannot = migrationRefusal(state, vm);
      if (cannot !== null) return cannot;
      let target: { host: number; nodes: number[] };
      if (action.to !== undefined) {
        const h = findHost(ctx, action.to);
        if (typeof h === 'string') return h;
        if (h === vm.host) return `${vm.name} already runs on ${action.to}`;
        const verdict = admissionRefusal(state.hosts[h]!, vm, state);
        if (typeof verdict === 'string') return `destination refused: ${verdict}`;
        target = { host: h, nodes: verdict.nodes };
      } else {
        const choice = chooseHost(state, { ...vm, pinned: null }, ctx.hostIndex, vm.host);
        if ('refused' in choice) return choice.refused;
        target = choice;
      }
      startMigration(state, vm, target.host, target.nodes, action.autoConverge, by, log);
      return null;
    }
    case 'power-on-vm': {
      const vm = findVm(ctx, action.target);
      if (typeof vm === 'string') return vm;
      if (vm.state === 'running' || vm.state === 'pending') return `${vm.name} is already running`;
      if (vm.state === 'paused') {
        vm.state = 'running';
        log.add('vm-powered-on', vm.name, by, { host: state.hosts[vm.host]!.name, resumed: true });
        return null;
      }
      return placeVm(ctx, vm, by, 'vm-powered-on');
    }
    case 'power-off-vm': {
      const vm = findVm(ctx, action.target);
      if (typeof vm === 'string') return vm;
      if (vm.state === 'stopped') return `${vm.name} is already off`;
      unplaceVm(ctx, vm, 'the VM was powered off');
      vm.state = 'stopped';
      vm.haPending = false;
      vm.haFailed = false;
      vm.downSince = null;
      log.add('vm-powered-off', vm.name, by);
      return null;
    }
    case 'delete-vm': {
      const vm = findVm(ctx, action.target);
      if (typeof vm === 'string') return vm;
      unplaceVm(ctx, vm, 'the VM was deleted');
      state.vms.splice(ctx.vmIndex.get(vm.name)!, 1);
      ctx.vmIndex = indexByName(state.vms);
      log.add('vm-deleted', vm.name, by);
      return null;
    }
    case 'create-vm': {
      if (ctx.vmIndex.has(action.vm.name)) return `a VM named ${action.vm.name} already exists`;
      const maxVms = state.maxVms ?? ENGINE_CLUSTER_LIMITS.vms;
      if (state.vms.length >= maxVms)
        return `the cluster has ${state.vms.length} VMs, the most it may have (${maxVms}): delete one first`;
      const vm = newVm(action.vm, expandNames(action.vm.name, 1)[0]!, state.time);
      if (vm.state === 'pending') {
        const refusal = chooseHost(state, vm, ctx.hostIndex);
        if ('refused' in refusal) return refusal.refused;
      }
      state.vms.push(vm);
      ctx.vmIndex.set(vm.name, state.vms.length - 1);
      log.add('vm-created', vm.name, by, { vcpus: vm.vcpus, memoryMiB: vm.memMiB });
      if (vm.state === 'pending') placeVm(ctx, vm, by, 'vm-placed');
      return null;
    }
    case 'set-policy': {
      const patch = Object.fromEntries(
        Object.entries(action.policy).filter(([, v]) => v !== undefined),
      );
      if (Object.keys(patch).length === 0) return 'set-policy names no field to change';
      state.policy = { ...state.policy, ...patch };
      log.add('policy-changed', 'cluster', by, { policy: patch });
      return null;
    }
    case 'ack-alarm': {
      const alarm = state.alarms.find((a) => a.id === action.target);
      if (!alarm) {
        const resolved = state.alarmHistory.some((a) => a.id === action.target);
        return resolved
          ? `alarm ${action.target} has already resolved`
          : `no active alarm with id ${action.target}`;
      }
      if (alarm.state === 'pending')
        return `alarm ${alarm.id} is still pending; it can be acknowledged once it fires`;
      if (alarm.state === 'acknowledged')
        return `alarm ${alarm.id} was already acknowledged by ${alarm.ackedBy ?? 'someone'}`;
      alarm.state = 'acknowledged';
      alarm.ackedBy = by;
      alarm.ackNote = action.note;
      alarm.ackedAt = state.time;
      log.add('alarm-acked', alarm.target, by, {
        alarmId: alarm.id,
        rule: alarm.rule,
        note: action.note,
      });
      return null;
    }
  }
}
