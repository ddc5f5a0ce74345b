// docs/model.md, section 5 (Memory): a guest's configured, active and consumed
// memory ("given as much as used"), the host's free-memory states (multiples
// of ESXi's minFree) and the reclamation each state turns on: page sharing,
// ballooning, compression, hypervisor swapping, and swap-in; a full swap
// pauses a VM. Section 7's memory slowdown is here too.
import type { MemState } from '@overcommit/contracts';
import { MODEL } from './model';
import { draw } from './prng';
import type { HostRt, VmRt } from './state';

/** ESXi minFree: 899 MB for the first 28 GB plus 1% of the rest (MB read as MiB). */
export function minFreeMiB(memMiB: number): number {
  return (
    MODEL.minFreeBaseMiB + Math.max(0, memMiB - MODEL.minFreeBaseLimitMiB) * MODEL.minFreeRestShare
  );
}

/** The host memory state for `free` MiB (thresholds as multiples of minFree). */
export function memStateFor(freeMiB: number, minFree: number): MemState {
  if (freeMiB >= MODEL.memHigh * minFree) return 'high';
  if (freeMiB >= MODEL.memSoft * minFree) return 'clear';
  if (freeMiB >= MODEL.memHard * minFree) return 'soft';
  if (freeMiB >= MODEL.memLow * minFree) return 'hard';
  return 'low';
}

/** Memory the hypervisor keeps for a VM besides its guest pages (VMware overhead tables, approximated). */
export function vmOverheadMiB(vm: VmRt): number {
  return (
    MODEL.vmOverheadBaseMiB +
    MODEL.vmOverheadPerVcpuMiB * vm.vcpus +
    MODEL.vmOverheadShare * vm.memMiB
  );
}

/** Host RAM that backs a VM now: consumed less what is ballooned, compressed (its saving) or swapped. */
export const backedMiB = (vm: VmRt) =>
  vm.consumedMiB - vm.balloonMiB - vm.compressedMiB * (1 - MODEL.compressionRatio) - vm.swappedMiB;

/** What a host's VMs hold this tick, summed in pass 1 of contention.ts. */
export interface HostMemory {
  active: number;
  consumed: number;
  balloon: number;
  compressed: number;
  swapped: number;
  configured: number;
  /**
   * MiB/s the running guests would swap back in (their swapped share of the active set); each
   * guest's own want is in its `swapInMiBps` (0 for the others) when reclaimMemory runs.
   */
  swapInWanted: number;
  /** A guest on the host is paused (swap full): no other is paused while it is. */
  anyPaused: boolean;
}

/** Room the host had left after the last tick for its guests to touch memory into (to Low). */
export function growRoomOf(host: HostRt, minFree: number): number {
  return Math.max(0, host.memFreeMiB - MODEL.memLow * minFree);
}

/**
 * One running guest touches memory gradually, up to its working set plus the idle pages it has
 * touched, into the host's room (a paused guest touches nothing new); nothing reclaimed exceeds
 * what it touched. Returns the room left.
 */
export function touchMemory(
  vm: VmRt,
  running: boolean,
  growRoom: number,
  seed: number,
  tick: number,
  dt: number,
): number {
  const noise = 1 + (draw(seed, vm.key, tick, 3) - 0.5) * 0.02;
  const wantActive = Math.min(vm.memMiB, vm.memMiB * vm.workload.memoryActive * noise);
  const wantTouched = wantActive + MODEL.idleTouchedShare * (vm.memMiB - wantActive);
  let room = growRoom;
  if (!running) {
    // paused: nothing new
  } else if (vm.touchedMiB < wantTouched) {
    const grow = Math.min(
      wantTouched - vm.touchedMiB,
      (vm.memMiB / MODEL.guestTouchSeconds) * dt,
      room,
    );
    vm.touchedMiB += grow;
    room -= grow;
  } else {
    room += vm.touchedMiB - wantTouched;
    vm.touchedMiB = wantTouched;
  }
  vm.activeMiB = Math.min(wantActive, vm.touchedMiB);
  vm.consumedMiB = vm.touchedMiB + vmOverheadMiB(vm);
  let excess = vm.balloonMiB + vm.compressedMiB + vm.swappedMiB - vm.touchedMiB;
  if (excess > 0) {
    const fromBalloon = Math.min(vm.balloonMiB, excess);
    vm.balloonMiB -= fromBalloon;
    excess -= fromBalloon;
    const fromCompressed = Math.min(vm.compressedMiB, excess);
    vm.compressedMiB -= fromCompressed;
    vm.swappedMiB = Math.max(0, vm.swappedMiB - (excess - fromCompressed));
  }
  return room;
}

