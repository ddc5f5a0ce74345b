import { z } from 'zod';
import { plainText } from '../text/text';
import { VALUE_LIMITS as MAX } from './scenario-limits';

// An exercise's briefing (docs/scenarios.md): Markdown for the teams, in one language (a string,
// as scenarios were first written) or in several: `{ en, zh-Hans, zh-Hant }`, English required.
// Each text has the limits of a single briefing. The dashboard shows the reader's language, else
// English.

/** The languages a briefing may be written in: the dashboard's (apps/web/src/i18n/locales.ts). */
export const briefingLanguages = ['en', 'zh-Hans', 'zh-Hant'] as const;
export type BriefingLanguage = (typeof briefingLanguages)[number];

const text = (what: string) => plainText(what, MAX.textLength, { lines: true, empty: true });

/** A briefing in several languages: English required, the others optional, no other key. */
export const localizedBriefingSchema = z.strictObject({
  en: text('briefing.en'),
  'zh-Hans': text('briefing.zh-Hans').optional(),
  'zh-Hant': text('briefing.zh-Hant').optional(),
});
export type LocalizedBriefing = z.output<typeof localizedBriefingSchema>;

/** A scenario's `exercise.briefing`: Markdown text, or `{ en, zh-Hans?, zh-Hant? }`. */
export const briefingSchema = z.union([text('briefing'), localizedBriefingSchema], {
  error: 'expected the briefing as text, or as { en, zh-Hans, zh-Hant } with at least en',
});
export type Briefing = z.output<typeof briefingSchema>;

/**
 * A briefing as the API answers it (scoreboard, report, cluster configuration): the scenario's
 * form, unchecked beyond its shape; an older API answers a string.
 */
export const briefingAnswerSchema = z.union([
  z.string(),
  z.object({
    en: z.string(),
    'zh-Hans': z.string().optional(),
    'zh-Hant': z.string().optional(),
  }),
]);

/** Every language a briefing is written in, as `{ en, ... }` (a string is English). */
export function briefingTexts(briefing: Briefing | undefined | null): LocalizedBriefing {
  if (briefing === undefined || briefing === null) return { en: '' };
  return typeof briefing === 'string' ? { en: briefing } : briefing;
}

/** The briefing in `language` when it is written in it (and not blank), else in English. */
export function briefingIn(briefing: Briefing | undefined | null, language: string): string {
  const texts = briefingTexts(briefing);
  const own = (texts as Partial<Record<string, string>>)[language];
  return own?.trim() ? own : texts.en;
}
