import type { useTranslations } from 'next-intl';

/**
 * The `help` namespace's translator (useTranslations('help') in a client component,
 * getTranslations('help') on the server): the help modules write their words with it, so that the
 * prose lives in messages/<locale>/help.json and only the structure stays here.
 */
export type HelpT = ReturnType<typeof useTranslations<'help'>>;
