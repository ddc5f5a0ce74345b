import {
  type Action,
  type AlarmFrame,
  type Command,
  ENGINE_CLUSTER_LIMITS,
  FRAME_ALARMS_MAX,
  type Frame,
  type HostFrame,
  type Scenario,
  type VmFrame,
} from '@overcommit/contracts';
import { AlarmEvaluator } from './alarms';
import { type Ctx, applyAction, indexByName, placeVm } from './commands';
import { initialState } from './create';
import { EventLog } from './events';
import { exerciseFrame, scoreTick } from './exercise';
import { advanceMigration, pairMiBps } from './migration';
import { MODEL } from './model';
import { hostLogicalCpus, usableMemMiB } from './placement';
import { simulateHosts } from './simulate';
import type { HostRt, SimState, VmRt } from './state';

export interface StepOptions {
  /** Include per-VM metrics (`frame.vms`); the live system asks only while someone watches them. */
  vmMetrics?: boolean;
}

/** A new cluster from a parsed scenario; its VMs are placed, in file order, by the first step. */
/**
 * The cluster before its first tick. `maxVms`: the most VMs create-vm may bring it to (the live
 * API's SCENARIO_MAX_VMS; by default the engine's own limit).
 */
export function createCluster(scenario: Scenario, options: { maxVms?: number } = {}): SimState {
  const state = initialState(scenario);
  state.maxVms = options.maxVms ?? ENGINE_CLUSTER_LIMITS.vms;
  return state;
}

