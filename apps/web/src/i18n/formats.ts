import type { Formats } from 'next-intl';

/**
 * Named formats for ICU messages and useFormatter, the same in every language; the locale decides
 * digits, grouping and the words of dates and times ("{value, number, pct1}").
 */
export const FORMATS = {
  number: {
    /** A share already in percent (12.3), not a fraction: shown with its own % sign in messages. */
    dec1: { maximumFractionDigits: 1, minimumFractionDigits: 1 },
    dec2: { maximumFractionDigits: 2, minimumFractionDigits: 2 },
    int: { maximumFractionDigits: 0 },
  },
  dateTime: {
    /** A wall-clock moment: date and time to the minute. */
    moment: { dateStyle: 'medium', timeStyle: 'short' },
    time: { timeStyle: 'medium' },
  },
} satisfies Formats;
