import { memStateFor, minFreeMiB } from './memory';
import { cmd, events, hostIn, last, run, scenario, vmIn, type Observed } from './testing/scenarios';

/** Eight 16 GiB guests on a 64 GiB host (200% overcommit) touching `memoryActive` of their memory. */
function overcommitted(
  memoryActive: number,
  extra: { stepSeconds?: number; swapGiB?: number } = {},
) {
  return scenario({
    clock: { stepSeconds: extra.stepSeconds ?? 1 },
    policy: { ramAllocationRatio: 2 },
    hosts: [
      {
        name: 'esx',
        cpu: { sockets: 2, coresPerSocket: 8 },
        memoryGiB: 64,
        swapGiB: extra.swapGiB ?? 64,
      },
    ],
    vms: [{ name: 'vm', count: 8, vcpus: 2, memoryGiB: 16, workload: { cpu: 0.3, memoryActive } }],
  });
}

describe('memory states', () => {
  it('computes minFree as 899 MB for the first 28 GB plus 1% of the rest', () => {
    expect(minFreeMiB(128 * 1024)).toBeCloseTo(1923, 0);
    expect(minFreeMiB(16 * 1024)).toBe(899);
    expect(minFreeMiB(28 * 1024)).toBe(899);
    expect(minFreeMiB(1024 * 1024)).toBeCloseTo(899 + (1024 - 28) * 10.24, 6);
  });

  it('moves through high, clear, soft, hard and low at 400%, 64%, 32% and 16% of minFree', () => {
    const mf = minFreeMiB(128 * 1024);
    const below = (x: number) => x - 1e-6;
    expect(memStateFor(100_000, mf)).toBe('high');
    expect(memStateFor(4 * mf, mf)).toBe('high');
    expect(memStateFor(below(4 * mf), mf)).toBe('clear');
    expect(memStateFor(mf, mf)).toBe('clear');
    expect(memStateFor(0.64 * mf, mf)).toBe('clear');
    expect(memStateFor(below(0.64 * mf), mf)).toBe('soft');
    expect(memStateFor(0.32 * mf, mf)).toBe('soft');
    expect(memStateFor(below(0.32 * mf), mf)).toBe('hard');
    expect(memStateFor(0.16 * mf, mf)).toBe('hard');
    expect(memStateFor(below(0.16 * mf), mf)).toBe('low');
    expect(memStateFor(0, mf)).toBe('low');
  });
});

