import { decodeVmColumns, encodeVms, type VmFrame } from '@overcommit/contracts';
import { rankSuffering, sufferingOf, sufferingRow } from './suffering';

const vm = (name: string, over: Partial<VmFrame> = {}): VmFrame => ({
  name,
  host: 'esx-01',
  state: 'running',
  vcpus: 2,
  memConfiguredMiB: 4096,
  cpuDemandPct: 50,
  cpuUsagePct: 50,
  cpuReadyPct: 0,
  cpuRunPct: 50,
  cpuIdlePct: 50,
  costopPct: 0,
  memActiveMiB: 2048,
  balloonMiB: 0,
  compressedMiB: 0,
  swappedMiB: 0,
  swapInMiBps: 0,
  numaNodes: [0],
  numaLocalPct: 100,
  performancePct: 100,
  memMissingPct: 0,
  migration: null,
  ...over,
});

const columns = (vms: VmFrame[]) => decodeVmColumns(encodeVms(vms));

describe('who suffers', () => {
  const vms = columns([
    vm('fine'),
    vm('waits', { cpuReadyPct: 12, performancePct: 70 }),
    vm('starved', { host: 'esx-02', memMissingPct: 33, balloonMiB: 3000, performancePct: 13 }),
    vm('wide', { host: 'esx-02', numaLocalPct: 60 }),
    vm('swapping', { host: 'esx-03', swappedMiB: 800, swapInMiBps: 25 }),
    // On a host that swaps in, but its own pages stay on swap: it reads nothing back.
    vm('parked', { host: 'esx-03', swappedMiB: 300 }),
    vm('off', { state: 'stopped', host: null, cpuReadyPct: 50 }),
  ]);

  it('judges every running VM against the threshold table and counts who suffers, and why', () => {
    const view = sufferingOf(vms);
    expect(view.running).toBe(6);
    expect(view.suffering).toBe(4);
    const by = Object.fromEntries(
      [0, 1, 2, 3, 4, 5].map((i) => sufferingRow(view, i)).map((v) => [v.name, v]),
    );
    expect(Object.keys(by)).toEqual(['fine', 'waits', 'starved', 'wide', 'swapping', 'parked']);
    expect(by['starved']!.values).toMatchObject({ memMissing: 33, performance: 13 });
    expect(by['swapping']!.values).toMatchObject({ swappedMiB: 800, swapIn: 25 });
    expect(by['fine']!.level).toBe('ok');
    expect(by['waits']!.levels).toMatchObject({ ready: 'critical', performance: 'warning' });
    expect(by['starved']!.levels).toMatchObject({
      memMissing: 'critical',
      performance: 'critical',
    });
    expect(by['wide']!.levels.numaLocal).toBe('warning');
    // Swap is judged by the VM's own swap-in rate (host-swap-in's thresholds: critical from 20
    // MiB/s); pages that sit on swap unread cost nothing.
    expect(by['swapping']!.levels.swap).toBe('critical');
    expect(by['parked']!.level).toBe('ok');
    expect(view.byFigure).toMatchObject({
      ready: 1,
      memMissing: 1,
      numaLocal: 1,
      swap: 1,
      performance: 2,
    });
  });

  it('marks each host with its suffering VMs and the worst level among them', () => {
    const { byHost } = sufferingOf(vms);
    expect(byHost.get('esx-01')).toEqual({ count: 1, level: 'critical' });
    expect(byHost.get('esx-02')).toEqual({ count: 2, level: 'critical' });
    expect(byHost.get('esx-03')).toEqual({ count: 1, level: 'critical' });
  });

  it('ranks the worst first (level, then lost speed), or by one figure', () => {
    const view = sufferingOf(vms);
    expect(rankSuffering(view, 'worst', 10).map((v) => v.name)).toEqual([
      'starved',
      'waits',
      'swapping',
      'wide',
    ]);
    expect(rankSuffering(view, 'worst', 2)).toHaveLength(2);
    expect(rankSuffering(view, 'ready', 10).map((v) => v.name)).toEqual(['waits']);
    expect(rankSuffering(view, 'performance', 10).map((v) => v.name)).toEqual(['starved', 'waits']);
    expect(rankSuffering(view, 'numaLocal', 10).map((v) => v.name)).toEqual(['wide']);
    expect(rankSuffering(view, 'swap', 10).map((v) => v.name)).toEqual(['swapping', 'parked']);
  });

  it('judges one tick once, however many panels ask', () => {
    expect(sufferingOf(vms)).toBe(sufferingOf(vms));
    expect(sufferingOf(columns([vm('fine')]))).not.toBe(sufferingOf(vms));
  });
});
