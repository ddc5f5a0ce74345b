import { type InputError, parseScenario, type Scenario } from '@overcommit/contracts';
import { parseDocument } from 'yaml';

export type ScenarioTextResult =
  { ok: true; scenario: Scenario } | { ok: false; errors: InputError[] };

/** A scenario from YAML (or JSON) text: syntax errors with their line, then the schema's errors with their paths. */
export function scenarioFromText(text: string): ScenarioTextResult {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        path: '(file)',
        message: `YAML syntax error at line ${e.linePos?.[0]?.line ?? '?'}, column ${e.linePos?.[0]?.col ?? '?'}: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined)
    return { ok: false, errors: [{ path: '(file)', message: 'the scenario is empty' }] };
  return parseScenario(value);
}
