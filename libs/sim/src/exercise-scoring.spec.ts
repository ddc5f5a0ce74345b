import {
  decodeFrame,
  encodeFrame,
  type ScenarioInput,
  scenarioSchema,
} from '@overcommit/contracts';
import { cmd, run, scenario } from './testing/scenarios';

// Scoring through the engine: objectives held over simulated time, forbidden
// commands, and the response to critical alarms.

/** Two 4-core hosts with four 2-vCPU VMs each at 30%; at t=60 the web VMs jump to 95%. */
function contended(exercise: ScenarioInput['exercise']) {
  return scenario({
    policy: { cpuAllocationRatio: 4 },
    hosts: [{ name: 'esx', count: 2, cpu: { sockets: 1, coresPerSocket: 4 }, memoryGiB: 64 }],
    vms: [
      { name: 'web', count: 4, vcpus: 2, memoryGiB: 4, workload: { cpu: 0.3, amplitude: 0 } },
      { name: 'db', count: 4, vcpus: 2, memoryGiB: 4, workload: { cpu: 0.3, amplitude: 0 } },
    ],
    events: [0, 1, 2, 3].map((i) => ({
      at: 60,
      do: 'set-workload' as const,
      target: `web-0${i + 1}`,
      workload: { cpu: 0.95 },
    })),
    exercise,
  });
}

const readyObjective = {
  id: 'ready',
  text: 'Keep every VM under 5% ready',
  metric: 'vm.cpuReadyPct',
  aggregate: 'max' as const,
  below: 5,
  weight: 40,
};

