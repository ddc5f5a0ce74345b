import { type Frame, frameSchema, type FrameEvent, type VmFrame } from '@overcommit/contracts';

/** A jsonl line of the CLI with --vms: the frame, and the per-VM table as `vms`. */
type Line = Frame & { vms: VmFrame[] };
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_OK, runCli } from './cli';

// Each bundled scenario teaches one thing; these tests read the runner's own
// output (JSON lines, as `npm run sim -- <file> --format jsonl` prints it).
const dir = join(__dirname, '../../../scenarios');

function frames(file: string, ticks: number, extra: string[] = []): Line[] {
  const out: string[] = [];
  const err: string[] = [];
  const status = runCli(
    [join(dir, file), '--format', 'jsonl', '--vms', '--ticks', String(ticks), ...extra],
    {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    },
  );
  expect(err).toEqual([]);
  expect(status).toBe(EXIT_OK);
  return out.map((line) => JSON.parse(line) as Line);
}

const allEvents = (fs: Line[], type: string): FrameEvent[] =>
  fs.flatMap((f) => f.events).filter((e) => e.type === type);
const vm = (f: Line, name: string) => f.vms.find((v) => v.name === name)!;
const host = (f: Line, name: string) => f.hosts.find((h) => h.name === name)!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('bundled scenarios', () => {
  it('every file in scenarios/ runs and produces frames that match the contract', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const file of files) {
      const [first] = frames(file, 1);
      expect(frameSchema.safeParse(first).success).toBe(true);
    }
  });

  it('demo: every metric moves within minutes', () => {
    const fs = frames('demo.yaml', 360);
    const last = fs.at(-1)!;
    expect(allEvents(fs, 'migration-completed')).toHaveLength(1);
    expect(allEvents(fs, 'host-failed')).toHaveLength(1);
    expect(allEvents(fs, 'ha-restarted').length).toBeGreaterThan(0);
    expect(Math.max(...fs.map((f) => f.cluster.balloonMiB))).toBeGreaterThan(0);
    expect(Math.max(...fs.map((f) => f.cluster.cpuReadyPct))).toBeGreaterThan(1);
    expect(new Set(fs.map((f) => Math.round(f.cluster.powerWatts))).size).toBeGreaterThan(10);
    expect(last.cluster.energyKWh).toBeGreaterThan(0);
  });

  it("cpu-overcommit: the seed's 10 x 8 vCPUs on 64 threads all start; ready passes 10% only after the spike", () => {
    const fs = frames('cpu-overcommit.yaml', 200);
    expect(fs[0]!.cluster.vmsRunning).toBe(10);
    expect(fs[0]!.cluster.vcpuRatio).toBe(1.25);
    expect(allEvents(fs, 'vm-refused')).toEqual([]);
    const before = mean(fs.slice(60, 110).map((f) => f.cluster.cpuReadyPct));
    const after = mean(fs.slice(150, 200).map((f) => f.cluster.cpuReadyPct));
    expect(before).toBeLessThan(5);
    expect(after).toBeGreaterThan(10);
    expect(
      fs.at(-1)!.alarms.some((a) => a.rule === 'vm-cpu-ready' && a.severity === 'critical'),
    ).toBe(true);
  });

  it('memory-overcommit-150: seven start; each of the other three is refused at 160/150 GiB', () => {
    const fs = frames('memory-overcommit-150.yaml', 5);
    expect(fs[0]!.cluster.vmsRunning).toBe(7);
    const refused = allEvents(fs, 'vm-refused');
    expect(refused.map((e) => e.target)).toEqual(['web-08', 'web-09', 'web-10']);
    for (const e of refused) expect(e['reason']).toContain('esx: memory 160/150 GiB at ratio 1.5');
  });

  it('memory-overcommit-200: all twenty start; only the host whose guests touch their memory reclaims it', () => {
    const fs = frames('memory-overcommit-200.yaml', 400);
    expect(fs[0]!.cluster.vmsRunning).toBe(20);
    const last = fs.at(-1)!;
    expect(host(last, 'light').balloonMiB).toBe(0);
    expect(host(last, 'light').memState).toBe('high');
    expect(host(last, 'heavy').balloonMiB).toBeGreaterThan(10 * 1024);
    expect(host(last, 'heavy').memState).not.toBe('high');
    expect(vm(last, 'busy-01').performancePct).toBeLessThan(
      vm(last, 'calm-01').performancePct - 20,
    );
  });

  it('hyperthreading: two cooks beat one cook with two stoves', () => {
    const last = frames('hyperthreading.yaml', 60).at(-1)!;
    expect(host(last, 'stoves').logicalCpus).toBe(2);
    expect(host(last, 'cooks').logicalCpus).toBe(2);
    expect(vm(last, 'on-cooks').performancePct).toBeGreaterThan(95);
    expect(vm(last, 'on-stoves').performancePct).toBeGreaterThan(55);
    expect(vm(last, 'on-stoves').performancePct).toBeLessThan(70);
  });

  it('numa-wide: the wide VM spans both nodes, half its accesses go remote, and it slows', () => {
    const last = frames('numa-wide.yaml', 30).at(-1)!;
    expect(vm(last, 'narrow').numaNodes).toHaveLength(1);
    expect(vm(last, 'narrow').numaLocalPct).toBe(100);
    expect(vm(last, 'wide').numaNodes).toEqual([0, 1]);
    expect(vm(last, 'wide').numaLocalPct).toBe(50);
    expect(vm(last, 'wide').performancePct).toBeLessThan(vm(last, 'narrow').performancePct - 20);
  });

  it('binary-translation: the translated guest burns more CPU and gets less done', () => {
    const fs = frames('binary-translation.yaml', 60).slice(10);
    const cpu = (name: string) => mean(fs.map((f) => host(f, name).cpuUsagePct));
    const perf = (name: string) => mean(fs.map((f) => vm(f, name).performancePct));
    expect(cpu('bt')).toBeGreaterThan(cpu('vtx'));
    expect(perf('kernel-bt')).toBeLessThan(perf('kernel-vtx') - 15);
  });

  it('hypervisor-types: the hosted hypervisor admits less and its busy guest gets less done', () => {
    const fs = frames('hypervisor-types.yaml', 60);
    const refused = allEvents(fs, 'vm-refused');
    expect(refused.map((e) => e.target)).toEqual(['extra-t2']);
    expect(refused[0]!['reason']).toContain('hosted: memory 15/14 GiB at ratio 1');
    const last = fs.at(-1)!;
    expect(vm(last, 'busy-t2').performancePct).toBeLessThan(vm(last, 'busy-t1').performancePct);
  });

  it('nested-virtualization: only the hardware-assisted host that allows nesting takes a nested guest', () => {
    const fs = frames('nested-virtualization.yaml', 3);
    expect(vm(fs[0]!, 'esxi-in-vm').host).toBe('lab');
    const [refusal] = allEvents(fs, 'vm-refused');
    expect(refusal!.target).toBe('esxi-too');
    expect(refusal!['reason']).toContain('cloud: nested virtualization not allowed on this host');
    expect(refusal!['reason']).toContain(
      'lab-bt: nested virtualization needs hardware-assisted virtualization',
    );
    expect(refusal!['reason']).toContain('lab: memory 128/96 GiB');
  });

  it("migration-converging: DOMAIN.md's example, exactly: 4 rounds, 43.08 s, 109 ms, 5385 MiB", () => {
    const fs = frames('migration-converging.yaml', 80);
    const [done] = allEvents(fs, 'migration-completed');
    expect(done).toMatchObject({ target: 'db', from: 'src', to: 'dst', rounds: 4 });
    expect(done!['durationSeconds'] as number).toBeCloseTo(43.08, 2);
    expect(done!['downtimeMs'] as number).toBeCloseTo(108.7, 1);
    expect(done!['transferredMiB'] as number).toBeCloseTo(5385.2, 0);
    expect(vm(fs.at(-1)!, 'db').host).toBe('dst');
  });

  it('migration-not-converging: without auto-converge it aborts after 30 rounds and stays; with it, it completes', () => {
    const fs = frames('migration-not-converging.yaml', 560);
    const [aborted] = allEvents(fs, 'migration-aborted');
    expect(aborted).toMatchObject({ target: 'thrash', rounds: 30 });
    expect(aborted!['reason']).toContain('did not converge in 30 rounds');
    const [done] = allEvents(fs, 'migration-completed');
    expect(done).toMatchObject({ target: 'throttled', to: 'dst2', autoConverge: true });
    expect(done!['throttlePct'] as number).toBeGreaterThanOrEqual(20);
    const last = fs.at(-1)!;
    expect(vm(last, 'thrash').host).toBe('src');
    expect(vm(last, 'throttled').host).toBe('dst2');
  });

  it('host-failure-ha: two VMs restart after the detection delay, two stay down with a critical alarm', () => {
    const fs = frames('host-failure-ha.yaml', 240);
    const [failed] = allEvents(fs, 'host-failed');
    const restarted = allEvents(fs, 'ha-restarted');
    expect(restarted).toHaveLength(2);
    for (const e of restarted) expect(e.time - failed!.time).toBeGreaterThanOrEqual(59);
    const down = allEvents(fs, 'ha-failed').map((e) => e.target);
    expect(down).toHaveLength(2);
    const last = fs.at(-1)!;
    for (const name of down) {
      expect(vm(last, name).state).toBe('down');
      expect(last.alarms).toContainEqual(
        expect.objectContaining({ rule: 'ha-restart-failed', target: name, severity: 'critical' }),
      );
    }
    expect(host(last, 'esx-01')).toMatchObject({ state: 'up', vmsRunning: 0 });
  });
});
