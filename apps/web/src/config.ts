import { parseEnv, webEnvSchema } from '@overcommit/contracts';

/**
 * Where the browser finds the API, read on the server when a page is served
 * (next.config.mjs has already refused a bad value at start): API_URL, else
 * NEXT_PUBLIC_API_URL, else http://localhost:3001. `same-origin` gives ''
 * (the page's own origin), as behind the compose front door.
 */
export function apiUrlFromEnv(env: Record<string, string | undefined> = process.env): string {
  const parsed = parseEnv(webEnvSchema, env);
  const url = parsed.ok
    ? (parsed.value.API_URL ?? parsed.value.NEXT_PUBLIC_API_URL)
    : 'http://localhost:3001';
  return url === 'same-origin' ? '' : url.replace(/\/+$/, '');
}
