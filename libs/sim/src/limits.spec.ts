import {
  encodeFrame,
  decodeFrame,
  FRAME_ALARMS_MAX,
  VALUE_LIMITS as MAX,
} from '@overcommit/contracts';
import { createCluster, step } from './step';
import { cmd, events, run, scenario } from './testing/scenarios';

/** Every number in a value, with its path: the frame's contract is numbers, never null, NaN or infinite. */
function badNumbers(value: unknown, path = 'frame', out: string[] = []): string[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push(`${path} = ${value}`);
  } else if (Array.isArray(value)) value.forEach((v, i) => badNumbers(v, `${path}[${i}]`, out));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) badNumbers(v, `${path}.${k}`, out);
  return out;
}

/** Fields the frame schema allows to be null (a VM without a host, an alarm not yet fired...). */
const NULLABLE = new Set([
  'host',
  'firedAt',
  'ackedBy',
  'ackNote',
  'ackedAt',
  'resolvedAt',
  'migration',
  'value',
]);
function nulls(value: unknown, path = 'frame', out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v, i) => nulls(v, `${path}[${i}]`, out));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) {
      if (v === null && !NULLABLE.has(k)) out.push(`${path}.${k}`);
      else nulls(v, `${path}.${k}`, out);
    }
  return out;
}

describe('figures at the bounds of every value', () => {
  it('stay finite numbers in every frame, on the wire and back', () => {
    // The largest host and VM the schema takes, at the largest ratios, busy, swapping, migrating.
    const s = scenario({
      seed: 9,
      clock: { tickMs: 1000, stepSeconds: 3600 },
      policy: { cpuAllocationRatio: MAX.allocationRatio, ramAllocationRatio: MAX.allocationRatio },
      hosts: [
        {
          name: 'huge',
          count: 2,
          cpu: { sockets: MAX.sockets, coresPerSocket: 8, threadsPerCore: 2, ghz: MAX.ghz },
          memoryGiB: MAX.hostMemoryGiB,
          swapGiB: MAX.hostMemoryGiB,
          numaNodes: MAX.numaNodes,
          networkGbps: MAX.networkGbps,
          power: { idleWatts: MAX.watts, maxWatts: MAX.watts },
        },
        { name: 'tiny', cpu: { sockets: 1, coresPerSocket: 1 }, memoryGiB: 0.001, swapGiB: 0 },
      ],
      vms: [
        {
          name: 'giant',
          count: 3,
          vcpus: MAX.vcpus,
          memoryGiB: MAX.vmMemoryGiB,
          workload: {
            profile: 'diurnal',
            cpu: 1,
            amplitude: 1,
            periodSeconds: MAX.seconds,
            memoryActive: 1,
            memoryBound: 1,
            dirtyMiBps: MAX.dirtyMiBps,
          },
        },
        {
          name: 'speck',
          count: 2,
          vcpus: 1,
          memoryGiB: 0.0001,
          workload: { profile: 'bursty', periodSeconds: 0.001 },
        },
      ],
      events: [{ at: MAX.seconds, do: 'fail-host', target: 'tiny' }],
      alarms: [{ rule: 'vm-cpu-ready', warning: -MAX.threshold, critical: MAX.threshold }],
    });
    const { frames } = run(s, 30, {
      3: [cmd({ do: 'migrate-vm', target: 'giant-01', to: 'huge-02', autoConverge: true })],
      5: [cmd({ do: 'fail-host', target: 'huge-01' })],
      8: [cmd({ do: 'recover-host', target: 'huge-01' })],
    });
    for (const frame of frames) {
      expect({ tick: frame.tick, bad: badNumbers(frame), nulls: nulls(frame) }).toEqual({
        tick: frame.tick,
        bad: [],
        nulls: [],
      });
      const { vms: _vms, ...hostLevel } = frame;
      expect(badNumbers(decodeFrame(encodeFrame(hostLevel)))).toEqual([]);
    }
  });
});

describe('what a cluster may grow to', () => {
  it('lists at most FRAME_ALARMS_MAX alarms, the most severe first, and counts them all', () => {
    // 600 starved VMs on one small host: a vm-cpu-ready alarm each, and the host's own.
    const s = scenario({
      policy: { cpuAllocationRatio: 100 },
      hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 4096 }],
      vms: [{ name: 'vm', count: 600, vcpus: 1, memoryGiB: 1, workload: { cpu: 1 } }],
      alarms: [{ rule: 'vm-cpu-ready', forSeconds: 0 }],
    });
    const { frames } = run(s, 30);
    const frame = frames.at(-1)!;
    const firing = frame.cluster.alarms.warning + frame.cluster.alarms.critical;
    expect(firing).toBeGreaterThan(FRAME_ALARMS_MAX);
    expect(frame.alarms).toHaveLength(FRAME_ALARMS_MAX);
    const severities = frame.alarms.map((a) => a.severity);
    // Critical ones come first: no warning before a critical.
    expect(
      severities.indexOf('warning') === -1 ||
        severities.lastIndexOf('critical') < severities.indexOf('warning'),
    ).toBe(true);
    expect(frame.alarms.filter((a) => a.severity === 'critical').length).toBe(
      Math.min(FRAME_ALARMS_MAX, frame.cluster.alarms.critical),
    );
  });

  it('refuses create-vm past the cluster’s VM limit, saying so', () => {
    const state = createCluster(
      scenario({
        hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
        vms: [{ name: 'vm', count: 3, vcpus: 1, memoryGiB: 1 }],
      }),
      { maxVms: 4 },
    );
    const frames = [
      step(state, [cmd({ do: 'create-vm', vm: { name: 'fourth', vcpus: 1, memoryGiB: 1 } })]).frame,
      step(state, [cmd({ do: 'create-vm', vm: { name: 'fifth', vcpus: 1, memoryGiB: 1 } })]).frame,
    ];
    expect(state.vms.map((v) => v.name)).toEqual(['vm-01', 'vm-02', 'vm-03', 'fourth']);
    expect(events(frames, 'command-refused')).toEqual([
      expect.objectContaining({
        target: 'fifth',
        reason: 'the cluster has 4 VMs, the most it may have (4): delete one first',
      }),
    ]);
  });
});
