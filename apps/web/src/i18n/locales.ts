// The dashboard's languages, and how a request's language is chosen: the person's own choice (the
// NEXT_LOCALE cookie the language switch sets), else the first of the browser's languages
// (Accept-Language) we have, else English. Pure, so the server's request config and the tests share it.

/** English, Simplified Chinese, Traditional Chinese. */
export const LOCALES = ['en', 'zh-Hans', 'zh-Hant'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/** The cookie that remembers a person's choice (the name next-intl's own routing uses). */
export const LOCALE_COOKIE = 'NEXT_LOCALE';
/** A year: the choice outlives the session. */
export const LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600;

/** Each language named in itself, for the switch. */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  'zh-Hans': '简体中文',
  'zh-Hant': '繁體中文',
};

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

// Browsers send region tags (zh-CN, zh-TW, zh-HK) more often than script tags; each maps to the
// script its region writes. A bare `zh` is Simplified (the script of most readers).
const CHINESE_REGIONS: Record<string, Locale> = {
  cn: 'zh-Hans',
  sg: 'zh-Hans',
  my: 'zh-Hans',
  tw: 'zh-Hant',
  hk: 'zh-Hant',
  mo: 'zh-Hant',
};

/** A browser's language tag as one of ours, or null: `zh-TW` is zh-Hant, `zh-Hans-CN` zh-Hans. */
function chineseScript(tag: string): Locale | null {
  const parts = tag.toLowerCase().split('-');
  if (parts[0] !== 'zh') return null;
  if (parts.includes('hant')) return 'zh-Hant';
  if (parts.includes('hans')) return 'zh-Hans';
  for (const p of parts.slice(1)) if (CHINESE_REGIONS[p]) return CHINESE_REGIONS[p];
  return 'zh-Hans';
}

/** The languages of an Accept-Language header, best first (q=0 dropped; bad entries ignored). */
export function acceptedLanguages(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((entry, order) => {
      const [tag = '', ...params] = entry.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), order };
    })
    .filter((l) => /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(l.tag) && l.q > 0 && l.q <= 1)
    .sort((a, b) => b.q - a.q || a.order - b.order)
    .map((l) => l.tag);
}

/** The language for a request: a valid cookie, else the browser's best match, else English. */
export function chooseLocale(cookie: string | undefined, acceptLanguage: string | null): Locale {
  if (isLocale(cookie)) return cookie;
  for (const tag of acceptedLanguages(acceptLanguage)) {
    const zh = chineseScript(tag);
    if (zh) return zh;
    if (tag.toLowerCase().split('-')[0] === 'en') return 'en';
  }
  return DEFAULT_LOCALE;
}
