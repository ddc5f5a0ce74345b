import {
  decodeFrame,
  decodeFrameColumns,
  decodeVmColumns,
  decodeVms,
  encodeFrame,
  encodeVms,
  frameRows,
  frameSchema,
  quantizeCluster,
  quantizeFrame,
  scenarioSchema,
  vmFrameSchema,
} from '@overcommit/contracts';
import { reasonFields, refusal } from './refusals';
import { createCluster, step, type TickOutput } from './step';

// The engine's frames on the wire (libs/contracts' codec): what the stream
// stores and clients receive must read back as a valid frame, at the
// precision a chart shows, in a small fraction of the plain JSON's bytes.

/** 200 hosts of three models, mixed VM sizes and workloads, overcommitted so alarms fire. */
function busyCluster(): TickOutput {
  const profiles = ['constant', 'diurnal', 'bursty', 'step'] as const;
  const scenario = scenarioSchema.parse({
    version: 1,
    name: 'wire',
    seed: 7,
    policy: { cpuAllocationRatio: 6, ramAllocationRatio: 1.6 },
    hosts: [
      {
        name: 'r640',
        count: 80,
        cpu: { sockets: 2, coresPerSocket: 16, threadsPerCore: 2 },
        memoryGiB: 384,
      },
      {
        name: 'r740',
        count: 80,
        cpu: { sockets: 2, coresPerSocket: 24, threadsPerCore: 2 },
        memoryGiB: 768,
      },
      {
        name: 'edge',
        count: 40,
        cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 },
        memoryGiB: 64,
      },
    ],
    vms: Array.from({ length: 40 }, (_, i) => ({
      name: `app${i}`,
      count: 60,
      vcpus: [2, 4, 8, 16][i % 4],
      memoryGiB: [8, 16, 24, 48][(i + 1) % 4],
      workload: {
        profile: profiles[i % 4],
        cpu: 0.3 + (i % 7) / 10,
        amplitude: 0.2,
        periodSeconds: 300 + i * 10,
        memoryActive: 0.5 + (i % 5) / 10,
      },
    })),
  });
  const state = createCluster(scenario);
  let tick = step(state, []);
  for (let i = 0; i < 120; i++) tick = step(state, [], { vmMetrics: i === 119 });
  return tick;
}

const { frame, vms: table } = busyCluster();
const vms = table!;

/** Where `got` differs from `want` by more than half a quantum (numbers) or at all (the rest). */
function differences(got: unknown, want: unknown, path: string, out: string[] = []): string[] {
  if (out.length > 5) return out;
  if (typeof want === 'number') {
    // The coarsest quantum is 1 (whole MiB, watts): half of it, plus float noise.
    if (typeof got !== 'number' || Math.abs(got - want) > 0.5 + 1e-9)
      out.push(`${path}: ${String(got)} vs ${want}`);
  } else if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) out.push(`${path}: length`);
    else want.forEach((w, i) => differences(got[i], w, `${path}[${i}]`, out));
  } else if (want !== null && typeof want === 'object') {
    for (const [k, w] of Object.entries(want))
      if (w !== undefined)
        differences((got as Record<string, unknown>)?.[k], w, `${path}.${k}`, out);
  } else if (got !== want) {
    out.push(`${path}: ${String(got)} vs ${String(want)}`);
  }
  return out;
}

