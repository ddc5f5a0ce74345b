import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { alarmRuleInfo, parseScenario, type Scenario } from '@overcommit/contracts';
import { BUILT_IN_RULES } from './alarms';
import { hostIn, run, scenario, type Observed } from './testing/scenarios';

// docs/model.md, section 13: vm-memory-starved tells the operator why guests crawl when the host
// has ballooned them below their working sets and its own memory state is back to `clear`.

function bundled(file: string): Scenario {
  const text = readFileSync(join(__dirname, '../../../scenarios', file), 'utf8');
  const parsed = parseScenario(parse(text), { sizeBounds: null });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

const starved = (f: Observed) => f.alarms.filter((a) => a.rule === 'vm-memory-starved');
const firingOn = (f: Observed) =>
  starved(f)
    .filter((a) => a.state === 'firing')
    .map((a) => a.target)
    .sort();
const busy = Array.from({ length: 10 }, (_, k) => `busy-${String(k + 1).padStart(2, '0')}`);

describe('vm-memory-starved', () => {
  it('is a built-in rule with hysteresis and a hold, labelled for the dashboard like every rule', () => {
    const rule = BUILT_IN_RULES['vm-memory-starved'];
    expect(rule).toMatchObject({ warning: 1, critical: 5, clearWarning: 0.5, clearCritical: 4 });
    expect(rule.forSeconds).toBe(20);
    // The rule's words and unit live in the contracts (alarmRuleInfo), one entry per engine rule.
    expect(Object.keys(alarmRuleInfo).sort()).toEqual(Object.keys(BUILT_IN_RULES).sort());
  });

  it('memory-overcommit-200: fires on every busy guest ballooned below its working set while host-mem-state clears', () => {
    const { frames } = run(bundled('memory-overcommit-200.yaml'), 400);
    const heavy = (f: Observed) => hostIn(f, 'heavy');
    // The host went through soft (host-mem-state fired) and came back to clear (it resolved).
    const memStateFired = frames.findIndex((f) =>
      f.alarms.some((a) => a.rule === 'host-mem-state' && a.state === 'firing'),
    );
    expect(memStateFired).toBeGreaterThan(0);
    const end = frames.at(-1)!;
    expect(heavy(end).memState).toBe('clear');
    expect(end.alarms.some((a) => a.rule === 'host-mem-state')).toBe(false);
    // ... while its guests crawl: the new alarm is firing, critical, on each of them, and only them.
    for (const v of end.vms.filter((v) => v.name.startsWith('busy')))
      expect(v.performancePct).toBeLessThan(20);
    for (const v of end.vms.filter((v) => v.name.startsWith('calm')))
      expect(v.performancePct).toBeGreaterThan(99);
    expect(firingOn(end)).toEqual(busy);
    for (const a of starved(end)) {
      expect(a.severity).toBe('critical');
      expect(a.value).toBeGreaterThan(25);
    }
    // Held 20 s: it fires 20 s after it was first read, not before; and the host's alarm
    // resolves after it has fired, so the operator is never left with neither.
    const firstPending = frames.findIndex((f) => starved(f).length > 0);
    const firstFiring = frames.findIndex((f) => firingOn(f).length > 0);
    expect(firstFiring - firstPending).toBe(20);
    const memStateGone = frames.findIndex(
      (f, k) => k > memStateFired && !f.alarms.some((a) => a.rule === 'host-mem-state'),
    );
    expect(firstFiring).toBeLessThan(memStateGone);
    for (const f of frames.slice(firstFiring)) expect(firingOn(f)).toEqual(busy);
  });

  it('fires on guests crawling under a host back in clear (eight 16 GiB guests touching 90% of 64 GiB)', () => {
    const s = scenario({
      policy: { ramAllocationRatio: 2 },
      hosts: [{ name: 'esx', cpu: { sockets: 2, coresPerSocket: 8 }, memoryGiB: 64, swapGiB: 64 }],
      vms: [
        {
          name: 'vm',
          count: 8,
          vcpus: 2,
          memoryGiB: 16,
          workload: { cpu: 0.3, memoryActive: 0.9 },
        },
      ],
    });
    const end = run(s, 400).frames.at(-1)!;
    expect(hostIn(end, 'esx').memState).toBe('clear');
    expect(end.alarms.some((a) => a.rule === 'host-mem-state')).toBe(false);
    expect(firingOn(end)).toHaveLength(8);
    for (const v of end.vms) expect(v.performancePct).toBeLessThan(25);
  });

  it('demo: fires on the analytics guests its description says make their host balloon, and no other', () => {
    const { frames } = run(bundled('demo.yaml'), 300);
    const end = frames.at(-1)!;
    expect(hostIn(end, 'esx-06').memState).toBe('clear');
    expect(firingOn(end)).toEqual(['analytics-01', 'analytics-02']);
    for (const v of end.vms)
      if (v.name.startsWith('analytics')) expect(v.performancePct).toBeLessThan(20);
    for (const f of frames)
      for (const a of starved(f)) expect(a.target).toMatch(/^analytics-0[12]$/);
  });

  it('does not fire where the guests have their working sets: cpu-overcommit, the calm 200% host', () => {
    for (const f of run(bundled('cpu-overcommit.yaml'), 400).frames) expect(starved(f)).toEqual([]);
    const s = scenario({
      policy: { ramAllocationRatio: 2 },
      hosts: [{ name: 'esx', cpu: { sockets: 2, coresPerSocket: 8 }, memoryGiB: 64, swapGiB: 64 }],
      vms: [
        {
          name: 'vm',
          count: 8,
          vcpus: 2,
          memoryGiB: 16,
          workload: { cpu: 0.3, memoryActive: 0.1 },
        },
      ],
    });
    for (const f of run(s, 400).frames) expect(starved(f)).toEqual([]);
  });

  it('can be tuned or turned off per scenario like the other rules', () => {
    const base = bundled('memory-overcommit-200.yaml');
    const off = run({ ...base, alarms: [{ rule: 'vm-memory-starved', enabled: false }] }, 400);
    expect(starved(off.frames.at(-1)!)).toEqual([]);
    const high = run(
      { ...base, alarms: [{ rule: 'vm-memory-starved', warning: 50, critical: 60 }] },
      400,
    );
    expect(starved(high.frames.at(-1)!)).toEqual([]);
  });
});
