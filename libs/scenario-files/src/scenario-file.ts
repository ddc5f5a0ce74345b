import { readFileSync } from 'node:fs';
import {
  type InputError,
  parseScenario,
  type Scenario,
  type ScenarioParseOptions,
} from '@overcommit/contracts';
import { LineCounter, parseDocument } from 'yaml';

/** Reading a scenario file: the scenario, or every reason it was refused. */
export type ScenarioLoadResult =
  { ok: true; scenario: Scenario } | { ok: false; errors: InputError[] };

/** Where problems with the file itself (not a key inside it) are reported. */
const FILE_PATH = '(file)';

/** Nesting a scenario file may have: the format itself needs 6 levels; the parser recurses per level. */
export const MAX_NESTING = 64;

/**
 * How deeply YAML text nests, read without parsing it (an upper estimate): block levels by
 * indentation, `- ` entries opening a level each, and flow brackets outside quotes and comments.
 * Returns the deepest level and its line, stopping early once past `limit`.
 */
export function nestingDepth(text: string, limit = Infinity): { depth: number; line: number } {
  const indents: number[] = [];
  let flow = 0;
  let deepest = { depth: 0, line: 0 };
  let quote: '"' | "'" | null = null;
  /** Inside a block scalar (`key: |`): lines indented past this are text, not structure. */
  let scalarIndent: number | null = null;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    let i = 0;
    if (quote === null && flow === 0) {
      while (line[i] === ' ') i++;
      if (scalarIndent !== null && (i === line.length || i > scalarIndent)) continue;
      scalarIndent = null;
      if (i === line.length || line[i] === '#') continue;
      while (indents.length > 0 && indents[indents.length - 1]! >= i) indents.pop();
      indents.push(i);
      // Compact sequences: "- - - x" opens a level per dash.
      while (line[i] === '-' && (line[i + 1] === ' ' || i + 1 === line.length)) {
        indents.push(i + 1);
        i += 2;
        while (line[i] === ' ') i++;
      }
    }
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote !== null) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '#' && (i === 0 || line[i - 1] === ' ')) break;
      else if (c === '[' || c === '{') {
        flow++;
        const depth = indents.length + flow;
        if (depth > deepest.depth) deepest = { depth, line: n + 1 };
        if (depth > limit) return deepest;
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
      else if (
        (c === '|' || c === '>') &&
        flow === 0 &&
        /^[|>][-+0-9]*\s*(#.*)?$/.test(line.slice(i))
      )
        scalarIndent = indents[indents.length - 1] ?? 0;
    }
    if (indents.length > deepest.depth) deepest = { depth: indents.length, line: n + 1 };
    if (deepest.depth > limit) return deepest;
  }
  return deepest;
}

/**
 * Parses scenario text (YAML; JSON is YAML too) and validates it. `source`
 * names the text in messages, usually the file's path; `options` gives the
 * cluster's limits (the live API's by default).
 */
export function loadScenarioText(
  text: string,
  source: string,
  options: ScenarioParseOptions = {},
): ScenarioLoadResult {
  // Bounded before the parser sees it: the parser recurses once per level of nesting.
  const nesting = nestingDepth(text, MAX_NESTING);
  if (nesting.depth > MAX_NESTING)
    return {
      ok: false,
      errors: [
        {
          path: FILE_PATH,
          message: `${source} nests more than ${MAX_NESTING} levels deep (at line ${nesting.line}); a scenario needs about 6`,
        },
      ],
    };
  const lineCounter = new LineCounter();
  // logLevel 'error': the parser's warnings (a collection as a key) would print the file's own text
  // to the process's stderr, outside the structured log; what matters reaches the errors instead.
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: 'error',
  });

  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        const first = error.message.split('\n')[0] ?? error.message;
        // The parser's own guard against deep nesting (should the scan above have missed it).
        const reason = first.includes('Maximum call stack size exceeded')
          ? 'nested too deeply'
          : first;
        return {
          path: FILE_PATH,
          message: `YAML syntax error at line ${line}, column ${col} of ${source}: ${reason}`,
        };
      }),
    };
  }

  if (doc.contents === null) {
    return {
      ok: false,
      errors: [
        { path: FILE_PATH, message: `${source} is empty; expected a scenario (version: 1, ...)` },
      ],
    };
  }

  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    // toJS refuses, for instance, aliases expanded past maxAliasCount (a "billion laughs" file).
    return {
      ok: false,
      errors: [{ path: FILE_PATH, message: `cannot read ${source}: ${(error as Error).message}` }],
    };
  }
  return parseScenario(value, options);
}

/**
 * Reads a text file; a missing or unreadable file is a reason in words
 * ("no such file", "permission denied"), never a throw.
 */
export function readTextFile(
  path: string,
): { ok: true; text: string } | { ok: false; reason: string } {
  try {
    return { ok: true, text: readFileSync(path, 'utf8') };
  } catch (error) {
    return { ok: false, reason: `cannot read ${path}: ${why(error)}` };
  }
}

/** Reads and validates a scenario file; a missing or unreadable file is an error, never a throw. */
export function loadScenarioFile(
  path: string,
  options: ScenarioParseOptions = {},
): ScenarioLoadResult {
  const file = readTextFile(path);
  if (!file.ok) return { ok: false, errors: [{ path: FILE_PATH, message: file.reason }] };
  return loadScenarioText(file.text, path, options);
}

function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
