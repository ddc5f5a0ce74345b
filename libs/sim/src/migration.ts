// docs/model.md, sections 8 and 9 (Live migration: the link, pre-copy; Clark et al.,
// NSDI 2005; QEMU auto-converge): starting, advancing, completing and aborting a
// migration, both hosts holding the VM until it ends.
import { MODEL } from './model';
import type { EventLog } from './events';
import { allocate, release } from './admission';
import { reasonFields, type Refusal, refusal } from './refusals';
import type { HostRt, SimState, VmRt } from './state';

/** Link bandwidth in MiB/s: networkGbps x 10^9 / 8 / 2^20 (DOMAIN.md, live migration). */
export function linkMiBps(gbps: number): number {
  return (gbps * 1e9) / 8 / 1048576;
}

/** The migration link between two hosts is the slower of their two links. */
export function pairMiBps(a: HostRt, b: HostRt): number {
  return linkMiBps(Math.min(a.networkGbps, b.networkGbps));
}

export function startMigration(
  state: SimState,
  vm: VmRt,
  to: number,
  nodes: number[],
  autoConverge: boolean,
  by: string,
  log: EventLog,
): void {
  const dst = state.hosts[to]!;
  allocate(dst, vm, nodes);
  vm.migration = {
    from: vm.host,
    to,
    autoConverge,
    by,
    startedAt: state.time,
    round: 0,
    roundLeftMiB: vm.memMiB,
    roundSizeMiB: vm.memMiB,
    transferredMiB: 0,
    throttle: 0,
  };
  // The destination's NUMA nodes, kept until the switch-over.
  vm.migrationNodes = nodes;
  log.add('migration-started', vm.name, by, {
    from: state.hosts[vm.host]!.name,
    to: dst.name,
    autoConverge,
    memoryMiB: vm.memMiB,
    linkMiBps: round3(pairMiBps(state.hosts[vm.host]!, dst)),
  });
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Ends a migration without moving the VM; the destination gives its allocation back. */
export function abortMigration(
  state: SimState,
  vm: VmRt,
  reason: Refusal,
  log: EventLog,
  at = state.time,
): void {
  const m = vm.migration;
  if (!m) return;
  release(state.hosts[m.to]!, vm, vm.migrationNodes);
  vm.migration = null;
  vm.migrationNodes = [];
  vm.lastMigrationAbortAt = at;
  log.add('migration-aborted', vm.name, m.by, {
    from: state.hosts[m.from]!.name,
    to: state.hosts[m.to]!.name,
    ...reasonFields(reason),
    rounds: m.round,
    transferredMiB: round3(m.transferredMiB),
  });
}

/**
 * Advances a pre-copy migration by `dt` seconds at `rateMiBps` (Clark et al.):
 * round 0 sends all of V; each later round sends what the guest dirtied during
 * the previous one, min(V, size x D / R); when the remainder fits the downtime
 * limit (remainder / R <= 300 ms) the VM pauses, the remainder is sent and it
 * resumes on the destination. After 30 rounds without converging it aborts.
 * With auto-converge the guest's CPU is throttled from 20%, +10% per round.
 * Durations are exact: rounds end inside a tick, not on its boundaries.
 */
export function advanceMigration(
  state: SimState,
  vm: VmRt,
  dt: number,
  rateMiBps: number,
  log: EventLog,
): void {
  const m = vm.migration;
  if (!m || rateMiBps <= 0) return;
  const V = vm.memMiB;
  const maxDowntime = MODEL.migrationMaxDowntimeMs / 1000;
  let left = dt;
  while (left > 0) {
    const roundTime = m.roundLeftMiB / rateMiBps;
    if (roundTime > left) {
      m.roundLeftMiB -= rateMiBps * left;
      m.transferredMiB += rateMiBps * left;
      return;
    }
    left -= roundTime;
    m.transferredMiB += m.roundLeftMiB;
    m.round += 1;
    const dirty = vm.workload.dirtyMiBps * (1 - m.throttle);
    const next = Math.min(V, (m.roundSizeMiB * dirty) / rateMiBps);
    const elapsed = state.time + (dt - left) - m.startedAt;
    if (next / rateMiBps <= maxDowntime) {
      const downtime = next / rateMiBps;
      m.transferredMiB += next;
      completeMigration(state, vm, log, {
        durationSeconds: elapsed + downtime,
        downtimeMs: downtime * 1000,
        rounds: m.round,
        transferredMiB: m.transferredMiB,
      });
      return;
    }
    if (m.round >= MODEL.migrationMaxRounds) {
      abortMigration(
        state,
        vm,
        refusal('migration-no-convergence', {
          rounds: MODEL.migrationMaxRounds,
          dirtyMiBps: dirty.toFixed(1),
          linkMiBps: rateMiBps.toFixed(1),
        }),
        log,
        state.time + (dt - left),
      );
      return;
    }
    if (m.autoConverge && m.round >= 2) {
      m.throttle =
        m.throttle === 0
          ? MODEL.autoConvergeInitial
          : Math.min(MODEL.autoConvergeMax, m.throttle + MODEL.autoConvergeStep);
    }
    m.roundSizeMiB = next;
    m.roundLeftMiB = next;
  }
}

function completeMigration(
  state: SimState,
  vm: VmRt,
  log: EventLog,
  figures: { durationSeconds: number; downtimeMs: number; rounds: number; transferredMiB: number },
): void {
  const m = vm.migration!;
  const src = state.hosts[m.from]!;
  release(src, vm, vm.nodes);
  vm.host = m.to;
  vm.nodes = vm.migrationNodes;
  vm.migrationNodes = [];
  vm.migration = null;
  // Reclaimed memory stays behind: the destination backs the guest afresh.
  vm.balloonMiB = 0;
  vm.compressedMiB = 0;
  vm.swappedMiB = 0;
  log.add('migration-completed', vm.name, m.by, {
    from: src.name,
    to: state.hosts[m.to]!.name,
    durationSeconds: figures.durationSeconds,
    downtimeMs: figures.downtimeMs,
    rounds: figures.rounds,
    transferredMiB: figures.transferredMiB,
    autoConverge: m.autoConverge,
    throttlePct: Math.round(m.throttle * 100),
  });
}

/** Why a VM cannot live-migrate anywhere now (already migrating, not running), or null. */
export function migrationRefusal(state: SimState, vm: VmRt): Refusal | null {
  if (vm.migration)
    return refusal('vm-already-migrating', {
      vm: vm.name,
      host: state.hosts[vm.migration.to]!.name,
    });
  if (vm.state !== 'running') return refusal('vm-not-running', { vm: vm.name, state: vm.state });
  return null;
}