describe('memory overcommit', () => {
  const host = (f: Observed) => hostIn(f, 'esx');

  it('is harmless when the guests touch little of what they were given', () => {
    const { frames } = run(overcommitted(0.1), 300);
    expect(host(last(frames)).memOvercommitRatio).toBe(2);
    for (const f of frames) {
      expect(['high', 'clear']).toContain(host(f).memState);
      expect(host(f).balloonMiB).toBe(0);
      expect(host(f).swapUsedMiB).toBe(0);
      for (const vm of f.vms) expect(vm.performancePct).toBeGreaterThan(99);
    }
    // The guests did grow to what they touch: about 10% active plus 30% of the rest.
    expect(vmIn(last(frames), 'vm-01').memActiveMiB).toBeGreaterThan(1500);
  });

  it('balloons when the guests touch 90% at 200% overcommit, and the guests slow down', () => {
    const { frames } = run(overcommitted(0.9), 300);
    const start = frames[9]!;
    expect(host(start).memState).toBe('high');
    expect(vmIn(start, 'vm-01').performancePct).toBeGreaterThan(99);
    const end = last(frames);
    expect(host(end).memState).not.toBe('high');
    expect(host(end).balloonMiB).toBeGreaterThan(0);
    for (const vm of end.vms ?? []) {
      expect(vm.balloonMiB).toBeGreaterThan(0);
      // The balloon driver gives back at most 65% of configured memory.
      expect(vm.balloonMiB).toBeLessThanOrEqual(0.65 * vm.memConfiguredMiB + 1e-6);
      expect(vm.performancePct).toBeLessThan(50);
    }
    // The same guests touching little run at full speed at the same time.
    const calm = last(run(overcommitted(0.1), 300).frames);
    expect(vmIn(calm, 'vm-01').performancePct).toBeGreaterThan(
      vmIn(end, 'vm-01').performancePct + 40,
    );
  });

  it('never lets a host back more memory than it has: free memory stays >= 0', () => {
    for (const stepSeconds of [1, 5]) {
      const { frames } = run(overcommitted(1, { stepSeconds }), 400 / stepSeconds);
      expect(frames.some((f) => host(f).memState !== 'high')).toBe(true);
      for (const f of frames) expect(host(f).memFreeMiB).toBeGreaterThanOrEqual(0);
    }
  });

  it('compresses and swaps once ballooning cannot keep up, and pauses a VM when swap is full', () => {
    const { frames } = run(overcommitted(1, { stepSeconds: 5, swapGiB: 2 }), 60);
    expect(frames.some((f) => host(f).compressedMiB > 0)).toBe(true);
    expect(frames.some((f) => host(f).swapUsedMiB > 0)).toBe(true);
    // One VM at a time: a paused VM touches no more, and the operator decides what next.
    const [paused, ...more] = events(frames, 'vm-paused');
    expect(more).toEqual([]);
    expect(paused?.reason).toBe('host esx swap full: the VM cannot get memory');
    const after = frames.find((f) => f.events.includes(paused!))!;
    expect(vmIn(after, paused!.target).state).toBe('paused');
    expect(vmIn(after, paused!.target).performancePct).toBe(0);
    // Only the VM stops; its host stays up.
    expect(host(after).state).toBe('up');
    expect(after.alarms.some((a) => a.rule === 'vm-swap-full' && a.target === paused!.target)).toBe(
      true,
    );
  });

  it('a guest that shuts down stops only itself, never its host', () => {
    const s = scenario({
      hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
      vms: [{ name: 'vm', count: 3, vcpus: 2, memoryGiB: 8 }],
    });
    const { frames } = run(s, 3, { 2: [cmd({ do: 'power-off-vm', target: 'vm-02' })] });
    const end = last(frames);
    expect(vmIn(end, 'vm-02')).toMatchObject({ state: 'stopped', host: null, cpuUsagePct: 0 });
    expect(vmIn(end, 'vm-01').state).toBe('running');
    expect(vmIn(end, 'vm-03').state).toBe('running');
    expect(host(end)).toMatchObject({
      state: 'up',
      vmsRunning: 2,
      vcpus: 4,
      memConfiguredMiB: 16 * 1024,
    });
  });

  it("gives each VM its own swap-in rate: its share of the host's, which is their sum", () => {
    // Swap builds up under pressure; powering off half the guests frees the host, and the others
    // read their swapped pages back.
    const off = [4, 5, 6, 7, 8].map((n) => cmd({ do: 'power-off-vm', target: `vm-0${n}` }));
    const { frames } = run(overcommitted(1, { stepSeconds: 5, swapGiB: 64 }), 100, { 41: off });
    const swapping = frames.filter((f) => host(f).swapInMiBps > 0);
    expect(swapping.length).toBeGreaterThan(0);
    let readBack = 0;
    for (const f of swapping) {
      const rates = f.vms.map((vm) => vm.swapInMiBps);
      expect(rates.reduce((a, b) => a + b, 0)).toBeCloseTo(host(f).swapInMiBps, 6);
      for (const vm of f.vms) {
        if (vm.state !== 'running' || vm.swappedMiB === 0) expect(vm.swapInMiBps).toBe(0);
        else expect(vm.swapInMiBps).toBeGreaterThan(0);
      }
      if (['high', 'clear'].includes(host(f).memState)) readBack++;
    }
    // After the power-offs the pages come back: a VM's swapped memory falls by its rate x dt.
    expect(readBack).toBeGreaterThan(0);
    const i = frames.findIndex((f, k) => k > 41 && ['high', 'clear'].includes(host(f).memState));
    const [before, after] = [frames[i - 1]!, frames[i]!];
    const vm = after.vms.find((v) => v.swapInMiBps > 0)!;
    expect(vmIn(before, vm.name).swappedMiB - vm.swappedMiB).toBeCloseTo(vm.swapInMiBps * 5, 3);
    // A stopped VM reads nothing back.
    expect(vmIn(last(frames), 'vm-05')).toMatchObject({ state: 'stopped', swapInMiBps: 0 });
  });
});
