import type { MemState } from '@overcommit/contracts';
import { MODEL } from './model';
import { usableMemMiB } from './placement';
import { draw } from './prng';
import type { HostRt, SimState, VmRt } from './state';
import { cpuDemand } from './workload';

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

/** Work delivered by `busy` busy threads on `cores` cores: a core's second thread adds `htGain`, not a whole core. */
export function deliveredCores(busy: number, cores: number, ht: boolean): number {
  if (busy <= cores) return busy;
  return ht ? cores + MODEL.htGain * Math.min(busy - cores, cores) : cores;
}

/** Memory the hypervisor keeps for a VM besides its guest pages (VMware overhead tables, approximated). */
function vmOverheadMiB(vm: VmRt): number {
  return (
    MODEL.vmOverheadBaseMiB +
    MODEL.vmOverheadPerVcpuMiB * vm.vcpus +
    MODEL.vmOverheadShare * vm.memMiB
  );
}

/** Watts at CPU usage u (0..1): the SPECpower table, linear between 0, 50 and 100%. */
export function powerAt(host: HostRt, u: number): number {
  const [p0, p50, p100] = host.power;
  return u <= 0.5 ? p0 + (p50 - p0) * (u / 0.5) : p50 + (p100 - p50) * ((u - 0.5) / 0.5);
}

const runs = (vm: VmRt) => vm.state === 'running';

/** Scratch space reused across hosts within one tick. */
interface Scratch {
  f: Float64Array; // runnable share per vCPU (demand x overhead, <= 1)
  d: Float64Array; // what the guest wants per vCPU, without overhead
  m: Float64Array; // overhead factor
  nodeVcpus: Float64Array;
}

/**
 * One tick of contention on every host: CPU (fair share, hyper-threading,
 * ready and co-stop), memory (states and reclamation), NUMA, power. Writes the
 * figures into the hosts and VMs; returns nothing.
 */
export function simulateHosts(state: SimState, dt: number): void {
  const { hosts, vms } = state;
  const H = hosts.length;
  const n = vms.length;
  // One pass: count the VMs on each host, note memory held by incoming
  // migrations, and zero the figures of VMs on no host.
  const start = new Int32Array(H + 1);
  const inboundMiB = new Float64Array(H);
  for (let i = 0; i < n; i++) {
    const vm = vms[i]!;
    if (vm.host >= 0 && (vm.state === 'running' || vm.state === 'paused')) {
      start[vm.host + 1]!++;
      const mig = vm.migration;
      if (mig !== null)
        inboundMiB[mig.to]! += vm.consumedMiB * Math.min(1, mig.transferredMiB / vm.memMiB);
    } else {
      vm.cpuDemandPct = vm.cpuUsagePct = vm.cpuRunPct = vm.cpuReadyPct = vm.costopPct = 0;
      vm.activeMiB = vm.consumedMiB = 0;
      vm.performancePct = 0;
      vm.numaLocalPct = 100;
    }
  }
  for (let h = 0; h < H; h++) start[h + 1]! += start[h]!;
  // Second pass: the VMs of each host, contiguous in one flat index array.
  const fill = start.slice(0, H);
  const order = new Int32Array(start[H]!);
  for (let i = 0; i < n; i++) {
    const vm = vms[i]!;
    if (vm.host >= 0 && (vm.state === 'running' || vm.state === 'paused'))
      order[fill[vm.host]!++] = i;
  }
  let maxNodes = 1;
  for (const host of hosts) maxNodes = Math.max(maxNodes, host.numaNodes);
  const s: Scratch = {
    f: new Float64Array(n),
    d: new Float64Array(n),
    m: new Float64Array(n),
    nodeVcpus: new Float64Array(maxNodes),
  };
  for (let h = 0; h < H; h++) {
    simulateHost(state, hosts[h]!, order, start[h]!, start[h + 1]!, s, inboundMiB[h]!, dt);
  }
}

const backedOf = (vm: VmRt) =>
  vm.consumedMiB - vm.balloonMiB - vm.compressedMiB * (1 - MODEL.compressionRatio) - vm.swappedMiB;

