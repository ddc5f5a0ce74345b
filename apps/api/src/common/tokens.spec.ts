import { newToken, secretsEqual, tokenHash, tokenMatches } from './tokens';

describe('secretsEqual (SHA-256 of both sides, then timingSafeEqual)', () => {
  it.each([
    ['equal', 'a-long-metrics-secret', 'a-long-metrics-secret', true],
    ['unequal, same length', 'a-long-metrics-secret', 'a-long-metrics-secreT', false],
    ['a prefix of the other', 'a-long-metrics', 'a-long-metrics-secret', false],
    ['longer than the other', 'a-long-metrics-secret-and-more', 'a-long-metrics-secret', false],
    ['given empty', '', 'a-long-metrics-secret', false],
    ['wanted empty', 'a-long-metrics-secret', '', false],
    ['both empty', '', '', false],
    ['given undefined', undefined, 'a-long-metrics-secret', false],
    ['wanted undefined', 'a-long-metrics-secret', undefined, false],
    ['multi-byte, equal', 'clé-secrète-ünïcode', 'clé-secrète-ünïcode', true],
    ['multi-byte, unequal', 'clé-secrète-ünïcode', 'cle-secrete-unicode', false],
  ])('%s', (_what, given, wanted, expected) => {
    expect(secretsEqual(given, wanted)).toBe(expected);
  });

  it('matches a 1 MB secret with itself and not with a copy one byte off', () => {
    const big = 'x'.repeat(1_000_000);
    expect(secretsEqual(big, big)).toBe(true);
    expect(secretsEqual(big, `${big.slice(1)}y`)).toBe(false);
  });
});

describe('tokenMatches (a presented token against a stored SHA-256 digest)', () => {
  const token = newToken();
  const hash = tokenHash(token);

  it('matches the token whose digest is stored', () => {
    expect(tokenMatches(token, hash)).toBe(true);
  });

  it.each([
    ['another token of the same length', newToken()],
    [
      'the token with one character changed',
      `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
    ],
    ['a prefix of the token', token.slice(0, 10)],
    ['the token and more', `${token}x`],
    ['the stored digest itself', hash],
    ['empty', ''],
    ['none', undefined],
  ])('refuses %s', (_what, given) => {
    expect(tokenMatches(given, hash)).toBe(false);
  });

  it('never matches a missing or malformed stored digest', () => {
    expect(tokenMatches(token, '')).toBe(false);
    expect(tokenMatches(token, hash.slice(0, 62))).toBe(false);
    expect(tokenMatches(token, `${hash}00`)).toBe(false);
    expect(tokenMatches(token, 'not hex at all')).toBe(false);
  });

  it('gives 192-bit URL-safe tokens, a new one each time', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newToken()).not.toBe(token);
  });
});
