// Colour arithmetic the dashboard needs at run time (a readable text colour on a computed
// background) and the heat map's scale. The checks that hold every colour pair to WCAG AA and the
// scale to colour-blind readers are in color.spec.ts (with color-vision.ts).

export type Rgb = readonly [number, number, number];

/** `#rgb`, `#rrggbb` or `rgb(r, g, b)` as 0..255 channels. */
export function parseColor(text: string): Rgb {
  const s = text.trim().toLowerCase();
  const fn = /^rgba?\(\s*(\d+(?:\.\d+)?)[\s,]+(\d+(?:\.\d+)?)[\s,]+(\d+(?:\.\d+)?)/.exec(s);
  if (fn) return [Number(fn[1]), Number(fn[2]), Number(fn[3])];
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(s);
  if (!hex) throw new Error(`not a colour: ${text}`);
  const h = hex[1]!;
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as unknown as Rgb;
}

export const toHex = (c: Rgb): string =>
  `#${c
    .map((v) =>
      Math.round(Math.min(255, Math.max(0, v)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;

/** sRGB channel (0..255) to linear light (0..1). */
export const linear = (v: number): number => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};

/** WCAG 2 relative luminance. */
export function luminance(c: Rgb): number {
  return 0.2126 * linear(c[0]) + 0.7152 * linear(c[1]) + 0.0722 * linear(c[2]);
}

/** WCAG 2 contrast ratio of two colours, 1..21. */
export function contrast(a: Rgb | string, b: Rgb | string): number {
  const la = luminance(typeof a === 'string' ? parseColor(a) : a);
  const lb = luminance(typeof b === 'string' ? parseColor(b) : b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Black or white, whichever reads better on `background` (at least 4.58:1 on any colour). */
export function readableText(background: Rgb | string): '#000' | '#fff' {
  const bg = typeof background === 'string' ? parseColor(background) : background;
  return contrast(bg, [0, 0, 0]) >= contrast(bg, [255, 255, 255]) ? '#000' : '#fff';
}

/**
 * The heat map's scale: ColorBrewer's YlOrRd (Brewer, Penn State; 9 classes), pale yellow for
 * idle to dark red for hot, so that hot reads as alarming, as in vCenter and Grafana. Its
 * lightness falls monotonically from end to end, so it reads in order in greyscale and for
 * colour-blind readers (deuteranopia and protanopia turn it into pale yellow to dark olive, still
 * ordered): color.spec.ts checks both on the interpolated scale.
 */
export const HEAT_STOPS = [
  '#ffffcc',
  '#ffeda0',
  '#fed976',
  '#feb24c',
  '#fd8d3c',
  '#fc4e2a',
  '#e31a1c',
  '#bd0026',
  '#800026',
] as const;

const heatRgb = HEAT_STOPS.map(parseColor);

/** The scale's colour at `t` in 0..1 (clamped), interpolated between the stops in sRGB. */
export function heatRgbAt(t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (heatRgb.length - 1);
  const i = Math.min(heatRgb.length - 2, Math.floor(x));
  const f = x - i;
  const a = heatRgb[i]!;
  const b = heatRgb[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as unknown as Rgb;
}

/** A tile's background for `t` in 0..1 and the text colour that reads on it. */
export function heat(t: number): { background: string; text: '#000' | '#fff' } {
  const c = heatRgbAt(t);
  return { background: `rgb(${c[0]}, ${c[1]}, ${c[2]})`, text: readableText(c) };
}
