// Simulated time as a clock shows it: m:ss, minutes going past 59 (a 90-minute exercise starts
// at 90:00), or hh:mm:ss with `hours`; '–' for no time. Every report, table and panel uses it.

export interface ClockOptions {
  /** How a fraction of a second becomes whole (default Math.round). */
  round?: (seconds: number) => number;
  /** hh:mm:ss (`00:01:30`) instead of m:ss (`1:30`). */
  hours?: boolean;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Simulated seconds as m:ss (or hh:mm:ss with `hours`); '–' for none. */
export function clock(seconds: number | null | undefined, options: ClockOptions = {}): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, (options.round ?? Math.round)(seconds));
  if (options.hours)
    return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  return `${Math.floor(s / 60)}:${two(s % 60)}`;
}
