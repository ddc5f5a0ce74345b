// docs/model.md, section 3 (Admission and placement): the scheduler that picks
// a host among those admission lets take the VM (Nova's `spread` / `pack`), and
// putting a VM on a host or taking it off.
import { admissionRefusal, allocate, release, type VmDemand } from './admission';
import { gib, usableMemMiB } from './capacity';
import { abortMigration, startMigration } from './migration';
import { reasonFields, type Refusal, refusal } from './refusals';
import type { SimState, VmRt } from './state';
import type { Ctx } from './tick-context';

export interface Placement {
  host: number;
  nodes: number[];
}

/**
 * Picks a host for `vm` with Nova's semantics: every candidate is checked;
 * `spread` takes the one with the most free memory after placement, `pack`
 * the one with the least. Returns the placement, or a refusal that names
 * every host considered and the limit that failed on each.
 */
export function chooseHost(
  state: SimState,
  vm: VmDemand,
  hostIndex: ReadonlyMap<string, number>,
  exclude = -1,
): Placement | { refused: Refusal } {
  const candidates: number[] = [];
  if (vm.pinned !== null) {
    const pin = hostIndex.get(vm.pinned);
    if (pin === undefined)
      return { refused: refusal('vm-pinned-unknown-host', { host: vm.pinned }) };
    candidates.push(pin);
  } else {
    for (let i = 0; i < state.hosts.length; i++) if (i !== exclude) candidates.push(i);
  }
  const reasons: Refusal[] = [];
  let best: Placement | null = null;
  let bestScore = 0;
  for (const index of candidates) {
    const host = state.hosts[index]!;
    const verdict = admissionRefusal(host, vm, state);
    if (!('nodes' in verdict)) {
      reasons.push(verdict);
      continue;
    }
    const free =
      usableMemMiB(host, state) * state.policy.ramAllocationRatio - host.memAllocMiB - vm.memMiB;
    const score = state.policy.placement === 'spread' ? free : -free;
    if (best === null || score > bestScore) {
      best = { host: index, nodes: verdict.nodes };
      bestScore = score;
    }
  }
  if (best) return best;
  return {
    refused: refusal(
      'no-host-fits',
      { vm: vm.name, vcpus: vm.vcpus, memoryGiB: gib(vm.memMiB) },
      reasons.length > 0 ? reasons : [refusal('no-hosts')],
    ),
  };
}

/** Places a VM that is not running (power-on, HA restart, first tick). Returns the refusal, or null. */
export function placeVm(
  ctx: Ctx,
  vm: VmRt,
  by: string,
  eventType: 'vm-placed' | 'ha-restarted' | 'vm-powered-on',
): Refusal | null {
  const choice = chooseHost(ctx.state, vm, ctx.hostIndex);
  if ('refused' in choice) return choice.refused;
  const host = ctx.state.hosts[choice.host]!;
  allocate(host, vm, choice.nodes);
  vm.host = choice.host;
  vm.nodes = choice.nodes;
  vm.state = 'running';
  vm.downSince = null;
  vm.haPending = false;
  vm.haFailed = false;
  ctx.log.add(eventType, vm.name, by, { host: host.name, numaNodes: choice.nodes });
  return null;
}

/** Takes a VM off its host (power-off, delete, host failure); its allocation is released. */
export function unplaceVm(ctx: Ctx, vm: VmRt, reason: Refusal): void {
  if (vm.migration) abortMigration(ctx.state, vm, reason, ctx.log);
  if (vm.host >= 0) release(ctx.state.hosts[vm.host]!, vm, vm.nodes);
  vm.host = -1;
  vm.nodes = [];
  vm.touchedMiB = 0;
  vm.balloonMiB = 0;
  vm.compressedMiB = 0;
  vm.swappedMiB = 0;
}

/** Evacuates a host by live migration (maintenance); VMs that fit nowhere stay, with the reason. */
export function evacuate(ctx: Ctx, hostIdx: number, by: string): void {
  for (const vm of ctx.state.vms) {
    if (vm.host !== hostIdx || vm.migration || (vm.state !== 'running' && vm.state !== 'paused'))
      continue;
    const choice = chooseHost(ctx.state, { ...vm, pinned: null }, ctx.hostIndex, hostIdx);
    if ('refused' in choice) {
      ctx.log.add(
        'vm-refused',
        vm.name,
        by,
        reasonFields(refusal('cannot-evacuate', {}, [choice.refused])),
      );
      continue;
    }
    startMigration(ctx.state, vm, choice.host, choice.nodes, true, by, ctx.log);
  }
}
