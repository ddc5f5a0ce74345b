import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contrast, HEAT_STOPS, heat, heatRgbAt, parseColor, readableText, type Rgb } from './color';
import { type Deficiency, deltaE, lab, simulate } from './color-vision';
import { VM_COLORS } from './vm-colors';

// WCAG 2.x AA: 4.5:1 for text (1.4.3), 3:1 for graphics a reader needs, such as chart lines and
// icons (1.4.11). The colours are read from globals.css itself, so what is checked is what ships.
const css = readFileSync(join(__dirname, '../../app/globals.css'), 'utf8');

function block(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`${selector} not in globals.css`);
  const body = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries(
    [...body.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{3,6})/g)].map((m) => [m[1]!, m[2]!]),
  );
}

const schemes = {
  light: block(':root'),
  dark: { ...block(':root'), ...block("[data-mantine-color-scheme='dark']") },
};

const TEXT = ['fg', 'muted', 'ok', 'warn', 'crit', 'info'];
const LINES = [
  'line-info',
  'line-crit',
  'line-ok',
  'line-purple',
  'line-warn',
  'line-neutral',
  'line-sky',
];

describe.each(Object.entries(schemes))('the %s colour scheme (WCAG AA)', (_, v) => {
  it.each(TEXT)('text --%s is at least 4.5:1 on the page and on panels', (token) => {
    expect(contrast(v[token]!, v['bg']!)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(v[token]!, v['card']!)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(LINES)('chart line and icon --%s is at least 3:1 on the page and on panels', (token) => {
    expect(contrast(v[token]!, v['bg']!)).toBeGreaterThanOrEqual(3);
    expect(contrast(v[token]!, v['card']!)).toBeGreaterThanOrEqual(3);
  });

  it('figures on a warning or critical tint read at 4.5:1; the level’s icon at 3:1', () => {
    for (const tint of ['tint-warn', 'tint-crit'])
      for (const token of ['fg', 'muted'])
        expect(contrast(v[token]!, v[tint]!)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(v['warn']!, v['tint-warn']!)).toBeGreaterThanOrEqual(3);
    expect(contrast(v['crit']!, v['tint-crit']!)).toBeGreaterThanOrEqual(3);
  });
});

describe('the heat map scale', () => {
  const samples = Array.from({ length: 101 }, (_, i) => heatRgbAt(i / 100));
  const views: [string, (c: Rgb) => Rgb][] = [
    ['normal vision', (c) => c],
    ...(['deuteranopia', 'protanopia'] as Deficiency[]).map((d): [string, (c: Rgb) => Rgb] => [
      d,
      (c) => simulate(c, d),
    ]),
  ];

  it.each(views)(
    'gets darker from idle to hot with every step, in %s (so it reads in order without hue)',
    (_, view) => {
      const lightness = samples.map((c) => lab(view(c))[0]);
      for (let i = 1; i < lightness.length; i++)
        expect(lightness[i]!).toBeLessThan(lightness[i - 1]!);
      // And spans most of the range: idle near white, hot near black.
      expect(lightness[0]! - lightness[100]!).toBeGreaterThan(60);
    },
  );

  it.each(views)('tells every tenth of the scale from the next in %s (ΔE76 > 5)', (_, view) => {
    for (let i = 10; i <= 100; i += 10)
      expect(deltaE(view(samples[i - 10]!), view(samples[i]!))).toBeGreaterThan(5);
  });

  it('hot reads as alarming: red at the top, pale yellow at the bottom', () => {
    const [r0, g0, b0] = parseColor(HEAT_STOPS[0]);
    expect(r0).toBeGreaterThan(240);
    expect(g0).toBeGreaterThan(240);
    expect(b0).toBeLessThan(r0);
    const [r, g, b] = heatRgbAt(1);
    expect(r).toBeGreaterThan(2 * g);
    expect(r).toBeGreaterThan(2 * b);
  });

  it('a tile’s text reads at 4.5:1 on every colour of the scale', () => {
    for (let i = 0; i <= 100; i++) {
      const { background, text } = heat(i / 100);
      expect(contrast(text, background)).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('failed and maintenance tiles (stripes) read at 4.5:1 on both stripes', () => {
    const rule = (selector: string) =>
      css.slice(css.indexOf(selector), css.indexOf('}', css.indexOf(selector)));
    for (const selector of [
      ".host-tile[data-state='failed']",
      ".host-tile[data-state='maintenance']",
    ]) {
      const text = /\bcolor:\s*(#[0-9a-f]{3,6})/i.exec(rule(selector))![1]!;
      const stripes = [...rule(selector).matchAll(/(#[0-9a-f]{6})\s+\d+px/gi)].map((m) => m[1]!);
      expect(stripes.length).toBeGreaterThanOrEqual(2);
      for (const stripe of stripes) expect(contrast(text, stripe)).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe('VM colours on the host page', () => {
  it.each(VM_COLORS.map((c) => [c]))(
    'names on %s read at 4.5:1 with the chosen text colour',
    (c) => {
      expect(contrast(readableText(c), c)).toBeGreaterThanOrEqual(4.5);
    },
  );

  it('yellow takes dark text (light text on yellow chips was unreadable)', () => {
    expect(readableText('#F0E442')).toBe('#000');
  });
});
