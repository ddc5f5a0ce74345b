import fc from 'fast-check';

// Hostile values the fuzz specs share: text and JSON that is wrong at every level.

/** Numbers at the edges: negative zero, past 2^53, past a double's range, denormals. */
export const hugeNumbers = fc.constantFrom(
  -1,
  -0,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 53,
  1e-320,
  0.1,
  4294967296,
);

/**
 * Text: any UTF-16 (lone surrogates included) and names that trip parsers and prototypes; the
 * longest is `longest` characters (a socket message past 64 KiB closes its connection).
 */
export function hostileStrings(longest: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.constantFrom(
      '',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      '\u0000',
      '\ud800',
      '\u202e',
      '../../etc/passwd',
      '%00',
      '{}',
      '[]',
      'null',
      'NaN',
      'Infinity',
      '1e309',
      "' OR 1=1 --",
      '<script>alert(1)</script>',
      '*',
      'x'.repeat(longest),
    ),
  );
}

/** Any JSON value, hostile at every level; `keys` are field names worth trying besides hostile ones. */
export function hostileJsonOf(
  strings: fc.Arbitrary<string>,
  keys: readonly string[] = [],
): fc.Arbitrary<unknown> {
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      strings,
      hugeNumbers,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(
        keys.length > 0 ? fc.oneof(strings, fc.constantFrom(...keys)) : strings,
        tie('value'),
        {
          maxKeys: 5,
        },
      ),
    ),
  })).value;
}
