import { type Health, healthSchema } from '@overcommit/contracts';

/**
 * What the browser learnt from the API's health endpoint: a report, or why there is none (the
 * page says it in the reader's language, with the API's address).
 */
export type HealthReading =
  | { kind: 'ok'; health: Health }
  | { kind: 'unreachable'; reason: 'timeout' | 'connection'; timeoutMs: number }
  | { kind: 'invalid'; status: number; problem: 'not-json' | 'unexpected' };

/** Asks the API how it is; never throws, so the page can always say something true. */
export async function fetchHealth(apiUrl: string, timeoutMs = 3_000): Promise<HealthReading> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/api/health`, {
      cache: 'no-store',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'connection';
    return { kind: 'unreachable', reason, timeoutMs };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { kind: 'invalid', status: response.status, problem: 'not-json' };
  }
  const parsed = healthSchema.safeParse(body);
  if (!parsed.success) return { kind: 'invalid', status: response.status, problem: 'unexpected' };
  return { kind: 'ok', health: parsed.data };
}
