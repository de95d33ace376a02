/**
 * WCAG contrast between two CSS colours as the browser computes them ("rgb(r, g, b)", "rgba(r, g, b, a)",
 * "#rrggbb"), so the e2e can say that a chart's text is readable on its background in a theme.
 */

export interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

/** Parses a computed colour; a transparent or unknown value is an error naming it (the check would mean nothing). */
export function parseCssColour(text: string): Rgb {
  const t = text.trim().toLowerCase();
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(t);
  if (hex) return { r: parseInt(hex[1], 16), g: parseInt(hex[2], 16), b: parseInt(hex[3], 16) };
  const fn = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(t);
  if (fn) {
    const alpha = fn[4] === undefined ? 1 : fn[4].endsWith('%') ? Number(fn[4].slice(0, -1)) / 100 : Number(fn[4]);
    if (alpha < 1) throw new Error(`colour ${text} is not opaque: its contrast depends on what lies below`);
    return { r: Number(fn[1]), g: Number(fn[2]), b: Number(fn[3]) };
  }
  throw new Error(`not a colour this check reads: "${text}"`);
}

/** Relative luminance (WCAG 2.x), 0 for black to 1 for white. */
export function luminance(c: Rgb): number {
  const channel = (v: number): number => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

/** Contrast ratio from 1 (same colour) to 21 (black on white). */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
