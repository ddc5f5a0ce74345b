import { migrationTargetsSchema, type MigrationTargets } from '@overcommit/contracts';
import { migrationTargets } from './migration-targets';
import type { SimState } from './state';
import { step } from './step';
import { cmd, run, scenario, textOfCoded } from './testing/scenarios';

/**
 * Seven hosts that each answer a migration differently, after tick 2:
 * a holds the VMs; b has room (two NUMA nodes, node 0 taken by a resident);
 * c is short of memory; d of vCPUs; e has failed; f is in maintenance;
 * g has room but does not allow nested virtualization (a does).
 */
function cluster(): SimState {
  const s = scenario({
    hosts: [
      {
        name: 'a',
        cpu: { sockets: 1, coresPerSocket: 8 },
        memoryGiB: 64,
        nestedVirtualization: true,
      },
      { name: 'b', cpu: { sockets: 2, coresPerSocket: 8 }, memoryGiB: 128 },
      { name: 'c', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 8 },
      { name: 'd', cpu: { sockets: 1, coresPerSocket: 1 }, memoryGiB: 64 },
      { name: 'e', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 },
      { name: 'f', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 },
      { name: 'g', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 },
    ],
    vms: [
      { name: 'vm', vcpus: 4, memoryGiB: 8, host: 'a' },
      { name: 'hv', vcpus: 2, memoryGiB: 4, host: 'a', nestedHypervisor: true },
      { name: 'off', vcpus: 1, memoryGiB: 1, poweredOn: false },
      { name: 'resident-b', vcpus: 2, memoryGiB: 8, host: 'b' },
      { name: 'resident-c', vcpus: 1, memoryGiB: 6, host: 'c' },
      { name: 'resident-d', vcpus: 1, memoryGiB: 1, host: 'd' },
    ],
  });
  return run(s, 2, {
    2: [
      cmd({ do: 'fail-host', target: 'e' }),
      cmd({ do: 'set-maintenance', target: 'f', on: true }),
    ],
  }).state;
}

function targetsOf(state: SimState, vm: string): MigrationTargets {
  const result = migrationTargets(state, vm);
  if ('notFound' in result) throw new Error(result.notFound);
  return migrationTargetsSchema.parse(result);
}

/** What stepping `migrate-vm` to `host` does to a copy of the state: accepted, or refused with the reason. */
function tryMigrate(state: SimState, vm: string, host: string) {
  const copy = structuredClone(state);
  const { frame } = step(copy, [cmd({ do: 'migrate-vm', target: vm, to: host })]);
  const refused = frame.events.find((e) => e.type === 'command-refused');
  const accepted = frame.events.some((e) => e.type === 'command-accepted');
  const moved = copy.vms.find((v) => v.name === vm)!;
  return {
    accepted,
    reason: refused?.reason,
    nodes: moved.migrationNodes,
  };
}