class TickCtx implements Ctx {
  private vms: Map<string, number> | null = null;
  private hostsByName: Map<string, number> | null = null;
  constructor(
    readonly state: SimState,
    readonly log: EventLog,
  ) {}
  get vmIndex(): Map<string, number> {
    return (this.vms ??= indexByName(this.state.vms));
  }
  set vmIndex(map: Map<string, number>) {
    this.vms = map;
  }
  get hostIndex(): Map<string, number> {
    return (this.hostsByName ??= indexByName(this.state.hosts));
  }
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const r2 = (x: number) => Math.round(x * 100) / 100;

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
): Frame {
  const dt = state.stepSeconds;
  const startTime = state.time;
  state.tick += 1;
  const log = new EventLog(startTime);
  const ctx = new TickCtx(state, log);

  // The scenario's VMs are placed in file order when the cluster starts.
  if (state.tick === 1) {
    for (const vm of state.vms) {
      if (vm.state !== 'pending') continue;
      const refusal = placeVm(ctx, vm, 'scenario', 'vm-placed');
      if (refusal !== null) {
        vm.state = 'stopped';
        log.add('vm-refused', vm.name, 'scenario', { reason: refusal });
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
    const refusal = applyAction(ctx, action, 'scenario');
    if (refusal === null)
      log.add('command-accepted', describe(action), 'scenario', { do: action.do });
    else
      log.add('command-refused', describe(action), 'scenario', {
        do: action.do,
        reason: refusal,
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
        reason: `command ${id} was already applied`,
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
        reason: `${first} already changed ${target} in this tick`,
      });
      continue;
    }
    const refusal = applyAction(ctx, action, by);
    if (refusal === null) {
      // Only applied commands are remembered: a refusal changes nothing, so a retry is judged afresh.
      state.commandIds.push(id);
      if (state.commandIds.length > MODEL.rememberedCommandIds) state.commandIds.shift();
      if (key !== null) touched.set(key, by);
      log.add('command-accepted', target, by, { commandId: id, do: action.do });
    } else {
      log.add('command-refused', target, by, { commandId: id, do: action.do, reason: refusal });
    }
  }

  // HA: after the detection delay, VMs of a failed host restart through normal admission.
  for (const vm of state.vms) {
    if (
      !vm.haPending ||
      vm.downSince === null ||
      endTime - vm.downSince < MODEL.haDetectionSeconds - 1e-9
    )
      continue;
    const refusal = placeVm(ctx, vm, 'ha', 'ha-restarted');
    if (refusal !== null) {
      vm.haPending = false;
      vm.haFailed = true;
      log.add('ha-failed', vm.name, 'ha', { reason: refusal });
    }
  }

  // Live migrations: a source host's link is shared by its outgoing migrations.
  const outgoing = new Map<number, number>();
  for (const vm of state.vms)
    if (vm.migration) outgoing.set(vm.migration.from, (outgoing.get(vm.migration.from) ?? 0) + 1);
  if (outgoing.size > 0) {
    for (const vm of state.vms) {
      const m = vm.migration;
      if (!m) continue;
      const rate = pairMiBps(state.hosts[m.from]!, state.hosts[m.to]!) / outgoing.get(m.from)!;
      advanceMigration(state, vm, dt, rate, log);
    }
  }

  state.time = endTime;
  log.time = endTime;
  const pausedBefore = new Set<VmRt>();
  for (const vm of state.vms) if (vm.state === 'paused') pausedBefore.add(vm);
  simulateHosts(state, dt);
  for (const vm of state.vms) {
    if (vm.state === 'paused' && !pausedBefore.has(vm)) {
      log.add('vm-paused', vm.name, 'system', {
        reason: `host ${state.hosts[vm.host]!.name} swap full: the VM cannot get memory`,
      });
    }
  }
  let watts = 0;
  for (const host of state.hosts) watts += host.powerWatts;
  state.energyKWh += (watts * dt) / 3.6e6;

  const alarms = new AlarmEvaluator(state, log);
  evaluateAlarms(state, alarms);
  alarms.finish();

  const frame = buildFrame(state, log, watts, options);
  if (state.exercise) {
    // vm.* objectives need per-VM figures whether or not anyone watches the VM table.
    let vmFrames = frame.vms;
    const vms = () => (vmFrames ??= state.vms.map((vm) => vmFrame(state, vm)));
    scoreTick(state.exercise, frame, vms, dt);
    frame.exercise = exerciseFrame(state.exercise, state.time);
  }
  // The frame lists the most severe alarms only (scoring above saw them all); the counts are whole.
  if (frame.alarms.length > FRAME_ALARMS_MAX) frame.alarms = mostSevere(frame.alarms);
  return frame;
}

const stateRank = { firing: 0, acknowledged: 1, pending: 2, resolved: 3 } as const;

/** FRAME_ALARMS_MAX alarms: critical before warning, firing before the rest, oldest first. */
function mostSevere(alarms: AlarmFrame[]): AlarmFrame[] {
  return alarms
    .map((alarm, index) => ({ alarm, index }))
    .sort(
      (a, b) =>
        (a.alarm.severity === 'critical' ? 0 : 1) - (b.alarm.severity === 'critical' ? 0 : 1) ||
        stateRank[a.alarm.state] - stateRank[b.alarm.state] ||
        a.alarm.since - b.alarm.since ||
        a.index - b.index,
    )
    .slice(0, FRAME_ALARMS_MAX)
    .map(({ alarm }) => alarm);
}

function describe(action: Action): string {
  return action.do === 'create-vm'
    ? action.vm.name
    : action.do === 'set-policy'
      ? 'cluster'
      : action.target;
}

const memLevel = { high: 0, clear: 0, soft: 1, hard: 2, low: 3 } as const;

function evaluateAlarms(state: SimState, alarms: AlarmEvaluator): void {
  const readyFloor = alarms.floor('vm-cpu-ready');
  const costopFloor = alarms.floor('vm-costop');
  const numaFloor = alarms.floor('numa-remote');
  for (const vm of state.vms) {
    if (vm.cpuReadyPct >= readyFloor) alarms.read('vm-cpu-ready', vm.name, vm.cpuReadyPct);
    if (vm.costopPct >= costopFloor) alarms.read('vm-costop', vm.name, vm.costopPct);
    if (100 - vm.numaLocalPct >= numaFloor && vm.state === 'running')
      alarms.read('numa-remote', vm.name, 100 - vm.numaLocalPct);
    if (vm.state === 'paused') alarms.read('vm-swap-full', vm.name, 1);
    if (vm.haFailed && vm.state === 'down') alarms.read('ha-restart-failed', vm.name, 1);
    if (vm.migration) alarms.read('migration', vm.name, vm.migration.round);
    else if (vm.lastMigrationAbortAt !== null && state.time - vm.lastMigrationAbortAt < 300) {
      alarms.read('migration', vm.name, MODEL.migrationMaxRounds);
    }
  }
  let vcpus = 0;
  let vcpuCap = 0;
  let mem = 0;
  let memCap = 0;
  for (const host of state.hosts) {
    if (host.state === 'failed') {
      alarms.read('host-down', host.name, 1);
      continue;
    }
    if (host.cpuUsagePct >= alarms.floor('host-cpu-usage'))
      alarms.read('host-cpu-usage', host.name, host.cpuUsagePct);
    if (memLevel[host.memState] >= 1)
      alarms.read('host-mem-state', host.name, memLevel[host.memState]);
    if (host.swapInMiBps >= alarms.floor('host-swap-in'))
      alarms.read('host-swap-in', host.name, host.swapInMiBps);
    if (host.state !== 'up') continue;
    vcpus += host.vcpusAlloc;
    vcpuCap += hostLogicalCpus(host) * state.policy.cpuAllocationRatio;
    mem += host.memAllocMiB;
    memCap += usableMemMiB(host, state) * state.policy.ramAllocationRatio;
  }
  const vcpuShare = vcpuCap > 0 ? (vcpus / vcpuCap) * 100 : 0;
  const memShare = memCap > 0 ? (mem / memCap) * 100 : 0;
  if (vcpuShare >= alarms.floor('vcpu-overcommit'))
    alarms.read('vcpu-overcommit', 'cluster', vcpuShare);
  if (memShare >= alarms.floor('mem-overcommit'))
    alarms.read('mem-overcommit', 'cluster', memShare);
}

function hostFrame(
  state: SimState,
  host: HostRt,
  vmsRunning: number,
  balloon: number,
  compressed: number,
  swapped: number,
): HostFrame {
  const logical = hostLogicalCpus(host);
  const nodeCap = host.memMiB / host.numaNodes;
  return {
    name: host.name,
    state: host.state,
    hyperThreading: host.hyperThreading,
    logicalCpus: logical,
    physicalCores: host.sockets * host.coresPerSocket,
    vcpus: host.vcpusAlloc,
    vmsRunning,
    cpuUsagePct: r2(host.cpuUsagePct),
    cpuDemandPct: r2(host.cpuDemandPct),
    cpuReadyPct: r2(host.cpuReadyPct),
    vcpuRatio: r3(logical > 0 ? host.vcpusAlloc / logical : 0),
    memTotalMiB: host.memMiB,
    memConfiguredMiB: r2(host.memAllocMiB),
    memActiveMiB: r2(host.memActiveMiB),
    memConsumedMiB: r2(host.memConsumedMiB),
    memOvercommitRatio: r3(host.memAllocMiB / host.memMiB),
    memState: host.memState,
    memFreeMiB: r2(host.memFreeMiB),
    sharedMiB: r2(host.sharedMiB),
    balloonMiB: r2(balloon),
    compressedMiB: r2(compressed),
    swapUsedMiB: r2(swapped),
    swapTotalMiB: host.swapMiB,
    swapInMiBps: r2(host.swapInMiBps),
    powerWatts: r2(host.powerWatts),
    numa: host.nodeCpuPct.map((cpu, node) => ({
      node,
      cpuUsagePct: r2(cpu),
      memUsedMiB: r2(host.nodeMemMiB[node]!),
      memTotalMiB: r2(nodeCap),
      remoteAccessPct: r2(host.nodeRemotePct[node]!),
    })),
  };
}

function vmFrame(state: SimState, vm: VmRt): VmFrame {
  const m = vm.migration;
  return {
    name: vm.name,
    host: vm.host >= 0 ? state.hosts[vm.host]!.name : null,
    state: vm.state,
    vcpus: vm.vcpus,
    memConfiguredMiB: vm.memMiB,
    cpuDemandPct: r2(vm.cpuDemandPct),
    cpuUsagePct: r2(vm.cpuUsagePct),
    cpuReadyPct: r2(vm.cpuReadyPct),
    cpuRunPct: r2(vm.cpuRunPct),
    cpuIdlePct: r2(Math.max(0, 100 - vm.cpuRunPct - vm.cpuReadyPct - vm.costopPct)),
    costopPct: r2(vm.costopPct),
    memActiveMiB: r2(vm.activeMiB),
    balloonMiB: r2(vm.balloonMiB),
    compressedMiB: r2(vm.compressedMiB),
    swappedMiB: r2(vm.swappedMiB),
    numaNodes: vm.nodes,
    numaLocalPct: r2(vm.numaLocalPct),
    performancePct: r2(vm.performancePct),
    migration: m
      ? {
          from: state.hosts[m.from]!.name,
          to: state.hosts[m.to]!.name,
          round: m.round,
          progressPct: r2(Math.min(100, (m.transferredMiB / vm.memMiB) * 100)),
          transferredMiB: r2(m.transferredMiB),
          remainingMiB: r2(m.roundLeftMiB),
          throttlePct: r2(m.throttle * 100),
        }
      : null,
  };
}

function buildFrame(state: SimState, log: EventLog, watts: number, options: StepOptions): Frame {
  const H = state.hosts.length;
  const running = new Int32Array(H);
  const balloon = new Float64Array(H);
  const compressed = new Float64Array(H);
  const swapped = new Float64Array(H);
  let vmsRunning = 0;
  let readyWeighted = 0;
  let vcpusRunning = 0;
  for (const vm of state.vms) {
    if (vm.host < 0) continue;
    if (vm.state === 'running') {
      running[vm.host]!++;
      vmsRunning++;
      readyWeighted += vm.cpuReadyPct * vm.vcpus;
      vcpusRunning += vm.vcpus;
    }
    balloon[vm.host]! += vm.balloonMiB;
    compressed[vm.host]! += vm.compressedMiB;
    swapped[vm.host]! += vm.swappedMiB;
  }
  const hosts = state.hosts.map((host, h) =>
    hostFrame(state, host, running[h]!, balloon[h]!, compressed[h]!, swapped[h]!),
  );
  let hostsUp = 0;
  let vcpus = 0;
  let logical = 0;
  let memConfigured = 0;
  let memTotal = 0;
  let usageWeighted = 0;
  let memActive = 0;
  let memConsumed = 0;
  let b = 0;
  let c = 0;
  let s = 0;
  for (const h of hosts) {
    if (h.state === 'failed') continue;
    if (h.state === 'up') hostsUp++;
    vcpus += h.vcpus;
    logical += h.logicalCpus;
    memConfigured += h.memConfiguredMiB;
    memTotal += h.memTotalMiB;
    usageWeighted += h.cpuUsagePct * h.logicalCpus;
    memActive += h.memActiveMiB;
    memConsumed += h.memConsumedMiB;
    b += h.balloonMiB;
    c += h.compressedMiB;
    s += h.swapUsedMiB;
  }
  let warning = 0;
  let critical = 0;
  for (const a of state.alarms) {
    if (a.state === 'pending') continue;
    if (a.severity === 'critical') critical++;
    else warning++;
  }
  const frame: Frame = {
    tick: state.tick,
    time: state.time,
    stepSeconds: state.stepSeconds,
    cluster: {
      hostsTotal: H,
      hostsUp,
      vmsTotal: state.vms.length,
      vmsRunning,
      vcpus,
      logicalCpus: logical,
      vcpuRatio: r3(logical > 0 ? vcpus / logical : 0),
      cpuAllocationRatio: state.policy.cpuAllocationRatio,
      memConfiguredMiB: r2(memConfigured),
      memTotalMiB: memTotal,
      memOvercommitRatio: r3(memTotal > 0 ? memConfigured / memTotal : 0),
      ramAllocationRatio: state.policy.ramAllocationRatio,
      cpuUsagePct: r2(logical > 0 ? usageWeighted / logical : 0),
      cpuReadyPct: r2(vcpusRunning > 0 ? readyWeighted / vcpusRunning : 0),
      memActiveMiB: r2(memActive),
      memConsumedMiB: r2(memConsumed),
      balloonMiB: r2(b),
      compressedMiB: r2(c),
      swapUsedMiB: r2(s),
      powerWatts: r2(watts),
      energyKWh: Math.round(state.energyKWh * 1e6) / 1e6,
      alarms: { warning, critical },
    },
    hosts,
    alarms: state.alarms.map((a) => ({
      id: a.id,
      rule: a.rule,
      target: a.target,
      severity: a.severity,
      state: a.state,
      since: a.since,
      firedAt: a.firedAt,
      value: r2(a.value),
      threshold: a.threshold,
      ackedBy: a.ackedBy,
      ackNote: a.ackNote,
      ackedAt: a.ackedAt,
      resolvedAt: a.resolvedAt,
    })),
    events: log.list,
  };
  if (options.vmMetrics) frame.vms = state.vms.map((vm) => vmFrame(state, vm));
  return frame;
}
