import { scenarioSchema } from '@overcommit/contracts';
import { createCluster, step } from '@overcommit/sim';
import { decodeState, encodeState } from './state-codec';

function runningCluster() {
  const state = createCluster(
    scenarioSchema.parse({
      version: 1,
      name: 'codec',
      seed: 3,
      clock: { tickMs: 1000, stepSeconds: 1 },
      hosts: [
        {
          name: 'h',
          count: 4,
          cpu: { sockets: 2, coresPerSocket: 8, threadsPerCore: 2 },
          memoryGiB: 128,
        },
      ],
      vms: [
        {
          name: 'vm',
          count: 30,
          vcpus: 4,
          memoryGiB: 16,
          workload: { profile: 'bursty', cpu: 0.8, memoryActive: 0.7 },
        },
      ],
    }),
  );
  for (let i = 0; i < 40; i++) step(state, []);
  return state;
}

describe('stored cluster state', () => {
  it('reads back exactly what was written, in a fraction of the JSON size', () => {
    const state = runningCluster();
    const stored = encodeState(state);
    expect(decodeState(stored)).toEqual(state);
    expect(stored.length).toBeLessThan(JSON.stringify(state).length / 3);
  });

  it('steps on from a stored state exactly as from the live one', () => {
    const live = runningCluster();
    const restored = decodeState(encodeState(live));
    for (let i = 0; i < 20; i++) expect(step(restored, [])).toEqual(step(live, []));
  });

  it('still reads a state stored as JSON by an earlier version', () => {
    const state = runningCluster();
    expect(decodeState(Buffer.from(JSON.stringify(state)))).toEqual(state);
  });
});
