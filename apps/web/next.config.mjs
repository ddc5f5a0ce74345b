import { webEnvSchema, parseEnv } from '@overcommit/contracts';
import createNextIntlPlugin from 'next-intl/plugin';

// next-intl finds its per-request configuration at src/i18n/request.ts.
const withNextIntl = createNextIntlPlugin('./src/i18n/request.ts');

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
  // Security headers on every page. Links carry cluster tokens (?token=): no Referer may take them
  // to another site.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Referrer-Policy', value: 'no-referrer' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'X-Frame-Options', value: 'SAMEORIGIN' },
        ],
      },
    ];
  },
};

export default withNextIntl(nextConfig);
