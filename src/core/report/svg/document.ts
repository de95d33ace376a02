/** The outer <svg> of every figure: size, viewBox, accessible title and description, theme stylesheet, opaque background. */
import { escapeXml, num } from './xml';
import { BACKGROUND, FIGURE_STYLE, FONT_FAMILY, INK, ROLE } from './theme';

export interface SvgFrame {
  readonly width: number;
  readonly height: number;
  /** Accessible name (also the tooltip of the whole image). */
  readonly title: string;
  readonly description?: string;
}

export function svgDocument(frame: SvgFrame, body: string): string {
  const w = num(frame.width);
  const h = num(frame.height);
  const desc = frame.description ? `<desc id="desc">${escapeXml(frame.description)}</desc>` : '';
  const labelledBy = frame.description ? 'title desc' : 'title';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-labelledby="${labelledBy}" font-family="${FONT_FAMILY}" font-size="12" fill="${INK}" class="${ROLE.ink}">\n` +
    `<title id="title">${escapeXml(frame.title)}</title>${desc}\n` +
    `<style>${FIGURE_STYLE}</style>\n` +
    `<rect width="${w}" height="${h}" fill="${BACKGROUND}" class="${ROLE.background}"/>\n` +
    `${body}\n</svg>\n`
  );
}
