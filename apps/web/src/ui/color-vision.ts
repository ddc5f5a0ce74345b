// Colour science for the palette's checks (color.spec.ts), not shipped to the page: CIELAB
// lightness and differences, and the simulation of the two common red-green colour vision
// deficiencies.
import { linear, type Rgb } from './color';

/** CIE 1976 L*a*b* (D65) of an sRGB colour. */
export function lab(c: Rgb): [number, number, number] {
  const [r, g, b] = c.map(linear) as [number, number, number];
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (t * 24389) / 27 / 116 + 16 / 116);
  const [fx, fy, fz] = [f(x), f(y), f(z)];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIE76 colour difference (about 2.3 is a just-noticeable difference). */
export function deltaE(a: Rgb, b: Rgb): number {
  const [l1, a1, b1] = lab(a);
  const [l2, a2, b2] = lab(b);
  return Math.hypot(l1 - l2, a1 - a2, b1 - b2);
}

/**
 * Machado, Oliveira and Fernandes (2009), "A Physiologically-based Model for Simulation of Color
 * Vision Deficiency", severity 1.0 (dichromacy): matrices on linear RGB.
 */
const MACHADO = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
} as const;

export type Deficiency = keyof typeof MACHADO;

const encode = (v: number) => {
  const c = Math.min(1, Math.max(0, v));
  return 255 * (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
};

/** How `c` looks to a reader with the given dichromacy. */
export function simulate(c: Rgb, deficiency: Deficiency): Rgb {
  const lin = c.map(linear);
  return MACHADO[deficiency].map((row) =>
    encode(row[0] * lin[0]! + row[1] * lin[1]! + row[2] * lin[2]!),
  ) as unknown as Rgb;
}
