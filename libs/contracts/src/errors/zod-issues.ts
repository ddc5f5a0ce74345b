import { z } from 'zod';
import { closestName } from '../text/suggest';
import { formatInputPath, type InputError, type PathSegment } from './input-error';
import { isRecord, knownKeysAt, type Schema, valueAt } from './schema-walk';

// The one place zod issues become input errors: each at its path (`hosts[2].cpu.sockets`,
// `(root)` for the whole input), with the schema's message as written or, given the input,
// one that says what was expected, what was given and what was probably meant.

export interface ZodIssueOptions {
  /** Where the checked value sits in a larger input (`['scenario']`, `['X-User-Name']`): put before every path. */
  at?: readonly PathSegment[];
  /**
   * The value that was checked and its schema: each message then says what was given (`got the
   * text "64"`), and an unknown key or value the nearest allowed one. Without it, each message
   * is the schema's as written.
   */
  explain?: { input: unknown; schema: Schema };
}

/** Every issue of a failed parse as input errors, in zod's order (never only the first). */
export function zodIssuesToInputErrors(
  issues: readonly z.core.$ZodIssue[],
  options: ZodIssueOptions = {},
): InputError[] {
  const at = options.at ?? [];
  const explain = options.explain;
  const errors: PathError[] = [];
  for (const issue of issues) {
    if (explain) errors.push(...explainIssue(issue, explain.input, explain.schema));
    else errors.push({ path: issue.path, message: issue.message });
  }
  return errors.map((e) => ({ path: formatInputPath([...at, ...e.path]), message: e.message }));
}

/** An error whose path is not written out yet. */
interface PathError {
  path: readonly PathSegment[];
  message: string;
}

// --- values as a message shows them ----------------------------------------------

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

function gotSize(origin: string, value: unknown): string {
  if (origin === 'string' && typeof value === 'string') {
    return value === '' ? '' : ` (got ${value.length} characters)`;
  }
  if (origin === 'array' && Array.isArray(value)) return ` (got ${value.length})`;
  if (typeof value === 'number') return ` (got ${String(value)})`;
  return '';
}

// --- one issue explained -----------------------------------------------------------

const english = z.locales.en().localeError;

/** Zod's own wording for an issue, to tell it apart from a message the schema chose. */
function defaultMessage(issue: z.core.$ZodIssue, input: unknown): string | undefined {
  const produced = english({ ...issue, input } as z.core.$ZodRawIssue);
  if (typeof produced === 'string') return produced;
  return produced?.message;
}

function explainIssue(issue: z.core.$ZodIssue, input: unknown, schema: Schema): PathError[] {
  const path = issue.path;
  const value = valueAt(input, path);
  const custom = issue.message !== defaultMessage(issue, value) ? issue.message : undefined;
  const at = (message: string): PathError[] => [{ path, message }];

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
        return { path: [...path, key], message };
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

function discriminatorErrors(
  discriminator: string,
  options: readonly unknown[],
  path: readonly PathSegment[],
  value: unknown,
  input: unknown,
): PathError[] {
  // zod 4 points at the discriminator itself; older releases at the object.
  const atKey = path[path.length - 1] === discriminator;
  const errorPath = atKey ? path : [...path, discriminator];
  const given = atKey ? value : valueAt(input, errorPath);
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
