import { z } from 'zod';
import {
  commandSchema,
  scenarioSchema,
  type Command,
  type Scenario,
  type ScenarioEvent,
} from './scenario.schema';

// Turning zod issues into messages a person can act on, plus the checks a
// schema cannot express (names that must exist, names that must be unique).
// Every error carries a path like `hosts[2].cpu.sockets`; all errors are
// collected, never only the first.

import type { InputError } from './input-error';
import {
  checkClusterLimits,
  type ClusterLimits,
  type LimitNames,
  LIVE_CLUSTER_LIMITS,
  SIZE_BOUNDS,
} from './scenario-limits';

export type { InputError } from './input-error';

export type ScenarioParseResult =
  { ok: true; scenario: Scenario } | { ok: false; errors: InputError[] };
export type CommandParseResult =
  { ok: true; command: Command } | { ok: false; errors: InputError[] };

/** The names an entry with `count` stands for: `web` → web-01 .. web-NN (just `web` for 1). */
export function expandNames(base: string, count: number): string[] {
  if (!Number.isFinite(count) || count < 1) return [];
  const n = Math.floor(count);
  if (n === 1) return [base];
  const width = Math.max(2, String(n).length);
  return Array.from({ length: n }, (_, i) => `${base}-${String(i + 1).padStart(width, '0')}`);
}

/** A cluster's limits, and the settings they come from (for messages). */
export interface ScenarioParseOptions {
  limits?: ClusterLimits;
  limitNames?: LimitNames;
  /** The frame and state size bounds (default SIZE_BOUNDS); null for the headless runner. */
  sizeBounds?: typeof SIZE_BOUNDS | null;
}

/**
 * Validates a whole scenario: the schema first (every value within its bounds), then the cluster's
 * limits from the counts alone (nothing expanded yet), then (only if both pass) the cross-checks,
 * which expand names. An oversized scenario is refused before any work proportional to its size.
 */
export function parseScenario(
  input: unknown,
  options: ScenarioParseOptions = {},
): ScenarioParseResult {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    return { ok: false, errors: issuesToErrors(result.error.issues, input, scenarioSchema) };
  }
  const tooBig = checkClusterLimits(
    result.data,
    options.limits ?? LIVE_CLUSTER_LIMITS,
    options.limitNames,
    options.sizeBounds === undefined ? SIZE_BOUNDS : options.sizeBounds,
  );
  if (tooBig.length > 0) return { ok: false, errors: tooBig };
  const errors = crossCheck(result.data);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, scenario: result.data };
}

/** Validates one command (shape only: the engine refuses commands naming nothing). */
export function parseCommand(input: unknown): CommandParseResult {
  const result = commandSchema.safeParse(input);
  if (!result.success) {
    return { ok: false, errors: issuesToErrors(result.error.issues, input, commandSchema) };
  }
  return { ok: true, command: result.data };
}

/** One line per error: `path: message`. */
export function formatInputErrors(errors: InputError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('\n');
}

// --- paths and values --------------------------------------------------------

type PathSegment = PropertyKey;

