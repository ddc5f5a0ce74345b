import {
  clusterCommandRequestSchema,
  joinRequestSchema,
  liveActionSchema,
} from '../live/live.schema';
import { parseCommand, parseScenario } from './parse-scenario';
import {
  checkClusterLimits,
  ENGINE_CLUSTER_LIMITS,
  estimateSizes,
  LIVE_CLUSTER_LIMITS,
  SIZE_BOUNDS,
  scenarioTotals,
} from './scenario-limits';

// Outside testers' cases (issue 14): a scenario's size and its numbers are
// bounded before any work is done, and every refusal says which limit, which
// value and where.
const base = (over: Record<string, unknown> = {}) => ({
  version: 1,
  name: 'limits',
  hosts: [{ name: 'esx', cpu: { sockets: 2, coresPerSocket: 8 }, memoryGiB: 256 }],
  vms: [{ name: 'vm', count: 4, vcpus: 2, memoryGiB: 4 }],
  ...over,
});
const errorsOf = (input: unknown) => {
  const result = parseScenario(input);
  return result.ok ? [] : result.errors;
};

describe('scenario limits', () => {
  it('refuses count: 1e9 hosts at once, naming the limit, without expanding a name', () => {
    const started = process.hrtime.bigint();
    const errors = errorsOf(
      base({
        hosts: [{ name: 'esx', count: 1e9, cpu: { sockets: 1, coresPerSocket: 1 }, memoryGiB: 1 }],
      }),
    );
    // (Not a timing goal: expanding 1e9 names would take minutes and gigabytes, not milliseconds.)
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1_000);
    expect(errors).toEqual([
      { path: 'hosts[0].count', message: 'count is at most 1,000,000 (got 1000000000)' },
    ]);
  });

  it('refuses more hosts, VMs, logical CPUs or events than a cluster may have, at the entry that passes the limit', () => {
    expect(
      errorsOf(
        base({
          hosts: [
            { name: 'a', count: 400, cpu: { sockets: 1, coresPerSocket: 4 }, memoryGiB: 64 },
            { name: 'b', count: 200, cpu: { sockets: 1, coresPerSocket: 4 }, memoryGiB: 64 },
          ],
        }),
      ),
    ).toEqual([
      {
        path: 'hosts[1].count',
        message: '600 hosts in all; a cluster may have at most 500 hosts',
      },
    ]);
    expect(
      errorsOf(base({ vms: [{ name: 'vm', count: 100_000, vcpus: 1, memoryGiB: 1 }] })),
    ).toEqual([
      {
        path: 'vms[0].count',
        message:
          '100,000 VMs in all (with those events create); a cluster may have at most 10,000 VMs',
      },
    ]);
    const cpus = errorsOf(
      base({
        hosts: [
          {
            name: 'big',
            count: 100,
            cpu: { sockets: 8, coresPerSocket: 64, threadsPerCore: 2 },
            memoryGiB: 4096,
          },
        ],
      }),
    );
    expect(cpus).toEqual([
      {
        path: 'hosts',
        message: expect.stringContaining(
          '102,400 logical CPUs in all (sockets x cores x threads x count); a cluster may have at most 65,536 logical CPUs',
        ) as string,
      },
    ]);
  });

  it('names the setting a limit comes from when the caller says', () => {
    const result = parseScenario(
      base({ vms: [{ name: 'vm', count: 11, vcpus: 1, memoryGiB: 1 }] }),
      {
        limits: { ...LIVE_CLUSTER_LIMITS, vms: 10 },
        limitNames: { vms: 'SCENARIO_MAX_VMS' },
      },
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          path: 'vms[0].count',
          message:
            '11 VMs in all (with those events create); a cluster may have at most 10 VMs (SCENARIO_MAX_VMS)',
        },
      ],
    });
  });

  it('counts the VMs events create against the limit', () => {
    const events = Array.from({ length: 3 }, (_, i) => ({
      at: i,
      do: 'create-vm',
      vm: { name: `new-${i}`, vcpus: 1, memoryGiB: 1 },
    }));
    expect(
      checkClusterLimits(
        {
          hosts: [{ count: 1, cpu: { sockets: 1, coresPerSocket: 1, threadsPerCore: 1 } }],
          vms: [{ count: 8 }],
          events,
        },
        { ...LIVE_CLUSTER_LIMITS, vms: 10 },
      ),
    ).toEqual([{ path: 'vms', message: expect.stringContaining('11 VMs in all') as string }]);
  });

  it('bounds every number: sockets, memory, vCPUs, ratios, times, thresholds', () => {
    const host = (patch: Record<string, unknown>) =>
      errorsOf(
        base({
          hosts: [
            { name: 'esx', cpu: { sockets: 2, coresPerSocket: 8 }, memoryGiB: 256, ...patch },
          ],
        }),
      );
    expect(host({ cpu: { sockets: 1_000_000, coresPerSocket: 1 } })).toEqual([
      { path: 'hosts[0].cpu.sockets', message: 'sockets is at most 16 (got 1000000)' },
    ]);
    expect(host({ memoryGiB: 1e308 })).toEqual([
      { path: 'hosts[0].memoryGiB', message: 'memoryGiB is at most 65,536 (got 1e+308)' },
    ]);
    expect(host({ numaNodes: 1000 })[0]?.message).toBe('numaNodes is at most 64 (got 1000)');
    expect(errorsOf(base({ vms: [{ name: 'vm', vcpus: 2, memoryGiB: 1e308 }] }))[0]).toEqual({
      path: 'vms[0].memoryGiB',
      message: 'memoryGiB is at most 24,576 (got 1e+308)',
    });
    expect(errorsOf(base({ policy: { cpuAllocationRatio: 1e9 } }))[0]?.message).toBe(
      'cpuAllocationRatio is at most 100 (got 1000000000)',
    );
    expect(
      errorsOf(base({ events: [{ at: 1e300, do: 'fail-host', target: 'esx' }] }))[0]?.path,
    ).toBe('events[0].at');
    expect(errorsOf(base({ alarms: [{ rule: 'vm-cpu-ready', warning: 1e300 }] }))[0]?.path).toBe(
      'alarms[0].warning',
    );
  });

  it('refuses control characters and invalid Unicode in names and text, and keeps line breaks in descriptions', () => {
    expect(errorsOf(base({ name: 'demo\ud800' }))).toEqual([
      { path: 'name', message: 'name is not valid Unicode (a lone surrogate)' },
    ]);
    expect(errorsOf(base({ name: 'a\u0000b' }))).toEqual([
      { path: 'name', message: 'name contains a control character (U+0000 at position 1)' },
    ]);
    expect(errorsOf(base({ description: 'red \u001b[31m' }))[0]?.path).toBe('description');
    expect(errorsOf(base({ description: 'two\nlines\tand a tab' }))).toEqual([]);
    expect(errorsOf(base({ name: '超配 😀' }))).toEqual([]);
    expect(joinRequestSchema.safeParse({ clusterId: 'c', name: 'Lin\u001b' }).success).toBe(false);
    expect(joinRequestSchema.safeParse({ clusterId: 'c', name: '  林  ' })).toMatchObject({
      success: true,
      data: { name: '林' },
    });
  });

  it('says a command id is too long, and that a speed is too slow', () => {
    const command = parseCommand({
      id: 'x'.repeat(101),
      by: 'Lin',
      do: 'fail-host',
      target: 'esx',
    });
    expect(command).toEqual({
      ok: false,
      errors: [
        { path: 'id', message: 'a command id is at most 100 characters (got 101 characters)' },
      ],
    });
    const slow = liveActionSchema.safeParse({ do: 'set-speed', speed: 1e-300 });
    expect(slow.success).toBe(false);
    expect(slow.error?.issues[0]?.message).toBe(
      'speed is at least 0.1 (ten times slower than life)',
    );
    expect(clusterCommandRequestSchema.safeParse({ do: 'set-speed', speed: 0.1 }).success).toBe(
      true,
    );
  });

  it('keeps an accepted live scenario under the frame and state bounds, and refuses one estimated over them', () => {
    // The largest a live cluster may be, in hosts and VMs: accepted, and under both bounds.
    const largest = base({
      hosts: [
        {
          name: 'esx',
          count: 500,
          cpu: { sockets: 2, coresPerSocket: 32, threadsPerCore: 2 },
          memoryGiB: 2048,
        },
      ],
      vms: [{ name: 'vm', count: 10_000, vcpus: 4, memoryGiB: 16 }],
    });
    const parsed = parseScenario(largest);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const sizes = estimateSizes(scenarioTotals(parsed.scenario));
    expect(sizes.frameBytes).toBeLessThanOrEqual(SIZE_BOUNDS.frameBytes);
    expect(sizes.stateBytes).toBeLessThanOrEqual(SIZE_BOUNDS.stateBytes);
    // 500 hosts of 64 NUMA nodes each: within the host and CPU limits, but a frame of ~1 MiB.
    const wide = errorsOf(
      base({
        hosts: [
          {
            name: 'esx',
            count: 500,
            cpu: { sockets: 16, coresPerSocket: 4 },
            memoryGiB: 2048,
            numaNodes: 64,
          },
        ],
      }),
    );
    expect(wide).toEqual([
      {
        path: 'hosts',
        message: expect.stringMatching(
          /^a tick's frame would be up to [\d,]+ KiB \(500 hosts, 32,000 NUMA nodes\), over the 256 KiB/,
        ) as string,
      },
    ]);
  });

  it('lets the headless runner take a whole data center', () => {
    const result = parseScenario(
      base({
        hosts: [
          { name: 'h', count: 10_000, cpu: { sockets: 2, coresPerSocket: 16 }, memoryGiB: 384 },
        ],
        vms: [{ name: 'vm', count: 200_000, vcpus: 4, memoryGiB: 16 }],
      }),
      { limits: ENGINE_CLUSTER_LIMITS, sizeBounds: null },
    );
    expect(result.ok).toBe(true);
  });
});
