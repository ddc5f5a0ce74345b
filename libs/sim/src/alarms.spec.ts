import type { AlarmFrame, Command, ScenarioInput } from '@overcommit/contracts';
import { effectiveRules } from './alarms';
import { cmd, events, run, scenario, type Observed } from './testing/scenarios';

/**
 * One 10-vCPU VM alone on a 10-core host without hyper-threading: host CPU
 * usage is about its demand x 1.03 (hardware-assisted overhead), so
 * set-workload steers the host-cpu-usage rule (warn 85, clear 75; critical 95, clear 85; 20 s).
 */
function steered(
  cpuByTick: Record<number, number>,
  alarms: ScenarioInput['alarms'] = [],
  more: Record<number, Command[]> = {},
  ticks = 100,
) {
  const s = scenario({
    hosts: [
      { name: 'h', cpu: { sockets: 1, coresPerSocket: 10, threadsPerCore: 1 }, memoryGiB: 64 },
    ],
    vms: [{ name: 'vm', vcpus: 10, memoryGiB: 4, workload: { cpu: 0.4 } }],
    alarms,
  });
  const commands: Record<number, Command[]> = {};
  for (const [tick, cpu] of Object.entries(cpuByTick))
    commands[Number(tick)] = [cmd({ do: 'set-workload', target: 'vm', workload: { cpu } })];
  for (const [tick, list] of Object.entries(more))
    commands[Number(tick)] = [...(commands[Number(tick)] ?? []), ...list];
  return run(s, ticks, commands);
}

const hostCpu = (f: Observed): AlarmFrame | undefined =>
  f.alarms.find((a) => a.rule === 'host-cpu-usage' && a.target === 'h');

