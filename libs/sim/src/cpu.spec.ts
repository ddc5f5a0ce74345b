import { deliveredCores } from './cpu';
import { cmd, events, hostIn, last, run, scenario, vmIn, type Observed } from './testing/scenarios';

/** One VM alone on a host of the given shape, after a few ticks. */
function alone(
  cpu: { sockets: number; coresPerSocket: number; threadsPerCore: number },
  vm: { vcpus: number; cpu: number },
) {
  const s = scenario({
    hosts: [{ name: 'h', cpu, memoryGiB: 32 }],
    vms: [{ name: 'vm', vcpus: vm.vcpus, memoryGiB: 2, workload: { cpu: vm.cpu } }],
  });
  return last(run(s, 10).frames);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('topology and hyper-threading', () => {
  it('counts logical CPUs as sockets x cores x threads, and physical cores apart', () => {
    const s = scenario({
      hosts: [
        { name: 'seed', cpu: { sockets: 2, coresPerSocket: 6, threadsPerCore: 2 }, memoryGiB: 64 },
        { name: 'noht', cpu: { sockets: 2, coresPerSocket: 6, threadsPerCore: 1 }, memoryGiB: 64 },
        {
          name: 'off',
          cpu: { sockets: 2, coresPerSocket: 6, threadsPerCore: 2 },
          memoryGiB: 64,
          hyperThreading: false,
        },
      ],
    });
    const frame = last(run(s, 1).frames);
    expect(hostIn(frame, 'seed')).toMatchObject({
      logicalCpus: 24,
      physicalCores: 12,
      hyperThreading: true,
    });
    expect(hostIn(frame, 'noht')).toMatchObject({
      logicalCpus: 12,
      physicalCores: 12,
      hyperThreading: false,
    });
    expect(hostIn(frame, 'off')).toMatchObject({
      logicalCpus: 12,
      physicalCores: 12,
      hyperThreading: false,
    });
    expect(frame.cluster.logicalCpus).toBe(48);
  });

  it('two busy threads on one core deliver 1.25 cores, not 2', () => {
    expect(deliveredCores(2, 1, true)).toBeCloseTo(1.25);
    expect(deliveredCores(2, 2, false)).toBe(2);
    expect(deliveredCores(24, 12, true)).toBeCloseTo(15);
    // Without hyper-threading extra threads add nothing.
    expect(deliveredCores(3, 2, false)).toBe(2);
  });

  it('one cook with two stoves: a busy 2-vCPU VM on 1 core x 2 threads runs at ~62%, on 2 cores at ~100%', () => {
    const oneCook = vmIn(
      alone({ sockets: 1, coresPerSocket: 1, threadsPerCore: 2 }, { vcpus: 2, cpu: 0.95 }),
      'vm',
    );
    const twoCooks = vmIn(
      alone({ sockets: 1, coresPerSocket: 2, threadsPerCore: 1 }, { vcpus: 2, cpu: 0.95 }),
      'vm',
    );
    expect(oneCook.performancePct).toBeGreaterThan(55);
    expect(oneCook.performancePct).toBeLessThan(70);
    expect(twoCooks.performancePct).toBeGreaterThan(97);
    expect(twoCooks.performancePct - oneCook.performancePct).toBeGreaterThan(30);
    // The work actually done tells the same story.
    expect(oneCook.cpuUsagePct).toBeLessThan(0.7 * twoCooks.cpuUsagePct);
  });

  it('set-hyperthreading toggles the logical CPUs a host shows', () => {
    const s = scenario({
      hosts: [
        { name: 'ht', cpu: { sockets: 2, coresPerSocket: 6, threadsPerCore: 2 }, memoryGiB: 64 },
      ],
    });
    const { frames } = run(s, 3, {
      2: [cmd({ do: 'set-hyperthreading', target: 'ht', on: false })],
      3: [cmd({ do: 'set-hyperthreading', target: 'ht', on: true })],
    });
    expect(hostIn(frames[0]!, 'ht')).toMatchObject({ logicalCpus: 24, hyperThreading: true });
    expect(hostIn(frames[1]!, 'ht')).toMatchObject({ logicalCpus: 12, hyperThreading: false });
    expect(hostIn(frames[2]!, 'ht')).toMatchObject({ logicalCpus: 24, hyperThreading: true });
    expect(events(frames, 'hyperthreading-changed').map((e) => e['on'])).toEqual([false, true]);
  });

  it('turning hyper-threading off halves what admission will hand out', () => {
    const s = scenario({
      policy: { cpuAllocationRatio: 1 },
      hosts: [
        { name: 'ht', cpu: { sockets: 1, coresPerSocket: 4, threadsPerCore: 2 }, memoryGiB: 64 },
      ],
      vms: [{ name: 'a', vcpus: 4, memoryGiB: 1 }],
    });
    const { frames } = run(s, 2, {
      2: [
        cmd({ do: 'set-hyperthreading', target: 'ht', on: false }),
        cmd({ do: 'create-vm', vm: { name: 'b', vcpus: 4, memoryGiB: 1 } }),
      ],
    });
    expect(events(frames, 'command-refused')[0]?.reason).toContain('ht: vCPUs 8/4 at ratio 1');
  });

  it('refuses set-hyperthreading on a host with one thread per core, and says why', () => {
    const s = scenario({
      hosts: [
        { name: 'plain', cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 }, memoryGiB: 32 },
      ],
    });
    const { frames } = run(s, 2, {
      2: [cmd({ do: 'set-hyperthreading', target: 'plain', on: true })],
    });
    const [refused] = events(frames, 'command-refused');
    expect(refused?.reason).toMatch(/plain has one thread per core/);
    expect(hostIn(last(frames), 'plain')).toMatchObject({ logicalCpus: 8, hyperThreading: false });
    expect(events(frames, 'hyperthreading-changed')).toHaveLength(0);
  });
});

