import { getRequestConfig } from 'next-intl/server';
import { cookies, headers } from 'next/headers';
import { chooseLocale, type Locale, LOCALE_COOKIE } from './locales';
import { NAMESPACES } from './namespaces';
import { FORMATS } from './formats';

/** Every namespace's messages for a locale, as one object keyed by namespace. */
export async function loadMessages(locale: Locale): Promise<Record<string, unknown>> {
  const parts = await Promise.all(
    NAMESPACES.map(async (ns) => {
      const file = (await import(`../../messages/${locale}/${ns}.json`)) as { default: unknown };
      return [ns, file.default] as const;
    }),
  );
  return Object.fromEntries(parts);
}

// next-intl's per-request configuration (found at src/i18n/request.ts by its plugin): the
// person's language from the cookie or the browser, its messages and the shared formats.
export default getRequestConfig(async () => {
  const locale = chooseLocale(
    (await cookies()).get(LOCALE_COOKIE)?.value,
    (await headers()).get('accept-language'),
  );
  return { locale, messages: await loadMessages(locale), formats: FORMATS };
});
