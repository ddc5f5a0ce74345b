import { type Command, frameSchema } from '@overcommit/contracts';
import type { SimState } from './state';
import { createCluster, step } from './step';
import {
  cmd,
  events,
  last,
  run,
  scenario,
  vmIn,
  observe,
  type Observed,
  reasonProblems,
} from './testing/scenarios';

/**
 * A cluster with something of everything by tick 4: a migration in flight
 * (slow link), a failed host whose VMs wait for HA, a stopped VM, a host
 * without hyper-threading and a firing alarm (the failed host).
 */
function messy() {
  return scenario({
    hosts: [
      {
        name: 'esx',
        count: 2,
        cpu: { sockets: 2, coresPerSocket: 4, threadsPerCore: 2 },
        memoryGiB: 64,
        networkGbps: 0.1,
      },
      { name: 'plain', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 32, networkGbps: 0.1 },
    ],
    vms: [
      { name: 'web', count: 2, vcpus: 2, memoryGiB: 8, host: 'esx-01' },
      { name: 'db', vcpus: 4, memoryGiB: 16, host: 'esx-02' },
      { name: 'spare', vcpus: 1, memoryGiB: 1, poweredOn: false },
      { name: 'tiny', vcpus: 1, memoryGiB: 1, host: 'plain' },
    ],
    events: [
      { at: 1, do: 'migrate-vm', target: 'web-01', to: 'plain' },
      { at: 2, do: 'fail-host', target: 'esx-02' },
    ],
  });
}

/** The messy cluster after `ticks` ticks. */
function messyAt(ticks: number): SimState {
  const state = createCluster(messy());
  for (let t = 0; t < ticks; t++) step(state);
  return state;
}

/** Sends `commands` to a copy of `state` and steps it and an untouched copy `ticks` times. */
function sideBySide(state: SimState, commands: Command[], ticks = 3) {
  const a = JSON.parse(JSON.stringify(state)) as SimState;
  const b = JSON.parse(JSON.stringify(state)) as SimState;
  const withCommands: Observed[] = [];
  const without: Observed[] = [];
  for (let t = 0; t < ticks; t++) {
    withCommands.push(observe(a, t === 0 ? commands : []));
    without.push(observe(b, []));
  }
  return { a, b, withCommands, without };
}

/** Paths of the numbers in `value` that are NaN or infinite (JSON would turn them into null). */
function nonFinite(value: unknown, path = '$'): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFinite(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => nonFinite(v, `${path}.${k}`));
  return [];
}