/** MiB/s a guest touches of its swapped pages: the swapped share of its active set. */
export const swapInWantedOf = (vm: VmRt) =>
  vm.swappedMiB * (vm.activeMiB / Math.max(1, vm.consumedMiB)) * MODEL.swapTouchPerSecond;

/** The VMs of one host: `order[from..to)` are their indexes in `vms`. */
export interface HostVms {
  vms: VmRt[];
  order: Int32Array;
  from: number;
  to: number;
}

/**
 * The host's memory state from what its guests hold, and the reclamation it turns on, which
 * changes the guests' figures for the next tick: sharing outside `high`; ballooning from below
 * the clear threshold through `soft` (it stops in `hard`); compression then swapping in `hard`
 * and `low`; release once free memory is back above `high`; swap-in, which thrashes under
 * pressure; and in `low` with the swap full, the guest that needs the most memory is paused.
 * Returns the index in `vms` of the guest it paused, or -1.
 */
export function reclaimMemory(
  host: HostRt,
  on: HostVms,
  held: HostMemory,
  inboundMiB: number,
  reservedMiB: number,
  minFree: number,
  time: number,
  dt: number,
): number {
  const { vms, order, from, to } = on;
  const backed =
    held.consumed +
    inboundMiB -
    host.sharedMiB -
    held.balloon -
    held.compressed * (1 - MODEL.compressionRatio) -
    held.swapped;
  const free = host.memMiB - reservedMiB - backed;
  const memState = memStateFor(free, minFree);
  host.memState = memState;
  let deficit = MODEL.memClear * minFree - free;
  let reclaimed = 0;
  const sharedBefore = host.sharedMiB;
  if (memState !== 'high') {
    host.sharedMiB = Math.min(
      MODEL.sharingShare * held.consumed,
      host.sharedMiB + MODEL.sharingRateMiBps * dt,
    );
  } else {
    host.sharedMiB = Math.max(0, host.sharedMiB - MODEL.releaseRateMiBps * dt);
  }
  if (deficit > 0 && (memState === 'soft' || memState === 'clear')) {
    const got = reclaim(
      on,
      'balloon',
      Math.min(deficit, (held.configured / MODEL.balloonInflateSeconds) * dt),
    );
    deficit -= got;
    reclaimed += got;
  }
  if (deficit > 0 && (memState === 'hard' || memState === 'low')) {
    const got = reclaim(on, 'compress', Math.min(deficit, MODEL.compressionRateMiBps * dt));
    deficit -= got;
    reclaimed += got;
    const room = host.swapMiB - held.swapped;
    if (deficit > 0 && room > 0) {
      const out = reclaim(on, 'swap', Math.min(deficit, room, MODEL.swapOutRateMiBps * dt));
      deficit -= out;
      reclaimed += out;
    }
  }
  let released = 0;
  if (free > MODEL.memHigh * minFree && held.balloon + held.compressed > 0) {
    // Pressure gone: balloons deflate and compressed pages come back.
    let budget = Math.min(free - MODEL.memHigh * minFree, MODEL.releaseRateMiBps * dt);
    for (let k = from; k < to && budget > 0; k++) {
      const vm = vms[order[k]!]!;
      const give = Math.min(vm.balloonMiB, budget);
      vm.balloonMiB -= give;
      budget -= give;
      const back = Math.min(vm.compressedMiB, budget);
      vm.compressedMiB -= back;
      budget -= back;
      released += give + back * (1 - MODEL.compressionRatio);
    }
  }
  // Swap-in: guests touch swapped pages of their active set; the disk caps the rate, shared in
  // proportion to what each wants (each guest's `swapInMiBps`, set to its want in pass 1, becomes
  // its share; they sum to the host's). Reported in every state, but under pressure (soft and
  // below) the pages go straight back out: thrashing.
  const swapIn = Math.min(held.swapInWanted, MODEL.swapInRateMiBps);
  if (held.swapInWanted > 0) {
    const back = swapIn / held.swapInWanted;
    const returns = memState === 'high' || memState === 'clear';
    for (let k = from; k < to; k++) {
      const vm = vms[order[k]!]!;
      const wanted = vm.swapInMiBps ?? 0;
      if (wanted <= 0) continue;
      vm.swapInMiBps = wanted * back;
      if (!returns) continue;
      // At most what is swapped: a long tick would otherwise count pages back that never left.
      const swappedIn = Math.min(vm.swappedMiB, vm.swapInMiBps * dt);
      vm.swappedMiB -= swappedIn;
      released += swappedIn;
    }
  }
  host.swapInMiBps = swapIn;
  // Swap full in the low state: the VM that needs the most memory is paused
  // (one at a time: a paused VM touches no more, and the operator decides what next).
  let victim = -1;
  if (memState === 'low' && held.swapped >= host.swapMiB - 1e-6 && deficit > 0 && !held.anyPaused) {
    for (let k = from; k < to; k++) {
      const i = order[k]!;
      if (
        vms[i]!.state === 'running' &&
        (victim < 0 || vms[i]!.consumedMiB > vms[victim]!.consumedMiB)
      )
        victim = i;
    }
    if (victim >= 0) {
      vms[victim]!.state = 'paused';
      vms[victim]!.downSince = time;
    }
  }
  host.memFreeMiB = free + reclaimed - released + (host.sharedMiB - sharedBefore);
  host.memActiveMiB = held.active;
  host.memConsumedMiB = held.consumed + inboundMiB;
  return victim;
}

