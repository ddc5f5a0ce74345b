import type { Command, ScenarioInput } from '@overcommit/contracts';
import type { SimState } from './state';
import { createCluster } from './step';
import { cmd, run, scenario, vmIn, observe, type Observed } from './testing/scenarios';

/** A busy little cluster: every workload profile, contention, a migration, a failure and HA. */
function busy(seed: number) {
  return scenario({
    seed,
    hosts: [
      {
        name: 'esx',
        count: 3,
        cpu: { sockets: 2, coresPerSocket: 4, threadsPerCore: 2 },
        memoryGiB: 48,
      },
    ],
    vms: [
      {
        name: 'web',
        count: 4,
        vcpus: 4,
        memoryGiB: 8,
        workload: { profile: 'diurnal', cpu: 0.6, periodSeconds: 120 },
      },
      {
        name: 'batch',
        count: 3,
        vcpus: 8,
        memoryGiB: 12,
        workload: {
          profile: 'bursty',
          cpu: 0.5,
          amplitude: 0.4,
          periodSeconds: 60,
          memoryActive: 0.9,
        },
      },
      {
        name: 'db',
        vcpus: 2,
        memoryGiB: 16,
        workload: { profile: 'step', cpu: 0.3, stepAtSeconds: 50, stepTo: 0.95 },
      },
    ],
    events: [
      { at: 30, do: 'migrate-vm', target: 'web-01' },
      { at: 80, do: 'fail-host', target: 'esx-02' },
      { at: 95, do: 'migrate-vm', target: 'batch-02', autoConverge: true },
    ],
  });
}

const commands: Record<number, Command[]> = {
  20: [cmd({ do: 'set-workload', target: 'db', workload: { cpu: 0.9 } })],
  90: [cmd({ do: 'power-off-vm', target: 'web-04' })],
  150: [cmd({ do: 'recover-host', target: 'esx-02' })],
};

const json = (frames: Observed[]) => JSON.stringify(frames);

describe('determinism', () => {
  it('gives byte-identical frames for the same scenario, seed and commands', () => {
    const a = run(busy(7), 200, commands);
    const b = run(busy(7), 200, commands);
    expect(json(a.frames)).toBe(json(b.frames));
    // The run is not trivially idle: it has migrations, a failure, HA and alarms in it.
    const types = new Set<string>(a.frames.flatMap((f) => f.events.map((e) => e.type)));
    for (const t of ['migration-completed', 'host-failed', 'ha-restarted', 'alarm-fired'])
      expect(types).toContain(t);
  });

  it('continues identically after a JSON round trip of the state mid-run', () => {
    const s = busy(7);
    const live = createCluster(s);
    for (let t = 1; t <= 100; t++) observe(live, commands[t] ?? []);
    // Mid-run: a migration in flight, VMs waiting for HA, alarms open.
    expect(live.vms.some((vm) => vm.migration !== null)).toBe(true);
    expect(live.vms.some((vm) => vm.haPending)).toBe(true);
    expect(live.alarms.length).toBeGreaterThan(0);
    const copy = JSON.parse(JSON.stringify(live)) as SimState;
    expect(copy).toEqual(live);
    const fromLive: Observed[] = [];
    const fromCopy: Observed[] = [];
    for (let t = 101; t <= 200; t++) {
      fromLive.push(observe(live, commands[t] ?? []));
      fromCopy.push(observe(copy, commands[t] ?? []));
    }
    expect(json(fromCopy)).toBe(json(fromLive));
    expect(JSON.stringify(copy)).toBe(JSON.stringify(live));
  });

  it('gives different frames for a different seed', () => {
    const a = run(busy(7), 200, commands);
    const b = run(busy(8), 200, commands);
    expect(json(a.frames)).not.toBe(json(b.frames));
    const demand = (frames: Observed[]) => frames.map((f) => vmIn(f, 'web-02').cpuDemandPct);
    expect(demand(a.frames)).not.toEqual(demand(b.frames));
  });

  describe("a VM's demand does not depend on the other VMs", () => {
    const host = {
      name: 'big',
      cpu: { sockets: 2, coresPerSocket: 16 },
      memoryGiB: 256,
    } as const;
    const watched = {
      name: 'watched',
      vcpus: 2,
      memoryGiB: 4,
      workload: { profile: 'bursty', cpu: 0.4, amplitude: 0.3, periodSeconds: 60 },
    } as const;
    const other = (name: string) => ({ name, vcpus: 2, memoryGiB: 4, workload: { cpu: 0.7 } });
    const stream = (vms: ScenarioInput['vms']) => {
      const { frames } = run(scenario({ seed: 3, hosts: [host], vms }), 200);
      return frames.map((f) => {
        const vm = vmIn(f, 'watched');
        return [vm.cpuDemandPct, vm.cpuUsagePct, vm.performancePct, vm.memActiveMiB];
      });
    };

    it('is unchanged by an extra VM before it in the file, or by reordering', () => {
      const alone = stream([watched]);
      expect(new Set(alone.map(([d]) => d)).size).toBeGreaterThan(10);
      expect(stream([other('extra'), watched])).toEqual(alone);
      expect(stream([other('x1'), other('x2'), watched, other('x3')])).toEqual(alone);
      expect(stream([other('x3'), watched, other('x2'), other('x1')])).toEqual(alone);
    });
  });
});
