import { alarmRuleIds, alarmRuleInfo, clusterConfigSchema } from '@overcommit/contracts';
import { clusterConfig } from './cluster-config';
import { cmd, run, scenario } from './testing/scenarios';

const s = scenario({
  policy: { cpuAllocationRatio: 3, numa: 'strict' },
  hosts: [
    {
      name: 'esx',
      count: 2,
      cpu: { sockets: 2, coresPerSocket: 12, threadsPerCore: 2, ghz: 2.9 },
      memoryGiB: 256,
      numaNodes: 4,
    },
    {
      name: 'lab',
      cpu: { sockets: 1, coresPerSocket: 4 },
      memoryGiB: 16,
      hypervisor: 'type-2',
      virtualization: 'binary-translation',
    },
  ],
  vms: [{ name: 'vm', vcpus: 2, memoryGiB: 4 }],
});

describe('cluster configuration', () => {
  it("gives the policy and every host's topology, as the dashboard draws them", () => {
    const config = clusterConfigSchema.parse(clusterConfig(run(s, 1).state));
    expect(config.policy).toEqual({
      cpuAllocationRatio: 3,
      ramAllocationRatio: 1.5,
      reservedHostMemoryGiB: 0,
      placement: 'spread',
      numa: 'strict',
    });
    expect(config.hosts).toEqual([
      {
        name: 'esx-01',
        sockets: 2,
        coresPerSocket: 12,
        threadsPerCore: 2,
        ghz: 2.9,
        memMiB: 256 * 1024,
        numaNodes: 4,
        hyperThreading: true,
        virtualization: 'hardware-assisted',
        hypervisor: 'type-1',
        nestedVirtualization: false,
        swapMiB: 64 * 1024,
        networkGbps: 10,
      },
      expect.objectContaining({ name: 'esx-02', numaNodes: 4 }),
      expect.objectContaining({
        name: 'lab',
        sockets: 1,
        coresPerSocket: 4,
        threadsPerCore: 1,
        numaNodes: 1,
        hyperThreading: false,
        virtualization: 'binary-translation',
        hypervisor: 'type-2',
      }),
    ]);
  });

  it('follows the commands that change it: hyper-threading and policy', () => {
    const { state } = run(s, 2, {
      2: [
        cmd({ do: 'set-hyperthreading', target: 'esx-02', on: false }),
        cmd({ do: 'set-policy', policy: { ramAllocationRatio: 1, placement: 'pack' } }),
      ],
    });
    const config = clusterConfig(state);
    expect(config.hosts.map((h) => h.hyperThreading)).toEqual([true, false, false]);
    expect(config.policy).toMatchObject({
      cpuAllocationRatio: 3,
      ramAllocationRatio: 1,
      placement: 'pack',
    });
    // A copy: changing it does not change the engine's state.
    config.policy.cpuAllocationRatio = 99;
    expect(state.policy.cpuAllocationRatio).toBe(3);
  });

  it("gives every alarm rule's thresholds after the scenario's overrides, for the dashboard's words", () => {
    const overridden = scenario({
      hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 4 }, memoryGiB: 16 }],
      vms: [],
      alarms: [{ rule: 'host-cpu-usage', warning: 80, critical: 90 }],
    });
    const config = clusterConfigSchema.parse(clusterConfig(run(overridden, 1).state));
    // Built in: the contracts' numbers.
    expect(config.alarmRules?.['vm-cpu-ready']).toEqual({
      warning: alarmRuleInfo['vm-cpu-ready'].warning,
      critical: alarmRuleInfo['vm-cpu-ready'].critical,
      clearWarning: alarmRuleInfo['vm-cpu-ready'].clearWarning,
      clearCritical: alarmRuleInfo['vm-cpu-ready'].clearCritical,
      forSeconds: alarmRuleInfo['vm-cpu-ready'].forSeconds,
      enabled: true,
    });
    // Overridden: the clear thresholds move with the thresholds (docs/model.md, section 14).
    expect(config.alarmRules?.['host-cpu-usage']).toEqual({
      warning: 80,
      critical: 90,
      clearWarning: 70,
      clearCritical: 80,
      forSeconds: 20,
      enabled: true,
    });
    expect(Object.keys(config.alarmRules ?? {}).sort()).toEqual([...alarmRuleIds].sort());
  });
});
