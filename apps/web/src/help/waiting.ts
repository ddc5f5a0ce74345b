import { useTranslations } from 'next-intl';

// What the page says before a cluster's first frame: help.json's `waiting`, through useWaitingWords.
/** What the page says before a cluster's first frame, by key. */
type WaitingKey =
  | 'instructor'
  | 'paused'
  | 'firstFrame'
  | 'meanwhile'
  | 'connectedWaiting'
  | 'instructorTime'
  | 'instructorTimeWhy';

/** The waiting words in the reader's language (help.json `waiting`). */
export function useWaitingWords(): Record<WaitingKey, string> {
  const t = useTranslations('help');
  return {
    instructor: t('waiting.instructor'),
    paused: t('waiting.paused'),
    firstFrame: t('waiting.firstFrame'),
    meanwhile: t('waiting.meanwhile'),
    connectedWaiting: t('waiting.connectedWaiting'),
    instructorTime: t('waiting.instructorTime'),
    instructorTimeWhy: t('waiting.instructorTimeWhy'),
  };
}
