'use client';

import { NativeSelect } from '@mantine/core';
import { useLocale, useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { ThemeToggle } from './theme-toggle';
import {
  isLocale,
  LOCALE_COOKIE,
  LOCALE_COOKIE_MAX_AGE,
  LOCALE_NAMES,
  LOCALES,
} from '../i18n/locales';

/**
 * The page's language: English, 简体中文 or 繁體中文, each named in itself. The choice is kept in a
 * cookie for a year (the server reads it for every page); until one is made, the browser's own
 * language decides (src/i18n/locales.ts). The page re-renders in place: live data and open
 * dialogs stay.
 */
export function LanguageSwitch() {
  const t = useTranslations('common');
  const locale = useLocale();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <NativeSelect
      size="xs"
      aria-label={t('language')}
      data-testid="language-switch"
      value={locale}
      disabled={pending}
      onChange={(e) => {
        const next = e.currentTarget.value;
        if (!isLocale(next)) return;
        document.cookie = `${LOCALE_COOKIE}=${next}; path=/; max-age=${LOCALE_COOKIE_MAX_AGE}; samesite=lax`;
        startTransition(() => router.refresh());
      }}
      data={LOCALES.map((l) => ({ value: l, label: LOCALE_NAMES[l] }))}
    />
  );
}

/** The page's own settings, in every page's header: its language and its colour theme. */
export function PageSettings() {
  return (
    <span className="page-settings">
      <LanguageSwitch />
      <ThemeToggle />
    </span>
  );
}