describe('commands', () => {
  it('starts from the state it claims: migration in flight, host failed, VMs down', () => {
    const state = messyAt(4);
    const vm = (name: string) => state.vms.find((v) => v.name === name)!;
    expect(vm('web-01').migration).not.toBeNull();
    expect(vm('db').state).toBe('down');
    expect(vm('spare').state).toBe('stopped');
    expect(state.hosts.map((h) => h.state)).toEqual(['up', 'failed', 'up']);
  });

  describe('every refusal names why and changes nothing', () => {
    const cases: [Command, string][] = [
      [
        cmd({ do: 'set-workload', target: 'web-1', workload: { cpu: 1 } }),
        'no VM named web-1; did you mean web-01?',
      ],
      [cmd({ do: 'power-off-vm', target: 'nothing-like-it' }), 'no VM named nothing-like-it'],
      [cmd({ do: 'fail-host', target: 'esx-1' }), 'no host named esx-1; did you mean esx-01?'],
      [
        cmd({ do: 'migrate-vm', target: 'spare', to: 'plain' }),
        'spare is stopped; only a running VM migrates live',
      ],
      [cmd({ do: 'migrate-vm', target: 'db' }), 'db is down; only a running VM migrates live'],
      [
        cmd({ do: 'migrate-vm', target: 'web-01', to: 'esx-02' }),
        'web-01 is already migrating to plain',
      ],
      [cmd({ do: 'migrate-vm', target: 'web-02', to: 'esx-01' }), 'web-02 already runs on esx-01'],
      [
        cmd({ do: 'migrate-vm', target: 'web-02', to: 'esx-02' }),
        'destination refused: esx-02: host failed',
      ],
      [cmd({ do: 'migrate-vm', target: 'tiny', to: 'mars' }), 'no host named mars'],
      [cmd({ do: 'power-on-vm', target: 'web-02' }), 'web-02 is already running'],
      [cmd({ do: 'power-off-vm', target: 'spare' }), 'spare is already off'],
      [cmd({ do: 'fail-host', target: 'esx-02' }), 'esx-02 has already failed'],
      [cmd({ do: 'recover-host', target: 'esx-01' }), 'esx-01 has not failed (it is up)'],
      [
        cmd({ do: 'set-maintenance', target: 'esx-02', on: true }),
        'esx-02 has failed; recover it first',
      ],
      [
        cmd({ do: 'set-maintenance', target: 'plain', on: false }),
        'plain is already out of maintenance',
      ],
      [
        cmd({ do: 'set-hyperthreading', target: 'plain', on: true }),
        'plain has one thread per core: there is no hyper-threading to turn on',
      ],
      [
        cmd({ do: 'set-hyperthreading', target: 'esx-01', on: true }),
        'hyper-threading is already on on esx-01',
      ],
      [
        cmd({ do: 'create-vm', vm: { name: 'web-01', vcpus: 1, memoryGiB: 1 } }),
        'a VM named web-01 already exists',
      ],
      [
        cmd({ do: 'create-vm', vm: { name: 'huge', vcpus: 2, memoryGiB: 500 } }),
        'no host can take huge (2 vCPUs, 500 GiB): esx-01: memory 516/96 GiB at ratio 1.5; esx-02: host failed; plain: memory 509/48 GiB at ratio 1.5',
      ],
      [
        cmd({ do: 'create-vm', vm: { name: 'lost', vcpus: 1, memoryGiB: 1, host: 'esx-9' } }),
        'pinned to host esx-9, which does not exist',
      ],
      [
        cmd({
          do: 'create-vm',
          vm: { name: 'inception', vcpus: 1, memoryGiB: 1, nestedHypervisor: true },
        }),
        'no host can take inception (1 vCPUs, 1 GiB): esx-01: nested virtualization not allowed on this host; esx-02: host failed; plain: nested virtualization not allowed on this host',
      ],
      [cmd({ do: 'set-policy', policy: {} }), 'set-policy names no field to change'],
      [
        cmd({ do: 'set-workload', target: 'web-01', workload: {} }),
        'set-workload names no field to change',
      ],
      [cmd({ do: 'ack-alarm', target: 'a999' }), 'no active alarm with id a999'],
    ];

    it.each(cases)('%# %j', (command, reason) => {
      const state = messyAt(4);
      const { a, b, withCommands, without } = sideBySide(state, [command]);
      const refused = events(withCommands, 'command-refused');
      expect(refused).toEqual([
        expect.objectContaining({ commandId: command.id, by: 'tester', do: command.do }),
      ]);
      expect(refused[0]?.reason).toBe(reason);
      // Its code (contracts' refusalCodes) and params say the same sentence (refusals.ts).
      expect(refused[0]?.reasonCode).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(reasonProblems(refused)).toEqual([]);
      expect(events(withCommands, 'command-accepted')).toHaveLength(0);
      // Nothing else differs: not the state, not a single figure of any frame.
      expect(JSON.parse(JSON.stringify(a))).toEqual(JSON.parse(JSON.stringify(b)));
      const strip = (frames: Observed[]) =>
        JSON.stringify(frames.map((f) => ({ ...f, events: [] })));
      expect(strip(withCommands)).toBe(strip(without));
    });
  });

  it('applies the same command id once; a retry is refused as a duplicate', () => {
    const s = scenario({
      hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
    });
    const create = cmd({
      id: 'create-1',
      do: 'create-vm',
      vm: { name: 'app', vcpus: 2, memoryGiB: 4 },
    });
    const { state, frames } = run(s, 3, { 2: [create, create], 3: [create] });
    expect(events(frames, 'vm-created')).toHaveLength(1);
    expect(state.vms).toHaveLength(1);
    const duplicates = events(frames, 'command-refused');
    expect(duplicates).toHaveLength(2);
    for (const d of duplicates)
      expect(d).toMatchObject({
        commandId: 'create-1',
        duplicate: true,
        reason: 'command create-1 was already applied',
      });
  });

  it('lets a refused command be retried with the same id once its cause is gone', () => {
    const s = scenario({
      hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 8 }],
      vms: [{ name: 'hog', vcpus: 2, memoryGiB: 12 }],
    });
    const create = cmd({
      id: 'create-app',
      do: 'create-vm',
      vm: { name: 'app', vcpus: 2, memoryGiB: 4 },
    });
    const { frames } = run(s, 4, {
      2: [create],
      3: [cmd({ do: 'delete-vm', target: 'hog' })],
      4: [create],
    });
    const refused = events(frames, 'command-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason).toContain('esx: memory 16/12 GiB at ratio 1.5');
    expect(refused[0]?.reason).not.toContain('already applied');
    expect(vmIn(last(frames), 'app').state).toBe('running');
  });

  it('two commands on the same VM in one tick: the first wins, the second is refused', () => {
    const s = scenario({
      hosts: [{ name: 'esx', count: 2, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
      vms: [{ name: 'web', vcpus: 2, memoryGiB: 4, host: 'esx-01' }],
    });
    const { frames } = run(s, 2, {
      2: [
        cmd({ do: 'set-workload', target: 'web', workload: { cpu: 0.9 }, by: 'ana' }),
        cmd({ do: 'power-off-vm', target: 'web', by: 'bo' }),
        cmd({ do: 'migrate-vm', target: 'web', to: 'esx-02', by: 'cy' }),
      ],
    });
    expect(events(frames, 'command-accepted').map((e) => e.by)).toEqual(['ana']);
    const refused = events(frames, 'command-refused');
    expect(refused.map((e) => [e.by, e.reason])).toEqual([
      ['bo', 'ana already changed web in this tick'],
      ['cy', 'ana already changed web in this tick'],
    ]);
    expect(vmIn(last(frames), 'web')).toMatchObject({
      state: 'running',
      host: 'esx-01',
      migration: null,
    });
    expect(vmIn(last(frames), 'web').cpuDemandPct).toBeGreaterThan(85);
  });

  it('a refused first command does not block a second one on the same target', () => {
    const s = scenario({
      hosts: [{ name: 'esx', count: 2, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
      vms: [{ name: 'web', vcpus: 2, memoryGiB: 4, host: 'esx-01' }],
    });
    const { frames } = run(s, 2, {
      2: [
        cmd({ do: 'power-on-vm', target: 'web', by: 'ana' }),
        cmd({ do: 'power-off-vm', target: 'web', by: 'bo' }),
      ],
    });
    expect(events(frames, 'command-refused').map((e) => e.by)).toEqual(['ana']);
    expect(events(frames, 'command-accepted').map((e) => e.by)).toEqual(['bo']);
    expect(vmIn(last(frames), 'web').state).toBe('stopped');
  });

  describe('never throws on a schema-valid command, however odd', () => {
    const odd = (): Command[] => [
      cmd({ do: 'set-workload', target: 'spare', workload: {} }),
      cmd({
        do: 'set-workload',
        target: 'db',
        workload: { profile: 'step', stepAtSeconds: 0, stepTo: 1, cpu: 0 },
      }),
      cmd({
        do: 'set-workload',
        target: 'web-02',
        workload: { cpu: 1, memoryActive: 1, dirtyMiBps: 1e6, kernelShare: 1 },
      }),
      cmd({ do: 'fail-host', target: 'plain' }),
      cmd({ do: 'fail-host', target: 'esx-01' }),
      cmd({ do: 'recover-host', target: 'esx-02' }),
      cmd({ do: 'set-maintenance', target: 'plain', on: true }),
      cmd({ do: 'set-maintenance', target: 'esx-01', on: true }),
      cmd({ do: 'set-hyperthreading', target: 'esx-01', on: false }),
      cmd({ do: 'migrate-vm', target: 'web-02' }),
      cmd({ do: 'migrate-vm', target: 'tiny', to: 'esx-01', autoConverge: true }),
      cmd({ do: 'migrate-vm', target: 'web-01', to: 'esx-01' }),
      cmd({ do: 'power-on-vm', target: 'db' }),
      cmd({ do: 'power-on-vm', target: 'spare' }),
      cmd({ do: 'power-off-vm', target: 'web-01' }),
      cmd({ do: 'power-off-vm', target: 'db' }),
      cmd({ do: 'delete-vm', target: 'web-01' }),
      cmd({ do: 'delete-vm', target: 'db' }),
      cmd({ do: 'delete-vm', target: 'tiny' }),
      cmd({ do: 'create-vm', vm: { name: 'x', vcpus: 64, memoryGiB: 0.001 } }),
      cmd({ do: 'create-vm', vm: { name: 'y', vcpus: 1, memoryGiB: 1, poweredOn: false } }),
      cmd({
        do: 'create-vm',
        vm: {
          name: 'z',
          vcpus: 1,
          memoryGiB: 1,
          host: 'plain',
          workload: { profile: 'bursty', periodSeconds: 0.001 },
        },
      }),
      cmd({ do: 'set-policy', policy: { cpuAllocationRatio: 0.001, ramAllocationRatio: 100 } }),
      cmd({
        do: 'set-policy',
        policy: { numa: 'strict', placement: 'pack', reservedHostMemoryGiB: 65_536 },
      }),
      cmd({ do: 'ack-alarm', target: 'a1', note: 'n'.repeat(500) }),
      cmd({ do: 'ack-alarm', target: 'web-01' }),
    ];

    const check = (frames: Observed[], state: SimState) => {
      for (const f of frames) {
        frameSchema.parse(f);
        for (const e of events([f], 'command-refused')) expect(e.reason).toMatch(/\w/);
      }
      expect(nonFinite(state)).toEqual([]);
      expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    };

    it.each(odd().map((c) => [c.do, c] as const))('%#: %s, alone', (_do, command) => {
      const state = messyAt(4);
      const frames: Observed[] = [];
      frames.push(observe(state, [command]));
      for (let t = 0; t < 70; t++) frames.push(observe(state, []));
      check(frames, state);
    });

    it('all at once, then each again a tick apart', () => {
      const state = messyAt(4);
      const frames: Observed[] = [observe(state, odd())];
      for (const c of odd()) frames.push(observe(state, [c]));
      for (let t = 0; t < 70; t++) frames.push(observe(state, []));
      check(frames, state);
    });
  });
});
