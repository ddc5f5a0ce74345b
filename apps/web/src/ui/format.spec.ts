import { alarmRuleIds } from '@overcommit/contracts';
import { alarmFigure, alarmLabel } from './format';

describe('alarm labels', () => {
  it('every rule has words and a unit for the alarms panel', () => {
    for (const rule of alarmRuleIds) {
      expect(alarmLabel(rule).length).toBeGreaterThan(5);
      expect(alarmFigure(rule, 1)).toMatch(/^1\.00 ?\S/);
    }
  });

  it('says why a guest crawls under a host that reads clear: its working set is not in RAM', () => {
    expect(alarmLabel('vm-memory-starved')).toContain('working set not in RAM');
    expect(alarmFigure('vm-memory-starved', 33.456)).toBe('33.46% of working set');
    expect(alarmFigure('host-swap-in', 21.5)).toBe('21.50 MiB/s');
    expect(alarmFigure('vm-cpu-ready', 12)).toBe('12.00%');
  });
});
