import { type Health, healthSchema } from '@overcommit/contracts';

export type HealthReading =
  | { kind: 'ok'; health: Health }
  | { kind: 'unreachable'; message: string }
  | { kind: 'invalid'; message: string };

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
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : 'connection failed';
    return { kind: 'unreachable', message: `The API at ${apiUrl} cannot be reached (${reason}).` };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return {
      kind: 'invalid',
      message: `The API at ${apiUrl} answered ${response.status} without JSON.`,
    };
  }
  const parsed = healthSchema.safeParse(body);
  if (!parsed.success) {
    return {
      kind: 'invalid',
      message: `The API at ${apiUrl} answered ${response.status} with an unexpected health report.`,
    };
  }
  return { kind: 'ok', health: parsed.data };
}
