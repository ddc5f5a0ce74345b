import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatInputErrors } from '@overcommit/contracts';
import { loadScenarioFile, loadScenarioText, MAX_NESTING, nestingDepth } from './scenario-file';

const yamlScenario = `version: 1
name: Memory overcommit at 150%   # shown in the UI
seed: 7
policy:
  ramAllocationRatio: 1.5
hosts:
  - name: esx
    cpu: { sockets: 2, coresPerSocket: 6, threadsPerCore: 2 }
    memoryGiB: 100
vms:
  - name: web
    count: 10
    vcpus: 8
    memoryGiB: 20
    host: esx
events:
  - at: 120
    do: set-workload
    target: web-03
    workload: { cpu: 0.95 }
`;

describe('scenario files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'overcommit-scenario-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a valid YAML file into a scenario with its defaults', () => {
    const path = join(dir, 'overcommit.yaml');
    writeFileSync(path, yamlScenario);
    const result = loadScenarioFile(path);
    if (!result.ok) throw new Error(formatInputErrors(result.errors));
    expect(result.scenario.name).toBe('Memory overcommit at 150%');
    expect(result.scenario.hosts[0]?.cpu).toEqual({
      sockets: 2,
      coresPerSocket: 6,
      threadsPerCore: 2,
      ghz: 2.4,
    });
    expect(result.scenario.vms[0]).toMatchObject({ name: 'web', count: 10, host: 'esx' });
    expect(result.scenario.events).toEqual([
      { at: 120, do: 'set-workload', target: 'web-03', workload: { cpu: 0.95 } },
    ]);
    expect(result.scenario.policy.placement).toBe('spread');
  });

  it('reads JSON too, since JSON is YAML', () => {
    const json = JSON.stringify({
      version: 1,
      name: 'json',
      hosts: [{ name: 'h', cpu: { sockets: 1, coresPerSocket: 2 }, memoryGiB: 4 }],
    });
    expect(loadScenarioText(json, 'inline.json').ok).toBe(true);
  });

  it('reports a YAML syntax error with its line and column', () => {
    const broken = 'version: 1\nname: x\nhosts:\n  - name: esx\n    cpu: { sockets: 2\n';
    const result = loadScenarioText(broken, 'broken.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors[0]?.path).toBe('(file)');
    expect(result.errors[0]?.message).toMatch(
      /^YAML syntax error at line [56], column \d+ of broken\.yaml: /,
    );
  });

  it('reports a duplicated key with its line', () => {
    const result = loadScenarioText('version: 1\nname: a\nname: b\n', 'dup.yaml');
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          path: '(file)',
          message: expect.stringMatching(
            /^YAML syntax error at line 3, column 1 of dup\.yaml: .*unique/,
          ) as unknown,
        },
      ],
    });
  });

  it('refuses an empty file', () => {
    expect(loadScenarioText('# nothing here\n', 'empty.yaml')).toEqual({
      ok: false,
      errors: [
        { path: '(file)', message: 'empty.yaml is empty; expected a scenario (version: 1, ...)' },
      ],
    });
  });

  it('reports a file that does not exist, without throwing', () => {
    const path = join(dir, 'missing.yaml');
    expect(loadScenarioFile(path)).toEqual({
      ok: false,
      errors: [{ path: '(file)', message: `cannot read ${path}: no such file` }],
    });
  });

  it('reports a directory given as a file', () => {
    const result = loadScenarioFile(dir);
    expect(!result.ok && result.errors[0]?.message).toBe(
      `cannot read ${dir}: it is a directory, not a file`,
    );
  });

  it('passes the scenario errors through, with their paths', () => {
    const text = yamlScenario.replace('sockets: 2', 'socket: 2');
    const result = loadScenarioText(text, 'typo.yaml');
    expect(!result.ok && formatInputErrors(result.errors)).toBe(
      [
        'hosts[0].cpu.sockets: missing; expected a number',
        'hosts[0].cpu.socket: unknown key, did you mean "sockets"?',
      ].join('\n'),
    );
  });

  describe('nesting, bounded before the parser sees the text', () => {
    const refusal = (line: number) => [
      {
        path: '(file)',
        message: `the request body nests more than ${MAX_NESTING} levels deep (at line ${line}); a scenario needs about 6`,
      },
    ];

    it('refuses 5,000 levels of flow brackets, block mappings or dashes with one clear line', () => {
      const flow = `version: 1\nname: deep\nhosts: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
      expect(loadScenarioText(flow, 'the request body')).toEqual({ ok: false, errors: refusal(3) });
      const block = Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
      expect(loadScenarioText(block, 'the request body')).toEqual({
        ok: false,
        errors: refusal(MAX_NESTING + 1),
      });
      const dashes = `hosts:\n  ${'- '.repeat(5000)}x\n`;
      expect(loadScenarioText(dashes, 'the request body')).toEqual({
        ok: false,
        errors: refusal(2),
      });
    });

    it('measures real scenarios as shallow: the bundled format, JSON, brackets and quotes inside text', () => {
      expect(nestingDepth(yamlScenario).depth).toBeLessThanOrEqual(6);
      // Five brackets on a line of its own (one block level): an upper estimate.
      expect(nestingDepth(JSON.stringify({ a: { b: [{ c: [1, 2] }] } })).depth).toBe(6);
      const text = `description: |\n  [[[[[[ not structure ]]]]\n  it's text: {{{{\nname: "a [[[[ b"\nnote: 'x {{{ y'\n`;
      expect(nestingDepth(text).depth).toBe(1);
    });
  });
});
