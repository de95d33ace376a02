/** A grouped bar chart (one group per category, one bar per series), with an optional reference line. */
import { svgDocument } from './document';
import { niceTicks, scale } from './ticks';
import { GRID, INK, MUTED, BACKGROUND, ROLE, textWidth, truncate } from './theme';
import { tag, textElement, title } from './xml';

export interface BarSeries {
  readonly name: string;
  readonly colour: string;
  /** One value per category; null draws no bar ("n/a"). */
  readonly values: readonly (number | null)[];
}

export interface GroupedBarsOptions {
  readonly title: string;
  readonly description: string;
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  readonly yDomain: readonly [number, number];
  readonly yLabel: string;
  /** Axis ticks. */
  readonly formatY: (v: number) => string;
  /** Value printed over a bar when it is wide enough. */
  readonly formatValue: (v: number) => string;
  readonly reference?: { readonly value: number; readonly label: string };
}

const MAX_WIDTH = 900;
const LABEL_FONT = 11;
const MAX_LABEL_CHARS = 26;
/** Category labels rotate by this angle when they do not fit under their group. */
const LABEL_ANGLE = 35;

export function renderGroupedBars(o: GroupedBarsOptions): string {
  for (const s of o.series) {
    if (s.values.length !== o.categories.length) throw new Error(`series '${s.name}' has ${s.values.length} values for ${o.categories.length} categories`);
  }
  const left = 64;
  const right = 16;
  const top = 70;
  const groups = Math.max(1, o.categories.length);
  const perGroup = Math.min(180, Math.max(36, 28 * o.series.length + 24));
  const titleWidth = textWidth([...o.title].length, 15) + 32;
  const width = Math.min(MAX_WIDTH, Math.max(480, titleWidth, left + right + groups * perGroup));
  const groupWidth = (width - left - right) / groups;
  const barWidth = (groupWidth * 0.8) / Math.max(1, o.series.length);
  const labels = o.categories.map((c) => truncate(c, MAX_LABEL_CHARS));
  const longest = Math.max(0, ...labels.map((l) => [...l].length));
  const rotate = textWidth(longest, LABEL_FONT) > groupWidth - 4;
  const labelDepth = rotate ? textWidth(longest, LABEL_FONT) * Math.sin((LABEL_ANGLE * Math.PI) / 180) + 14 : 18;
  const plotHeight = 260;
  const bottom = top + plotHeight;
  const height = bottom + labelDepth + 30;
  const sy = scale(o.yDomain, [bottom, top]);
  const parts: string[] = [];

  parts.push(textElement('text', { x: 16, y: 26, 'font-size': 15, 'font-weight': 'bold' }, o.title));
  let lx = left;
  for (const s of o.series) {
    parts.push(tag('rect', { x: lx, y: 40, width: 12, height: 12, fill: s.colour }));
    parts.push(textElement('text', { x: lx + 17, y: 50, 'font-size': 11 }, s.name));
    lx += textWidth(s.name.length, 11) + 36;
  }

  for (const t of niceTicks(o.yDomain[0], o.yDomain[1], 5)) {
    const y = sy(t);
    parts.push(tag('line', { x1: left, y1: y, x2: width - right, y2: y, stroke: GRID, class: ROLE.grid, 'stroke-width': 1 }));
    parts.push(textElement('text', { x: left - 6, y: y + 4, 'font-size': 10, 'text-anchor': 'end', fill: MUTED, class: ROLE.mutedText }, o.formatY(t)));
  }
  parts.push(
    textElement('text', { x: 16, y: (top + bottom) / 2, 'font-size': 11, fill: MUTED, class: ROLE.mutedText, 'text-anchor': 'middle', transform: `rotate(-90 16 ${(top + bottom) / 2})` }, o.yLabel),
  );

  const bars: string[] = [];
  o.categories.forEach((category, c) => {
    const gx = left + c * groupWidth + groupWidth * 0.1;
    o.series.forEach((s, k) => {
      const v = s.values[c];
      const x = gx + k * barWidth;
      if (v === null || !Number.isFinite(v)) {
        bars.push(textElement('text', { x: x + barWidth / 2, y: bottom - 4, 'font-size': 9, 'text-anchor': 'middle', fill: MUTED, class: ROLE.mutedText }, 'n/a'));
        return;
      }
      const y = sy(Math.max(o.yDomain[0], Math.min(o.yDomain[1], v)));
      const tip = title(`${category} — ${s.name}: ${o.formatValue(v)}`);
      bars.push(tag('rect', { class: 'bar', x: x + 1, y, width: Math.max(1, barWidth - 2), height: Math.max(0, bottom - y), fill: s.colour }, tip));
      if (barWidth >= 26) {
        bars.push(textElement('text', { x: x + barWidth / 2, y: y - 4, 'font-size': 9, 'text-anchor': 'middle', fill: MUTED, class: ROLE.mutedText }, o.formatValue(v)));
      }
    });
    const cx = left + (c + 0.5) * groupWidth;
    const ly = bottom + 14;
    const labelAttrs = rotate
      ? { x: cx, y: ly, 'font-size': LABEL_FONT, 'text-anchor': 'end', transform: `rotate(-${LABEL_ANGLE} ${cx} ${ly})` }
      : { x: cx, y: ly, 'font-size': LABEL_FONT, 'text-anchor': 'middle' };
    // The full category name stays available as a tooltip when the label is cut.
    bars.push(tag('text', { class: 'category', ...labelAttrs }, (labels[c] !== category ? title(category) : '') + textElement('tspan', {}, labels[c])));
  });
  parts.push(tag('g', { class: 'bars' }, bars.join('\n')));
  parts.push(tag('line', { x1: left, y1: bottom, x2: width - right, y2: bottom, stroke: MUTED, class: ROLE.mutedLine, 'stroke-width': 1 }));

  if (o.reference && Number.isFinite(o.reference.value)) {
    const y = sy(o.reference.value);
    parts.push(
      tag('line', { class: `reference ${ROLE.inkLine}`, x1: left, y1: y, x2: width - right, y2: y, stroke: INK, 'stroke-width': 1.5, 'stroke-dasharray': '6 4' }, title(o.reference.label)),
    );
    // A halo in the background colour keeps the label legible where it crosses a bar.
    parts.push(
      textElement('text', { x: width - right, y: y - 5, 'font-size': 10, 'text-anchor': 'end', stroke: BACKGROUND, class: ROLE.halo, 'stroke-width': 3, 'paint-order': 'stroke' }, o.reference.label),
    );
  }
  return svgDocument({ width, height, title: o.title, description: o.description }, parts.join('\n'));
}
