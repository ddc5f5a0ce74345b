import { readFileSync } from 'node:fs';
import { parseScenario, type InputError, type Scenario } from '@overcommit/contracts';
import { LineCounter, parseDocument } from 'yaml';

/** Reading a scenario file: the scenario, or every reason it was refused. */
export type ScenarioLoadResult =
  { ok: true; scenario: Scenario } | { ok: false; errors: InputError[] };

/** Where problems with the file itself (not a key inside it) are reported. */
const FILE_PATH = '(file)';

/**
 * Parses scenario text (YAML; JSON is YAML too) and validates it. `source`
 * names the text in messages, usually the file's path.
 */
export function loadScenarioText(text: string, source: string): ScenarioLoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });

  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        const reason = error.message.split('\n')[0] ?? error.message;
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
  return parseScenario(value);
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
export function loadScenarioFile(path: string): ScenarioLoadResult {
  const file = readTextFile(path);
  if (!file.ok) return { ok: false, errors: [{ path: FILE_PATH, message: file.reason }] };
  return loadScenarioText(file.text, path);
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
