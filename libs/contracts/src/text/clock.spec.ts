import { clock } from './clock';

describe('clock', () => {
  it('writes m:ss, minutes going past 59, rounding to the nearest second', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(65.4)).toBe('1:05');
    expect(clock(59.6)).toBe('1:00');
    expect(clock(5400)).toBe('90:00');
  });

  it('rounds as asked', () => {
    expect(clock(59.2, { round: Math.ceil })).toBe('1:00');
    expect(clock(59.9, { round: Math.floor })).toBe('0:59');
  });

  it('writes hh:mm:ss with hours', () => {
    expect(clock(1, { hours: true, round: Math.floor })).toBe('00:00:01');
    expect(clock(3725.9, { hours: true, round: Math.floor })).toBe('01:02:05');
    expect(clock(90000, { hours: true })).toBe('25:00:00');
  });

  it('shows no time as a dash, and nothing before zero', () => {
    expect(clock(null)).toBe('–');
    expect(clock(undefined)).toBe('–');
    expect(clock(Number.NaN)).toBe('–');
    expect(clock(-3)).toBe('0:00');
  });
});
