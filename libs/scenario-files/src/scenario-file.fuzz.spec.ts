import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expandNames } from '@overcommit/contracts';
import { parse, stringify } from 'yaml';
import { loadScenarioText, type ScenarioLoadResult } from './scenario-file';

// Property-based fuzzing of scenario files (issue "Reliability and security, proven"): random
// mutations of every bundled scenario and hostile generated documents. Each case either parses or
// answers errors that each name a path; none throws, and none takes long (a sanity bound per case,
// not a benchmark).

const SCENARIOS = join(__dirname, '../../../scenarios');
const bundled = readdirSync(SCENARIOS)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: f, text: readFileSync(join(SCENARIOS, f), 'utf8') }));
/** Far above any real parse (a few ms); a case past it is a hang, not a slow machine. */
const CASE_BOUND_MS = 5_000;

/** C0 controls but tab and line breaks, and DEL: what a name may not hold. */
// eslint-disable-next-line no-control-regex -- the control characters are the point
const CONTROL = new RegExp('[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]');

let cases = 0;
let slowest = 0;

/** Loads the text and holds the answer to the rules: no throw, quick, errors each with a path. */
function check(text: string): ScenarioLoadResult {
  cases += 1;
  const started = performance.now();
  let result: ScenarioLoadResult | undefined;
  expect(() => {
    result = loadScenarioText(text, 'fuzz.yaml');
  }).not.toThrow();
  const took = performance.now() - started;
  slowest = Math.max(slowest, took);
  expect(took).toBeLessThan(CASE_BOUND_MS);
  if (!result) throw new Error('no result');
  if (!result.ok) {
    expect(result.errors.length).toBeGreaterThan(0);
    for (const error of result.errors) {
      expect(typeof error.path).toBe('string');
      expect(error.path.length).toBeGreaterThan(0);
      expect(typeof error.message).toBe('string');
      expect(error.message.length).toBeGreaterThan(0);
      // A message is one clear line of ours, never a stack trace.
      expect(error.message).not.toMatch(/\n\s+at /);
    }
  }
  return result;
}

const errorsOf = (result: ScenarioLoadResult) => (result.ok ? [] : result.errors);

/** A hostile value: wrong types, huge and odd numbers, control characters, deep nesting. */
const hostileLeaf = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0,
    1e9,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER,
    0.5,
    '',
    '\u0000',
    '\u001b[31m',
    '\ud800',
    'x'.repeat(5000),
    '.inf',
    '.nan',
    '-.inf',
    true,
    null,
  ),
  fc.double(),
  fc.integer(),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const hostileValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileLeaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A path into a parsed document, and a new value there (or its removal). */
function mutate(doc: unknown, steps: number[], value: unknown, remove: boolean): unknown {
  if (steps.length === 0 || typeof doc !== 'object' || doc === null) return value;
  const [first = 0, ...rest] = steps;
  const removeHere = remove && rest.length === 0;
  if (Array.isArray(doc)) {
    const list: unknown[] = [...(doc as unknown[])];
    if (list.length === 0) return doc;
    const at = first % list.length;
    if (removeHere) list.splice(at, 1);
    else list[at] = mutate(list[at], rest, value, remove);
    return list;
  }
  const copy: Record<string, unknown> = { ...(doc as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return doc;
  const key = keys[first % keys.length]!;
  if (removeHere) delete copy[key];
  else copy[key] = mutate(copy[key], rest, value, remove);
  return copy;
}

const small = (patch: Record<string, unknown> = {}) => ({
  version: 1,
  name: 'fuzz',
  hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }],
  vms: [{ name: 'vm', count: 2, vcpus: 2, memoryGiB: 4 }],
  ...patch,
});

