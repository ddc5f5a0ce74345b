import { cmd, events, hostIn, last, run, scenario, vmIn } from './testing/scenarios';

/** Three hosts of 32 GiB (48 GiB placeable at ratio 1.5); two small VMs pinned to esx-01, a 40 GiB filler on each other host. */
function cluster() {
  return scenario({
    hosts: [{ name: 'esx', count: 3, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 32 }],
    vms: [
      { name: 'small', count: 2, vcpus: 2, memoryGiB: 4, host: 'esx-01' },
      { name: 'filler', count: 2, vcpus: 2, memoryGiB: 40, workload: { memoryActive: 0.1 } },
    ],
  });
}

describe('host failure and HA', () => {
  it('takes a failed host’s VMs down, restarts those that fit after 60 s, and loudly keeps the rest down', () => {
    // Pack: a, b and pinned fill esx-01; big-2 goes to esx-02 (8 GiB left), big-3 to esx-03 (20 GiB left).
    const quiet = { memoryActive: 0.1 };
    const s = scenario({
      policy: { placement: 'pack' },
      hosts: [{ name: 'esx', count: 3, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 32 }],
      vms: [
        { name: 'a', vcpus: 2, memoryGiB: 20, workload: quiet },
        { name: 'b', vcpus: 2, memoryGiB: 20, workload: quiet },
        { name: 'pinned', vcpus: 1, memoryGiB: 1, host: 'esx-01' },
        { name: 'big-2', vcpus: 2, memoryGiB: 40, workload: quiet },
        { name: 'big-3', vcpus: 2, memoryGiB: 28, workload: quiet },
      ],
    });
    const { frames } = run(s, 70, { 5: [cmd({ do: 'fail-host', target: 'esx-01' })] });
    expect(frames[0]!.vms?.map((v) => v.host)).toEqual([
      'esx-01',
      'esx-01',
      'esx-01',
      'esx-02',
      'esx-03',
    ]);

    const [failed] = events(frames, 'host-failed');
    expect(failed?.['vmsDown']).toEqual(['a', 'b', 'pinned']);
    const afterFail = frames[4]!;
    expect(hostIn(afterFail, 'esx-01')).toMatchObject({
      state: 'failed',
      vcpus: 0,
      vmsRunning: 0,
      powerWatts: 0,
    });
    for (const name of ['a', 'b', 'pinned'])
      expect(vmIn(afterFail, name)).toMatchObject({ state: 'down', host: null, performancePct: 0 });

    // Failed at simulated second 4; nothing restarts before 4 + 60.
    const restarted = events(frames, 'ha-restarted');
    expect(restarted).toEqual([expect.objectContaining({ target: 'a', host: 'esx-03' })]);
    expect(frames.findIndex((f) => f.events.includes(restarted[0]!)) + 1).toBe(64);
    for (const f of frames.slice(4, 63)) expect(vmIn(f, 'a').state).toBe('down');
    const end = last(frames);
    expect(vmIn(end, 'a')).toMatchObject({ state: 'running', host: 'esx-03' });

    // b fits nowhere now, pinned only on its failed host: both stay down, loudly.
    const haFailed = events(frames, 'ha-failed');
    expect(haFailed.map((e) => e.target)).toEqual(['b', 'pinned']);
    expect(haFailed[0]?.reason).toBe(
      'no host can take b (2 vCPUs, 20 GiB): esx-01: host failed; esx-02: memory 60/48 GiB at ratio 1.5; esx-03: memory 68/48 GiB at ratio 1.5',
    );
    expect(haFailed[1]?.reason).toBe(
      'no host can take pinned (1 vCPUs, 1 GiB): esx-01: host failed',
    );
    for (const name of ['b', 'pinned']) {
      expect(vmIn(end, name)).toMatchObject({ state: 'down', host: null });
      expect(end.alarms).toContainEqual(
        expect.objectContaining({
          rule: 'ha-restart-failed',
          target: name,
          severity: 'critical',
          state: 'firing',
        }),
      );
    }
    expect(end.alarms).toContainEqual(
      expect.objectContaining({ rule: 'host-down', target: 'esx-01', state: 'firing' }),
    );
  });

  it('never restarts a VM pinned to the failed host elsewhere', () => {
    const { frames } = run(cluster(), 70, { 2: [cmd({ do: 'fail-host', target: 'esx-01' })] });
    // small-01/02 are pinned to esx-01: HA cannot move them.
    const failed = events(frames, 'ha-failed').map((e) => e.target);
    expect(failed).toEqual(['small-01', 'small-02']);
    for (const name of failed) expect(vmIn(last(frames), name).state).toBe('down');
    expect(
      last(frames)
        .alarms.filter((a) => a.rule === 'ha-restart-failed')
        .map((a) => a.target),
    ).toEqual(failed);
  });

  it('recover-host brings the host back empty', () => {
    const { frames } = run(cluster(), 80, {
      2: [cmd({ do: 'fail-host', target: 'esx-01' })],
      75: [cmd({ do: 'recover-host', target: 'esx-01' })],
    });
    expect(events(frames, 'host-recovered').map((e) => e.target)).toEqual(['esx-01']);
    const end = last(frames);
    expect(hostIn(end, 'esx-01')).toMatchObject({
      state: 'up',
      vcpus: 0,
      vmsRunning: 0,
      memConfiguredMiB: 0,
    });
    expect(hostIn(end, 'esx-01').powerWatts).toBeGreaterThan(0);
    // The VMs that stayed down stay down until someone powers them on.
    expect(vmIn(end, 'small-01').state).toBe('down');
    expect(end.alarms.some((a) => a.rule === 'host-down')).toBe(false);
  });

  it('a powered-on VM comes back on the recovered host', () => {
    const { frames } = run(cluster(), 80, {
      2: [cmd({ do: 'fail-host', target: 'esx-01' })],
      75: [cmd({ do: 'recover-host', target: 'esx-01' })],
      76: [cmd({ do: 'power-on-vm', target: 'small-01' })],
    });
    const end = last(frames);
    expect(vmIn(end, 'small-01')).toMatchObject({ state: 'running', host: 'esx-01' });
    expect(end.alarms.some((a) => a.rule === 'ha-restart-failed' && a.target === 'small-01')).toBe(
      false,
    );
  });

  it('set-maintenance evacuates a host by live migration, then takes nothing', () => {
    const s = scenario({
      hosts: [{ name: 'esx', count: 3, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 32 }],
      vms: [{ name: 'vm', count: 6, vcpus: 2, memoryGiB: 4 }],
    });
    const { frames } = run(s, 40, {
      3: [cmd({ do: 'set-maintenance', target: 'esx-01', on: true })],
    });
    const onFirst = events(frames.slice(0, 1), 'vm-placed')
      .filter((e) => e['host'] === 'esx-01')
      .map((e) => e.target);
    expect(onFirst.length).toBeGreaterThan(0);
    const started = events(frames, 'migration-started');
    expect(started.map((e) => e.target).sort()).toEqual([...onFirst].sort());
    for (const e of started) expect(e).toMatchObject({ from: 'esx-01', autoConverge: true });
    expect(
      events(frames, 'migration-completed')
        .map((e) => e.target)
        .sort(),
    ).toEqual([...onFirst].sort());
    const end = last(frames);
    expect(hostIn(end, 'esx-01')).toMatchObject({ state: 'maintenance', vcpus: 0, vmsRunning: 0 });
    // The VMs never went down on the way.
    for (const f of frames) for (const vm of f.vms) expect(vm.state).toBe('running');
  });
});

