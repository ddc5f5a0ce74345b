import { segment, tokenParam } from './route-params';

describe('route parameters', () => {
  it('decodes percent-escapes, and keeps a malformed segment as typed instead of failing', () => {
    expect(segment('esx%2001')).toBe('esx 01');
    expect(segment('100%')).toBe('100%');
  });
  it('takes a single ?token= only', () => {
    expect(tokenParam('abc')).toBe('abc');
    expect(tokenParam(['a', 'b'])).toBeUndefined();
    expect(tokenParam(undefined)).toBeUndefined();
  });
});