describe('scenario files under fuzzing', () => {
  afterAll(() => {
    console.log(
      `scenario-file fuzz: ${cases} cases, slowest ${slowest.toFixed(1)} ms (bound ${CASE_BOUND_MS} ms)`,
    );
  });

  it('parses every bundled scenario as it is', () => {
    for (const { text } of bundled) expect(check(text).ok).toBe(true);
  });

  it('survives random mutations of the bundled scenarios (values replaced or removed)', () => {
    const docs = bundled.map(({ text }) => parse(text) as unknown);
    fc.assert(
      fc.property(
        fc.nat({ max: docs.length - 1 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        hostileValue,
        fc.boolean(),
        (which, steps, value, remove) => {
          check(stringify(mutate(docs[which], steps, value, remove)));
        },
      ),
      { numRuns: 1_500 },
    );
  });

  it('survives random byte-level edits of the bundled scenario texts', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: bundled.length - 1 }),
        fc.array(
          fc.record({
            at: fc.nat(),
            cut: fc.nat({ max: 20 }),
            insert: fc.oneof(
              fc.string({ unit: 'binary', maxLength: 12 }),
              fc.constantFrom('&a ', '*a', '<<: *a', '!!binary ', '!!js/function ', '{', '[', '\t'),
            ),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (which, edits) => {
          let text = bundled[which]!.text;
          for (const { at, cut, insert } of edits) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + insert + text.slice(i + cut);
          }
          check(text);
        },
      ),
      { numRuns: 1_500 },
    );
  });

  it('answers hostile generated documents with errors at their paths', () => {
    fc.assert(
      fc.property(hostileValue, (value) => {
        check(stringify(value));
        check(JSON.stringify(value) ?? 'null');
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a billion-laughs alias bomb at once', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      levels.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = `version: 1\nname: lol\n${levels.join('\n')}\nhosts: *j\n`;
    const result = check(bomb);
    expect(result.ok).toBe(false);
    expect(errorsOf(result)[0]!.path).toBe('(file)');
    // An alias bomb through the scenario's own keys: the same answer.
    const hostBomb = `version: 1
name: lol
x0: &x0 { name: esx, cpu: { sockets: 1, coresPerSocket: 1 }, memoryGiB: 1 }
x1: &x1 [*x0, *x0, *x0, *x0, *x0, *x0, *x0, *x0, *x0, *x0]
x2: &x2 [*x1, *x1, *x1, *x1, *x1, *x1, *x1, *x1, *x1, *x1]
x3: &x3 [*x2, *x2, *x2, *x2, *x2, *x2, *x2, *x2, *x2, *x2]
x4: &x4 [*x3, *x3, *x3, *x3, *x3, *x3, *x3, *x3, *x3, *x3]
x5: &x5 [*x4, *x4, *x4, *x4, *x4, *x4, *x4, *x4, *x4, *x4]
hosts: *x5
`;
    expect(check(hostBomb).ok).toBe(false);
  });

  it('reads harmless anchors and aliases, and merge keys', () => {
    const text = `version: 1
name: anchors
hosts:
  - &esx { name: esx-a, cpu: { sockets: 1, coresPerSocket: 8 }, memoryGiB: 64 }
  - { <<: *esx, name: esx-b }
vms:
  - &vm { name: web, vcpus: 2, memoryGiB: 4 }
  - { <<: *vm, name: db }
`;
    const result = check(text);
    // Merge keys are YAML 1.1; either they are read, or refused at a path: never a throw.
    if (result.ok) expect(result.scenario.hosts).toHaveLength(2);
  });

  it('refuses 100,000 VMs, 10,000 hosts and a host with 1e9 cores at their paths', () => {
    const vms = check(
      stringify(small({ vms: [{ name: 'vm', count: 100_000, vcpus: 1, memoryGiB: 1 }] })),
    );
    expect(errorsOf(vms).map((e) => e.path)).toContain('vms[0].count');
    const explicitVms = check(
      JSON.stringify(
        small({
          vms: Array.from({ length: 10_001 }, (_, i) => ({
            name: `v${i}`,
            vcpus: 1,
            memoryGiB: 1,
          })),
        }),
      ),
    );
    expect(explicitVms.ok).toBe(false);
    const hosts = check(
      stringify(
        small({
          hosts: [
            { name: 'esx', count: 10_000, cpu: { sockets: 1, coresPerSocket: 1 }, memoryGiB: 1 },
          ],
        }),
      ),
    );
    expect(errorsOf(hosts).map((e) => e.path)).toContain('hosts[0].count');
    const cores = check(
      stringify(
        small({
          hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 1e9 }, memoryGiB: 64 }],
        }),
      ),
    );
    expect(errorsOf(cores).map((e) => e.path)).toContain('hosts[0].cpu.coresPerSocket');
  });

  it('answers zero-memory VMs and hosts with an error at the path, or takes them as valid', () => {
    const vm = check(stringify(small({ vms: [{ name: 'vm', vcpus: 1, memoryGiB: 0 }] })));
    if (!vm.ok) expect(errorsOf(vm).map((e) => e.path)).toContain('vms[0].memoryGiB');
    const host = check(
      stringify(
        small({ hosts: [{ name: 'esx', cpu: { sockets: 1, coresPerSocket: 1 }, memoryGiB: 0 }] }),
      ),
    );
    if (!host.ok) expect(errorsOf(host)[0]!.path).toMatch(/^hosts\[0\]/);
  });

  it('refuses colliding names, explicit and from count expansion, naming where', () => {
    const explicit = check(
      stringify(
        small({
          vms: [
            { name: 'vm', vcpus: 1, memoryGiB: 1 },
            { name: 'vm', vcpus: 1, memoryGiB: 1 },
          ],
        }),
      ),
    );
    expect(explicit.ok).toBe(false);
    expect(errorsOf(explicit)[0]!.path).toMatch(/^vms\[1\]/);
    fc.assert(
      fc.property(
        fc.constantFrom('hosts', 'vms'),
        fc.integer({ min: 2, max: 120 }),
        fc.integer({ min: 1, max: 120 }),
        (kind, count, pick) => {
          // `web` with count expands to numbered names (web-01 ...); an explicit one of them collides.
          const names = expandNames('web', count);
          const taken = names[(pick - 1) % names.length];
          const entry =
            kind === 'vms'
              ? {
                  vms: [
                    { name: 'web', count, vcpus: 1, memoryGiB: 1 },
                    { name: taken, vcpus: 1, memoryGiB: 1 },
                  ],
                }
              : {
                  hosts: [
                    { name: 'esx', count, cpu: { sockets: 1, coresPerSocket: 1 }, memoryGiB: 8 },
                    { name: 'esx', count, cpu: { sockets: 1, coresPerSocket: 1 }, memoryGiB: 8 },
                  ],
                };
          const result = check(stringify(small(entry)));
          expect(result.ok).toBe(false);
          expect(errorsOf(result)[0]!.path).toMatch(new RegExp(`^${kind}\\[1\\]`));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('answers deep nesting and control characters with an error, never a throw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom('[', '{a: ', '- ', '{"a":'),
        (depth, open) => {
          check(`version: 1\nname: deep\nhosts: ${open.repeat(depth)}\n`);
        },
      ),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), (name) => {
        const result = check(stringify(small({ name })));
        if (CONTROL.test(name) && !result.ok) expect(errorsOf(result)[0]!.path).toBe('name');
      }),
      { numRuns: 300 },
    );
  });
});

describe('regressions found by the fuzzing', () => {
  it('never prints a warning with the file text to the process (a collection as a key)', () => {
    // Found by the mutation fuzzing: `{ [a]: 1 }` made the yaml library emitWarning the key's
    // text, raw control characters included, to stderr, outside the structured log.
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      check('version: 1\nname: x\n? [ "\\u001b[31mred" ]\n: 1\nhosts: []\n');
      check('version: 1\nname: x\n{ a: 1 }: 2\n');
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
