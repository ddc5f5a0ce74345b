/**
 * Where the browser finds the API. next.config.mjs validates NEXT_PUBLIC_API_URL
 * (webEnvSchema) at build time and Next inlines it here.
 */
export const apiUrl: string = (process.env.NEXT_PUBLIC_API_URL ?? 'http://localhost:3001').replace(
  /\/+$/,
  '',
);