function simulateHost(
  state: SimState,
  host: HostRt,
  order: Int32Array,
  from: number,
  to: number,
  s: Scratch,
  inboundMiB: number,
  dt: number,
): void {
  const { vms, seed, time, tick } = state;
  const N = host.numaNodes;
  const reservedMiB = host.memMiB - usableMemMiB(host, state);
  if (host.state === 'failed') {
    host.cpuUsagePct = host.cpuDemandPct = host.cpuReadyPct = 0;
    host.memActiveMiB = host.memConsumedMiB = host.sharedMiB = host.swapInMiBps = 0;
    host.memFreeMiB = host.memMiB - reservedMiB;
    host.memState = 'high';
    host.powerWatts = 0;
    host.nodeCpuPct.fill(0);
    host.nodeMemMiB.fill(0);
    host.nodeRemotePct.fill(0);
    return;
  }
  const cores = host.sockets * host.coresPerSocket;
  const ht = host.hyperThreading;
  const logical = ht ? cores * host.threadsPerCore : cores;
  const maxDelivered = deliveredCores(logical, cores, ht);
  const minFree = minFreeMiB(host.memMiB);
  const binaryTranslation = host.virtualization === 'binary-translation';
  const hostOverhead =
    1 +
    (binaryTranslation ? MODEL.overheadBinaryTranslationBase : MODEL.overheadHardwareAssisted) +
    (host.hypervisor === 'type-2' ? MODEL.overheadType2 : 0);
  const nodeMem = host.nodeMemMiB;
  nodeMem.fill(0);

  // --- pass 1: what each guest wants (CPU), touches (memory), and holds ------
  // Guests touch memory gradually, up to their working set plus the idle pages
  // they have touched, into the room the host had left after the last tick;
  // in the low state the host blocks further allocation.
  let growRoom = Math.max(0, host.memFreeMiB - MODEL.memLow * minFree);
  let want = 0; // runnable threads
  let work = 0; // core-equivalents wanted, overhead included
  let vcpus = 0;
  let active = 0;
  let consumed = 0;
  let balloon = 0;
  let compressed = 0;
  let swapped = 0;
  let configured = 0;
  let swapWanted = 0;
  let paused = false;
  for (let k = from; k < to; k++) {
    const i = order[k]!;
    const vm = vms[i]!;
    const running = vm.state === 'running';
    // CPU. Auto-converge throttles what the guest may run, not what it wants.
    const wanted = running ? cpuDemand(vm.workload, time, vm.workloadSince, seed, vm.key, tick) : 0;
    const d = vm.migration !== null ? wanted * (1 - vm.migration.throttle) : wanted;
    let m = binaryTranslation
      ? hostOverhead + MODEL.overheadBinaryTranslationKernel * vm.workload.kernelShare
      : hostOverhead;
    if (vm.nestedHypervisor) m *= 1 + MODEL.overheadNestedLayer;
    const f = Math.min(1, d * m);
    s.d[i] = wanted;
    s.m[i] = m;
    s.f[i] = f;
    want += vm.vcpus * f;
    work += vm.vcpus * d * m;
    vcpus += vm.vcpus;
    // Memory.
    const noise = 1 + (draw(seed, vm.key, tick, 3) - 0.5) * 0.02;
    const wantActive = Math.min(vm.memMiB, vm.memMiB * vm.workload.memoryActive * noise);
    const wantTouched = wantActive + MODEL.idleTouchedShare * (vm.memMiB - wantActive);
    if (!running) {
      paused = true; // a paused guest touches nothing new
    } else if (vm.touchedMiB < wantTouched) {
      const grow = Math.min(
        wantTouched - vm.touchedMiB,
        (vm.memMiB / MODEL.guestTouchSeconds) * dt,
        growRoom,
      );
      vm.touchedMiB += grow;
      growRoom -= grow;
    } else {
      growRoom += vm.touchedMiB - wantTouched;
      vm.touchedMiB = wantTouched;
    }
    vm.activeMiB = Math.min(wantActive, vm.touchedMiB);
    vm.consumedMiB = vm.touchedMiB + vmOverheadMiB(vm);
    // A guest that now touches less leaves less to reclaim: nothing reclaimed exceeds what it touched.
    let excess = vm.balloonMiB + vm.compressedMiB + vm.swappedMiB - vm.touchedMiB;
    if (excess > 0) {
      const fromBalloon = Math.min(vm.balloonMiB, excess);
      vm.balloonMiB -= fromBalloon;
      excess -= fromBalloon;
      const fromCompressed = Math.min(vm.compressedMiB, excess);
      vm.compressedMiB -= fromCompressed;
      vm.swappedMiB = Math.max(0, vm.swappedMiB - (excess - fromCompressed));
    }
    active += vm.activeMiB;
    consumed += vm.consumedMiB;
    balloon += vm.balloonMiB;
    compressed += vm.compressedMiB;
    swapped += vm.swappedMiB;
    configured += vm.memMiB;
    if (vm.swappedMiB > 0 && running) {
      swapWanted +=
        vm.swappedMiB * (vm.activeMiB / Math.max(1, vm.consumedMiB)) * MODEL.swapTouchPerSecond;
    }
    // NUMA: the memory each node backs.
    const nodes = vm.nodes;
    const share = Math.max(0, backedOf(vm)) / Math.max(1, nodes.length);
    for (let j = 0; j < nodes.length; j++) nodeMem[nodes[j]!]! += share;
  }

  // --- CPU: fair share (max-min over vCPUs) when more threads want to run than exist.
  let level = Infinity;
  if (want > logical) {
    const idx = Array.from(order.subarray(from, to)).sort((a, b) => s.f[a]! - s.f[b]!);
    let capacity = logical;
    let remaining = vcpus;
    for (const i of idx) {
      const fair = capacity / remaining;
      if (s.f[i]! <= fair) {
        capacity -= s.f[i]! * vms[i]!.vcpus;
        remaining -= vms[i]!.vcpus;
      } else {
        level = fair;
        break;
      }
    }
  }
  const busy = Math.min(want, logical);
  const delivered = deliveredCores(busy, cores, ht);
  const speed = busy > 0 ? delivered / busy : 1;
  const util = logical > 0 ? busy / logical : 0;
  const queueing = MODEL.readyQueueing * util ** 8;
  const coresPerNode = cores / N;

  // --- memory state and reclamation for the next tick --------------------------
  const backed =
    consumed +
    inboundMiB -
    host.sharedMiB -
    balloon -
    compressed * (1 - MODEL.compressionRatio) -
    swapped;
  const free = host.memMiB - reservedMiB - backed;
  const memState = memStateFor(free, minFree);
  host.memState = memState;
  // Sharing once out of "high"; ballooning from below the clear threshold
  // through soft (it stops in hard); compression then swapping in hard and low.
  let deficit = MODEL.memClear * minFree - free;
  let reclaimed = 0;
  const sharedBefore = host.sharedMiB;
  if (memState !== 'high') {
    host.sharedMiB = Math.min(
      MODEL.sharingShare * consumed,
      host.sharedMiB + MODEL.sharingRateMiBps * dt,
    );
  } else {
    host.sharedMiB = Math.max(0, host.sharedMiB - MODEL.releaseRateMiBps * dt);
  }
  if (deficit > 0 && (memState === 'soft' || memState === 'clear')) {
    const got = reclaim(
      vms,
      order,
      from,
      to,
      'balloon',
      Math.min(deficit, (configured / MODEL.balloonInflateSeconds) * dt),
    );
    deficit -= got;
    reclaimed += got;
  }
  if (deficit > 0 && (memState === 'hard' || memState === 'low')) {
    const got = reclaim(
      vms,
      order,
      from,
      to,
      'compress',
      Math.min(deficit, MODEL.compressionRateMiBps * dt),
    );
    deficit -= got;
    reclaimed += got;
    const room = host.swapMiB - swapped;
    if (deficit > 0 && room > 0) {
      const out = reclaim(
        vms,
        order,
        from,
        to,
        'swap',
        Math.min(deficit, room, MODEL.swapOutRateMiBps * dt),
      );
      deficit -= out;
      reclaimed += out;
    }
  }
  let released = 0;
  if (free > MODEL.memHigh * minFree && balloon + compressed > 0) {
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
  // Swap-in: guests touch swapped pages of their active set; the disk caps the rate.
  // Under pressure (soft and below) the pages go straight back out: thrashing.
  const swapIn = Math.min(swapWanted, MODEL.swapInRateMiBps);
  if (swapWanted > 0 && (memState === 'high' || memState === 'clear')) {
    const back = swapIn / swapWanted;
    for (let k = from; k < to; k++) {
      const vm = vms[order[k]!]!;
      if (vm.swappedMiB <= 0 || vm.state !== 'running') continue;
      const rate =
        vm.swappedMiB *
        (vm.activeMiB / Math.max(1, vm.consumedMiB)) *
        MODEL.swapTouchPerSecond *
        back;
      vm.swappedMiB = Math.max(0, vm.swappedMiB - rate * dt);
      released += rate * dt;
    }
  }
  host.swapInMiBps = swapIn;
  // Swap full in the low state: the VM that needs the most memory is paused
  // (one at a time: a paused VM touches no more, and the operator decides what next).
  if (memState === 'low' && swapped >= host.swapMiB - 1e-6 && deficit > 0 && !paused) {
    let victim = -1;
    for (let k = from; k < to; k++) {
      const i = order[k]!;
      if (runs(vms[i]!) && (victim < 0 || vms[i]!.consumedMiB > vms[victim]!.consumedMiB))
        victim = i;
    }
    if (victim >= 0) {
      vms[victim]!.state = 'paused';
      vms[victim]!.downSince = time;
    }
  }
  host.memFreeMiB = free + reclaimed - released + (host.sharedMiB - sharedBefore);
  host.memActiveMiB = active;
  host.memConsumedMiB = consumed + inboundMiB;

  // --- pass 2: run, ready, co-stop, NUMA, performance per VM --------------------
  const nodeCap = usableMemMiB(host, state) / N;
  const nodeCpu = host.nodeCpuPct;
  const nodeRemote = host.nodeRemotePct;
  const nodeVcpus = s.nodeVcpus;
  nodeCpu.fill(0);
  nodeRemote.fill(0);
  nodeVcpus.fill(0);
  const numaIgnored = state.policy.numa === 'ignore';
  const remoteCost = MODEL.numaLatencyRatio - 1;
  let readySum = 0;
  for (let k = from; k < to; k++) {
    const i = order[k]!;
    const vm = vms[i]!;
    const f = s.f[i]!;
    const run = f < level ? f : level;
    const wait = f - run;
    const width = Math.min(1, vm.vcpus / Math.max(1, coresPerNode));
    const coShare = vm.vcpus > 1 ? MODEL.costopShare * ((vm.vcpus - 1) / vm.vcpus) * width : 0;
    const costop = wait * coShare;
    const ready = Math.min(1 - run - costop, wait - costop + f * queueing);
    const nodes = vm.nodes;
    const spans = nodes.length;
    let remote = 0;
    if (numaIgnored) remote = (N - 1) / N;
    else if (spans > 1) remote = (spans - 1) / spans;
    else if (spans === 1) {
      const used = nodeMem[nodes[0]!]!;
      remote = used > nodeCap ? (used - nodeCap) / used : 0;
    }
    const w = vm.workload;
    const numaSlow = 1 + w.memoryBound * remote * remoteCost;
    let memSlow = 1;
    if (vm.balloonMiB + vm.compressedMiB + vm.swappedMiB > 0) {
      const activeShare = vm.activeMiB / Math.max(1, vm.consumedMiB);
      const squeezed = Math.max(0, vm.balloonMiB - (vm.memMiB - vm.activeMiB));
      const swappedActive = (vm.swappedMiB * activeShare + squeezed) / Math.max(1, vm.activeMiB);
      const compressedActive = (vm.compressedMiB * activeShare) / Math.max(1, vm.activeMiB);
      memSlow =
        1 +
        w.memoryBound *
          (MODEL.swapSlowdown * swappedActive + MODEL.compressionSlowdown * compressedActive);
    }
    const d = s.d[i]!;
    const useful = (run * speed) / s.m[i]!;
    const cpuPerf = d > 0 ? Math.min(1, useful / d) : 1;
    vm.cpuDemandPct = d * 100;
    vm.cpuUsagePct = run * speed * 100;
    vm.cpuRunPct = run * 100;
    vm.cpuReadyPct = ready * 100;
    vm.costopPct = costop * 100;
    vm.numaLocalPct = (1 - remote) * 100;
    vm.performancePct = vm.state === 'running' ? (cpuPerf / (numaSlow * memSlow)) * 100 : 0;
    readySum += ready * vm.vcpus;
    const per = vm.vcpus / Math.max(1, spans);
    for (let j = 0; j < spans; j++) {
      const node = nodes[j]!;
      nodeCpu[node]! += run * speed * per;
      nodeRemote[node]! += remote * per;
      nodeVcpus[node]! += per;
    }
  }
  const nodeMaxDelivered = maxDelivered / N;
  for (let node = 0; node < N; node++) {
    nodeCpu[node] =
      nodeMaxDelivered > 0
        ? (Math.min(nodeCpu[node]!, nodeMaxDelivered) / nodeMaxDelivered) * 100
        : 0;
    nodeRemote[node] = nodeVcpus[node]! > 0 ? (nodeRemote[node]! / nodeVcpus[node]!) * 100 : 0;
  }
  const usage = maxDelivered > 0 ? delivered / maxDelivered : 0;
  host.cpuUsagePct = usage * 100;
  host.cpuDemandPct = maxDelivered > 0 ? (work / maxDelivered) * 100 : 0;
  host.cpuReadyPct = vcpus > 0 ? (readySum / vcpus) * 100 : 0;
  host.powerWatts = powerAt(host, usage);
}

/**
 * Takes up to `amount` MiB from the host's VMs, in proportion to what each can
 * give: balloon (idle memory, at most 65% of configured), compression (10% of
 * configured, saving half), swap (what is not already reclaimed). Returns MiB freed.
 */
function reclaim(
  vms: VmRt[],
  order: Int32Array,
  from: number,
  to: number,
  how: 'balloon' | 'compress' | 'swap',
  amount: number,
): number {
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
