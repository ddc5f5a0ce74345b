import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './globals.css';
import { ColorSchemeScript, MantineProvider, mantineHtmlProps } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import type { Metadata } from 'next';
import { getLocale, getMessages, getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { ApiUrlProvider } from '../src/app-config';
import { apiUrlFromEnv } from '../src/config';
import { theme } from '../src/ui/theme';
import { IntlProvider } from '../src/i18n/provider';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('common');
  return { title: t('appName'), description: t('appDescription') };
}

// The API's URL is read from the environment when a page is served, not baked in at build.
export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  const messages = await getMessages();
  return (
    <html lang={locale} {...mantineHtmlProps}>
      <head>
        <ColorSchemeScript defaultColorScheme="auto" />
      </head>
      <body>
        <MantineProvider theme={theme} defaultColorScheme="auto">
          <Notifications position="top-right" limit={4} />
          <IntlProvider locale={locale} messages={messages}>
            <ApiUrlProvider url={apiUrlFromEnv()}>{children}</ApiUrlProvider>
          </IntlProvider>
        </MantineProvider>
      </body>
    </html>
  );
}
