import { alarmRuleIds, alarmRuleInfo } from '@overcommit/contracts';
import { englishHelp } from '../help/english';
import { alarmFigure as figureIn, alarmLabel as labelIn, parseSimTime, simTime } from './format';

const t = englishHelp();
const alarmLabel = (rule: Parameters<typeof labelIn>[0]) => labelIn(rule, t);
const alarmFigure = (rule: Parameters<typeof figureIn>[0], v: number) => figureIn(rule, v, t);

describe('alarm labels', () => {
  it('every rule has words and a unit for the alarms panel', () => {
    for (const rule of alarmRuleIds) {
      expect(alarmLabel(rule).length).toBeGreaterThan(5);
      // The English words are the contracts' own (help.json says them in each language).
      expect(alarmLabel(rule)).toBe(alarmRuleInfo[rule].label);
      // Migration counts rounds, a whole number with a plural; the others two decimals and a unit.
      expect(alarmFigure(rule, 1)).toMatch(rule === 'migration' ? /^1 round$/ : /^1\.00 ?\S/);
    }
  });

  it('says why a guest crawls under a host that reads clear: its working set is not in RAM', () => {
    expect(alarmLabel('vm-memory-starved')).toContain('working set not in RAM');
    expect(alarmFigure('vm-memory-starved', 33.456)).toBe('33.46% of working set');
    expect(alarmFigure('host-swap-in', 21.5)).toBe('21.50 MiB/s');
    expect(alarmFigure('vm-cpu-ready', 12)).toBe('12.00%');
  });
});

describe('simulated time typed by a person', () => {
  it('reads h:mm:ss, m:ss, seconds and days, as simTime writes them', () => {
    expect(parseSimTime('1:02:03')).toBe(3723);
    expect(parseSimTime('2:03')).toBe(123);
    expect(parseSimTime('45')).toBe(45);
    expect(parseSimTime(' 0:15:00 ')).toBe(900);
    expect(parseSimTime('1d 0:00:05')).toBe(86405);
    for (const t of [0, 59, 3599, 3723, 90061]) expect(parseSimTime(simTime(t))).toBe(t);
  });

  it('refuses what is not a time', () => {
    for (const bad of ['', 'soon', '1:75', '1:60:00', '-5', '1d'])
      expect(parseSimTime(bad)).toBeNull();
  });
});
