import { formatInputErrors, formatInputPath, nestInputErrors, ROOT_PATH } from './input-error';

describe('formatInputPath', () => {
  it('writes keys with dots and list indices in brackets', () => {
    expect(formatInputPath(['hosts', 2, 'cpu', 'sockets'])).toBe('hosts[2].cpu.sockets');
    expect(formatInputPath(['X-User-Name'])).toBe('X-User-Name');
  });

  it('quotes a key that is not a plain name', () => {
    expect(formatInputPath(['labels', 'a b'])).toBe('labels["a b"]');
  });

  it('writes the input as a whole as (root)', () => {
    expect(formatInputPath([])).toBe('(root)');
    expect(ROOT_PATH).toBe('(root)');
  });
});

describe('nestInputErrors', () => {
  it('puts the place of a part before each of its paths, the part as a whole at that place', () => {
    expect(
      nestInputErrors(
        [
          { path: 'hosts[0].name', message: 'a' },
          { path: '[2]', message: 'b' },
          { path: '(root)', message: 'c' },
        ],
        ['scenario'],
      ),
    ).toEqual([
      { path: 'scenario.hosts[0].name', message: 'a' },
      { path: 'scenario[2]', message: 'b' },
      { path: 'scenario', message: 'c' },
    ]);
    expect(nestInputErrors([{ path: 'x', message: 'a' }], [])).toEqual([
      { path: 'x', message: 'a' },
    ]);
  });
});

describe('formatInputErrors', () => {
  it('writes one line per error', () => {
    expect(
      formatInputErrors([
        { path: 'a', message: 'one' },
        { path: 'b[0]', message: 'two' },
      ]),
    ).toBe('a: one\nb[0]: two');
  });

  it('joins with another separator when asked', () => {
    expect(
      formatInputErrors(
        [
          { path: 'a', message: 'one' },
          { path: '(root)', message: 'two' },
        ],
        '; ',
      ),
    ).toBe('a: one; (root): two');
  });
});
