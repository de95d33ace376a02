/** The histogram a heatmap row opens (webview/histogram.ts, DOM-free): bins on 0, kept vs pruned, themed, accessible. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logitHistogram, renderLogitHistogram, renderMaskFigure } from '../../webview/histogram';
import { renderHeatmap } from '../../webview/render';
import { PANEL_CSS } from '../../src/host/webview-html';

test('bins have 0 as an edge, so no bin mixes units on both sides of the keep threshold', () => {
  const h = logitHistogram([-1, -0.55, -0.01, 0, 0.02, 0.3, 0.9, 0.9], undefined, 10);
  assert.equal(h.kept, 5);
  assert.equal(h.pruned, 3);
  assert.equal(h.min, -1);
  assert.equal(h.max, 0.9);
  assert.ok(h.bins.some((b) => Math.abs(b.from) < 1e-12), 'a bin starts at 0');
  for (const b of h.bins) {
    if (b.to <= 1e-12) assert.equal(b.kept, 0, `bin [${b.from}, ${b.to}) is below 0`);
    if (b.from >= -1e-12) assert.equal(b.pruned, 0, `bin [${b.from}, ${b.to}) is at or above 0`);
  }
  assert.equal(h.bins.reduce((s, b) => s + b.kept + b.pruned, 0), 8, 'every unit is in one bin');
  assert.ok(h.bins[0].from <= -1 && h.bins[h.bins.length - 1].to > 0.9, 'the bins cover min and max');
  // The unit at exactly 0 is kept (logit ≥ 0), in the bin that starts at 0.
  const zeroBin = h.bins.find((b) => Math.abs(b.from) < 1e-12)!;
  assert.ok(zeroBin.kept >= 1);
});

test('the report’s keep flags decide kept vs pruned; equal logits and non-finite values are handled', () => {
  const h = logitHistogram([0.5, 0.5, -0.2], [false, true, true]);
  assert.deepEqual([h.kept, h.pruned], [2, 1]);
  const flat = logitHistogram([0, 0, 0]);
  assert.equal(flat.kept, 3);
  assert.ok(flat.bins.length >= 1);
  const odd = logitHistogram([NaN, Infinity, -2]);
  assert.deepEqual([odd.kept, odd.pruned], [0, 1]);
  assert.deepEqual(logitHistogram([]).bins, []);
});

test('the histogram figure: kept and pruned bars, the threshold line at 0, a summary for screen readers, no inline styles', () => {
  const svg = renderLogitHistogram({ group: 2, label: 'conv<3>', logits: [-1, -0.5, 0.25, 0.75, 1] });
  assert.match(svg, /^<svg class="histogram"[^>]* role="img" aria-label="Mask logits of 2: conv&lt;3&gt;: 3 kept, 2 pruned of 5 units, from -1 to 1; keep threshold at 0"/);
  assert.ok(!svg.includes('<3>'), 'labels are escaped');
  const kept = [...svg.matchAll(/<rect class="hist-kept"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);
  const pruned = [...svg.matchAll(/<rect class="hist-pruned"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);
  assert.equal(kept.length, 3);
  assert.equal(pruned.length, 2);
  assert.ok(kept.every((t) => / kept$/.test(t)) && pruned.every((t) => / pruned$/.test(t)));
  // The threshold line sits at x(0): between the last pruned bar and the first kept bar.
  const line = /<line class="hist-threshold" x1="([\d.]+)"/.exec(svg);
  assert.ok(line);
  const xs = (cls: string): number[] => [...svg.matchAll(new RegExp(`<rect class="${cls}" x="([\\d.]+)" y="[\\d.]+" width="([\\d.]+)"`, 'g'))].map((m) => Number(m[1]));
  assert.ok(Math.max(...xs('hist-pruned')) < Number(line[1]) && Math.min(...xs('hist-kept')) >= Number(line[1]), 'pruned left of 0, kept right of 0');
  assert.match(svg, /0 = keep threshold/);
  assert.ok(!/\sstyle=/.test(svg), 'no inline styles: the CSP forbids them');
  assert.ok(!/\sfill="#/.test(svg), 'colours come from the theme (CSS classes), not fixed hex values');
});

test('every histogram and heatmap-row class is themed with VS Code CSS variables in the panel stylesheet', () => {
  const svg = renderMaskFigure([{ group: 0, label: 'conv1', logits: [-1, 1] }], 0);
  const classes = new Set([...svg.matchAll(/class="([^"]+)"/g)].flatMap((m) => m[1].split(' ')).filter((c) => c.startsWith('hist-') || c === 'row-hit'));
  assert.ok(classes.size >= 6, [...classes].join(', '));
  for (const c of classes) {
    const rule = new RegExp(`\\.${c}[^{]*\\{[^}]*var\\(--vscode-`);
    assert.match(PANEL_CSS, rule, `.${c} uses a --vscode-* variable`);
  }
  assert.match(PANEL_CSS, /\.mask-row:focus[^{]*\{[^}]*--vscode-focusBorder/);
});

test('heatmap rows are focusable buttons; the figure shows the selected row’s histogram, or how to pick one', () => {
  const groups = [
    { group: 0, label: 'conv1', logits: [0.5, -0.25] },
    { group: 1, label: 'conv2', logits: [1, 2, -3] },
  ];
  const heatmap = renderHeatmap(groups, 1);
  assert.match(heatmap, /<g class="mask-row" data-row="0" tabindex="0" role="button" aria-pressed="false" aria-label="0: conv1, 1 of 2 units kept; show the histogram of its mask logits">/);
  assert.match(heatmap, /<g class="mask-row" data-row="1" tabindex="0" role="button" aria-pressed="true"/);
  // Each row's click target covers its label and every cell, so a click anywhere on the row (its centre too) picks it.
  const wide = renderHeatmap([{ group: 0, label: 'conv', logits: Array.from({ length: 70 }, () => 1) }, ...groups]);
  for (const row of wide.split('<g class="mask-row"').slice(1)) {
    const hit = /<rect class="row-hit" x="0" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(row);
    assert.ok(hit);
    const [top, width, height] = hit.slice(1).map(Number);
    for (const cell of row.matchAll(/<rect data-g="\d+" data-u="\d+" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)) {
      const [x, y, w, h] = cell.slice(1).map(Number);
      assert.ok(x + w <= width && y >= top && y + h <= top + height, `cell at ${x},${y} inside the row's click target`);
    }
  }
  const none = renderMaskFigure(groups, null);
  assert.ok(!none.includes('class="histogram"'));
  assert.match(none, /press Enter\) for the histogram/);
  assert.ok(!none.includes('aria-pressed="true"'));
  const picked = renderMaskFigure(groups, 1);
  assert.match(picked, /<div class="histogram-box" aria-live="polite"><svg class="histogram"[^>]*aria-label="Mask logits of 1: conv2: 2 kept, 1 pruned of 3 units/);
  assert.ok(!renderMaskFigure(groups, 5).includes('class="histogram"'), 'a stale selection shows no histogram');
  assert.match(renderMaskFigure([], 0), /No masks yet/);
});