describe('migration targets', () => {
  it('agrees with the migrate-vm command for every VM and every host: accepted iff it fits', () => {
    const state = cluster();
    for (const vm of ['vm', 'hv', 'off', 'resident-b']) {
      const answer = targetsOf(state, vm);
      expect(answer.targets.map((t) => t.host)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
      for (const target of answer.targets) {
        const outcome = tryMigrate(state, vm, target.host);
        expect({ vm, host: target.host, accepted: outcome.accepted }).toEqual({
          vm,
          host: target.host,
          accepted: target.fits,
        });
        if (target.fits) {
          expect(target.reason).toBeUndefined();
          expect(outcome.nodes).toEqual(target.numaNodes);
        } else {
          expect(target.numaNodes).toBeUndefined();
          // The command's refusal is the prediction's reason (admission's prefixed by "destination refused").
          expect([target.reason, `destination refused: ${target.reason}`]).toContain(
            outcome.reason,
          );
          // Its code and params say the same sentence (refusals.ts).
          expect(textOfCoded({ code: target.code!, params: target.params! })).toBe(target.reason);
        }
      }
    }
  });

  it("gives each host's verdict in the engine's words, and the NUMA nodes of a host that fits", () => {
    const answer = targetsOf(cluster(), 'vm');
    expect(answer).toMatchObject({
      vm: 'vm',
      vmState: 'running',
      vcpus: 4,
      memMiB: 8192,
      host: 'a',
      migratingTo: null,
      refusal: null,
    });
    const by = Object.fromEntries(answer.targets.map((t) => [t.host, t]));
    expect(by['a']).toMatchObject({ fits: false, reason: 'vm already runs on a' });
    // b's node 0 holds its resident: the VM's home would be node 1.
    expect(by['b']).toMatchObject({ fits: true, numaNodes: [1] });
    expect(by['c']).toMatchObject({ fits: false, reason: 'c: memory 14/12 GiB at ratio 1.5' });
    expect(by['d']).toMatchObject({ fits: false, reason: 'd: vCPUs 5/4 at ratio 4' });
    expect(by['e']).toMatchObject({ fits: false, state: 'failed', reason: 'e: host failed' });
    expect(by['f']).toMatchObject({
      fits: false,
      state: 'maintenance',
      reason: 'f: in maintenance',
    });
    expect(by['g']).toMatchObject({ fits: true, numaNodes: [0] });
    expect(targetsOf(cluster(), 'hv').targets.find((t) => t.host === 'g')).toMatchObject({
      fits: false,
      reason: 'g: nested virtualization not allowed on this host',
    });
  });

  it("shows each host's headroom under the allocation ratios", () => {
    const by = Object.fromEntries(targetsOf(cluster(), 'vm').targets.map((t) => [t.host, t]));
    // b: 16 logical CPUs x 4 = 64 vCPUs, 2 taken; 128 GiB x 1.5 = 192 GiB, 8 taken.
    expect(by['b']).toMatchObject({
      vcpuCapacity: 64,
      freeVcpus: 62,
      memCapacityMiB: 192 * 1024,
      freeMemMiB: 184 * 1024,
    });
    // a holds vm (4 vCPUs, 8 GiB) and hv (2 vCPUs, 4 GiB).
    expect(by['a']).toMatchObject({ vcpuCapacity: 32, freeVcpus: 26, freeMemMiB: 84 * 1024 });
    expect(by['d']).toMatchObject({ vcpuCapacity: 4, freeVcpus: 3 });
  });

  it('sends a VM already migrating nowhere, as the command would, and counts its destination as taken', () => {
    const state = cluster();
    step(state, [cmd({ do: 'migrate-vm', target: 'vm', to: 'b' })]);
    const answer = targetsOf(state, 'vm');
    expect(answer).toMatchObject({
      host: 'a',
      migratingTo: 'b',
      refusal: 'vm is already migrating to b',
      refusalCode: 'vm-already-migrating',
      refusalParams: { vm: 'vm', host: 'b' },
    });
    for (const target of answer.targets) {
      expect(target.fits).toBe(false);
      expect(tryMigrate(state, 'vm', target.host).accepted).toBe(false);
    }
    const b = answer.targets.find((t) => t.host === 'b')!;
    expect(b).toMatchObject({ reason: 'vm is already migrating to b', freeVcpus: 58 });
    expect(b.freeMemMiB).toBe(176 * 1024);
  });

  it('says why a VM that is not running goes nowhere', () => {
    const answer = targetsOf(cluster(), 'off');
    expect(answer).toMatchObject({ vmState: 'stopped', host: null, migratingTo: null });
    expect(answer.refusal).toBe('off is stopped; only a running VM migrates live');
    expect(answer.targets.every((t) => !t.fits && t.reason === answer.refusal)).toBe(true);
  });

  it('answers an unknown VM with the reason and the closest name, without throwing', () => {
    expect(migrationTargets(cluster(), 'vn')).toEqual({
      notFound: 'no VM named vn; did you mean vm?',
    });
  });
});