describe('frames on the wire', () => {
  it('read back as valid frames, every figure within half of its quantum', () => {
    expect(frame.hosts).toHaveLength(200);
    expect(frame.alarms.length).toBeGreaterThan(0);
    const decoded = decodeFrame(encodeFrame(frame));
    expect(frameSchema.safeParse(decoded).success).toBe(true);
    expect(differences(decoded, frame, 'frame')).toEqual([]);
    // Percentages keep one decimal, exactly as a person reads them.
    expect(decoded.hosts[0]!.cpuUsagePct).toBe(Math.round(frame.hosts[0]!.cpuUsagePct * 10) / 10);
    expect(decoded.hosts.map((h) => h.name)).toEqual(frame.hosts.map((h) => h.name));
  });

  it('take at most 15% of the bytes of the same frame as full-precision JSON (200 hosts)', () => {
    const plain = JSON.stringify(frame).length;
    const wire = encodeFrame(frame).length;
    expect(wire / plain).toBeLessThanOrEqual(0.15);
    console.log(
      `200 hosts: ${plain} bytes as JSON, ${wire} on the wire (${((100 * wire) / plain).toFixed(1)}%)`,
    );
  });

  it('carry per-VM metrics the same way', () => {
    expect(vms.length).toBeGreaterThan(1000);
    const text = encodeVms(vms);
    const decoded = decodeVms(text);
    expect(vmFrameSchema.array().safeParse(decoded).success).toBe(true);
    expect(differences(decoded, vms, 'vms')).toEqual([]);
    expect(text.length / JSON.stringify(vms).length).toBeLessThanOrEqual(0.25);
  });

  it('give the same VMs as columns, and as rows built one at a time', () => {
    const text = encodeVms(vms);
    const rows = decodeVms(text);
    const columns = decodeVmColumns(text);
    expect(columns.length).toBe(rows.length);
    expect(columns.column('name')).toEqual(rows.map((v) => v.name));
    expect(columns.column('cpuReadyPct')).toEqual(rows.map((v) => v.cpuReadyPct));
    expect(columns.column('state')).toEqual(rows.map((v) => v.state));
    for (const i of [0, 1, Math.floor(rows.length / 2), rows.length - 1])
      expect(columns.row(i)).toEqual(rows[i]);
  });

  it('are where decimals are decided: the engine hands exact figures, the wire one quantum each', () => {
    const tenths = (x: number) => Math.round(x * 10) / 10;
    // The engine does not round: some host's CPU has more than one decimal before the wire.
    expect(frame.hosts.some((h) => h.cpuUsagePct !== tenths(h.cpuUsagePct))).toBe(true);
    const decoded = decodeFrame(encodeFrame(frame));
    for (const h of decoded.hosts) expect(h.cpuReadyPct).toBe(tenths(h.cpuReadyPct));
    expect(decoded.cluster).toEqual(quantizeCluster(frame.cluster));
    expect(decoded.cluster.memOvercommitRatio).toBe(
      Math.round(frame.cluster.memOvercommitRatio * 100) / 100,
    );
    // quantizeFrame is the wire's round trip, and a quantized frame stays as it is.
    expect(quantizeFrame(frame)).toEqual(decoded);
    expect(quantizeFrame(decoded)).toEqual(decoded);
  });

  it('quantize a migration in the VM table like every other figure', () => {
    const migrating = {
      ...vms[0]!,
      migration: {
        from: 'r640-01',
        to: 'r640-02',
        round: 2,
        progressPct: 41.23456,
        transferredMiB: 6755.5557,
        remainingMiB: 9628.4443,
        throttlePct: 19.999999,
      },
    };
    expect(decodeVms(encodeVms([migrating]))[0]!.migration).toEqual({
      from: 'r640-01',
      to: 'r640-02',
      round: 2,
      progressPct: 41.2,
      transferredMiB: 6756,
      remainingMiB: 9628,
      throttlePct: 20,
    });
  });

  it("quantize an exercise's score by its spec, and leave its whole numbers as they are", () => {
    const exercise = {
      elapsedSeconds: 12.3456,
      durationSeconds: 900,
      finished: false,
      points: 33.3333,
      maxPoints: 100,
      objectives: [
        {
          id: 'ready',
          text: 'p95 ready below 5%',
          weight: 50,
          heldPct: 66.666,
          points: 33.3333,
          holding: true,
          value: 4.12345,
          violations: 2,
        },
      ],
      response: {
        critical: 3,
        acknowledged: 2,
        resolved: 1,
        ackMeanSeconds: 41.26,
        ackWorstSeconds: null,
        resolveMeanSeconds: 120.04,
        resolveWorstSeconds: 120.04,
        ackTargetSeconds: 60,
        resolveTargetSeconds: 300,
        ackMet: true,
        resolveMet: true,
      },
    };
    const decoded = decodeFrame(encodeFrame({ ...frame, exercise })).exercise!;
    expect(decoded).toEqual({
      ...exercise,
      elapsedSeconds: 12.3,
      points: 33.3,
      objectives: [{ ...exercise.objectives[0]!, heldPct: 66.7, points: 33.3, value: 4.123 }],
      response: {
        ...exercise.response,
        ackMeanSeconds: 41.3,
        resolveMeanSeconds: 120,
        resolveWorstSeconds: 120,
      },
    });
  });

  it('give the frame as columns (what the charts read), the same figures as its rows', () => {
    const text = encodeFrame(frame);
    const rows = decodeFrame(text);
    const columns = decodeFrameColumns(text);
    expect(columns.hosts.length).toBe(200);
    expect(columns.hosts.column('name')).toEqual(rows.hosts.map((h) => h.name));
    expect(columns.hosts.column('cpuReadyPct')).toEqual(rows.hosts.map((h) => h.cpuReadyPct));
    expect(columns.numaCount).toEqual(rows.hosts.map((h) => h.numa.length));
    expect(columns.numa.column('remoteAccessPct')).toEqual(
      rows.hosts.flatMap((h) => h.numa.map((n) => n.remoteAccessPct)),
    );
    expect(columns.alarms.column('id')).toEqual(rows.alarms.map((a) => a.id));
    expect(frameRows(columns)).toEqual(rows);
    expect(() => decodeFrameColumns(text.replace('"count":[', '"count":[9,'))).toThrow(
      /numa counts/,
    );
  });

  it("carry an event's reason code, params and causes as they are (columns too)", () => {
    const event = {
      type: 'command-refused' as const,
      time: frame.time,
      target: 'db',
      by: 'ana',
      commandId: 'c1',
      do: 'migrate-vm',
      ...reasonFields(
        refusal('destination-refused', {}, [
          refusal('admission-memory', {
            host: 'esx-02',
            memoryGiB: '70',
            capacityGiB: '64',
            ratio: '1.5',
          }),
        ]),
      ),
    };
    const withEvent = { ...frame, events: [...frame.events, event] };
    const text = encodeFrame(withEvent);
    const decoded = decodeFrame(text);
    expect(frameSchema.safeParse(decoded).success).toBe(true);
    expect(decoded.events.at(-1)).toEqual(event);
    expect(decodeFrameColumns(text).events.at(-1)).toEqual(event);
    expect(event.reasonCauses).toEqual([
      {
        code: 'admission-memory',
        params: { host: 'esx-02', memoryGiB: '70', capacityGiB: '64', ratio: '1.5' },
      },
    ]);
  });

  it('refuse a frame of another wire version with a message that says what to do', () => {
    const other = encodeFrame(frame).replace(/^\{"v":1,/, '{"v":99,');
    expect(() => decodeFrame(other)).toThrow(/wire version 99, expected 1.*reload/);
  });
});