/**
 * Takes up to `amount` MiB from the host's VMs, in proportion to what each can
 * give: balloon (idle memory, at most 65% of configured), compression (10% of
 * configured, saving half), swap (what is not already reclaimed). Returns MiB freed.
 */
function reclaim(on: HostVms, how: 'balloon' | 'compress' | 'swap', amount: number): number {
  const { vms, order, from, to } = on;
  let total = 0;
  const room = (vm: VmRt) => {
    if (how === 'balloon')
      return Math.max(
        0,
        Math.min(MODEL.balloonMaxShare * vm.memMiB, vm.consumedMiB) - vm.balloonMiB,
      );
    if (how === 'compress')
      return Math.max(0, MODEL.compressionMaxShare * vm.memMiB - vm.compressedMiB);
    return Math.max(0, vm.consumedMiB - vm.balloonMiB - vm.compressedMiB - vm.swappedMiB);
  };
  for (let k = from; k < to; k++) total += room(vms[order[k]!]!);
  if (total <= 0) return 0;
  const take = Math.min(amount / (how === 'compress' ? 1 - MODEL.compressionRatio : 1), total);
  for (let k = from; k < to; k++) {
    const vm = vms[order[k]!]!;
    const part = (room(vm) / total) * take;
    if (how === 'balloon') vm.balloonMiB += part;
    else if (how === 'compress') vm.compressedMiB += part;
    else vm.swappedMiB += part;
  }
  return how === 'compress' ? take * (1 - MODEL.compressionRatio) : take;
}

/**
 * Section 13, vm-memory-starved: the share (0..1) of a guest's working set not in plain RAM:
 * ballooned below it (the guest pages it out itself), or compressed or swapped by the host
 * (those of its active pages, as memorySlowdown counts them).
 */
export function workingSetMissing(vm: VmRt): number {
  if (vm.balloonMiB + vm.compressedMiB + vm.swappedMiB <= 0) return 0;
  const activeShare = vm.activeMiB / Math.max(1, vm.consumedMiB);
  const squeezed = Math.max(0, vm.balloonMiB - (vm.memMiB - vm.activeMiB));
  return Math.min(
    1,
    (squeezed + (vm.swappedMiB + vm.compressedMiB) * activeShare) / Math.max(1, vm.activeMiB),
  );
}

/**
 * Section 7: how much a guest slows for memory it lacks: swapped and compressed pages of its
 * active set, and ballooning below its working set, which the guest pays as its own swapping.
 */
export function memorySlowdown(vm: VmRt): number {
  if (vm.balloonMiB + vm.compressedMiB + vm.swappedMiB <= 0) return 1;
  const activeShare = vm.activeMiB / Math.max(1, vm.consumedMiB);
  const squeezed = Math.max(0, vm.balloonMiB - (vm.memMiB - vm.activeMiB));
  const swappedActive = (vm.swappedMiB * activeShare + squeezed) / Math.max(1, vm.activeMiB);
  const compressedActive = (vm.compressedMiB * activeShare) / Math.max(1, vm.activeMiB);
  return (
    1 +
    vm.workload.memoryBound *
      (MODEL.swapSlowdown * swappedActive + MODEL.compressionSlowdown * compressedActive)
  );
}
