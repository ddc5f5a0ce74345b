import { useTranslations } from 'next-intl';

// What the page says before a cluster's first frame: help.json's `waiting`, through useWaitingWords.
export const WAITING_TEXT = {
  instructor: 'waiting for the instructor to start the exercise',
  paused: 'paused before its first tick: an operator starts it with Resume',
  firstFrame: 'waiting for the first frame…',
  meanwhile:
    'Your score, the clock and the figures appear here once it starts. Meanwhile, read the briefing below.',
  /** The connection badge while connected and waiting for the start. */
  connectedWaiting: 'connected · not started',
  /** Where the time controls are in an exercise. */
  instructorTime: 'time: the instructor’s',
  instructorTimeWhy:
    'In an exercise the instructor starts, pauses and speeds up every team’s cluster at once, from the instructor’s page.',
} as const;

/**
 * WAITING_TEXT in the reader's language (help.json `waiting`), the same shape. WAITING_TEXT above
 * stays, in English, for callers not yet converted (cluster/exercise-panel.tsx).
 */
export function useWaitingWords(): { [K in keyof typeof WAITING_TEXT]: string } {
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
