import { cmd, events, hostIn, last, run, scenario, vmIn } from './testing/scenarios';

describe('admission (Nova semantics)', () => {
  it('starts all ten 8-vCPU VMs on 64 logical CPUs (ratio 1.25)', () => {
    const s = scenario({
      hosts: [
        { name: 'esx', cpu: { sockets: 2, coresPerSocket: 16, threadsPerCore: 2 }, memoryGiB: 512 },
      ],
      vms: [{ name: 'web', count: 10, vcpus: 8, memoryGiB: 16 }],
    });
    const frame = last(run(s, 1).frames);
    expect(hostIn(frame, 'esx')).toMatchObject({
      logicalCpus: 64,
      vcpus: 80,
      vmsRunning: 10,
      vcpuRatio: 1.25,
    });
    expect(events([frame], 'vm-placed')).toHaveLength(10);
    expect(events([frame], 'vm-refused')).toHaveLength(0);
  });

  it('refuses vCPUs beyond logical CPUs x cpuAllocationRatio, with the numbers', () => {
    const s = scenario({
      policy: { cpuAllocationRatio: 1 },
      hosts: [
        { name: 'esx', cpu: { sockets: 2, coresPerSocket: 16, threadsPerCore: 2 }, memoryGiB: 512 },
      ],
      vms: [{ name: 'web', count: 10, vcpus: 8, memoryGiB: 16 }],
    });
    const frame = last(run(s, 1).frames);
    expect(hostIn(frame, 'esx').vmsRunning).toBe(8);
    const refused = events([frame], 'vm-refused');
    expect(refused.map((e) => e.target)).toEqual(['web-09', 'web-10']);
    expect(refused[0]?.reason).toContain('esx: vCPUs 72/64 at ratio 1');
  });

  describe('100 GiB and ten 20 GiB VMs', () => {
    const tenOn100 = (ramAllocationRatio: number) =>
      scenario({
        policy: { ramAllocationRatio },
        hosts: [
          {
            name: 'esx',
            cpu: { sockets: 2, coresPerSocket: 6, threadsPerCore: 2 },
            memoryGiB: 100,
          },
        ],
        vms: [{ name: 'web', count: 10, vcpus: 2, memoryGiB: 20 }],
      });

    it('at ratio 1.5 starts seven and refuses three, each saying 160/150 GiB', () => {
      const { frames } = run(tenOn100(1.5), 2);
      const frame = last(frames);
      expect(frame.vms.filter((v) => v.state === 'running').map((v) => v.name)).toEqual([
        'web-01',
        'web-02',
        'web-03',
        'web-04',
        'web-05',
        'web-06',
        'web-07',
      ]);
      const refused = events(frames, 'vm-refused');
      expect(refused.map((e) => e.target)).toEqual(['web-08', 'web-09', 'web-10']);
      for (const e of refused) {
        expect(e.reason).toContain('esx: memory 160/150 GiB at ratio 1.5');
        expect(e.reason).toContain(e.target);
        expect(vmIn(frame, e.target)).toMatchObject({ state: 'stopped', host: null });
      }
      expect(hostIn(frame, 'esx')).toMatchObject({
        memConfiguredMiB: 140 * 1024,
        memOvercommitRatio: 1.4,
      });
    });

    it('at ratio 2.0 starts all ten', () => {
      const frame = last(run(tenOn100(2), 1).frames);
      expect(frame.vms.every((v) => v.state === 'running')).toBe(true);
      expect(hostIn(frame, 'esx')).toMatchObject({ vmsRunning: 10, memOvercommitRatio: 2 });
    });

    it('counts reserved host memory out before the ratio', () => {
      const s = scenario({
        policy: { ramAllocationRatio: 1.5, reservedHostMemoryGiB: 20 },
        hosts: [{ name: 'esx', cpu: { sockets: 2, coresPerSocket: 6 }, memoryGiB: 100 }],
        vms: [{ name: 'web', count: 10, vcpus: 2, memoryGiB: 20 }],
      });
      const { frames } = run(s, 1);
      expect(hostIn(last(frames), 'esx').vmsRunning).toBe(6);
      expect(events(frames, 'vm-refused')[0]?.reason).toContain(
        'esx: memory 140/120 GiB at ratio 1.5',
      );
    });
  });

  describe('spread and pack', () => {
    const two = (placement: 'spread' | 'pack') =>
      scenario({
        policy: { placement },
        hosts: [
          { name: 'small', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 },
          { name: 'large', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 128 },
        ],
        vms: [{ name: 'vm', count: 3, vcpus: 2, memoryGiB: 8 }],
      });
    const hosts = (placement: 'spread' | 'pack') =>
      last(run(two(placement), 1).frames).vms?.map((v) => v.host);

    it('spread takes the host with the most free memory, pack the one with the least', () => {
      expect(hosts('spread')).toEqual(['large', 'large', 'large']);
      expect(hosts('pack')).toEqual(['small', 'small', 'small']);
    });

    it('spread balances equal hosts; pack fills one first', () => {
      const equal = (placement: 'spread' | 'pack') =>
        last(
          run(
            scenario({
              policy: { placement },
              hosts: [
                { name: 'esx', count: 2, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 },
              ],
              vms: [{ name: 'vm', count: 4, vcpus: 2, memoryGiB: 8 }],
            }),
            1,
          ).frames,
        ).vms?.map((v) => v.host);
      expect(equal('spread')).toEqual(['esx-01', 'esx-02', 'esx-01', 'esx-02']);
      expect(equal('pack')).toEqual(['esx-01', 'esx-01', 'esx-01', 'esx-01']);
    });

    it('set-policy changes where the next VM goes', () => {
      const { frames } = run(two('spread'), 2, {
        2: [
          cmd({ do: 'set-policy', policy: { placement: 'pack' } }),
          cmd({ do: 'create-vm', vm: { name: 'late', vcpus: 1, memoryGiB: 1 } }),
        ],
      });
      expect(vmIn(last(frames), 'late').host).toBe('small');
    });
  });

  it('NUMA strict refuses a VM that fits no single node; prefer-local makes it wide', () => {
    const wide = (numa: 'strict' | 'prefer-local') =>
      run(
        scenario({
          policy: { numa },
          hosts: [{ name: 'esx', cpu: { sockets: 2, coresPerSocket: 4 }, memoryGiB: 64 }],
          vms: [{ name: 'big', vcpus: 6, memoryGiB: 8 }],
        }),
        1,
      ).frames;
    const strict = wide('strict');
    expect(vmIn(last(strict), 'big').state).toBe('stopped');
    expect(events(strict, 'vm-refused')[0]?.reason).toContain(
      'esx: NUMA strict: no node holds 6 vCPUs and 8 GiB (a node has 4 logical CPUs and 32 GiB)',
    );
    const prefer = wide('prefer-local');
    expect(vmIn(last(prefer), 'big')).toMatchObject({ state: 'running', numaNodes: [0, 1] });
  });

  it('runs nested guests only on hosts with nested virtualization and hardware assistance', () => {
    const cpu = { sockets: 1, coresPerSocket: 8 };
    const s = scenario({
      hosts: [
        { name: 'plain', cpu, memoryGiB: 256 },
        {
          name: 'bt',
          cpu,
          memoryGiB: 128,
          nestedVirtualization: true,
          virtualization: 'binary-translation',
        },
        { name: 'nested', cpu, memoryGiB: 24, nestedVirtualization: true },
      ],
      vms: [
        { name: 'esxi', count: 2, vcpus: 4, memoryGiB: 16, nestedHypervisor: true },
        { name: 'lab', vcpus: 4, memoryGiB: 16, nestedHypervisor: true },
      ],
    });
    const { frames } = run(s, 1);
    // Spread would prefer the roomier hosts; only "nested" may take them.
    expect(vmIn(last(frames), 'esxi-01').host).toBe('nested');
    expect(vmIn(last(frames), 'esxi-02').host).toBe('nested');
    const [refused] = events(frames, 'vm-refused');
    expect(refused?.target).toBe('lab');
    expect(refused?.reason).toContain('plain: nested virtualization not allowed on this host');
    expect(refused?.reason).toContain(
      'bt: nested virtualization needs hardware-assisted virtualization (host uses binary translation)',
    );
    expect(refused?.reason).toContain('nested: memory 48/36 GiB at ratio 1.5');
  });

  it('places nothing on failed or maintenance hosts', () => {
    const s = scenario({
      hosts: [{ name: 'esx', count: 3, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
    });
    const create = (name: string) => cmd({ do: 'create-vm', vm: { name, vcpus: 2, memoryGiB: 4 } });
    const { frames } = run(s, 4, {
      2: [
        cmd({ do: 'fail-host', target: 'esx-01' }),
        cmd({ do: 'set-maintenance', target: 'esx-02', on: true }),
      ],
      3: [create('a'), create('b'), create('c')],
      4: [cmd({ do: 'set-maintenance', target: 'esx-03', on: true }), create('d')],
    });
    const frame = last(frames);
    expect(['a', 'b', 'c'].map((n) => vmIn(frame, n).host)).toEqual(['esx-03', 'esx-03', 'esx-03']);
    const refused = events(frames, 'command-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.target).toBe('d');
    expect(refused[0]?.reason).toBe(
      'no host can take d (2 vCPUs, 4 GiB): esx-01: host failed; esx-02: in maintenance; esx-03: in maintenance',
    );
    expect(frame.vms.map((v) => v.name)).toEqual(['a', 'b', 'c']);
  });
});
