'use client';

import { type AbstractIntlMessages, IntlErrorCode, NextIntlClientProvider } from 'next-intl';
import type { ReactNode } from 'react';
import { FORMATS } from './formats';
import type { Locale } from './locales';

/** The browser's own time zone: wall-clock times read as the person's clock. */
const timeZone =
  typeof Intl === 'undefined' ? undefined : Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * The language of every client component (next-intl): the locale and messages the server chose
 * for this request (src/i18n/request.ts), the shared formats, and the browser's time zone. A
 * missing message is an error in the console (the browser tests fail on one), shown as its key.
 */
export function IntlProvider({
  locale,
  messages,
  children,
}: {
  locale: Locale;
  messages: AbstractIntlMessages;
  children: ReactNode;
}) {
  return (
    <NextIntlClientProvider
      locale={locale}
      messages={messages}
      formats={FORMATS}
      timeZone={timeZone}
      onError={(error) => {
        if (error.code !== IntlErrorCode.ENVIRONMENT_FALLBACK) console.error(error.message);
      }}
    >
      {children}
    </NextIntlClientProvider>
  );
}
