/**
 * Colours and type for every figure. Figures paint their own white background, so they read the same on a
 * light or a dark page; the series colours are from the Okabe–Ito palette, distinguishable with colour-blindness.
 */
export const BACKGROUND = '#ffffff';
export const INK = '#1f2328';
export const MUTED = '#57606a';
export const GRID = '#d8dee4';
export const FONT_FAMILY = 'Helvetica, Arial, sans-serif';

export const VANILLA_COLOUR = '#999999';
export const SUBNETWORK_COLOUR = '#0072b2';

export const SERIES_COLOURS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#d55e00', '#56b4e9', '#f0e442'] as const;

/** Rough width of `chars` characters at `fontSize` in the sans-serif fallback fonts (no font metrics offline). */
export function textWidth(chars: number, fontSize: number): number {
  return chars * fontSize * 0.6;
}

/** Cut `text` to at most `maxChars` characters, ending with an ellipsis when cut. */
export function truncate(text: string, maxChars: number): string {
  const chars = [...text];
  if (chars.length <= maxChars) return text;
  return `${chars.slice(0, Math.max(1, maxChars - 1)).join('')}…`;
}
