import type { RedisClient } from '../redis/redis.module';

/** What a script's argument may be (ioredis sends each as a bulk string). */
export type LuaArg = string | number | Buffer;

/** One call of a script: every key and argument by its name, then the rest (if the script takes any). */
export interface LuaCall<K extends string, A extends string> {
  keys: Record<K, string>;
  args: Record<A, LuaArg>;
  rest?: readonly LuaArg[];
}

const LUA_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A Lua script whose keys and arguments have names. The one ordered list of names makes both the
 * Lua's prologue (`local <name> = KEYS[i]` / `ARGV[i]`, and `restAt`, the index of the first
 * argument after the named ones) and, from an object with those names, the arguments of a call in
 * that order, so the two cannot drift apart. The body uses the names; it may not index KEYS or
 * ARGV by number (checked here, when the module loads, as are names it declares and never uses).
 */
export class LuaScript<const K extends string, const A extends string> {
  readonly lua: string;

  constructor(
    private readonly spec: {
      /** The command ioredis defines on the connection. */
      name: string;
      keys: readonly K[];
      args: readonly A[];
      /** What ARGV holds from `restAt` on, when the script takes more than its named arguments. */
      rest?: string;
      body: string;
    },
  ) {
    const names = [...spec.keys, ...spec.args, ...(spec.rest ? ['restAt'] : [])];
    const problems: string[] = [];
    for (const name of names) {
      if (!LUA_NAME.test(name)) problems.push(`"${name}" is not a Lua name`);
      else if (!new RegExp(`\\b${name}\\b`).test(spec.body)) problems.push(`${name} is never used`);
    }
    const repeated = names.filter((name, i) => names.indexOf(name) !== i);
    if (repeated.length > 0) problems.push(`${repeated.join(', ')} named twice`);
    const numbered = spec.body.match(/\b(?:KEYS|ARGV)\[\s*\d/g);
    if (numbered) problems.push(`the body indexes ${numbered.join(', ')}...: use the names`);
    if (problems.length > 0)
      throw new Error(`Lua script ${spec.name}: ${problems.join('; ')} (lua-script.ts)`);
    const prologue = [
      `-- ${spec.name}: KEYS and ARGV by name, written from the lists in TypeScript (LuaScript)`,
      ...spec.keys.map((key, i) => `local ${key} = KEYS[${i + 1}]`),
      ...spec.args.map((arg, i) => `local ${arg} = ARGV[${i + 1}]`),
      ...(spec.rest
        ? [`local restAt = ${spec.args.length + 1} -- ARGV[restAt..]: ${spec.rest}`]
        : []),
    ];
    this.lua = `${prologue.join('\n')}\n${spec.body.trim()}\n`;
  }

  /** A call's arguments in the order the prologue reads them: the keys, the arguments, the rest. */
  argv(call: LuaCall<K, A>): LuaArg[] {
    return [
      ...this.spec.keys.map((key) => call.keys[key]),
      ...this.spec.args.map((arg) => call.args[arg]),
      ...(call.rest ?? []),
    ];
  }

  /** Defines the script on a connection; the function runs it (EVALSHA, loading it when Redis lacks it). */
  define(redis: RedisClient): (call: LuaCall<K, A>) => Promise<unknown> {
    redis.defineCommand(this.spec.name, { numberOfKeys: this.spec.keys.length, lua: this.lua });
    const command = (redis as unknown as Record<string, (...args: LuaArg[]) => Promise<unknown>>)[
      this.spec.name
    ]!;
    return (call) => command.apply(redis, this.argv(call));
  }
}
