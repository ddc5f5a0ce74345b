// docs/model.md, section 1 (Tick order): one tick of a cluster, from the
// scenario's due events and people's commands to the frame. Each step is a
// part of its own: commands.ts, ha.ts, migration.ts, contention.ts (CPU,
// memory, NUMA, power), alarm-readings.ts and alarms.ts, frame.ts, exercise-scoring.ts.
import {
  type Action,
  type Command,
  ENGINE_CLUSTER_LIMITS,
  type Frame,
  type Scenario,
  type VmFrame,
} from '@overcommit/contracts';
import { readAlarms } from './alarm-readings';
import { AlarmEvaluator } from './alarms';
import { applyAction } from './commands';
import { simulateHosts } from './contention';
import { initialState } from './create';
import { EventLog } from './events';
import { exerciseFrame, scoreTick } from './exercise-scoring';
import { buildFrame, FrameAlarms, type StepOptions, vmTable } from './frame';
import { restartDownVms } from './ha';
import { advanceMigration, pairMiBps } from './migration';
import { MODEL } from './model';
import { placeVm } from './placement';
import { reasonFields, refusal } from './refusals';
import { energyKWh } from './power';
import type { SimState, VmRt } from './state';
import { TickCtx } from './tick-context';

export type { StepOptions } from './frame';

/** What one tick hands out: the frame everyone sees, and the per-VM table when it was asked for. */
export interface TickOutput {
  frame: Frame;
  /** Every VM's figures (StepOptions.vmMetrics), or null. */
  vms: VmFrame[] | null;
}

/**
 * The cluster before its first tick. `maxVms`: the most VMs create-vm may bring it to (the live
 * API's SCENARIO_MAX_VMS; by default the engine's own limit).
 */
export function createCluster(scenario: Scenario, options: { maxVms?: number } = {}): SimState {
  const state = initialState(scenario);
  state.maxVms = options.maxVms ?? ENGINE_CLUSTER_LIMITS.vms;
  return state;
}

/** What an action is about, for "one change per target per tick". */
function actionTarget(action: Action): string | null {
  switch (action.do) {
    case 'create-vm':
      return `vm:${action.vm.name}`;
    case 'set-policy':
      return 'policy';
    case 'ack-alarm':
      return `alarm:${action.target}`;
    case 'fail-host':
    case 'recover-host':
    case 'set-maintenance':
    case 'set-hyperthreading':
      return `host:${action.target}`;
    default:
      return `vm:${action.target}`;
  }
}

/**
 * Advances the cluster by one tick (`stepSeconds` of simulated time): applies
 * the scenario's due events and the given commands in order, then simulates
 * contention, migrations, failures and alarms. Mutates `state` (plain data,
 * no I/O, no clock) and returns the tick's frame. Never throws on user input:
 * a command that cannot be carried out is refused with its reason in the frame.
 */
