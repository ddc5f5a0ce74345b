import { webEnvSchema, parseEnv } from '@overcommit/contracts';

// Parse the web app's environment once, at build and start; a bad value stops with one line.
const env = parseEnv(webEnvSchema, process.env);
if (!env.ok) {
  console.error(env.message);
  process.exit(1);
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  env: { NEXT_PUBLIC_API_URL: env.value.NEXT_PUBLIC_API_URL },
};

export default nextConfig;
