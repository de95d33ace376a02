/**
 * Colours and type for every figure. Frame, text, axes and grid take their colour from a role class (`ROLE`), which
 * FIGURE_STYLE (embedded in every SVG) paints light by default and dark under `prefers-color-scheme: dark` (GitHub's
 * dark mode shows a report's figures dark), each through a `--bise-figure-*` variable that the extension's panel sets
 * from the VS Code theme (dark, light and high contrast alike). The attributes keep the light colours for viewers
 * that ignore styles. The series colours are from the Okabe–Ito palette, distinguishable with colour-blindness and
 * readable on both backgrounds.
 */
export const BACKGROUND = '#ffffff';
export const INK = '#1f2328';
export const MUTED = '#57606a';
export const GRID = '#d8dee4';

/** Role classes: `background` fills the frame and halos, `ink` the text, `muted` secondary text, axes and ticks. */
export const ROLE = {
  background: 'fig-bg',
  ink: 'fig-ink',
  mutedText: 'fig-muted',
  mutedLine: 'fig-axis',
  inkLine: 'fig-ink-line',
  grid: 'fig-grid',
  halo: 'fig-halo',
} as const;

interface Palette {
  readonly background: string;
  readonly ink: string;
  readonly muted: string;
  readonly grid: string;
}

const LIGHT: Palette = { background: BACKGROUND, ink: INK, muted: MUTED, grid: GRID };
/** GitHub's dark theme colours (canvas, fg default, fg muted, border muted). */
const DARK: Palette = { background: '#0d1117', ink: '#e6edf3', muted: '#9198a1', grid: '#30363d' };

/** The variables a host page may set to recolour the figures (the panel sets them from --vscode-* colours). */
export const FIGURE_VARIABLES = {
  background: '--bise-figure-background',
  ink: '--bise-figure-ink',
  muted: '--bise-figure-muted',
  grid: '--bise-figure-grid',
} as const;

function roleRules(p: Palette): string {
  const v = (name: keyof Palette): string => `var(${FIGURE_VARIABLES[name]}, ${p[name]})`;
  return [
    `.${ROLE.background}{fill:${v('background')}}`,
    `.${ROLE.ink}{fill:${v('ink')}}`,
    `.${ROLE.mutedText}{fill:${v('muted')}}`,
    `.${ROLE.mutedLine}{stroke:${v('muted')}}`,
    `.${ROLE.inkLine}{stroke:${v('ink')}}`,
    `.${ROLE.grid}{stroke:${v('grid')}}`,
    `.${ROLE.halo}{stroke:${v('background')}}`,
  ].join('');
}

/** The stylesheet every figure embeds (no `<`, `&` or url(): it stays plain XML text and self-contained). */
export const FIGURE_STYLE = `${roleRules(LIGHT)}@media (prefers-color-scheme: dark){${roleRules(DARK)}}`;
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
