/**
 * The histogram of one gated layer's mask logits, shown when the user picks a row of the mask heatmap. Bins are
 * aligned on 0 (the keep threshold: logit ≥ 0 is kept), each bar is split into kept and pruned units (the report's
 * keep flags when given, the logit's sign otherwise), and the threshold is drawn as a line. Pure string output,
 * coloured through CSS classes (PANEL_CSS maps them to VS Code theme variables), never inline styles.
 */
import { escapeHtml, renderHeatmap, type HeatmapGroup } from './render';

export interface HistogramBin {
  /** [from, to) in logit units; the last bin also holds its upper edge. */
  readonly from: number;
  readonly to: number;
  readonly kept: number;
  readonly pruned: number;
}

export interface LogitHistogram {
  readonly bins: readonly HistogramBin[];
  readonly kept: number;
  readonly pruned: number;
  readonly min: number;
  readonly max: number;
}

/** Bins of about `targetBins` equal widths whose edges include 0; non-finite logits are left out. */
export function logitHistogram(logits: readonly number[], keep?: readonly boolean[], targetBins = 20): LogitHistogram {
  const values = logits.map((v, u) => ({ v, kept: keep ? Boolean(keep[u]) : v >= 0 })).filter((x) => Number.isFinite(x.v));
  if (values.length === 0) return { bins: [], kept: 0, pruned: 0, min: 0, max: 0 };
  const min = Math.min(...values.map((x) => x.v));
  const max = Math.max(...values.map((x) => x.v));
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const width = hi > lo ? (hi - lo) / Math.max(1, targetBins) : 1;
  // Bin k covers [k·width, (k+1)·width): 0 is always an edge, so a bin never straddles the threshold.
  const first = Math.floor(lo / width);
  const last = Math.max(Math.floor(hi / width), first);
  const counts = Array.from({ length: last - first + 1 }, () => ({ kept: 0, pruned: 0 }));
  for (const x of values) {
    const k = Math.min(Math.max(Math.floor(x.v / width), first), last) - first;
    if (x.kept) counts[k].kept++;
    else counts[k].pruned++;
  }
  const bins = counts.map((c, i) => ({ from: (first + i) * width, to: (first + i + 1) * width, ...c }));
  const kept = values.filter((x) => x.kept).length;
  return { bins, kept, pruned: values.length - kept, min, max };
}

const W = 420;
const H = 190;
const LEFT = 40;
const RIGHT = 12;
const TOP = 28;
const BOTTOM = 34;

function short(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** The histogram figure of one layer (an SVG with a text summary for screen readers and one tooltip per bar). */
export function renderLogitHistogram(group: HeatmapGroup): string {
  const h = logitHistogram(group.logits, group.keep);
  const name = `${group.group}: ${group.label}`;
  const summary = `Mask logits of ${name}: ${h.kept} kept, ${h.pruned} pruned of ${h.kept + h.pruned} units${h.bins.length > 0 ? `, from ${short(h.min)} to ${short(h.max)}` : ''}; keep threshold at 0`;
  if (h.bins.length === 0) return `<p class="muted">${escapeHtml(`${name}: no finite mask logits to show.`)}</p>`;
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const from = h.bins[0].from;
  const to = h.bins[h.bins.length - 1].to;
  const x = (v: number): number => LEFT + ((v - from) / (to - from)) * plotW;
  const top = Math.max(...h.bins.map((b) => b.kept + b.pruned));
  const y = (count: number): number => TOP + plotH - (count / top) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${LEFT}" y="14" font-size="12" font-weight="bold" fill="currentColor">${escapeHtml(`${name}`.slice(0, 48))}</text>`);
  parts.push(
    `<text x="${W - RIGHT}" y="14" font-size="11" text-anchor="end" fill="currentColor"><tspan class="hist-kept-text">■ kept ${h.kept}</tspan>  <tspan class="hist-pruned-text">■ pruned ${h.pruned}</tspan></text>`,
  );
  for (const b of h.bins) {
    const x0 = x(b.from) + 0.5;
    const barW = Math.max(1, x(b.to) - x(b.from) - 1);
    const range = `[${short(b.from)}, ${short(b.to)})`;
    if (b.pruned > 0) {
      parts.push(`<rect class="hist-pruned" x="${x0.toFixed(1)}" y="${y(b.pruned).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(0) - y(b.pruned)).toFixed(1)}"><title>${range}: ${b.pruned} pruned</title></rect>`);
    }
    if (b.kept > 0) {
      parts.push(
        `<rect class="hist-kept" x="${x0.toFixed(1)}" y="${y(b.pruned + b.kept).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(b.pruned) - y(b.pruned + b.kept)).toFixed(1)}"><title>${range}: ${b.kept} kept</title></rect>`,
      );
    }
  }
  const axisY = TOP + plotH;
  parts.push(`<line class="hist-axis" x1="${LEFT}" y1="${axisY}" x2="${W - RIGHT}" y2="${axisY}"/>`);
  parts.push(`<line class="hist-axis" x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${axisY}"/>`);
  parts.push(`<text x="${LEFT - 4}" y="${TOP + 4}" font-size="10" text-anchor="end" fill="currentColor">${top}</text>`);
  parts.push(`<text x="${LEFT - 4}" y="${axisY}" font-size="10" text-anchor="end" fill="currentColor">0</text>`);
  parts.push(`<text x="${LEFT}" y="${axisY + 14}" font-size="10" fill="currentColor">${short(from)}</text>`);
  parts.push(`<text x="${W - RIGHT}" y="${axisY + 14}" font-size="10" text-anchor="end" fill="currentColor">${short(to)}</text>`);
  parts.push(`<text x="${LEFT + plotW / 2}" y="${H - 4}" font-size="10" text-anchor="middle" fill="currentColor" opacity="0.75">mask logit (units per bin)</text>`);
  const zero = x(0);
  parts.push(`<line class="hist-threshold" x1="${zero.toFixed(1)}" y1="${TOP - 6}" x2="${zero.toFixed(1)}" y2="${axisY}" stroke-dasharray="4 3"/>`);
  parts.push(`<text class="hist-threshold-text" x="${(zero + 3).toFixed(1)}" y="${TOP - 1}" font-size="10">0 = keep threshold</text>`);
  return `<svg class="histogram" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(summary)}"><title>${escapeHtml(summary)}</title>${parts.join('')}</svg>`;
}

/** The heatmap of every layer followed by the histogram of the selected one (or a hint how to pick one). */
export function renderMaskFigure(groups: readonly HeatmapGroup[], selected: number | null): string {
  if (groups.length === 0) return renderHeatmap(groups);
  const group = selected === null ? undefined : groups[selected];
  const histogram = group
    ? renderLogitHistogram(group)
    : '<p class="muted">Click a layer’s name (or focus it with Tab and press Enter) for the histogram of its mask logits.</p>';
  return `${renderHeatmap(groups, group ? selected : null)}<div class="histogram-box" aria-live="polite">${histogram}</div>`;
}
