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
    vm('swapping', { host: 'esx-03', swappedMiB: 800 }),
    vm('off', { state: 'stopped', host: null, cpuReadyPct: 50 }),
  ]);
  const swapIn = new Map([
    ['esx-01', 0],
    ['esx-02', 0],
    ['esx-03', 25],
  ]);

  it('judges every running VM against the threshold table and counts who suffers, and why', () => {
    const view = sufferingOf(vms, swapIn);
    expect(view.running).toBe(5);
    expect(view.suffering).toBe(4);
    const by = Object.fromEntries(
      [0, 1, 2, 3, 4].map((i) => sufferingRow(view, i)).map((v) => [v.name, v]),
    );
    expect(Object.keys(by)).toEqual(['fine', 'waits', 'starved', 'wide', 'swapping']);
    expect(by['starved']!.values).toMatchObject({ memMissing: 33, performance: 13 });
    expect(by['swapping']!.values).toMatchObject({ swappedMiB: 800, hostSwapIn: 25 });
    expect(by['fine']!.level).toBe('ok');
    expect(by['waits']!.levels).toMatchObject({ ready: 'critical', performance: 'warning' });
    expect(by['starved']!.levels).toMatchObject({
      memMissing: 'critical',
      performance: 'critical',
    });
    expect(by['wide']!.levels.numaLocal).toBe('warning');
    // Swapped pages are judged by the host's swap-in rate (host-swap-in: critical from 20 MiB/s).
    expect(by['swapping']!.levels.swap).toBe('critical');
    expect(view.byFigure).toMatchObject({
      ready: 1,
      memMissing: 1,
      numaLocal: 1,
      swap: 1,
      performance: 2,
    });
  });

  it('marks each host with its suffering VMs and the worst level among them', () => {
    const { byHost } = sufferingOf(vms, swapIn);
    expect(byHost.get('esx-01')).toEqual({ count: 1, level: 'critical' });
    expect(byHost.get('esx-02')).toEqual({ count: 2, level: 'critical' });
    expect(byHost.get('esx-03')).toEqual({ count: 1, level: 'critical' });
  });

  it('ranks the worst first (level, then lost speed), or by one figure', () => {
    const view = sufferingOf(vms, swapIn);
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
  });

  it('judges one tick once, however many panels ask', () => {
    expect(sufferingOf(vms, swapIn)).toBe(sufferingOf(vms, new Map(swapIn)));
    expect(sufferingOf(vms, new Map([['esx-03', 0]]))).not.toBe(sufferingOf(vms, swapIn));
  });
});
