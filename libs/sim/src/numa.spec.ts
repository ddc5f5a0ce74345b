import { hostIn, last, run, scenario, vmIn } from './testing/scenarios';

/** One VM on a 2-socket host (two NUMA nodes of 4 cores and 32 GiB each). */
function onTwoNodes(
  vm: { vcpus: number; memoryGiB: number; memoryBound: number },
  numa: 'prefer-local' | 'ignore' = 'prefer-local',
) {
  const s = scenario({
    policy: { numa },
    hosts: [{ name: 'esx', cpu: { sockets: 2, coresPerSocket: 4 }, memoryGiB: 64 }],
    vms: [
      {
        name: 'vm',
        vcpus: vm.vcpus,
        memoryGiB: vm.memoryGiB,
        workload: { cpu: 0.5, memoryBound: vm.memoryBound },
      },
    ],
  });
  return last(run(s, 10).frames);
}

describe('NUMA', () => {
  it('keeps a VM that fits one node local: 100% local accesses, full speed', () => {
    const frame = onTwoNodes({ vcpus: 4, memoryGiB: 16, memoryBound: 1 });
    expect(vmIn(frame, 'vm')).toMatchObject({ numaNodes: [0], numaLocalPct: 100 });
    expect(vmIn(frame, 'vm').performancePct).toBeGreaterThan(99);
    expect(hostIn(frame, 'esx').numa.map((n) => n.remoteAccessPct)).toEqual([0, 0]);
  });

  it('spreads a wide VM over two nodes: half its accesses remote', () => {
    for (const [vcpus, memoryGiB] of [
      [6, 8], // too many vCPUs for a node
      [2, 48], // too much memory for a node
    ] as const) {
      const frame = onTwoNodes({ vcpus, memoryGiB, memoryBound: 0.5 });
      expect(vmIn(frame, 'vm')).toMatchObject({ numaNodes: [0, 1], numaLocalPct: 50 });
      expect(hostIn(frame, 'esx').numa.map((n) => n.remoteAccessPct)).toEqual([50, 50]);
    }
  });

  it('slows a wide VM in proportion to how memory-bound it is', () => {
    const perf = (memoryBound: number) =>
      vmIn(onTwoNodes({ vcpus: 6, memoryGiB: 8, memoryBound }), 'vm').performancePct;
    expect(perf(0)).toBeGreaterThan(99);
    // Remote accesses cost twice a local one (Intel MLC 242 / 118 ns): half remote, fully bound = 1.5x slower.
    expect(perf(1)).toBeCloseTo(100 / 1.5, 0);
    expect(perf(0.3)).toBeLessThan(perf(0));
    expect(perf(0.3)).toBeGreaterThan(perf(1));
  });

  it('with numa: ignore, every VM spreads its accesses over all nodes', () => {
    const frame = onTwoNodes({ vcpus: 2, memoryGiB: 4, memoryBound: 1 }, 'ignore');
    expect(vmIn(frame, 'vm')).toMatchObject({ numaNodes: [0, 1], numaLocalPct: 50 });
    expect(vmIn(frame, 'vm').performancePct).toBeLessThan(70);
  });

  it('gives each small VM a home node, balancing the nodes', () => {
    const s = scenario({
      hosts: [{ name: 'esx', cpu: { sockets: 2, coresPerSocket: 4 }, memoryGiB: 64 }],
      vms: [{ name: 'vm', count: 4, vcpus: 2, memoryGiB: 8 }],
    });
    const frame = last(run(s, 1).frames);
    expect(frame.vms.map((v) => v.numaNodes)).toEqual([[0], [1], [0], [1]]);
    expect(frame.vms.every((v) => v.numaLocalPct === 100)).toBe(true);
  });
});
