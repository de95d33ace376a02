/** One small-multiple panel of a line chart: axes, ticks, series (with gaps at missing values), an x marker. */
import { decadeDomain, decadeTicks, niceDomain, niceTicks, scale } from './ticks';
import { GRID, MUTED, ROLE, textWidth } from './theme';
import { tag, textElement, title } from './xml';

export interface LineSeries {
  readonly name: string;
  readonly colour: string;
  /** [x, y] pairs in x order; y null leaves a gap. */
  readonly points: readonly (readonly [number, number | null])[];
}

export interface LinePanelOptions {
  /** Top-left corner and size of the whole panel, title and axes included. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly series: readonly LineSeries[];
  readonly yScale?: 'linear' | 'log';
  /** Fixed y range (e.g. [0, 1] for fractions); default: from the data. */
  readonly yDomain?: readonly [number, number];
  readonly formatY: (v: number) => string;
  readonly xLabel: string;
  /** A vertical dashed line, e.g. the selected epoch. */
  readonly marker?: { readonly x: number; readonly label: string };
  /** Labelled x ticks (e.g. ρ values at even spacing); default: integer ticks over the data's x range. */
  readonly xTicks?: readonly { readonly value: number; readonly label: string }[];
}

const MARGIN = { left: 52, right: 12, top: 26, bottom: 34 } as const;

/** Consecutive runs of non-null points: a missing value breaks the line instead of bridging it. */
function segments(points: LineSeries['points']): (readonly [number, number])[][] {
  const out: (readonly [number, number])[][] = [];
  let current: (readonly [number, number])[] = [];
  for (const [x, y] of points) {
    if (y === null || !Number.isFinite(y)) {
      if (current.length > 0) out.push(current);
      current = [];
    } else current.push([x, y]);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The x range of the series' points and of any extra x values (e.g. labelled ticks). */
function xDomainOf(series: readonly LineSeries[], extra: readonly number[] = []): [number, number] {
  const xs = [...series.flatMap((s) => s.points.map((p) => p[0])), ...extra];
  if (xs.length === 0) return [0, 1];
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

export function renderLinePanel(o: LinePanelOptions): string {
  const left = o.x + MARGIN.left;
  const right = o.x + o.width - MARGIN.right;
  const top = o.y + MARGIN.top;
  const bottom = o.y + o.height - MARGIN.bottom;
  const log = o.yScale === 'log';
  const ys = o.series.flatMap((s) => s.points.map((p) => p[1]).filter((v): v is number => v !== null && Number.isFinite(v)));
  const yDomain = o.yDomain ?? (log ? decadeDomain(ys) : niceDomain(ys));
  const xDomain = xDomainOf(o.series, (o.xTicks ?? []).map((t) => t.value));
  const sx = scale(xDomain, [left, right]);
  const sy = scale(yDomain, [bottom, top], log ? 'log' : 'linear');
  const parts: string[] = [];

  parts.push(textElement('text', { x: o.x + 4, y: o.y + 16, 'font-size': 13, 'font-weight': 'bold' }, o.title));
  // Legend in the title row when several series share the panel.
  if (o.series.length > 1) {
    let lx = o.x + o.width - MARGIN.right;
    for (const s of [...o.series].reverse()) {
      lx -= textWidth(s.name.length, 11) + 22;
      parts.push(tag('line', { x1: lx, y1: o.y + 12, x2: lx + 14, y2: o.y + 12, stroke: s.colour, 'stroke-width': 2.5 }));
      parts.push(textElement('text', { x: lx + 18, y: o.y + 16, 'font-size': 11 }, s.name));
    }
  }

  const yTicks = log ? decadeTicks(yDomain) : niceTicks(yDomain[0], yDomain[1], 4);
  for (const t of yTicks) {
    const y = sy(t);
    parts.push(tag('line', { x1: left, y1: y, x2: right, y2: y, stroke: GRID, class: ROLE.grid, 'stroke-width': 1 }));
    parts.push(textElement('text', { class: `y-tick ${ROLE.mutedText}`, x: left - 6, y: y + 4, 'font-size': 10, 'text-anchor': 'end', fill: MUTED }, o.formatY(t)));
  }
  const span = xDomain[1] - xDomain[0];
  const xTicks =
    o.xTicks ??
    niceTicks(xDomain[0], xDomain[1], Math.min(6, Math.max(1, Math.round(span))))
      .filter((t) => Number.isInteger(t))
      .map((t) => ({ value: t, label: String(t) }));
  for (const t of xTicks) {
    parts.push(tag('line', { x1: sx(t.value), y1: bottom, x2: sx(t.value), y2: bottom + 4, stroke: MUTED, class: ROLE.mutedLine }));
    parts.push(textElement('text', { x: sx(t.value), y: bottom + 15, 'font-size': 10, 'text-anchor': 'middle', fill: MUTED, class: ROLE.mutedText }, t.label));
  }
  parts.push(tag('line', { x1: left, y1: bottom, x2: right, y2: bottom, stroke: MUTED, class: ROLE.mutedLine, 'stroke-width': 1 }));
  parts.push(tag('line', { x1: left, y1: top, x2: left, y2: bottom, stroke: MUTED, class: ROLE.mutedLine, 'stroke-width': 1 }));
  parts.push(textElement('text', { x: (left + right) / 2, y: bottom + 29, 'font-size': 10, 'text-anchor': 'middle', fill: MUTED, class: ROLE.mutedText }, o.xLabel));

  if (o.marker && o.marker.x >= xDomain[0] && o.marker.x <= xDomain[1]) {
    const mx = sx(o.marker.x);
    parts.push(
      tag('line', { class: `marker ${ROLE.mutedLine}`, x1: mx, y1: top, x2: mx, y2: bottom, stroke: MUTED, 'stroke-width': 1, 'stroke-dasharray': '4 3' }, title(o.marker.label)),
    );
    // Label on the side of the line with room for it.
    const roomRight = right - mx > textWidth(o.marker.label.length, 9) + 6;
    parts.push(textElement('text', { x: roomRight ? mx + 3 : mx - 3, y: top + 10, 'font-size': 9, fill: MUTED, class: ROLE.mutedText, 'text-anchor': roomRight ? 'start' : 'end' }, o.marker.label));
  }

  if (ys.length === 0) {
    parts.push(textElement('text', { x: (left + right) / 2, y: (top + bottom) / 2, 'text-anchor': 'middle', fill: MUTED, class: ROLE.mutedText }, 'no data'));
  }
  const clampY = (v: number): number => Math.max(top, Math.min(bottom, sy(v)));
  for (const s of o.series) {
    for (const run of segments(s.points)) {
      const coords = run.map(([x, y]) => `${Math.round(sx(x) * 100) / 100},${Math.round(clampY(y) * 100) / 100}`).join(' ');
      const dots = run.length <= 40 ? run.map(([x, y]) => tag('circle', { cx: sx(x), cy: clampY(y), r: 2.2, fill: s.colour })).join('') : '';
      parts.push(tag('g', { class: 'series' }, title(s.name) + tag('polyline', { points: coords, fill: 'none', stroke: s.colour, 'stroke-width': 2 }) + dots));
    }
  }
  return tag('g', { class: 'panel' }, parts.join('\n'));
}
