import type { z } from 'zod';
import type { InputError } from '../errors/input-error';
import { zodIssuesToInputErrors } from '../errors/zod-issues';
import { crossCheckScenario } from './scenario-cross-checks';
import {
  checkClusterLimits,
  type ClusterLimits,
  type LimitNames,
  LIVE_CLUSTER_LIMITS,
  SIZE_BOUNDS,
} from './scenario-limits';
import { type Command, commandSchema, type Scenario, scenarioSchema } from './scenario.schema';

// Parsing a scenario or a command from what a person wrote: the schema, then the limits, then the
// cross-checks, with every error collected at its path (never only the first).

export type ScenarioParseResult =
  { ok: true; scenario: Scenario } | { ok: false; errors: InputError[] };
export type CommandParseResult =
  { ok: true; command: Command } | { ok: false; errors: InputError[] };

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
    return { ok: false, errors: schemaErrors(result.error, input, scenarioSchema) };
  }
  const tooBig = checkClusterLimits(
    result.data,
    options.limits ?? LIVE_CLUSTER_LIMITS,
    options.limitNames,
    options.sizeBounds === undefined ? SIZE_BOUNDS : options.sizeBounds,
  );
  if (tooBig.length > 0) return { ok: false, errors: tooBig };
  const errors = crossCheckScenario(result.data);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, scenario: result.data };
}

/** What the schema found wrong in `input`, each error saying what was given and where. */
function schemaErrors(error: z.ZodError, input: unknown, schema: z.ZodType): InputError[] {
  return zodIssuesToInputErrors(error.issues, { explain: { input, schema } });
}

/** Validates one command (shape only: the engine refuses commands naming nothing). */
export function parseCommand(input: unknown): CommandParseResult {
  const result = commandSchema.safeParse(input);
  if (!result.success) {
    return { ok: false, errors: schemaErrors(result.error, input, commandSchema) };
  }
  return { ok: true, command: result.data };
}