const plainKey = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `['hosts', 2, 'cpu', 'sockets']` → `hosts[2].cpu.sockets`; `[]` → `(root)`. */
function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = typeof segment === 'symbol' ? (segment.description ?? 'symbol') : segment;
      if (plainKey.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out === '' ? '(root)' : out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function childValue(value: unknown, segment: PathSegment): unknown {
  if (Array.isArray(value) && typeof segment === 'number') return value[segment] as unknown;
  if (isRecord(value) && typeof segment === 'string') return value[segment];
  return undefined;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let value = root;
  for (const segment of path) value = childValue(value, segment);
  return value;
}

function quoteText(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** A short, human description of a value that was given: `the number 5`, `a list`. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the text ${quoteText(value)}`;
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (isRecord(value)) return 'an object';
  return typeof value;
}

/** A value as written (for "got ..."): `-1`, `"sprd"`. */
function showValue(value: unknown): string {
  if (typeof value === 'string') return quoteText(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  return describeValue(value);
}

function describeExpectedType(expected: string): string {
  switch (expected) {
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'string':
      return 'a text string';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'an object (key: value pairs)';
    case 'array':
      return 'a list';
    case 'null':
      return 'null';
    default:
      return expected;
  }
}

// --- suggestions -------------------------------------------------------------

function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The closest candidate within edit distance 2, ignoring case: the "did you mean" of every error. */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = levenshtein(lower, candidate.toLowerCase());
    if (distance <= 2 && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function listOf(items: readonly string[], limit = 12): string {
  if (items.length <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}

// --- walking the schema --------------------------------------------------------

type Schema = z.core.$ZodType;

function unwrap(schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; depth < 32; depth++) {
    const def = current._zod.def;
    switch (def.type) {
      case 'optional':
      case 'default':
      case 'prefault':
      case 'nullable':
      case 'nonoptional':
      case 'readonly':
      case 'catch':
        current = (def as z.core.$ZodOptionalDef).innerType;
        break;
      case 'pipe':
        current = (def as z.core.$ZodPipeDef).in;
        break;
      default:
        return current;
    }
  }
  return current;
}

function literalValues(schema: Schema): unknown[] {
  const inner = unwrap(schema);
  const def = inner._zod.def;
  if (def.type === 'literal')
    return [...(def as z.core.$ZodLiteralDef<z.core.util.Literal>).values];
  return [];
}

/** The shape of the object `schema` describes for `value` (choosing a union option by its discriminator). */
function objectShape(schema: Schema, value: unknown): z.core.$ZodShape | undefined {
  const inner = unwrap(schema);
  const def = inner._zod.def;
  if (def.type === 'object') return (def as z.core.$ZodObjectDef).shape;
  if (def.type === 'union') {
    const union = def as z.core.$ZodDiscriminatedUnionDef;
    if (typeof union.discriminator !== 'string') return undefined;
    const wanted = isRecord(value) ? value[union.discriminator] : undefined;
    for (const option of union.options) {
      const shape = objectShape(option, value);
      const tag = shape?.[union.discriminator];
      if (shape && tag && literalValues(tag).includes(wanted)) return shape;
    }
  }
  return undefined;
}

function childSchema(schema: Schema, value: unknown, segment: PathSegment): Schema | undefined {
  const inner = unwrap(schema);
  const def = inner._zod.def;
  if (def.type === 'array') {
    return typeof segment === 'number' ? (def as z.core.$ZodArrayDef).element : undefined;
  }
  if (typeof segment !== 'string') return undefined;
  return objectShape(inner, value)?.[segment];
}

/** The keys the schema allows for the object at `path` of `input`, in declaration order. */
function knownKeysAt(root: Schema, input: unknown, path: readonly PathSegment[]): string[] {
  let schema: Schema | undefined = root;
  let value = input;
  for (const segment of path) {
    if (!schema) return [];
    schema = childSchema(schema, value, segment);
    value = childValue(value, segment);
  }
  const shape = schema ? objectShape(schema, value) : undefined;
  return shape ? Object.keys(shape) : [];
}

// --- issues to errors ----------------------------------------------------------

const english = z.locales.en().localeError;

/** Zod's own wording for an issue, to tell it apart from a message the schema chose. */
function defaultMessage(issue: z.core.$ZodIssue, input: unknown): string | undefined {
  const produced = english({ ...issue, input } as z.core.$ZodRawIssue);
  if (typeof produced === 'string') return produced;
  return produced?.message;
}

function issuesToErrors(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  schema: Schema,
): InputError[] {
  const errors: InputError[] = [];
  for (const issue of issues) errors.push(...issueToErrors(issue, input, schema));
  return errors;
}

function issueToErrors(issue: z.core.$ZodIssue, input: unknown, schema: Schema): InputError[] {
  const path = issue.path;
  const value = valueAt(input, path);
  const custom = issue.message !== defaultMessage(issue, value) ? issue.message : undefined;
  const at = (message: string): InputError[] => [{ path: formatPath(path), message }];

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, input, path);
      const given = isRecord(value) ? Object.keys(value) : [];
      const unused = known.filter((key) => !given.includes(key));
      return issue.keys.map((key) => {
        const suggestion = closestName(key, unused);
        const message = suggestion
          ? `unknown key, did you mean "${suggestion}"?`
          : known.length > 0
            ? `unknown key; expected one of: ${known.join(', ')}`
            : 'unknown key';
        return { path: formatPath([...path, key]), message };
      });
    }
    case 'invalid_type': {
      const expected = describeExpectedType(issue.expected);
      if (value === undefined) return at(`missing; expected ${expected}`);
      return at(`expected ${expected}, got ${describeValue(value)}`);
    }
    case 'invalid_union': {
      if (issue.discriminator !== undefined && 'options' in issue && issue.options) {
        return discriminatorErrors(issue.discriminator, issue.options, path, value, input);
      }
      return at(custom ?? `${describeValue(value)} matches none of the allowed forms`);
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => (typeof v === 'string' ? v : String(v)));
      const got = value === undefined ? 'missing' : `got ${showValue(value)}`;
      if (custom) return at(`${custom} (${got})`);
      const suggestion = typeof value === 'string' ? closestName(value, allowed) : undefined;
      const hint = suggestion ? `, did you mean "${suggestion}"?` : '';
      if (allowed.length === 1) return at(`expected ${showValue(issue.values[0])}, ${got}${hint}`);
      return at(`expected one of: ${allowed.join(', ')}; ${got}${hint}`);
    }
    case 'too_small': {
      const got = gotSize(issue.origin, value);
      if (custom) return at(`${custom}${got}`);
      const min = String(issue.minimum);
      switch (issue.origin) {
        case 'string':
          return at(
            issue.minimum === 1
              ? 'cannot be empty'
              : `must be at least ${min} characters long${got}`,
          );
        case 'array':
          return at(`needs at least ${min} entr${issue.minimum === 1 ? 'y' : 'ies'}${got}`);
        default:
          return at(`must be ${issue.inclusive ? 'at least' : 'greater than'} ${min}${got}`);
      }
    }
    case 'too_big': {
      const got = gotSize(issue.origin, value);
      if (custom) return at(`${custom}${got}`);
      const max = String(issue.maximum);
      switch (issue.origin) {
        case 'string':
          return at(`must be at most ${max} characters long${got}`);
        case 'array':
          return at(`can have at most ${max} entries${got}`);
        default:
          return at(`must be ${issue.inclusive ? 'at most' : 'less than'} ${max}${got}`);
      }
    }
    case 'invalid_format': {
      const got = value === undefined ? '' : ` (got ${showValue(value)})`;
      if (custom) return at(`${custom}${got}`);
      const expected = issue.pattern ? `text matching ${issue.pattern}` : `a valid ${issue.format}`;
      return at(`expected ${expected}${got}`);
    }
    case 'not_multiple_of':
      return at(custom ?? `must be a multiple of ${issue.divisor} (got ${showValue(value)})`);
    case 'invalid_key':
    case 'invalid_element':
    case 'custom':
      return at(custom ?? `invalid value (got ${showValue(value)})`);
  }
}

function gotSize(origin: string, value: unknown): string {
  if (origin === 'string' && typeof value === 'string') {
    return value === '' ? '' : ` (got ${value.length} characters)`;
  }
  if (origin === 'array' && Array.isArray(value)) return ` (got ${value.length})`;
  if (typeof value === 'number') return ` (got ${String(value)})`;
  return '';
}

function discriminatorErrors(
  discriminator: string,
  options: readonly unknown[],
  path: readonly PathSegment[],
  value: unknown,
  input: unknown,
): InputError[] {
  // zod 4 points at the discriminator itself; older releases at the object.
  const atKey = path[path.length - 1] === discriminator;
  const errorPath = formatPath(atKey ? path : [...path, discriminator]);
  const given = atKey ? value : valueAt(input, [...path, discriminator]);
  const names = options.map((o) => String(o));
  const valid = `expected one of: ${names.join(', ')}`;
  if (given === undefined) return [{ path: errorPath, message: `missing; ${valid}` }];
  if (typeof given !== 'string') {
    return [
      {
        path: errorPath,
        message: `expected a "${discriminator}" name, got ${describeValue(given)}; ${valid}`,
      },
    ];
  }
  const suggestion = closestName(given, names);
  const hint = suggestion ? `, did you mean "${suggestion}"?` : ';';
  return [
    {
      path: errorPath,
      message: `unknown "${discriminator}" value ${quoteText(given)}${hint} ${valid}`,
    },
  ];
}

// --- cross-checks on a scenario that passed the schema --------------------------

interface NamedEntry {
  /** Where the entry is: `vms[3]`, `events[2].vm`. */
  where: string;
  /** As written, before count expansion. */
  base: string;
  count: number;
}

function describeEntry(entry: NamedEntry): string {
  if (entry.count === 1) return `${entry.where} ("${entry.base}")`;
  const names = expandNames(entry.base, entry.count);
  return `${entry.where} ("${entry.base}" with count ${entry.count}: ${names[0]} .. ${names[names.length - 1]})`;
}

/** Expands every entry's names and reports the second occurrence of a name. */
function expandUnique(
  kind: 'host' | 'VM',
  list: 'hosts' | 'vms',
  entries: readonly { name: string; count: number }[],
  errors: InputError[],
): Map<string, NamedEntry> {
  const owners = new Map<string, NamedEntry>();
  entries.forEach((spec, index) => {
    const entry: NamedEntry = { where: `${list}[${index}]`, base: spec.name, count: spec.count };
    for (const name of expandNames(spec.name, spec.count)) {
      const first = owners.get(name);
      if (first) {
        const expands =
          spec.count > 1
            ? `"${spec.name}" with count ${spec.count} expands to "${name}", which`
            : `this name`;
        errors.push({
          path: `${list}[${index}].name`,
          message: `duplicate ${kind} name "${name}": ${expands} is already used by ${describeEntry(first)}`,
        });
        continue;
      }
      owners.set(name, entry);
    }
  });
  return owners;
}

/** Why `name` is not one of `names`, with the nearest one, if any. */
function noSuch(kind: 'host' | 'VM', name: string, names: readonly string[]): string {
  let message = `no ${kind} named "${name}"`;
  const suggestion = closestName(name, names);
  if (suggestion) return `${message}, did you mean "${suggestion}"?`;
  const group = names.filter(
    (n) => n.startsWith(`${name}-`) && /^\d+$/.test(n.slice(name.length + 1)),
  );
  if (group.length > 0) {
    return `${message}: "${name}" has count ${group.length}, so its ${kind}s are ${group[0]} .. ${group[group.length - 1]}`;
  }
  if (names.length === 0) return `${message} (there are none)`;
  message += `; ${kind}s are: ${listOf(names)}`;
  return message;
}

function crossCheck(scenario: Scenario): InputError[] {
  const errors: InputError[] = [];

  const hostOwners = expandUnique('host', 'hosts', scenario.hosts, errors);
  const vmOwners = expandUnique('VM', 'vms', scenario.vms, errors);
  const hostNames = [...hostOwners.keys()];
  const hosts = new Set(hostNames);

  scenario.hosts.forEach((host, index) => {
    const cores = host.cpu.sockets * host.cpu.coresPerSocket;
    const coresText = `${cores} cores (${host.cpu.sockets} sockets x ${host.cpu.coresPerSocket} cores)`;
    if (host.numaNodes !== undefined) {
      if (host.numaNodes > cores) {
        errors.push({
          path: `hosts[${index}].numaNodes`,
          message: `${host.numaNodes} NUMA nodes exceed the ${coresText}; each node needs at least one core`,
        });
      } else if (cores % host.numaNodes !== 0) {
        errors.push({
          path: `hosts[${index}].numaNodes`,
          message: `${host.numaNodes} NUMA nodes do not divide the ${coresText} evenly`,
        });
      }
    }
    if (host.power && host.power.maxWatts < host.power.idleWatts) {
      errors.push({
        path: `hosts[${index}].power.maxWatts`,
        message: `maxWatts (${host.power.maxWatts}) is below idleWatts (${host.power.idleWatts}); a busy host draws at least its idle power`,
      });
    }
  });

  scenario.vms.forEach((vm, index) => {
    if (vm.host !== undefined && !hosts.has(vm.host)) {
      errors.push({ path: `vms[${index}].host`, message: noSuch('host', vm.host, hostNames) });
    }
  });

  checkEvents(scenario.events, vmOwners, hostNames, errors);

  scenario.alarms.forEach((alarm, index) => {
    if (
      alarm.warning !== undefined &&
      alarm.critical !== undefined &&
      alarm.critical < alarm.warning
    ) {
      errors.push({
        path: `alarms[${index}].critical`,
        message: `critical (${alarm.critical}) is less severe than warning (${alarm.warning}); for ${alarm.rule} higher is worse, so critical must be at least warning`,
      });
    }
  });

  return errors;
}

type VmState = { where: string; alive: true } | { where: string; alive: false; deletedBy: string };

/** Replays the events in the order the engine applies them (by `at`, then file order). */
function checkEvents(
  events: readonly ScenarioEvent[],
  vmOwners: ReadonlyMap<string, NamedEntry>,
  hostNames: readonly string[],
  errors: InputError[],
): void {
  const hosts = new Set(hostNames);
  const vms = new Map<string, VmState>();
  for (const [name, owner] of vmOwners) vms.set(name, { where: owner.where, alive: true });

  const createdLater = new Map<string, number>();
  events.forEach((event, index) => {
    if (event.do === 'create-vm' && !createdLater.has(event.vm.name))
      createdLater.set(event.vm.name, index);
  });

  const order = events.map((event, index) => ({ event, index }));
  order.sort((a, b) => a.event.at - b.event.at || a.index - b.index);

  const vmNames = (): string[] => [...vms].filter(([, s]) => s.alive).map(([n]) => n);
  const when = (index: number): string => `events[${index}] (at ${events[index]?.at ?? '?'})`;

  const checkVmTarget = (event: ScenarioEvent & { target: string }, index: number): void => {
    const state = vms.get(event.target);
    const path = `events[${index}].target`;
    if (state?.alive) return;
    if (state && !state.alive) {
      errors.push({
        path,
        message: `VM "${event.target}" no longer exists: ${state.deletedBy} deleted it`,
      });
      return;
    }
    const creator = createdLater.get(event.target);
    if (creator !== undefined) {
      errors.push({
        path,
        message: `VM "${event.target}" does not exist yet at ${event.at}s: ${when(creator)} creates it later`,
      });
      return;
    }
    if (hosts.has(event.target)) {
      errors.push({ path, message: `"${event.target}" is a host; ${event.do} needs a VM` });
      return;
    }
    errors.push({ path, message: noSuch('VM', event.target, vmNames()) });
  };

  const checkHostTarget = (event: ScenarioEvent & { target: string }, index: number): void => {
    if (hosts.has(event.target)) return;
    const path = `events[${index}].target`;
    if (vms.has(event.target)) {
      errors.push({ path, message: `"${event.target}" is a VM; ${event.do} needs a host` });
      return;
    }
    errors.push({ path, message: noSuch('host', event.target, hostNames) });
  };

  for (const { event, index } of order) {
    switch (event.do) {
      case 'fail-host':
      case 'recover-host':
      case 'set-maintenance':
      case 'set-hyperthreading':
        checkHostTarget(event, index);
        break;
      case 'set-workload':
      case 'power-on-vm':
      case 'power-off-vm':
        checkVmTarget(event, index);
        break;
      case 'migrate-vm':
        checkVmTarget(event, index);
        if (event.to !== undefined && !hosts.has(event.to)) {
          errors.push({
            path: `events[${index}].to`,
            message: noSuch('host', event.to, hostNames),
          });
        }
        break;
      case 'delete-vm': {
        checkVmTarget(event, index);
        const state = vms.get(event.target);
        if (state?.alive)
          vms.set(event.target, { where: state.where, alive: false, deletedBy: when(index) });
        break;
      }
      case 'create-vm': {
        const name = event.vm.name;
        const existing = vms.get(name);
        if (existing?.alive) {
          errors.push({
            path: `events[${index}].vm.name`,
            message: `a VM named "${name}" already exists (${existing.where}); delete it first or choose another name`,
          });
        } else {
          vms.set(name, { where: when(index), alive: true });
        }
        if (event.vm.host !== undefined && !hosts.has(event.vm.host)) {
          errors.push({
            path: `events[${index}].vm.host`,
            message: noSuch('host', event.vm.host, hostNames),
          });
        }
        break;
      }
      case 'set-policy':
        break;
    }
  }
}