describe('power', () => {
  it('a failed host draws 0 W; a running host at least its idle power; energy accumulates', () => {
    const s = scenario({
      hosts: [{ name: 'esx', count: 2, cpu: { sockets: 2, coresPerSocket: 8 }, memoryGiB: 64 }],
      vms: [{ name: 'vm', count: 2, vcpus: 8, memoryGiB: 4, workload: { cpu: 0.9 } }],
    });
    const { frames } = run(s, 20, { 10: [cmd({ do: 'fail-host', target: 'esx-02' })] });
    const busy = frames[5]!;
    // SPECpower HP ML110 G4, per socket: 86 W idle .. 117 W at 100%.
    for (const h of busy.hosts) {
      expect(h.powerWatts).toBeGreaterThan(2 * 86);
      expect(h.powerWatts).toBeLessThanOrEqual(2 * 117);
    }
    expect(hostIn(last(frames), 'esx-02').powerWatts).toBe(0);
    expect(last(frames).cluster.powerWatts).toBe(hostIn(last(frames), 'esx-01').powerWatts);
    const energy = frames.map((f) => f.cluster.energyKWh);
    for (let i = 1; i < energy.length; i++) expect(energy[i]!).toBeGreaterThan(energy[i - 1]!);
    // kWh = sum of watts x seconds / 3.6e6.
    const expected = frames.reduce((sum, f) => sum + f.cluster.powerWatts, 0) / 3.6e6;
    expect(last(frames).cluster.energyKWh).toBeCloseTo(expected, 5);
  });

  it('draws more the busier the host is', () => {
    const watts = (cpu: number) =>
      hostIn(
        last(
          run(
            scenario({
              hosts: [{ name: 'h', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 32 }],
              vms: [{ name: 'vm', vcpus: 8, memoryGiB: 4, workload: { cpu } }],
            }),
            3,
          ).frames,
        ),
        'h',
      ).powerWatts;
    // One socket: 86 W idle (a little noise keeps the guest from being exactly idle).
    expect(watts(0)).toBeGreaterThanOrEqual(86);
    expect(watts(0)).toBeLessThan(88);
    expect(watts(0.5)).toBeGreaterThan(watts(0.1));
    expect(watts(1)).toBeCloseTo(117, 0);
  });
});
