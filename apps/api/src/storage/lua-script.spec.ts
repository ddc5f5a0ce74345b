import type { Redis } from 'ioredis';
import { COMMIT, RESERVE } from './cluster-state.repository';
import { LuaScript } from './lua-script';

describe('a Lua script with named keys and arguments', () => {
  const script = new LuaScript({
    name: 'ocExample',
    keys: ['counter', 'log'],
    args: ['by', 'note'],
    rest: 'tags',
    body: `
local n = redis.call('INCRBY', counter, by)
redis.call('RPUSH', log, note)
for i = restAt, #ARGV do redis.call('RPUSH', log, ARGV[i]) end
return n
`,
  });

  it('reads each name from its place, in the order of the lists', () => {
    expect(script.lua.split('\n').slice(1, 6)).toEqual([
      'local counter = KEYS[1]',
      'local log = KEYS[2]',
      'local by = ARGV[1]',
      'local note = ARGV[2]',
      'local restAt = 3 -- ARGV[restAt..]: tags',
    ]);
  });

  it('puts a call given by name in that same order, whatever order the object has', () => {
    expect(
      script.argv({
        args: { note: 'hello', by: 2 },
        keys: { log: 'k:log', counter: 'k:n' },
        rest: ['a', 'b'],
      }),
    ).toEqual(['k:n', 'k:log', 2, 'hello', 'a', 'b']);
  });

  it('defines the command with its key count and runs it with the arguments in order', async () => {
    const calls: unknown[][] = [];
    const redis = {
      defineCommand(name: string, spec: { numberOfKeys: number; lua: string }) {
        calls.push(['define', name, spec.numberOfKeys, spec.lua === script.lua]);
        (this as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
          calls.push(['run', ...args]);
          return Promise.resolve(1);
        };
      },
    };
    const run = script.define(redis as unknown as Redis);
    await expect(
      run({ keys: { counter: 'n', log: 'l' }, args: { by: 1, note: 'x' } }),
    ).resolves.toBe(1);
    expect(calls).toEqual([
      ['define', 'ocExample', 2, true],
      ['run', 'n', 'l', 1, 'x'],
    ]);
  });

  it.each([
    [{ args: ['a'], body: 'return ARGV[1]' }, /never used.*indexes ARGV\[1/],
    [{ args: ['a', 'b'], body: 'return a' }, /b is never used/],
    [{ args: ['a', 'a'], body: 'return a' }, /a named twice/],
    [{ args: ['not-lua'], body: 'return 1' }, /"not-lua" is not a Lua name/],
  ])('refuses, when it is defined, a script whose names and body disagree (%#)', (spec, error) => {
    expect(() => new LuaScript({ name: 'ocBad', keys: [], ...spec })).toThrow(error);
  });

  it("keeps the tick commit's and the reservation's ARGV where they always were", () => {
    expect(COMMIT.lua).toContain(
      [
        'local stateKey = KEYS[1]',
        'local metaKey = KEYS[2]',
        'local framesKey = KEYS[3]',
        // The command queue a commit trims, and the outcomes' order (issue 17's soak).
        'local commandsKey = KEYS[4]',
        'local outcomesKey = KEYS[5]',
        'local outcomeOrderKey = KEYS[6]',
        'local fromTick = ARGV[1]',
        'local tick = ARGV[2]',
        'local state = ARGV[3]',
        'local time = ARGV[4]',
        'local lastCommandId = ARGV[5]',
        'local summary = ARGV[6]',
        'local lagMs = ARGV[7]',
        'local historyLength = ARGV[8]',
        'local wire = ARGV[9]',
        // PUBLISH, or SPUBLISH on a Redis Cluster (issue 18).
        'local publish = ARGV[10]',
        'local channel = ARGV[11]',
        'local message = ARGV[12]',
        'local outcomesKept = ARGV[13]',
        'local restAt = 14',
      ].join('\n'),
    );
    expect(RESERVE.lua).toContain(
      [
        'local clusterIndex = KEYS[1]',
        'local creatorClusters = KEYS[2]',
        'local total = ARGV[1]',
        'local perCreator = ARGV[2]',
        'local restAt = 3',
      ].join('\n'),
    );
  });
});