describe('alarms', () => {
  it('stays pending until the condition has held forSeconds, then fires', () => {
    const { frames } = steered({ 10: 0.88 }, [], {}, 40);
    for (const f of frames.slice(0, 9)) expect(hostCpu(f)).toBeUndefined();
    // Tick 10 ends at simulated second 10: the condition starts to hold.
    expect(hostCpu(frames[9]!)).toMatchObject({
      state: 'pending',
      since: 10,
      firedAt: null,
      severity: 'warning',
    });
    for (const f of frames.slice(9, 29)) expect(hostCpu(f)?.state).toBe('pending');
    // Pending alarms are not counted.
    expect(frames[20]!.cluster.alarms.warning).toBe(0);
    expect(hostCpu(frames[29]!)).toMatchObject({
      state: 'firing',
      since: 10,
      firedAt: 30,
      threshold: 85,
    });
    const fired = events(frames, 'alarm-fired').filter((e) => e['rule'] === 'host-cpu-usage');
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ time: 30, target: 'h', severity: 'warning', threshold: 85 });
    expect(frames[29]!.cluster.alarms.warning).toBe(1);
  });

  it('drops a pending alarm that stops holding before forSeconds, without firing', () => {
    const { state, frames } = steered({ 10: 0.88, 20: 0.5 }, [], {}, 40);
    expect(hostCpu(frames[15]!)?.state).toBe('pending');
    expect(hostCpu(frames[20]!)).toBeUndefined();
    expect(events(frames, 'alarm-fired')).toHaveLength(0);
    expect(state.alarmHistory).toHaveLength(0);
  });

  it('has hysteresis: between clear (75) and warning (85) a firing alarm keeps firing', () => {
    const { frames } = steered({ 10: 0.88, 40: 0.78, 70: 0.6 });
    for (const f of frames.slice(40, 69)) {
      const usage = f.hosts[0]!.cpuUsagePct;
      expect(usage).toBeGreaterThan(75);
      expect(usage).toBeLessThan(85);
      expect(hostCpu(f)?.state).toBe('firing');
    }
    expect(events(frames.slice(0, 69), 'alarm-resolved')).toHaveLength(0);
    // Below 75 it resolves.
    expect(hostCpu(frames[69]!)).toBeUndefined();
    expect(events(frames, 'alarm-resolved')).toEqual([
      expect.objectContaining({ target: 'h', rule: 'host-cpu-usage', durationSeconds: 40 }),
    ]);
  });

  it('escalates to critical above 95 and drops back to warning below 85', () => {
    const { frames } = steered({ 10: 0.99, 50: 0.88, 70: 0.8 });
    expect(hostCpu(frames[29]!)).toMatchObject({
      state: 'firing',
      severity: 'critical',
      threshold: 95,
    });
    expect(hostCpu(frames[60]!)).toMatchObject({ severity: 'critical' }); // 90: above clearCritical 85
    expect(hostCpu(frames[80]!)).toMatchObject({
      state: 'firing',
      severity: 'warning',
      threshold: 85,
    });
  });

  it('is acknowledged by a named person, with a note, seen in every later frame', () => {
    const { state, frames } = steered({ 10: 0.88, 70: 0.6 }, [], {});
    const id = hostCpu(frames[30]!)!.id;
    const ack = cmd({ do: 'ack-alarm', target: id, by: 'ana', note: 'looking into it' });
    const acked = steered({ 10: 0.88, 70: 0.6 }, [], { 40: [ack] });
    const ev = events(acked.frames, 'alarm-acked');
    expect(ev).toEqual([
      expect.objectContaining({ by: 'ana', target: 'h', alarmId: id, note: 'looking into it' }),
    ]);
    for (const f of acked.frames.slice(39, 69))
      expect(hostCpu(f)).toMatchObject({
        id,
        state: 'acknowledged',
        ackedBy: 'ana',
        ackNote: 'looking into it',
        ackedAt: 39,
      });
    // Still counted until it resolves; then it goes to the history, acknowledgement kept.
    expect(acked.frames[50]!.cluster.alarms.warning).toBe(1);
    expect(acked.state.alarms).toHaveLength(0);
    expect(acked.state.alarmHistory).toEqual([
      expect.objectContaining({ id, state: 'resolved', resolvedAt: 70, ackedBy: 'ana' }),
    ]);
    expect(state.alarmHistory[0]).toMatchObject({ id, state: 'resolved', ackedBy: null });
  });

  it('refuses to acknowledge an unknown, pending or resolved alarm, saying why', () => {
    const { frames } = steered({ 10: 0.88, 70: 0.6 }, [], {
      12: [cmd({ do: 'ack-alarm', target: 'a1' })],
      50: [cmd({ do: 'ack-alarm', target: 'a42' })],
      80: [cmd({ do: 'ack-alarm', target: 'a1' })],
    });
    expect(hostCpu(frames[30]!)?.id).toBe('a1');
    expect(events(frames, 'command-refused').map((e) => e.reason)).toEqual([
      'alarm a1 is still pending; it can be acknowledged once it fires',
      'no active alarm with id a42',
      'alarm a1 has already resolved',
    ]);
    expect(events(frames, 'alarm-acked')).toHaveLength(0);
  });

  it('applies a scenario’s threshold overrides', () => {
    const override = [
      { rule: 'host-cpu-usage', warning: 50, critical: 60, forSeconds: 5 },
    ] as const;
    const rules = effectiveRules([...override]);
    expect(rules['host-cpu-usage']).toMatchObject({
      warning: 50,
      critical: 60,
      forSeconds: 5,
      clearWarning: 40,
      clearCritical: 50,
    });
    // 0.52 x 1.03: about 54% of the host; no alarm by default, one after 5 s with the override.
    const plain = steered({ 10: 0.52 }, [], {}, 30);
    expect(plain.frames.some((f) => hostCpu(f) !== undefined)).toBe(false);
    const { frames } = steered({ 10: 0.52 }, [...override], {}, 30);
    expect(hostCpu(frames[13]!)?.state).toBe('pending');
    expect(hostCpu(frames[14]!)).toMatchObject({
      state: 'firing',
      firedAt: 15,
      threshold: 50,
      severity: 'warning',
    });
    // A rule can be switched off.
    const off = steered({ 10: 0.99 }, [{ rule: 'host-cpu-usage', enabled: false }], {}, 40);
    expect(off.frames.some((f) => hostCpu(f) !== undefined)).toBe(false);
  });

  it('raises the CPU-ready alarm for a starved VM', () => {
    const s = scenario({
      hosts: [
        { name: 'h', cpu: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 }, memoryGiB: 64 },
      ],
      vms: [{ name: 'vm', count: 4, vcpus: 2, memoryGiB: 2, workload: { cpu: 0.9 } }],
    });
    const { frames } = run(s, 25);
    const ready = frames[24]!.alarms.filter((a) => a.rule === 'vm-cpu-ready');
    expect(ready.map((a) => a.target).sort()).toEqual(['vm-01', 'vm-02', 'vm-03', 'vm-04']);
    for (const a of ready)
      expect(a).toMatchObject({ state: 'firing', severity: 'critical', threshold: 10 });
  });
});
