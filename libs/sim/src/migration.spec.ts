import { linkMiBps } from './migration';
import { cmd, events, hostIn, last, run, scenario, vmIn, type Observed } from './testing/scenarios';

/** Two hosts on a 125 MiB/s link (1.048576 Gbps), a 4 GiB VM on "a" dirtying `dirtyMiBps`. */
function pair(dirtyMiBps: number, stepSeconds = 1, bMemoryGiB = 32) {
  return scenario({
    clock: { stepSeconds },
    hosts: [
      { name: 'a', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 32, networkGbps: 1.048576 },
      {
        name: 'b',
        cpu: { sockets: 1, coresPerSocket: 8 },
        memoryGiB: bMemoryGiB,
        networkGbps: 1.048576,
      },
    ],
    vms: [{ name: 'vm', vcpus: 2, memoryGiB: 4, host: 'a', workload: { cpu: 0.5, dirtyMiBps } }],
  });
}

const migrate = (autoConverge = false) =>
  cmd({ do: 'migrate-vm', target: 'vm', to: 'b', autoConverge });

describe('live migration (pre-copy)', () => {
  it('reads the link in MiB/s: 1.048576 Gbps is 125 MiB/s', () => {
    expect(linkMiBps(1.048576)).toBeCloseTo(125, 9);
    expect(linkMiBps(10)).toBeCloseTo(1192.09, 2);
  });

  it("reproduces DOMAIN.md's example: 4 rounds, 43.08 s, ~109 ms down, 5385 MiB sent", () => {
    const { frames } = run(pair(30), 60, { 2: [migrate()] });
    const [done] = events(frames, 'migration-completed');
    expect(done).toMatchObject({ target: 'vm', from: 'a', to: 'b', rounds: 4 });
    expect(done?.['durationSeconds']).toBeCloseTo(43.08, 2);
    expect(done?.['downtimeMs']).toBeCloseTo(108.7, 1);
    expect(done?.['transferredMiB']).toBeCloseTo(5385.2, 1);
    const end = last(frames);
    expect(vmIn(end, 'vm')).toMatchObject({ host: 'b', state: 'running', migration: null });
    expect(hostIn(end, 'a')).toMatchObject({ vcpus: 0, memConfiguredMiB: 0, vmsRunning: 0 });
    expect(hostIn(end, 'b')).toMatchObject({ vcpus: 2, memConfiguredMiB: 4096, vmsRunning: 1 });
  });

  it('gives the same figures whatever the step: 1 s and 7 s ticks', () => {
    const figures = (stepSeconds: number) => {
      const { frames } = run(pair(30, stepSeconds), Math.ceil(60 / stepSeconds), {
        2: [migrate()],
      });
      const [done] = events(frames, 'migration-completed');
      expect(done).toBeDefined();
      const { durationSeconds, downtimeMs, rounds, transferredMiB } = done!;
      return { durationSeconds, downtimeMs, rounds, transferredMiB };
    };
    const one = figures(1);
    const seven = figures(7);
    expect(seven['rounds']).toBe(one['rounds']);
    for (const k of ['durationSeconds', 'downtimeMs', 'transferredMiB'] as const)
      expect(seven[k] as number).toBeCloseTo(one[k] as number, 6);
    expect(seven['durationSeconds'] as number).toBeCloseTo(43.08, 2);
  });

  it('holds the VM on both hosts while it runs and shows its progress', () => {
    const { frames } = run(pair(30), 20, { 2: [migrate()] });
    const [started] = events(frames, 'migration-started');
    expect(started).toMatchObject({ from: 'a', to: 'b', memoryMiB: 4096, linkMiBps: 125 });
    const during = frames[9]!;
    const vm = vmIn(during, 'vm');
    expect(vm.host).toBe('a');
    expect(vm.migration).toMatchObject({ from: 'a', to: 'b', round: 0 });
    expect(vm.migration!.transferredMiB).toBeCloseTo(9 * 125, 6);
    expect(vm.migration!.progressPct).toBeCloseTo((9 * 125 * 100) / 4096, 1);
    for (const h of ['a', 'b']) {
      expect(hostIn(during, h)).toMatchObject({ vcpus: 2, memConfiguredMiB: 4096 });
    }
  });

  it('admits the destination at start: a migration to a full host is refused with the reason', () => {
    // b has 4 GiB: 4 x 1.5 = 6 GiB, of which a 4 GiB VM already holds 4.
    const s = scenario({
      hosts: [
        { name: 'a', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 32 },
        { name: 'b', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 4 },
      ],
      vms: [
        { name: 'vm', vcpus: 2, memoryGiB: 4, host: 'a' },
        { name: 'resident', vcpus: 1, memoryGiB: 4, host: 'b' },
      ],
    });
    const { frames } = run(s, 3, { 2: [migrate()] });
    const [refused] = events(frames, 'command-refused');
    expect(refused?.reason).toBe('destination refused: b: memory 8/6 GiB at ratio 1.5');
    expect(events(frames, 'migration-started')).toHaveLength(0);
    expect(vmIn(last(frames), 'vm')).toMatchObject({ host: 'a', migration: null });
    expect(hostIn(last(frames), 'b').memConfiguredMiB).toBe(4096);
  });

  describe('when the guest dirties memory as fast as the link sends it', () => {
    const slow = (autoConverge: boolean) => run(pair(200, 10), 110, { 2: [migrate(autoConverge)] });

    it('aborts after 30 rounds, leaving the VM on its source, and raises a migration alarm', () => {
      const { frames } = slow(false);
      expect(events(frames, 'migration-completed')).toHaveLength(0);
      const [aborted] = events(frames, 'migration-aborted');
      expect(aborted).toMatchObject({ target: 'vm', from: 'a', to: 'b', rounds: 30 });
      expect(aborted?.reason).toContain('did not converge in 30 rounds');
      expect(aborted?.reason).toContain('200.0 MiB/s against a link of 125.0 MiB/s');
      // 30 rounds of the whole 4 GiB at 125 MiB/s: 983 s.
      expect(aborted?.time).toBeGreaterThanOrEqual(970);
      expect(aborted?.time).toBeLessThanOrEqual(990);
      const after = frames.find((f: Observed) => f.events.includes(aborted!))!;
      expect(vmIn(after, 'vm')).toMatchObject({ host: 'a', state: 'running', migration: null });
      expect(hostIn(after, 'b')).toMatchObject({ vcpus: 0, memConfiguredMiB: 0 });
      expect(after.alarms).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            rule: 'migration',
            target: 'vm',
            severity: 'critical',
            state: 'firing',
          }),
        ]),
      );
    });

    it('completes with auto-converge, throttling the guest', () => {
      const { frames } = slow(true);
      expect(events(frames, 'migration-aborted')).toHaveLength(0);
      const [done] = events(frames, 'migration-completed');
      expect(done).toMatchObject({ target: 'vm', to: 'b', autoConverge: true });
      expect(done?.['rounds'] as number).toBeLessThan(30);
      expect(done?.['throttlePct'] as number).toBeGreaterThanOrEqual(20);
      expect(done?.['downtimeMs'] as number).toBeLessThanOrEqual(300);
      // While throttled the guest gets less CPU than it asks for.
      const throttled = frames.find((f) => (vmIn(f, 'vm').migration?.throttlePct ?? 0) >= 50)!;
      expect(vmIn(throttled, 'vm').cpuUsagePct).toBeLessThan(
        0.6 * vmIn(frames[0]!, 'vm').cpuUsagePct,
      );
      // It still wants the same; the throttle shows as lost performance.
      expect(vmIn(throttled, 'vm').cpuDemandPct).toBeCloseTo(
        vmIn(frames[0]!, 'vm').cpuDemandPct,
        -1,
      );
      expect(vmIn(throttled, 'vm').performancePct).toBeLessThan(60);
      expect(vmIn(last(frames), 'vm').host).toBe('b');
    });
  });
});
