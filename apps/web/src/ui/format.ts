import type { AlarmRuleId } from '@overcommit/contracts';
import type { HelpT } from '../help/t';

/** Simulated seconds as h:mm:ss (or d h:mm:ss past a day). */
export function simTime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const hms = `${d > 0 ? String(h).padStart(2, '0') : h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  return d > 0 ? `${d}d ${hms}` : hms;
}

/**
 * Simulated time typed by a person, as seconds: "1:02:03", "2:03" (m:ss), "45" (seconds) or
 * "1d 0:00:00". Null when it is not a time.
 */
export function parseSimTime(text: string): number | null {
  const m = /^\s*(?:(\d+)d\s*)?(?:(?:(\d+):)?(\d{1,2}):)?(\d{1,2}(?:\.\d+)?)\s*$/.exec(text);
  if (!m || (m[1] !== undefined && m[3] === undefined)) return null;
  const [d, h, min, sec] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
  ];
  if ((m[3] !== undefined && sec >= 60) || (m[2] !== undefined && min >= 60)) return null;
  return d * 86400 + h * 3600 + min * 60 + sec;
}

export const pct = (v: number, digits = 1) => `${v.toFixed(digits)}%`;

export function mib(v: number): string {
  if (Math.abs(v) >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(2)} TiB`;
  if (Math.abs(v) >= 1024) return `${(v / 1024).toFixed(1)} GiB`;
  return `${Math.round(v)} MiB`;
}

export const ratio = (v: number) => v.toFixed(2);

export function watts(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(1)} kW` : `${Math.round(v)} W`;
}

export const int = (v: number) => Math.round(v).toLocaleString('en-US');

/**
 * Colours for lines and icons: Okabe-Ito hues (safe for colour-blind readers), each always paired
 * with a word and an icon where it is used, as CSS variables (globals.css) with a shade per colour
 * scheme that keeps 3:1 against the page (color.spec.ts checks it). Text uses --ok, --warn, --crit.
 */
export const palette = {
  critical: 'var(--line-crit)',
  warning: 'var(--line-warn)',
  ok: 'var(--line-ok)',
  info: 'var(--line-info)',
  neutral: 'var(--line-neutral)',
  purple: 'var(--line-purple)',
  sky: 'var(--line-sky)',
} as const;

/** What an alarm's rule watches, in words (help.json `rules.<rule>`; docs/model.md, section 13). */
export const alarmLabel = (rule: AlarmRuleId, t: HelpT): string => t(`rules.${rule}`);

/** An alarm's value (or threshold) with its rule's unit: "33.50% of working set", "2 level". */
export function alarmFigure(rule: AlarmRuleId, value: number, t: HelpT): string {
  const v = Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
  return t(`figure.${rule}`, { value: v });
}

/**
 * A severity as an icon and a text colour (4.5:1 on the page in either scheme); its word is
 * help.json's `severity.<severity>`, in the reader's language.
 */
export const severityLabel = {
  critical: { icon: '▲', color: 'var(--crit)' },
  warning: { icon: '◆', color: 'var(--warn)' },
} as const;