describe('CPU contention', () => {
  /** `count` VMs of `vcpus` vCPUs at `cpu` (plus `extra` ones) on an 8-core host without hyper-threading. */
  function contended(
    count: number,
    vcpus: number,
    cpu: number,
    extra: { vcpus: number; cpu: number }[] = [],
  ) {
    const s = scenario({
      hosts: [
        { name: 'h', cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 }, memoryGiB: 128 },
      ],
      vms: [
        { name: 'vm', count, vcpus, memoryGiB: 2, workload: { cpu } },
        ...extra.map((e, i) => ({
          name: `x${i}`,
          vcpus: e.vcpus,
          memoryGiB: 2,
          workload: { cpu: e.cpu },
        })),
      ],
    });
    return run(s, 30).frames;
  }
  const vmsOf = (frames: Observed[]) => frames.slice(5).flatMap((f) => f.vms);

  it('keeps ready near 0 when demand is well below capacity', () => {
    const frames = contended(2, 2, 0.3); // 1.2 of 8 cores
    for (const vm of vmsOf(frames)) expect(vm.cpuReadyPct).toBeLessThan(0.5);
    expect(hostIn(last(frames), 'h').cpuReadyPct).toBeLessThan(0.5);
    expect(vmIn(last(frames), 'vm-01').performancePct).toBeGreaterThan(99);
  });

  it('raises ready above 10% when demand exceeds supply, and performance falls', () => {
    const frames = contended(8, 2, 0.9); // 14.4 vCPUs busy on 8 cores
    for (const vm of vmsOf(frames)) {
      expect(vm.cpuReadyPct).toBeGreaterThan(10);
      expect(vm.performancePct).toBeLessThan(70);
    }
    expect(hostIn(last(frames), 'h').cpuReadyPct).toBeGreaterThan(10);
    expect(hostIn(last(frames), 'h').cpuUsagePct).toBeGreaterThan(99);
  });

  it('never accounts more than 100% per vCPU: usage + ready + co-stop <= 100, ready >= 0', () => {
    const cases = [
      contended(2, 2, 0.3),
      contended(8, 2, 0.9),
      contended(3, 8, 1),
      contended(1, 8, 1, [
        { vcpus: 1, cpu: 1 },
        { vcpus: 4, cpu: 0.2 },
      ]),
    ];
    for (const frames of cases) {
      for (const vm of vmsOf(frames)) {
        expect(vm.cpuReadyPct).toBeGreaterThanOrEqual(0);
        expect(vm.costopPct).toBeGreaterThanOrEqual(0);
        expect(vm.cpuUsagePct + vm.cpuReadyPct + vm.costopPct).toBeLessThanOrEqual(100.01);
        // VMware's accounting: run + ready + co-stop + idle/wait = 100% per vCPU.
        expect(vm.cpuIdlePct).toBeGreaterThanOrEqual(0);
        expect(vm.cpuRunPct + vm.cpuReadyPct + vm.costopPct + vm.cpuIdlePct).toBeCloseTo(100, 1);
      }
    }
  });

  it('co-stops wide SMP VMs under contention, never 1-vCPU VMs', () => {
    const frames = contended(2, 8, 0.9, [
      { vcpus: 1, cpu: 0.9 },
      { vcpus: 1, cpu: 0.9 },
    ]);
    const tail = frames.slice(5);
    for (const f of tail) {
      expect(vmIn(f, 'x0').costopPct).toBe(0);
      expect(vmIn(f, 'x1').costopPct).toBe(0);
      expect(vmIn(f, 'x0').cpuReadyPct).toBeGreaterThan(10);
      expect(vmIn(f, 'vm-01').costopPct).toBeGreaterThan(3);
    }
    // Without contention the same wide VM is not co-stopped.
    for (const f of contended(1, 8, 0.5).slice(5)) expect(vmIn(f, 'vm').costopPct).toBe(0);
  });

  it('binary translation costs more host CPU than hardware assistance for the same guest', () => {
    const guest = { vcpus: 4, memoryGiB: 4, workload: { cpu: 0.5, kernelShare: 0.4 } };
    const cpu = { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 };
    const s = scenario({
      hosts: [
        { name: 'vtx', cpu, memoryGiB: 32, virtualization: 'hardware-assisted' },
        { name: 'bt', cpu, memoryGiB: 32, virtualization: 'binary-translation' },
      ],
      vms: [
        { name: 'on-vtx', host: 'vtx', ...guest },
        { name: 'on-bt', host: 'bt', ...guest },
      ],
    });
    const tail = run(s, 20).frames.slice(5);
    const usage = (host: string) => mean(tail.map((f) => hostIn(f, host).cpuUsagePct));
    // Same demand (the same seed and name-independent noise aside), clearly more host CPU.
    expect(mean(tail.map((f) => vmIn(f, 'on-bt').cpuDemandPct))).toBeCloseTo(
      mean(tail.map((f) => vmIn(f, 'on-vtx').cpuDemandPct)),
      -1,
    );
    expect(usage('bt')).toBeGreaterThan(usage('vtx') * 1.3);
    // Both guests still get their work done while the host has room.
    for (const f of tail) {
      expect(vmIn(f, 'on-bt').performancePct).toBeGreaterThan(99);
      expect(vmIn(f, 'on-vtx').performancePct).toBeGreaterThan(99);
    }
  });

  it('a busy binary-translated guest on a full host does less work than a hardware-assisted one', () => {
    const cpu = { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 };
    const perf = (virtualization: 'hardware-assisted' | 'binary-translation') => {
      const s = scenario({
        hosts: [{ name: 'h', cpu, memoryGiB: 32, virtualization }],
        vms: [{ name: 'vm', vcpus: 4, memoryGiB: 4, workload: { cpu: 0.9, kernelShare: 0.5 } }],
      });
      return vmIn(last(run(s, 5).frames), 'vm').performancePct;
    };
    expect(perf('hardware-assisted')).toBeGreaterThan(95);
    expect(perf('binary-translation')).toBeLessThan(80);
  });
});
