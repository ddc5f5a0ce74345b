import { closestName } from './suggest';

describe('closestName', () => {
  it('finds the nearest name within two edits, ignoring case', () => {
    expect(closestName('socket', ['sockets', 'ghz'])).toBe('sockets');
    expect(closestName('Seed', ['seed', 'name'])).toBe('seed');
    expect(closestName('esx-1', ['esx-01', 'esx-02', 'web-01'])).toBe('esx-01');
  });

  it('suggests nothing when no name is close, nor the word itself', () => {
    expect(closestName('colour', ['name', 'count', 'vcpus'])).toBeUndefined();
    expect(closestName('web', ['web'])).toBeUndefined();
    expect(closestName('web', [])).toBeUndefined();
  });
});
