/** The diverging colour scale of the mask heatmap: red for negative logits (pruned), blue for positive (kept). */

type Rgb = readonly [number, number, number];

// ColorBrewer RdBu end points and its neutral middle: readable in print and with red–green colour-blindness.
const NEGATIVE: Rgb = [178, 24, 43];
const NEUTRAL: Rgb = [247, 247, 247];
const POSITIVE: Rgb = [33, 102, 172];

function hex(c: Rgb): string {
  return `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Colour of `value` on a scale from -range (full red) through 0 (near white) to +range (full blue), clamped. */
export function divergingColour(value: number, range: number): string {
  const t = Math.max(-1, Math.min(1, range > 0 ? value / range : 0));
  return hex(t < 0 ? mix(NEUTRAL, NEGATIVE, -t) : mix(NEUTRAL, POSITIVE, t));
}

/** Relative luminance (WCAG) of a #rrggbb colour. */
export function luminance(colour: string): number {
  const channel = (i: number): number => {
    const c = parseInt(colour.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** A mark colour that stands out on `background` (white on dark cells, near-black on light ones). */
export function contrastingInk(background: string): string {
  return luminance(background) < 0.3 ? '#ffffff' : '#1f2328';
}

/**
 * The symmetric range of the scale: the 98th percentile of |logit|, so one runaway logit does not wash out
 * every other cell (values beyond it are clamped to the end colours). 1 when every logit is 0.
 */
export function symmetricRange(values: readonly number[]): number {
  const abs = values.map(Math.abs).filter(Number.isFinite).sort((a, b) => a - b);
  if (abs.length === 0) return 1;
  const r = abs[Math.min(abs.length - 1, Math.floor(0.98 * (abs.length - 1) + 0.5))];
  return r > 0 ? r : abs[abs.length - 1] > 0 ? abs[abs.length - 1] : 1;
}
