import { webEnvSchema, parseEnv } from '@overcommit/contracts';

// Check the web app's environment at build and start: a bad value stops with one line.
// The API's URL is read again when pages are served (src/config.ts), not inlined.
const env = parseEnv(webEnvSchema, process.env);
if (!env.ok) {
  console.error(env.message);
  process.exit(1);
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
};

export default nextConfig;