describe('exercise scoring', () => {
  it('scores a metric objective by the share of simulated time it held, and stops at the duration', () => {
    const { frames } = run(contended({ durationSeconds: 120, objectives: [readyObjective] }), 150);
    const at = (t: number) => frames[t - 1]!.exercise!;
    // Before the spike every VM is well under 5% ready.
    expect(at(59).objectives[0]).toMatchObject({ holding: true, heldPct: 100, points: 40 });
    expect(at(59).objectives[0]!.value).toBeLessThan(5);
    // After it, the web VMs wait for CPU.
    expect(at(90).objectives[0]!.holding).toBe(false);
    expect(at(90).objectives[0]!.value).toBeGreaterThan(5);
    const end = at(120);
    expect(end.finished).toBe(true);
    expect(end.elapsedSeconds).toBe(120);
    // Held for the minute before the spike (and perhaps a tick or two after), not much more.
    expect(end.objectives[0]!.heldPct).toBeGreaterThanOrEqual(49);
    expect(end.objectives[0]!.heldPct).toBeLessThan(55);
    expect(end.points).toBeCloseTo((end.objectives[0]!.heldPct / 100) * 40, 0);
    expect(end.maxPoints).toBe(40);
    // The score travels with the frame at the wire's precision: tenths of a point and a percent.
    const travelled = decodeFrame(encodeFrame(frames[89]!)).exercise!;
    const tenths = (x: number) => Math.round(x * 10) / 10;
    expect(travelled.objectives[0]!.heldPct).toBe(tenths(at(90).objectives[0]!.heldPct));
    expect(travelled.points).toBe(tenths(at(90).points));
    expect(travelled.objectives[0]!.value).toBeCloseTo(at(90).objectives[0]!.value!, 3);
    expect({ ...travelled, objectives: [], points: 0 }).toEqual({
      ...at(90),
      objectives: [],
      points: 0,
    });
    // The score is final once the time is up.
    expect(at(150)).toEqual(end);
  });

  it('reads cluster and host metrics with their aggregate, above or below a threshold', () => {
    const s = contended({
      durationSeconds: 100,
      objectives: [
        { id: 'hosts', text: 'Both hosts up', metric: 'cluster.hostsUp', above: 1, weight: 10 },
        {
          id: 'busy',
          text: 'Mean host CPU under 90%',
          metric: 'host.cpuUsagePct',
          aggregate: 'mean',
          below: 90,
          weight: 10,
        },
        {
          id: 'power',
          text: 'Under 5 kW',
          metric: 'host.powerWatts',
          aggregate: 'sum',
          below: 5000,
          weight: 10,
        },
      ],
    });
    const { frames } = run(s, 100, { 51: [cmd({ do: 'fail-host', target: 'esx-02' })] });
    const end = frames[99]!.exercise!;
    // esx-02 failed at the start of tick 51: up for 50 of 100 seconds.
    expect(end.objectives[0]).toMatchObject({ holding: false, heldPct: 50, points: 5, value: 1 });
    // With one host left, every VM it can hold competes for its 4 cores.
    const mean = frames[40]!.hosts.reduce((a, h) => a + h.cpuUsagePct, 0) / 2;
    expect(frames[40]!.exercise!.objectives[1]!.value).toBeCloseTo(mean, 2);
    const watts = frames[99]!.hosts
      .filter((h) => h.state === 'up')
      .reduce((a, h) => a + h.powerWatts, 0);
    expect(end.objectives[2]).toMatchObject({ holding: true, heldPct: 100 });
    expect(end.objectives[2]!.value).toBeCloseTo(watts, 2);
  });

  it('counts a forbidden command against its objective from the moment it is accepted', () => {
    const s = contended({
      durationSeconds: 100,
      objectives: [
        {
          id: 'keep-running',
          text: 'Never power off a VM',
          forbid: ['power-off-vm', 'delete-vm'],
          weight: 30,
        },
      ],
    });
    const { frames } = run(s, 100, {
      26: [cmd({ do: 'power-off-vm', target: 'db-01' })],
      40: [cmd({ do: 'power-off-vm', target: 'db-01' })], // refused (already off): not counted
      50: [cmd({ do: 'delete-vm', target: 'db-02' })],
    });
    const end = frames[99]!.exercise!;
    expect(frames[24]!.exercise!.objectives[0]).toMatchObject({ holding: true, violations: 0 });
    expect(end.objectives[0]).toMatchObject({
      holding: false,
      violations: 2,
      heldPct: 25,
      points: 7.5,
    });
  });

  it('times the response to a critical alarm: acknowledged after 30 s, resolved after 90 s, against the targets', () => {
    // A quiet cluster: the host failure is the only critical alarm (HA restarts its VMs elsewhere).
    const s = scenario({
      hosts: [{ name: 'esx', count: 2, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
      vms: [{ name: 'vm', count: 4, vcpus: 1, memoryGiB: 4, workload: { cpu: 0.1, amplitude: 0 } }],
      exercise: {
        durationSeconds: 200,
        objectives: [readyObjective],
        responseTargets: { ackSeconds: 60, resolveSeconds: 60 },
      },
    });
    const fail = { 11: [cmd({ do: 'fail-host', target: 'esx-02' })] };
    const alarm = run(s, 11, fail).frames[10]!.alarms.find((a) => a.rule === 'host-down')!;
    expect(alarm).toMatchObject({ severity: 'critical', firedAt: 11 });
    const { frames } = run(s, 200, {
      ...fail,
      // Commands sent before tick 42 apply at its start, t = 41.
      42: [cmd({ do: 'ack-alarm', target: alarm.id, note: 'looking at it', by: 'ana' })],
      101: [cmd({ do: 'recover-host', target: 'esx-02' })], // resolved at the end of tick 101
    });
    // While it is open, the worst counts the time it has been open.
    expect(frames[79]!.exercise!.response).toMatchObject({
      critical: 1,
      acknowledged: 1,
      resolved: 0,
      resolveWorstSeconds: 69,
    });
    expect(frames[199]!.exercise!.response).toEqual({
      critical: 1,
      acknowledged: 1,
      resolved: 1,
      ackMeanSeconds: 30,
      ackWorstSeconds: 30,
      resolveMeanSeconds: 90,
      resolveWorstSeconds: 90,
      ackTargetSeconds: 60,
      resolveTargetSeconds: 60,
      ackMet: true,
      resolveMet: false,
    });
  });

  it('does not count what the instructor injects against a forbid objective', () => {
    const s = contended({
      durationSeconds: 40,
      objectives: [
        {
          id: 'hands-off',
          text: 'No host repairs',
          forbid: ['recover-host', 'fail-host'],
          weight: 10,
        },
      ],
    });
    const { frames } = run(s, 40, {
      5: [cmd({ do: 'fail-host', target: 'esx-02', by: '@instructor' })],
      10: [cmd({ do: 'recover-host', target: 'esx-02', by: '@instructor' })],
    });
    expect(frames[39]!.exercise!.objectives[0]).toMatchObject({ violations: 0, heldPct: 100 });
    const team = run(s, 40, { 10: [cmd({ do: 'fail-host', target: 'esx-02', by: 'ana' })] });
    expect(team.frames[39]!.exercise!.objectives[0]).toMatchObject({
      violations: 1,
      heldPct: 22.5,
    });
  });

  it('keeps an acknowledgement sent in the tick that also resolves the alarm', () => {
    const s = scenario({
      hosts: [{ name: 'esx', count: 2, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
      vms: [{ name: 'vm', count: 2, vcpus: 1, memoryGiB: 4, workload: { cpu: 0.1, amplitude: 0 } }],
      exercise: { durationSeconds: 60, objectives: [readyObjective] },
    });
    const fail = { 11: [cmd({ do: 'fail-host', target: 'esx-02' })] };
    const alarm = run(s, 11, fail).frames[10]!.alarms.find((a) => a.rule === 'host-down')!;
    const { frames } = run(s, 60, {
      ...fail,
      31: [
        cmd({ do: 'ack-alarm', target: alarm.id, note: 'fixing', by: 'ana' }),
        cmd({ do: 'recover-host', target: 'esx-02', by: 'ana' }),
      ],
    });
    expect(frames[59]!.exercise!.response).toMatchObject({
      critical: 1,
      acknowledged: 1,
      resolved: 1,
      ackWorstSeconds: 19,
      resolveWorstSeconds: 20,
    });
  });

  it('refuses an exercise longer than the history its report reads', () => {
    const result = scenarioSchema.safeParse({
      version: 1,
      name: 'long',
      hosts: [{ name: 'h', cpu: { sockets: 1, coresPerSocket: 2 }, memoryGiB: 8 }],
      exercise: { durationSeconds: 7200, objectives: [readyObjective] },
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'exercise.durationSeconds: an exercise lasts at most 3600 ticks (the history its report reads): 7200 s at clock.stepSeconds 1 is 7200; shorten it or raise stepSeconds',
    ]);
  });

  it('adds nothing to a scenario without an exercise', () => {
    const { frames } = run(contended(undefined), 3);
    expect(frames.every((f) => f.exercise === undefined)).toBe(true);
  });
});

describe('the exercise section of a scenario file', () => {
  const base = {
    version: 1,
    name: 'x',
    hosts: [{ name: 'h', cpu: { sockets: 1, coresPerSocket: 2 }, memoryGiB: 8 }],
  };
  const errors = (exercise: unknown) => {
    const result = scenarioSchema.safeParse({ ...base, exercise });
    return result.success
      ? []
      : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('takes the issue’s example, with the response targets defaulted when absent', () => {
    const parsed = scenarioSchema.parse({
      ...base,
      exercise: {
        durationSeconds: 900,
        briefing: 'Black Friday',
        objectives: [
          readyObjective,
          {
            id: 'no-swap',
            text: 'No host swaps',
            metric: 'host.swapInMiBps',
            aggregate: 'max',
            below: 0.01,
            weight: 30,
          },
          {
            id: 'keep-running',
            text: 'Never power off',
            forbid: ['power-off-vm', 'delete-vm'],
            weight: 30,
          },
        ],
      },
    });
    expect(parsed.exercise?.responseTargets).toEqual({ ackSeconds: 60, resolveSeconds: 300 });
  });

  it('names every mistake at its path', () => {
    expect(
      errors({
        durationSeconds: 0,
        objectives: [
          { id: 'a', text: 't', metric: 'vm.cpuRedyPct', below: 5, weight: 1 },
          { id: 'a', text: 't', metric: 'vm.cpuReadyPct', below: 5, above: 1, weight: 1 },
          { id: 'c', text: 't', forbid: ['power-off-vm'], below: 3, weight: 1 },
          { id: 'd', text: 't', weight: 1 },
          { id: 'e', text: 't', forbid: ['reboot'], weight: 1 },
        ],
      }),
    ).toEqual([
      'exercise.durationSeconds: durationSeconds must be greater than 0',
      expect.stringMatching(
        /^exercise\.objectives\.0\.metric: unknown metric "vm\.cpuRedyPct": one of vm\.cpuDemandPct, /,
      ),
      'exercise.objectives.1.below: a metric objective needs exactly one of below or above',
      'exercise.objectives.2.below: below is for metric objectives',
      'exercise.objectives.3.metric: an objective watches a metric (metric, below or above) or forbids commands (forbid)',
      expect.stringMatching(/^exercise\.objectives\.4\.forbid\.0: /),
    ]);
    expect(
      errors({
        durationSeconds: 10,
        objectives: [
          { id: 'a', text: 't', metric: 'vm.cpuReadyPct', below: 5, weight: 1 },
          { id: 'a', text: 't', metric: 'vm.cpuReadyPct', below: 5, weight: 1 },
        ],
      }),
    ).toEqual(['exercise.objectives.1.id: objective id a is used twice']);
  });
});
