/**
 * The selected masks at a glance: one row per mask group (gated layer), one cell per unit coloured by its mask
 * logit on a diverging scale centred at 0, a cross on every pruned unit. Long rows wrap at UNITS_PER_LINE
 * cells, so a 512-unit layer is 8 lines of the same cell size as a 16-unit layer (sizes stay comparable).
 */
import type { MaskRecord } from '../schema';
import { contrastingInk, divergingColour, symmetricRange } from './colour';
import { svgDocument } from './document';
import { MUTED, ROLE, truncate } from './theme';
import { tag, textElement, title } from './xml';

const WIDTH = 900;
const LABEL_X = 16;
const GRID_X = 244;
const CELL = 10;
const UNITS_PER_LINE = 64;
const FIRST_ROW_Y = 104;
const ROW_GAP = 14;
const LABEL_LINES_HEIGHT = 30;
const LEGEND_STEPS = 21;

function formatLogit(v: number): string {
  return Number(v.toPrecision(2)).toString();
}

/** A cross inside the cell at (x, y), in relative path commands (one short path per pruned unit). */
function crossPath(x: number, y: number): string {
  const a = Math.round((x + 2) * 100) / 100;
  const b = Math.round((y + 2) * 100) / 100;
  const s = CELL - 5;
  return `M${a} ${b}l${s} ${s}m0 -${s}l-${s} ${s}`;
}

function legend(range: number): string {
  const parts: string[] = [];
  const y = 56;
  const w = 12;
  for (let i = 0; i < LEGEND_STEPS; i++) {
    const v = -range + (2 * range * i) / (LEGEND_STEPS - 1);
    parts.push(tag('rect', { x: GRID_X + i * w, y, width: w, height: 12, fill: divergingColour(v, range) }));
  }
  const end = GRID_X + LEGEND_STEPS * w;
  const ticks: [number, string][] = [
    [GRID_X, `≤ -${formatLogit(range)}`],
    [(GRID_X + end) / 2, '0'],
    [end, `≥ +${formatLogit(range)}`],
  ];
  for (const [x, label] of ticks) parts.push(textElement('text', { x, y: y + 25, 'font-size': 10, 'text-anchor': 'middle', fill: MUTED, class: ROLE.mutedText }, label));
  // Right of the end tick label, which is centred on the bar's end.
  const captionX = end + 36;
  parts.push(textElement('text', { x: captionX, y: y + 10, 'font-size': 11 }, 'mask logit: red < 0 (pruned), blue ≥ 0 (kept)'));
  const sampleX = captionX;
  parts.push(tag('rect', { x: sampleX, y: y + 16, width: CELL - 1, height: CELL - 1, fill: divergingColour(-range, range) }));
  parts.push(tag('path', { d: crossPath(sampleX, y + 16), stroke: contrastingInk(divergingColour(-range, range)), 'stroke-width': 1.3, fill: 'none' }));
  parts.push(textElement('text', { x: sampleX + CELL + 4, y: y + 25, 'font-size': 11 }, 'pruned unit'));
  return tag('g', { class: 'legend' }, parts.join(''));
}

function row(mask: MaskRecord, y: number, range: number): { markup: string; height: number } {
  const units = mask.logits.length;
  const kept = mask.keep.filter(Boolean).length;
  const lines = Math.max(1, Math.ceil(units / UNITS_PER_LINE));
  const gridHeight = lines * CELL;
  const cells: string[] = [];
  const crosses: string[] = [];
  const gridWidth = Math.min(units, UNITS_PER_LINE) * CELL;
  for (let i = 0; i < units; i++) {
    const x = GRID_X + (i % UNITS_PER_LINE) * CELL;
    const cy = y + Math.floor(i / UNITS_PER_LINE) * CELL;
    const fill = divergingColour(mask.logits[i], range);
    cells.push(tag('rect', { x, y: cy, width: CELL - 1, height: CELL - 1, fill }));
    if (!mask.keep[i]) crosses.push(tag('path', { class: 'pruned', d: crossPath(x, cy), stroke: contrastingInk(fill), 'stroke-width': 1.3, fill: 'none' }));
  }
  const label = `${mask.group}: ${mask.label}`;
  const share = units > 0 ? Math.round((100 * kept) / units) : 0;
  const markup = tag(
    'g',
    { class: 'mask-row', 'data-group': mask.group },
    title(`group ${label} — ${kept} of ${units} units kept; producers: ${mask.producers.join(', ')}`) +
      textElement('text', { x: LABEL_X, y: y + 10, 'font-size': 11, 'font-weight': 'bold' }, truncate(label, 36)) +
      textElement('text', { x: LABEL_X, y: y + 24, 'font-size': 10, fill: MUTED, class: ROLE.mutedText }, `${kept}/${units} kept (${share}%)`) +
      // The grey backdrop shows through the 1px gaps, so near-white cells (logits near 0) still read as cells.
      tag('rect', { x: GRID_X - 1, y: y - 1, width: gridWidth + 1, height: gridHeight + 1, fill: '#c8ccd0' }) +
      tag('g', { class: 'cells' }, cells.join('')) +
      tag('g', { class: 'pruned-units' }, crosses.join('')),
  );
  return { markup, height: Math.max(gridHeight, LABEL_LINES_HEIGHT) + ROW_GAP };
}

/** The heatmap of `masks` (in the order given) at the selected epoch. */
export function renderMaskHeatmap(masks: readonly MaskRecord[], selectedEpoch: number): string {
  const range = symmetricRange(masks.flatMap((m) => m.logits));
  const kept = masks.reduce((s, m) => s + m.keep.filter(Boolean).length, 0);
  const total = masks.reduce((s, m) => s + m.keep.length, 0);
  const heading = `Mask logits per gated layer (epoch ${selectedEpoch}): ${kept} of ${total} units kept`;
  const rows: string[] = [];
  let y = FIRST_ROW_Y;
  for (const m of masks) {
    const r = row(m, y, range);
    rows.push(r.markup);
    y += r.height;
  }
  if (masks.length === 0) {
    rows.push(textElement('text', { x: LABEL_X, y: y + 10, fill: MUTED, class: ROLE.mutedText }, 'no gated layers'));
    y += 30;
  }
  const body = [
    textElement('text', { x: LABEL_X, y: 26, 'font-size': 15, 'font-weight': 'bold' }, heading),
    textElement('text', { x: LABEL_X, y: 44, 'font-size': 11, fill: MUTED, class: ROLE.mutedText }, `one row per mask group, one cell per unit (${UNITS_PER_LINE} per line)`),
    legend(range),
    ...rows,
  ].join('\n');
  return svgDocument(
    {
      width: WIDTH,
      height: y + 8,
      title: heading,
      description: `Heatmap of ${masks.length} mask groups; cell colour is the unit's mask logit from -${formatLogit(range)} (red) to +${formatLogit(range)} (blue); crossed cells are pruned units.`,
    },
    body,
  );
}
