import { apiEnvSchema, parseEnv, type ApiEnv } from '@overcommit/contracts';

/** Injection token for the parsed, typed environment. */
export const API_CONFIG = Symbol('API_CONFIG');
export type ApiConfig = ApiEnv;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once, at start-up; a bad value is a ConfigError with one line. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const result = parseEnv(apiEnvSchema, env);
  if (!result.ok) throw new ConfigError(result.message);
  return result.value;
}

/** Browser origins allowed by CORS: CORS_ORIGINS, or the web app on WEB_PORT. */
export function corsOrigins(config: ApiConfig): string[] {
  if (config.CORS_ORIGINS) {
    return config.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
  }
  return [`http://localhost:${config.WEB_PORT}`, `http://127.0.0.1:${config.WEB_PORT}`];
}
