// docs/model.md, section 13 (Alarm rules): the value each built-in rule reads
// this tick, for each VM, host and the cluster; alarms.ts turns readings into
// alarms (hold times, hysteresis, acknowledgement).
import type { AlarmEvaluator } from './alarms';
import { hostLogicalCpus, usableMemMiB } from './capacity';
import type { VmReadings } from './contention';
import { MODEL } from './model';
import type { SimState } from './state';

/** A host memory state as an alarm level: soft 1, hard 2, low 3. */
const memLevel = { high: 0, clear: 0, soft: 1, hard: 2, low: 3 } as const;

/** How long after an aborted migration its alarm keeps reading (simulated seconds). */
const ABORT_ALARM_SECONDS = 300;

/** Feeds this tick's readings to `alarms`: every VM's (`readings`: their figures by index), then every host's and the cluster's. */
export function readAlarms(state: SimState, alarms: AlarmEvaluator, readings: VmReadings): void {
  const ready = alarms.vmRule('vm-cpu-ready');
  const costop = alarms.vmRule('vm-costop');
  const numaRemote = alarms.vmRule('numa-remote');
  const swapFull = alarms.vmRule('vm-swap-full');
  const haFailed = alarms.vmRule('ha-restart-failed');
  const migration = alarms.vmRule('migration');
  const starved = alarms.vmRule('vm-memory-starved');
  const { readyPct, costopPct, numaRemotePct, memStarvedPct, steady } = readings;
  const vms = state.vms;
  for (let i = 0; i < vms.length; i++) {
    if (readyPct[i]! >= ready.floor) alarms.readVmFigure(ready, i, readyPct);
    if (costopPct[i]! >= costop.floor) alarms.readVmFigure(costop, i, costopPct);
    // 0 unless running (contention.ts), so no look at the VM here.
    if (memStarvedPct[i]! >= starved.floor) alarms.readVmFigure(starved, i, memStarvedPct);
    if (steady[i] === 1) {
      // Running, no HA failure, no migration: the VM itself need not be looked at.
      if (numaRemotePct[i]! >= numaRemote.floor) alarms.readVmFigure(numaRemote, i, numaRemotePct);
      continue;
    }
    const vm = vms[i]!;
    if (numaRemotePct[i]! >= numaRemote.floor && vm.state === 'running')
      alarms.readVmFigure(numaRemote, i, numaRemotePct);
    if (vm.state === 'paused') alarms.readVm(swapFull, i, 1);
    if (vm.haFailed && vm.state === 'down') alarms.readVm(haFailed, i, 1);
    if (vm.migration) alarms.readVm(migration, i, vm.migration.round);
    else if (
      vm.lastMigrationAbortAt !== null &&
      state.time - vm.lastMigrationAbortAt < ABORT_ALARM_SECONDS
    ) {
      alarms.readVm(migration, i, MODEL.migrationMaxRounds);
    }
  }
  let vcpus = 0;
  let vcpuCap = 0;
  let mem = 0;
  let memCap = 0;
  for (let h = 0; h < state.hosts.length; h++) {
    const host = state.hosts[h]!;
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