export function step(
  state: SimState,
  commands: readonly Command[] = [],
  options: StepOptions = {},
): TickOutput {
  const dt = state.stepSeconds;
  const startTime = state.time;
  state.tick += 1;
  const log = new EventLog(startTime);
  const ctx = new TickCtx(state, log);

  // The scenario's VMs are placed in file order when the cluster starts.
  if (state.tick === 1) {
    for (const vm of state.vms) {
      if (vm.state !== 'pending') continue;
      const refused = placeVm(ctx, vm, 'scenario', 'vm-placed');
      if (refused !== null) {
        vm.state = 'stopped';
        log.add('vm-refused', vm.name, 'scenario', reasonFields(refused));
      }
    }
  }

  // Scenario events due by the end of this tick, then people's commands, in order.
  const endTime = startTime + dt;
  while (
    state.nextEvent < state.events.length &&
    state.events[state.nextEvent]!.at <= endTime + 1e-9
  ) {
    const { at: _at, ...action } = state.events[state.nextEvent++]!;
    const refused = applyAction(ctx, action, 'scenario');
    if (refused === null)
      log.add('command-accepted', describe(action), 'scenario', { do: action.do });
    else
      log.add('command-refused', describe(action), 'scenario', {
        do: action.do,
        ...reasonFields(refused),
      });
  }
  const touched = new Map<string, string>();
  for (const command of commands) {
    const { id, by, ...action } = command;
    const target = describe(action);
    if (state.commandIds.includes(id)) {
      log.add('command-refused', target, by, {
        commandId: id,
        do: action.do,
        ...reasonFields(refusal('command-duplicate', { id })),
        duplicate: true,
      });
      continue;
    }
    const key = actionTarget(action);
    const first = key === null ? undefined : touched.get(key);
    if (first !== undefined) {
      log.add('command-refused', target, by, {
        commandId: id,
        do: action.do,
        ...reasonFields(refusal('command-conflict', { by: first, target })),
      });
      continue;
    }
    const refused = applyAction(ctx, action, by);
    if (refused === null) {
      // Only applied commands are remembered: a refusal changes nothing, so a retry is judged afresh.
      state.commandIds.push(id);
      if (state.commandIds.length > MODEL.rememberedCommandIds) state.commandIds.shift();
      if (key !== null) touched.set(key, by);
      log.add('command-accepted', target, by, { commandId: id, do: action.do });
    } else {
      log.add('command-refused', target, by, {
        commandId: id,
        do: action.do,
        ...reasonFields(refused),
      });
    }
  }

  // HA restarts and live migrations each concern a few VMs: one pass over all finds both.
  const waitingForHa: VmRt[] = [];
  const migrating: VmRt[] = [];
  for (let i = 0; i < state.vms.length; i++) {
    const vm = state.vms[i]!;
    if (vm.haPending) waitingForHa.push(vm);
    if (vm.migration) migrating.push(vm);
  }

  // HA: after the detection delay, VMs of a failed host restart through normal admission.
  restartDownVms(ctx, waitingForHa, endTime);

  // Live migrations: a source host's link is shared by its outgoing migrations.
  const outgoing = new Map<number, number>();
  for (const vm of migrating)
    outgoing.set(vm.migration!.from, (outgoing.get(vm.migration!.from) ?? 0) + 1);
  for (const vm of migrating) {
    const m = vm.migration!;
    const rate = pairMiBps(state.hosts[m.from]!, state.hosts[m.to]!) / outgoing.get(m.from)!;
    advanceMigration(state, vm, dt, rate, log);
  }

  state.time = endTime;
  log.time = endTime;
  const guests = simulateHosts(state, dt);
  for (const i of guests.paused) {
    const vm = state.vms[i]!;
    log.add(
      'vm-paused',
      vm.name,
      'system',
      reasonFields(refusal('vm-swap-full', { host: state.hosts[vm.host]!.name })),
    );
  }
  let watts = 0;
  for (let h = 0; h < state.hosts.length; h++) watts += state.hosts[h]!.powerWatts;
  state.energyKWh += energyKWh(watts, dt);

  const alarms = new AlarmEvaluator(state, log);
  readAlarms(state, alarms, guests.readings);
  const frameAlarms = new FrameAlarms();
  alarms.finish(frameAlarms);

  const frame = buildFrame(state, log, watts, guests, frameAlarms);
  let vms = options.vmMetrics ? vmTable(state) : null;
  if (state.exercise) {
    // vm.* objectives need per-VM figures whether or not anyone watches the VM table.
    scoreTick(state.exercise, frame, state.alarms, () => (vms ??= vmTable(state)), dt);
    frame.exercise = exerciseFrame(state.exercise, state.time);
  }
  return { frame, vms: options.vmMetrics ? vms : null };
}

function describe(action: Action): string {
  return action.do === 'create-vm'
    ? action.vm.name
    : action.do === 'set-policy'
      ? 'cluster'
      : action.target;
}
