import { formatInputErrors, type InputError } from '../errors/input-error';
import { parseCommand, parseScenario } from './parse-scenario';
import { eventActionKinds, workloadPatchSchema } from './scenario.schema';

/** The example of SCENARIOS.md, as YAML would load it. */
const example = {
  version: 1,
  name: 'Memory overcommit at 150%',
  description: 'Ten 20 GiB VMs on a 100 GiB host.',
  seed: 7,
  clock: { tickMs: 1000, stepSeconds: 1 },
  policy: {
    cpuAllocationRatio: 4.0,
    ramAllocationRatio: 1.5,
    reservedHostMemoryGiB: 0,
    placement: 'spread',
    numa: 'prefer-local',
  },
  hosts: [
    {
      name: 'esx',
      count: 1,
      cpu: { sockets: 2, coresPerSocket: 6, threadsPerCore: 2, ghz: 2.4 },
      memoryGiB: 100,
      numaNodes: 2,
      swapGiB: 64,
      virtualization: 'hardware-assisted',
      hypervisor: 'type-1',
      nestedVirtualization: false,
      networkGbps: 10,
    },
  ],
  vms: [
    {
      name: 'web',
      count: 10,
      vcpus: 8,
      memoryGiB: 20,
      host: 'esx',
      nestedHypervisor: false,
      workload: {
        profile: 'constant',
        cpu: 0.5,
        amplitude: 0.2,
        periodSeconds: 600,
        memoryActive: 0.6,
        memoryBound: 0.3,
        dirtyMiBps: 40,
      },
    },
  ],
  events: [{ at: 120, do: 'set-workload', target: 'web-03', workload: { cpu: 0.95 } }],
  alarms: [{ rule: 'vm-cpu-ready', warning: 5, critical: 10, forSeconds: 20 }],
};

/** A small valid scenario to break in one place at a time. */
function base() {
  return {
    version: 1,
    name: 'test',
    hosts: [{ name: 'esx', count: 2, cpu: { sockets: 2, coresPerSocket: 4 }, memoryGiB: 64 }],
    vms: [{ name: 'web', count: 2, vcpus: 2, memoryGiB: 4 }] as Record<string, unknown>[],
    events: [] as Record<string, unknown>[],
  };
}

function errorsOf(input: unknown): InputError[] {
  const result = parseScenario(input);
  if (result.ok) throw new Error('expected the scenario to be refused');
  return result.errors;
}

function linesOf(input: unknown): string[] {
  return formatInputErrors(errorsOf(input)).split('\n');
}

