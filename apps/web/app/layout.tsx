import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './globals.css';
import { ColorSchemeScript, MantineProvider, mantineHtmlProps } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { ApiUrlProvider } from '../src/app-config';
import { apiUrlFromEnv } from '../src/config';
import { theme } from '../src/ui/theme';

export const metadata: Metadata = {
  title: 'Overcommit',
  description: 'A live, multi-user simulator and monitor of virtualized clusters.',
};

// The API's URL is read from the environment when a page is served, not baked in at build.
export const dynamic = 'force-dynamic';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" {...mantineHtmlProps}>
      <head>
        <ColorSchemeScript defaultColorScheme="auto" />
      </head>
      <body>
        <MantineProvider theme={theme} defaultColorScheme="auto">
          <Notifications position="top-right" limit={4} />
          <ApiUrlProvider url={apiUrlFromEnv()}>{children}</ApiUrlProvider>
        </MantineProvider>
      </body>
    </html>
  );
}
