import { decodeVmColumns, encodeVms, type VmFrame, type VmState } from '@overcommit/contracts';
import en from '../../messages/en/cluster.json';
import zhHans from '../../messages/zh-Hans/cluster.json';
import zhHant from '../../messages/zh-Hant/cluster.json';
import { filterVms } from './vm-filter';

const vm = (name: string, host: string | null, state: VmState): VmFrame => ({
  name,
  host,
  state,
  vcpus: 2,
  memConfiguredMiB: 4096,
  cpuDemandPct: 0,
  cpuUsagePct: 0,
  cpuReadyPct: 0,
  cpuRunPct: 0,
  cpuIdlePct: 100,
  costopPct: 0,
  memActiveMiB: 0,
  balloonMiB: 0,
  compressedMiB: 0,
  swappedMiB: 0,
  swapInMiBps: 0,
  numaNodes: [0],
  numaLocalPct: 100,
  performancePct: 100,
  memMissingPct: 0,
  migration: null,
});

const vms = decodeVmColumns(
  encodeVms([
    vm('web-01', 'esx-01', 'running'),
    vm('web-02', null, 'stopped'),
    vm('db-01', 'esx-02', 'paused'),
    vm('db-02', 'esx-02', 'running'),
  ]),
);

/** The state words of one language, as the table shows them. */
const wordsOf =
  (messages: { states: { vm: Record<VmState, string> } }) =>
  (state: VmState): string =>
    messages.states.vm[state];

const names = (picked: number[]) => picked.map((i) => vms.column('name')[i]);

describe('the VM table filter', () => {
  it('matches names and hosts, any case; an empty filter keeps every VM', () => {
    expect(names(filterVms(vms, '', wordsOf(en)))).toEqual(['web-01', 'web-02', 'db-01', 'db-02']);
    expect(names(filterVms(vms, ' WEB ', wordsOf(en)))).toEqual(['web-01', 'web-02']);
    expect(names(filterVms(vms, 'esx-02', wordsOf(en)))).toEqual(['db-01', 'db-02']);
  });

  it('matches a state by its name in English', () => {
    expect(names(filterVms(vms, 'running', wordsOf(en)))).toEqual(['web-01', 'db-02']);
    expect(names(filterVms(vms, 'Paused', wordsOf(en)))).toEqual(['db-01']);
  });

  it('matches a state by its word in the reader’s language, and still by its name', () => {
    for (const messages of [zhHans, zhHant]) {
      const words = wordsOf(messages);
      expect(names(filterVms(vms, words('running'), words))).toEqual(['web-01', 'db-02']);
      expect(names(filterVms(vms, words('stopped'), words))).toEqual(['web-02']);
      expect(names(filterVms(vms, words('paused'), words))).toEqual(['db-01']);
      expect(names(filterVms(vms, 'running', words))).toEqual(['web-01', 'db-02']);
    }
    expect(zhHans.states.vm.running).toBe('运行中');
  });
});
