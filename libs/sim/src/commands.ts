// docs/model.md, sections 1 (steps 2-3: events and commands, in order) and
// 10 (failures): every action a scenario's event or a person's command names,
// carried out against the state, or refused with the reason (refusals.ts).
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
import { type Refusal, refusal, unknownName } from './refusals';
import { type Ctx, indexByName } from './tick-context';

/** The refusal for a VM name that is not in the cluster, with the closest known one. */
export function noVmNamed(name: string, names: Iterable<string>): Refusal {
  return unknownName('vm', name, closestName(name, names));
}

function findVm(ctx: Ctx, name: string): VmRt | Refusal {
  const i = ctx.vmIndex.get(name);
  return i === undefined ? noVmNamed(name, ctx.vmIndex.keys()) : ctx.state.vms[i]!;
}

function findHost(ctx: Ctx, name: string): number | Refusal {
  const i = ctx.hostIndex.get(name);
  return i === undefined ? unknownName('host', name, closestName(name, ctx.hostIndex.keys())) : i;
}

const isRefusal = (x: unknown): x is Refusal => typeof x === 'object' && x !== null && 'text' in x;

/**
 * Applies one action (a scenario event or a person's command). Returns null
 * when it was carried out, or the refusal (code, params, English text); a refusal changes nothing.
 */
export function applyAction(ctx: Ctx, action: Action, by: string): Refusal | null {
  const { state, log } = ctx;
  switch (action.do) {
    case 'set-workload': {
      const vm = findVm(ctx, action.target);
      if (isRefusal(vm)) return vm;
      const patch = Object.fromEntries(
        Object.entries(action.workload).filter(([, v]) => v !== undefined),
      );
      if (Object.keys(patch).length === 0) return refusal('workload-no-field');
      vm.workload = { ...vm.workload, ...(patch as Partial<Workload>) };
      vm.workloadSince = state.time;
      log.add('workload-changed', vm.name, by, { workload: patch });
      return null;
    }
    case 'fail-host': {
      const h = findHost(ctx, action.target);
      if (typeof h !== 'number') return h;
      const host = state.hosts[h]!;
      if (host.state === 'failed') return refusal('host-already-failed', { host: host.name });
      host.state = 'failed';
      const lost: string[] = [];
      for (const vm of state.vms) {
        if (vm.migration && vm.migration.to === h)
          abortMigration(state, vm, refusal('destination-failed', { host: host.name }), log);
        if (vm.host !== h) continue;
        const wasUp = vm.state === 'running' || vm.state === 'paused';
        unplaceVm(ctx, vm, refusal('source-failed', { host: host.name }));
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
      if (typeof h !== 'number') return h;
      const host = state.hosts[h]!;
      if (host.state !== 'failed')
        return refusal('host-not-failed', { host: host.name, state: host.state });
      host.state = 'up';
      log.add('host-recovered', host.name, by);
      return null;
    }
    case 'set-maintenance': {
      const h = findHost(ctx, action.target);
      if (typeof h !== 'number') return h;
      const host = state.hosts[h]!;
      if (host.state === 'failed') return refusal('host-failed-recover-first', { host: host.name });
      if (action.on === (host.state === 'maintenance'))
        return refusal(
          host.state === 'maintenance'
            ? 'host-already-in-maintenance'
            : 'host-already-out-of-maintenance',
          { host: host.name },
        );
      host.state = action.on ? 'maintenance' : 'up';
      log.add('host-maintenance', host.name, by, { on: action.on });
      if (action.on) evacuate(ctx, h, by);
      return null;
    }
    case 'set-hyperthreading': {
      const h = findHost(ctx, action.target);
      if (typeof h !== 'number') return h;
      const host = state.hosts[h]!;
      if (host.threadsPerCore < 2)
        return refusal('hyperthreading-unavailable', {
          host: host.name,
          turn: action.on ? 'on' : 'off',
        });
      if (host.hyperThreading === action.on)
        return refusal('hyperthreading-already', {
          host: host.name,
          turn: action.on ? 'on' : 'off',
        });
      host.hyperThreading = action.on;
      log.add('hyperthreading-changed', host.name, by, { on: action.on });
      return null;
    }
    case 'migrate-vm': {
      const vm = findVm(ctx, action.target);
      if (isRefusal(vm)) return vm;
      const cannot = migrationRefusal(state, vm);
      if (cannot !== null) return cannot;
      let target: { host: number; nodes: number[] };
      if (action.to !== undefined) {
        const h = findHost(ctx, action.to);
        if (typeof h !== 'number') return h;
        if (h === vm.host) return refusal('vm-already-on-host', { vm: vm.name, host: action.to });
        const verdict = admissionRefusal(state.hosts[h]!, vm, state);
        if (isRefusal(verdict)) return refusal('destination-refused', {}, [verdict]);
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
      if (isRefusal(vm)) return vm;
      if (vm.state === 'running' || vm.state === 'pending')
        return refusal('vm-already-running', { vm: vm.name });
      if (vm.state === 'paused') {
        vm.state = 'running';
        log.add('vm-powered-on', vm.name, by, { host: state.hosts[vm.host]!.name, resumed: true });
        return null;
      }
      return placeVm(ctx, vm, by, 'vm-powered-on');
    }
    case 'power-off-vm': {
      const vm = findVm(ctx, action.target);
      if (isRefusal(vm)) return vm;
      if (vm.state === 'stopped') return refusal('vm-already-off', { vm: vm.name });
      unplaceVm(ctx, vm, refusal('vm-powered-off'));
      vm.state = 'stopped';
      vm.haPending = false;
      vm.haFailed = false;
      vm.downSince = null;
      log.add('vm-powered-off', vm.name, by);
      return null;
    }
    case 'delete-vm': {
      const vm = findVm(ctx, action.target);
      if (isRefusal(vm)) return vm;
      unplaceVm(ctx, vm, refusal('vm-deleted'));
      state.vms.splice(ctx.vmIndex.get(vm.name)!, 1);
      ctx.vmIndex = indexByName(state.vms);
      log.add('vm-deleted', vm.name, by);
      return null;
    }
    case 'create-vm': {
      if (ctx.vmIndex.has(action.vm.name)) return refusal('vm-exists', { name: action.vm.name });
      const maxVms = state.maxVms ?? ENGINE_CLUSTER_LIMITS.vms;
      if (state.vms.length >= maxVms)
        return refusal('cluster-vms-full', { vms: state.vms.length, max: maxVms });
      const vm = newVm(action.vm, expandNames(action.vm.name, 1)[0]!, state.time);
      if (vm.state === 'pending') {
        const choice = chooseHost(state, vm, ctx.hostIndex);
        if ('refused' in choice) return choice.refused;
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
      if (Object.keys(patch).length === 0) return refusal('policy-no-field');
      state.policy = { ...state.policy, ...patch };
      log.add('policy-changed', 'cluster', by, { policy: patch });
      return null;
    }
    case 'ack-alarm': {
      const alarm = state.alarms.find((a) => a.id === action.target);
      if (!alarm) {
        const resolved = state.alarmHistory.some((a) => a.id === action.target);
        return refusal(resolved ? 'alarm-resolved' : 'alarm-unknown', { alarm: action.target });
      }
      if (alarm.state === 'pending') return refusal('alarm-pending', { alarm: alarm.id });
      if (alarm.state === 'acknowledged')
        return refusal('alarm-already-acked', { alarm: alarm.id, by: alarm.ackedBy ?? 'someone' });
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
