import { z } from 'zod';

/** Where Redis answers; every process of one deployment points at the same one. */
export const redisUrlSchema = z
  .string()
  .default('redis://127.0.0.1:6379')
  .refine((value) => /^rediss?:\/\/[^\s/]+(\/\d+)?$/.test(value) && URL.canParse(value), {
    message: 'a redis:// or rediss:// URL such as redis://127.0.0.1:6379',
  });

const portSchema = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .refine((value) => /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 65535, {
      message: 'a TCP port, a whole number from 1 to 65535',
    })
    .transform(Number);

const countSchema = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .refine((value) => /^\d+$/.test(value) && Number(value) >= 1, {
      message: 'a whole number, at least 1',
    })
    .transform(Number);

export const processRoles = ['api', 'worker', 'all'] as const;
export type ProcessRole = (typeof processRoles)[number];

export const roleSchema = z
  .string()
  .default('all')
  .refine((value): value is ProcessRole => (processRoles as readonly string[]).includes(value), {
    message: `one of ${processRoles.join(', ')}`,
  });

const originListSchema = z
  .string()
  .optional()
  .refine(
    (value) =>
      value === undefined ||
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean)
        .every((origin) => URL.canParse(origin)),
    { message: 'a comma-separated list of origins such as http://localhost:3000' },
  );

/** The API process (and, with ROLE=worker or all, the tick worker). */
export const apiEnvSchema = z.object({
  REDIS_URL: redisUrlSchema,
  API_PORT: portSchema(3001),
  WEB_PORT: portSchema(3000),
  ROLE: roleSchema,
  /** First segment of every Redis key this deployment writes (`oc:...`); tests use their own. */
  REDIS_PREFIX: z
    .string()
    .default('oc')
    .refine((value) => /^[A-Za-z0-9_-]{1,32}$/.test(value), {
      message: 'letters, digits, "-" or "_", at most 32 of them',
    }),
  /** Browser origins allowed to call the API; default: the web app on WEB_PORT. */
  CORS_ORIGINS: originListSchema,
  /** `production` makes start-up refuse defaults for secrets (see the API's loadApiConfig). */
  NODE_ENV: z.string().optional(),
  /** When set, GET /metrics wants `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z
    .string()
    .optional()
    .refine((value) => value === undefined || value.length >= 16, {
      message: 'at least 16 characters (a random string)',
    }),
  /**
   * Which proxies' X-Forwarded-For to believe for the client's address (rate limits, logs): Express's
   * `trust proxy` list; the default trusts loopback and private networks, where a front door runs.
   */
  TRUST_PROXY: z.string().default('loopback, linklocal, uniquelocal'),
  /** HTTP requests per minute per client address before 429 (health and metrics are not counted). */
  RATE_LIMIT_HTTP: countSchema(600),
  /** socket.io events (join, command, ...) per 10 s per connection before they are refused. */
  RATE_LIMIT_SOCKET: countSchema(50),
  /** Log level: fatal, error, warn, info, debug or trace. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});
export type ApiEnv = z.infer<typeof apiEnvSchema>;

/** The web app's server side. NEXT_PUBLIC_API_URL is baked into the browser bundle at build time. */
export const webEnvSchema = z.object({
  WEB_PORT: portSchema(3000),
  /**
   * The API's URL as the browser reaches it, read when pages are served:
   * `same-origin` behind a front door that routes /api and /socket.io.
   */
  API_URL: z
    .string()
    .optional()
    .refine(
      (value) =>
        value === undefined ||
        value === 'same-origin' ||
        (/^https?:\/\//.test(value) && URL.canParse(value)),
      { message: 'an http:// or https:// URL such as http://localhost:3001, or same-origin' },
    ),
  NEXT_PUBLIC_API_URL: z
    .string()
    .default('http://localhost:3001')
    .refine((value) => /^https?:\/\//.test(value) && URL.canParse(value), {
      message: 'an http:// or https:// URL such as http://localhost:3001',
    }),
});
export type WebEnv = z.infer<typeof webEnvSchema>;

/** The launcher behind `npm start` and `npm test`. */
export const launcherEnvSchema = apiEnvSchema.pick({
  REDIS_URL: true,
  API_PORT: true,
  WEB_PORT: true,
});
export type LauncherEnv = z.infer<typeof launcherEnvSchema>;

export type EnvResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Parses the environment once. On failure the message is one line per bad
 * variable naming the variable, the value it had and what was expected,
 * e.g. `API_PORT="abc": expected a TCP port, a whole number from 1 to 65535`.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): EnvResult<z.output<S>> {
  // Empty strings count as unset, as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return { ok: true, value: result.data };
  const message = result.error.issues
    .map((issue) => {
      const name = issue.path.map(String).join('.');
      const value = env[name];
      const shown = value === undefined ? '(unset)' : JSON.stringify(value);
      return `${name}=${shown}: expected ${issue.message}`;
    })
    .join('; ');
  return { ok: false, message: `Invalid environment: ${message}` };
}
