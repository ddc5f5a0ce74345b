import { type AlarmRuleId, alarmRuleInfo } from '@overcommit/contracts';

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
 * Colours safe for colour-blind readers (Okabe-Ito), each always paired with
 * a word and an icon where it is used.
 */
export const palette = {
  critical: '#D55E00',
  warning: '#E69F00',
  ok: '#009E73',
  info: '#0072B2',
  neutral: '#8a8f98',
  purple: '#CC79A7',
  sky: '#56B4E9',
  yellow: '#F0E442',
} as const;

/** What an alarm's rule watches, in words (docs/model.md, section 13). */
export const alarmLabel = (rule: AlarmRuleId): string => alarmRuleInfo[rule].label;

/** An alarm's value (or threshold) with its rule's unit: "33.50% of working set", "2 level". */
export function alarmFigure(rule: AlarmRuleId, value: number): string {
  const unit = alarmRuleInfo[rule].unit;
  const v = Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
  return unit.startsWith('%') ? `${v}${unit}` : `${v} ${unit}`;
}

export const severityLabel = {
  critical: { icon: '▲', word: 'CRIT', color: palette.critical },
  warning: { icon: '◆', word: 'WARN', color: palette.warning },
} as const;

// Viridis: a perceptually uniform scale that reads in every colour vision and in greyscale.
const VIRIDIS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
] as const;

/** A colour for `t` in 0..1, and whether text on it should be dark. */
export function heat(t: number): { background: string; dark: boolean } {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  const c = a.map((v, k) => Math.round(v + (b[k]! - v) * f));
  return { background: `rgb(${c[0]}, ${c[1]}, ${c[2]})`, dark: x > 5.5 };
}
