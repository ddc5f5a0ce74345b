import { parseScenario, scenarioSchema } from '@overcommit/contracts';
import { createCluster, step } from '../step';
import { scenarioFromState } from './from-state';

const scenario = scenarioSchema.parse({
  version: 1,
  name: 'live',
  seed: 7,
  policy: { cpuAllocationRatio: 3, ramAllocationRatio: 1.25 },
  hosts: [
    {
      name: 'esx',
      count: 2,
      cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 2 },
      memoryGiB: 64,
    },
  ],
  vms: [
    { name: 'web', count: 3, vcpus: 2, memoryGiB: 8, workload: { cpu: 0.4 } },
    { name: 'off', vcpus: 1, memoryGiB: 2, poweredOn: false },
  ],
  events: [{ at: 30, do: 'fail-host', target: 'esx-01' }],
});

describe('scenarioFromState', () => {
  it('gives a valid scenario of the cluster as it stands: hosts, VMs, policy, the events still to come', () => {
    const state = createCluster(scenario);
    for (let i = 0; i < 10; i++) step(state, []);
    const taken = scenarioFromState(state);
    const parsed = parseScenario(JSON.parse(JSON.stringify(taken)));
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    expect(taken.hosts.map((h) => h.name)).toEqual(state.hosts.map((h) => h.name));
    expect(taken.hosts[0]).toMatchObject({ memoryGiB: 64, cpu: { sockets: 1, coresPerSocket: 8 } });
    expect(taken.vms).toHaveLength(4);
    expect(taken.vms.filter((v) => !v.poweredOn).map((v) => v.name)).toEqual(['off']);
    expect(taken.policy).toEqual(state.policy);
    expect(taken.seed).toBe(7);
    // 10 s have passed: the host fails 20 s into a run of the taken scenario.
    expect(taken.events).toEqual([expect.objectContaining({ do: 'fail-host', at: 20 })]);
  });
});