describe('parseScenario', () => {
  it('accepts the example of SCENARIOS.md and fills in the defaults', () => {
    const result = parseScenario(example);
    if (!result.ok) throw new Error(formatInputErrors(result.errors));
    expect(result.scenario.hosts[0]?.hyperThreading).toBe(true);
    expect(result.scenario.vms[0]?.workload.kernelShare).toBe(0.2);
    expect(result.scenario.events[0]).toMatchObject({ at: 120, do: 'set-workload' });
  });

  it('keeps a set-workload patch to the fields it names', () => {
    const result = parseScenario(example);
    if (!result.ok) throw new Error(formatInputErrors(result.errors));
    const event = result.scenario.events[0];
    expect(event?.do === 'set-workload' && event.workload).toEqual({ cpu: 0.95 });
    expect(workloadPatchSchema.parse({ cpu: 0.95 })).toEqual({ cpu: 0.95 });
  });

  it('names an unknown key at its own path and suggests the close one', () => {
    const input = {
      ...example,
      hosts: [{ ...example.hosts[0], cpu: { socket: 2, coresPerSocket: 6 } }],
    };
    const lines = linesOf(input);
    expect(lines).toContain('hosts[0].cpu.socket: unknown key, did you mean "sockets"?');
    expect(lines).toContain('hosts[0].cpu.sockets: missing; expected a number');
  });

  it('suggests a key that differs only in case', () => {
    const input = { ...base(), Seed: 3 };
    expect(linesOf(input)).toEqual(['Seed: unknown key, did you mean "seed"?']);
  });

  it('lists the known keys when no key is close', () => {
    const input = { ...base(), vms: [{ name: 'a', vcpus: 1, memoryGiB: 1, colour: 'red' }] };
    const [line] = linesOf(input);
    expect(line).toMatch(/^vms\[0\]\.colour: unknown key; expected one of: name, count, vcpus, /);
  });

  it('finds the known keys of an event through its `do`', () => {
    const input = { ...base(), events: [{ at: 1, do: 'fail-host', tarrget: 'esx-01' }] };
    expect(linesOf(input)).toContain('events[0].tarrget: unknown key, did you mean "target"?');
  });

  it('says which type was expected and which was given', () => {
    const input = base();
    input.hosts[0] = { ...input.hosts[0]!, memoryGiB: '64' as unknown as number };
    input.vms[0] = { ...input.vms[0], poweredOn: 'yes' };
    const lines = linesOf(input);
    expect(lines).toContain('hosts[0].memoryGiB: expected a number, got the text "64"');
    expect(lines).toContain('vms[0].poweredOn: expected true or false, got the text "yes"');
    expect(linesOf({ ...base(), hosts: 'esx' })).toEqual([
      'hosts: expected a list, got the text "esx"',
    ]);
    expect(linesOf('hello')).toEqual([
      '(root): expected an object (key: value pairs), got the text "hello"',
    ]);
  });

  it('refuses zero and negative sizes, saying what was given', () => {
    const input = base();
    input.hosts[0] = { ...input.hosts[0]!, memoryGiB: 0 };
    input.vms[0] = { ...input.vms[0], vcpus: -2, count: 0 };
    const lines = linesOf(input);
    expect(lines).toContain('hosts[0].memoryGiB: memoryGiB must be greater than 0 (got 0)');
    expect(lines).toContain('vms[0].vcpus: vcpus must be at least 1 (got -2)');
    expect(lines).toContain('vms[0].count: count must be at least 1 (got 0)');
  });

  it('refuses a fractional count', () => {
    const input = { ...base(), vms: [{ name: 'a', count: 1.5, vcpus: 1, memoryGiB: 1 }] };
    expect(linesOf(input)).toEqual(['vms[0].count: expected a whole number, got the number 1.5']);
  });

  it('refuses a negative event time', () => {
    const input = { ...base(), events: [{ at: -5, do: 'fail-host', target: 'esx-01' }] };
    expect(linesOf(input)).toEqual([
      'events[0].at: at (simulated seconds) cannot be negative (got -5)',
    ]);
  });

  it('lists the valid actions for a bad `do`', () => {
    const input = { ...base(), events: [{ at: 5, do: 'explode', target: 'esx-01' }] };
    const [line] = linesOf(input);
    expect(line).toBe(
      `events[0].do: unknown "do" value "explode"; expected one of: ${eventActionKinds.join(', ')}`,
    );
    expect(line).not.toContain('ack-alarm');
    const typo = { ...base(), events: [{ at: 5, do: 'fail-hots', target: 'esx-01' }] };
    expect(linesOf(typo)[0]).toMatch(
      /^events\[0\]\.do: unknown "do" value "fail-hots", did you mean "fail-host"\? expected one of: /,
    );
  });

  it('lists the allowed values of an enum', () => {
    const input = { ...base(), policy: { placement: 'sprd' } };
    expect(linesOf(input)).toEqual([
      'policy.placement: expected one of: spread, pack; got "sprd", did you mean "spread"?',
    ]);
  });

  it('reports duplicate host and VM names, through count expansion too', () => {
    const input = base();
    input.hosts.push({
      name: 'esx-02',
      count: 1,
      cpu: { sockets: 1, coresPerSocket: 4 },
      memoryGiB: 8,
    });
    input.vms.push({ name: 'web-02', vcpus: 1, memoryGiB: 1 });
    input.vms.push({ name: 'db', vcpus: 1, memoryGiB: 1 }, { name: 'db', vcpus: 1, memoryGiB: 1 });
    const errors = errorsOf(input);
    expect(errors).toEqual([
      {
        path: 'hosts[1].name',
        message:
          'duplicate host name "esx-02": this name is already used by hosts[0] ("esx" with count 2: esx-01 .. esx-02)',
      },
      {
        path: 'vms[1].name',
        message:
          'duplicate VM name "web-02": this name is already used by vms[0] ("web" with count 2: web-01 .. web-02)',
      },
      {
        path: 'vms[3].name',
        message: 'duplicate VM name "db": this name is already used by vms[2] ("db")',
      },
    ]);
  });

  it('reports a count expansion that collides with an earlier explicit name', () => {
    const input = {
      ...base(),
      vms: [
        { name: 'web-02', vcpus: 1, memoryGiB: 1 },
        { name: 'web', count: 2, vcpus: 1, memoryGiB: 1 },
      ],
    };
    expect(linesOf(input)).toEqual([
      'vms[1].name: duplicate VM name "web-02": "web" with count 2 expands to "web-02", which is already used by vms[0] ("web-02")',
    ]);
  });

  it('reports a VM pinned to a host that does not exist', () => {
    const input = base();
    input.vms.push({ name: 'a', vcpus: 1, memoryGiB: 1, host: 'esx-1' });
    input.vms.push({ name: 'b', vcpus: 1, memoryGiB: 1, host: 'esx' });
    input.vms.push({ name: 'c', vcpus: 1, memoryGiB: 1, host: 'kvm-server' });
    expect(linesOf(input)).toEqual([
      'vms[1].host: no host named "esx-1", did you mean "esx-01"?',
      'vms[2].host: no host named "esx": "esx" has count 2, so its hosts are esx-01 .. esx-02',
      'vms[3].host: no host named "kvm-server"; hosts are: esx-01, esx-02',
    ]);
  });

  it('reports events naming nothing, or the wrong kind of thing', () => {
    const input = base();
    input.events = [
      { at: 10, do: 'fail-host', target: 'esx-03' },
      { at: 20, do: 'power-off-vm', target: 'web-3' },
      { at: 30, do: 'set-workload', target: 'esx-01', workload: { cpu: 1 } },
      { at: 40, do: 'migrate-vm', target: 'web-01', to: 'nowhere' },
      { at: 50, do: 'set-maintenance', target: 'web-01', on: true },
    ];
    expect(linesOf(input)).toEqual([
      'events[0].target: no host named "esx-03", did you mean "esx-01"?',
      'events[1].target: no VM named "web-3", did you mean "web-01"?',
      'events[2].target: "esx-01" is a host; set-workload needs a VM',
      'events[3].to: no host named "nowhere"; hosts are: esx-01, esx-02',
      'events[4].target: "web-01" is a VM; set-maintenance needs a host',
    ]);
  });

  it('counts VMs created by earlier events, in time order', () => {
    const input = base();
    input.events = [
      { at: 60, do: 'power-on-vm', target: 'batch' },
      { at: 30, do: 'create-vm', vm: { name: 'batch', vcpus: 1, memoryGiB: 1 } },
      { at: 10, do: 'power-off-vm', target: 'batch' },
      { at: 90, do: 'create-vm', vm: { name: 'web-01', vcpus: 1, memoryGiB: 1, host: 'esx-9' } },
      { at: 120, do: 'delete-vm', target: 'batch' },
      { at: 130, do: 'power-on-vm', target: 'batch' },
    ];
    expect(linesOf(input)).toEqual([
      'events[2].target: VM "batch" does not exist yet at 10s: events[1] (at 30) creates it later',
      'events[3].vm.name: a VM named "web-01" already exists (vms[0]); delete it first or choose another name',
      'events[3].vm.host: no host named "esx-9", did you mean "esx-01"?',
      'events[5].target: VM "batch" no longer exists: events[4] (at 120) deleted it',
    ]);
  });

  it('checks NUMA nodes, power and alarm thresholds', () => {
    const input = {
      ...base(),
      hosts: [
        { name: 'a', cpu: { sockets: 2, coresPerSocket: 6 }, memoryGiB: 8, numaNodes: 5 },
        { name: 'b', cpu: { sockets: 1, coresPerSocket: 2 }, memoryGiB: 8, numaNodes: 4 },
        {
          name: 'c',
          cpu: { sockets: 1, coresPerSocket: 2 },
          memoryGiB: 8,
          power: { idleWatts: 100, maxWatts: 50 },
        },
      ],
      vms: [],
      alarms: [{ rule: 'host-cpu-usage', warning: 90, critical: 80 }],
    };
    expect(linesOf(input)).toEqual([
      'hosts[0].numaNodes: 5 NUMA nodes do not divide the 12 cores (2 sockets x 6 cores) evenly',
      'hosts[1].numaNodes: 4 NUMA nodes exceed the 2 cores (1 sockets x 2 cores); each node needs at least one core',
      'hosts[2].power.maxWatts: maxWatts (50) is below idleWatts (100); a busy host draws at least its idle power',
      'alarms[0].critical: critical (80) is less severe than warning (90); for host-cpu-usage higher is worse, so critical must be at least warning',
    ]);
  });

  it('reports every schema error at once', () => {
    const input = {
      version: 2,
      name: '',
      hosts: [{ name: 'bad name!', cpu: { sockets: 0, coresPerSocket: 4 }, memoryGiB: -1 }],
      vms: [{ name: 'a', vcpus: 1 }],
      events: [{ at: 1, do: 'nope' }],
      extra: true,
    };
    const lines = linesOf(input);
    expect(lines).toEqual(
      expect.arrayContaining([
        'version: version must be 1 (got 2)',
        'name: name cannot be empty',
        expect.stringMatching(/^hosts\[0\]\.name: a name is 1-63 letters.* \(got "bad name!"\)$/),
        'hosts[0].cpu.sockets: sockets must be at least 1 (got 0)',
        'hosts[0].memoryGiB: memoryGiB must be greater than 0 (got -1)',
        'vms[0].memoryGiB: missing; expected a number',
        expect.stringMatching(/^events\[0\]\.do: unknown "do" value "nope"; expected one of: /),
        expect.stringMatching(/^extra: unknown key; expected one of: version, name, /),
      ]),
    );
    expect(lines).toHaveLength(8);
  });

  it('reports every cross-check error at once', () => {
    const input = base();
    input.vms.push({ name: 'web-01', vcpus: 1, memoryGiB: 1, host: 'nope' });
    input.events = [{ at: 1, do: 'fail-host', target: 'nope' }];
    expect(errorsOf(input).map((e) => e.path)).toEqual([
      'vms[1].name',
      'vms[1].host',
      'events[0].target',
    ]);
  });

  it('needs at least one host', () => {
    expect(linesOf({ ...base(), hosts: [] })).toEqual([
      'hosts: a cluster needs at least one host (got 0)',
    ]);
  });
});

describe('parseCommand', () => {
  it('accepts a migrate-vm command and fills in its defaults', () => {
    const result = parseCommand({
      do: 'migrate-vm',
      id: 'c1',
      by: 'ana',
      target: 'web-01',
      to: 'esx-02',
    });
    expect(result).toEqual({
      ok: true,
      command: {
        do: 'migrate-vm',
        id: 'c1',
        by: 'ana',
        target: 'web-01',
        to: 'esx-02',
        autoConverge: false,
      },
    });
  });

  it('refuses a command without an id', () => {
    const result = parseCommand({ do: 'migrate-vm', by: 'ana', target: 'web-01' });
    expect(result).toEqual({
      ok: false,
      errors: [{ path: 'id', message: 'missing; expected a text string' }],
    });
  });

  it('lists every action, ack-alarm included, for a bad `do`', () => {
    const result = parseCommand({ id: 'c1', by: 'ana' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]?.path).toBe('do');
    expect(!result.ok && result.errors[0]?.message).toMatch(
      /^missing; expected one of: .*ack-alarm/,
    );
  });
});
