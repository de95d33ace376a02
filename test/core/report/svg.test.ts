/** The figures: well-formed, self-contained SVG with the right marks, and user text escaped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, renderAccuracyChart, renderFigures, renderMaskHeatmap, renderProbeChart, renderTrainingCurves } from '../../../src/core/report';
import { divergingColour, symmetricRange } from '../../../src/core/report/svg/colour';
import { renderLinePlot } from '../../../src/core/report/svg/line-plot';
import { GROUP_SIZES, sampleReport, singleGroupMasks } from './sample-report';
import { XmlElement, byClass, findAll, parseXml, textContent } from './xml';
import { BACKGROUND, GRID, MUTED, ROLE } from '../../../src/core/report/svg/theme';

const HOSTILE = `<script>&"'`;

/** Parses the figure and checks what every figure must have; returns the root and the viewBox size. */
function checkFigure(svg: string): { root: XmlElement; width: number; height: number } {
  const root = parseXml(svg);
  assert.equal(root.name, 'svg');
  assert.equal(root.attributes.xmlns, 'http://www.w3.org/2000/svg');
  const [x, y, width, height] = (root.attributes.viewBox ?? '').split(' ').map(Number);
  assert.deepEqual([x, y], [0, 0]);
  assert.ok(width > 0 && height > 0, 'viewBox has a size');
  assert.ok(width <= 900, `figure is ${width}px wide`);
  const first = root.children.find((c): c is XmlElement => typeof c !== 'string');
  assert.equal(first?.name, 'title', 'the accessible title comes first');
  assert.ok(textContent(first!).length > 10);
  // An opaque background the size of the figure, so it reads on light and dark pages alike.
  const background = root.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === 'rect');
  assert.deepEqual([background?.attributes.width, background?.attributes.height, background?.attributes.fill], [String(width), String(height), '#ffffff']);
  checkThemed(root);
  // Self-contained: nothing to load, nothing to run.
  for (const bad of ['<script', 'href', '@import', 'url(', '<image', '<foreignObject', 'on' + 'load=']) assert.ok(!svg.includes(bad), `figure contains ${bad}`);
  return { root, width, height };
}

/**
 * Theme roles: the figure embeds the role stylesheet with a dark variant, and every frame, secondary text, axis and
 * grid mark carries its role class, so a dark page (GitHub, the VS Code panel) recolours all of them, not some.
 */
function checkThemed(root: XmlElement): void {
  const style = findAll(root, (e) => e.name === 'style').map(textContent);
  assert.equal(style.length, 1, 'one embedded stylesheet');
  assert.match(style[0], /@media \(prefers-color-scheme: dark\)\{.*\.fig-bg\{fill:var\(--bise-figure-background, #0d1117\)\}/);
  assert.ok((root.attributes.class ?? '').split(' ').includes(ROLE.ink), 'text inherits the ink role');
  const roleOf: readonly [string, string, string][] = [
    ['fill', BACKGROUND, ROLE.background],
    ['fill', MUTED, ROLE.mutedText],
    ['stroke', MUTED, ROLE.mutedLine],
    ['stroke', GRID, ROLE.grid],
  ];
  for (const [attribute, colour, role] of roleOf) {
    for (const e of findAll(root, (x) => x.attributes[attribute] === colour)) {
      assert.ok((e.attributes.class ?? '').split(' ').includes(role), `<${e.name} ${attribute}="${colour}"> lacks class ${role}`);
    }
  }
}

test('every figure of the sample report is well-formed and self-contained', () => {
  const figures = renderFigures(sampleReport());
  assert.deepEqual(
    figures.map((f) => f.file),
    ['figures/accuracy.svg', 'figures/mask-heatmap.svg', 'figures/probe.svg', 'figures/training-curves.svg'],
  );
  for (const f of figures) checkFigure(f.svg);
  // Deterministic: the same report gives the same bytes.
  assert.deepEqual(renderFigures(sampleReport()), figures);
});

test('the mask heatmap has one row per group, one cell per unit, a cross per pruned unit', () => {
  const report = sampleReport();
  const { root, width } = checkFigure(renderMaskHeatmap(report.masks, report.selection.epoch));
  const rows = findAll(root, byClass('g', 'mask-row'));
  assert.equal(rows.length, 4);
  rows.forEach((row, g) => {
    const mask = report.masks[g];
    assert.equal(row.attributes['data-group'], String(g));
    const cells = findAll(findAll(row, byClass('g', 'cells'))[0], (e) => e.name === 'rect');
    assert.equal(cells.length, GROUP_SIZES[g]);
    const crosses = findAll(row, byClass('path', 'pruned'));
    assert.equal(crosses.length, mask.keep.filter((k) => !k).length);
    assert.ok(crosses.length > 0 && crosses.length < GROUP_SIZES[g], 'the sample prunes some units of every group');
    // Each cell is coloured by its logit on the shared symmetric scale.
    const range = symmetricRange(report.masks.flatMap((m) => m.logits));
    cells.forEach((c, i) => assert.equal(c.attributes.fill, divergingColour(mask.logits[i], range)));
    for (const c of cells) assert.ok(Number(c.attributes.x) + Number(c.attributes.width) <= width);
    const labels = findAll(row, (e) => e.name === 'text').map(textContent);
    assert.deepEqual(labels, [`${g}: conv${g + 1}`, `${mask.keep.filter(Boolean).length}/${GROUP_SIZES[g]} kept (${Math.round((100 * mask.keep.filter(Boolean).length) / GROUP_SIZES[g])}%)`]);
  });
  assert.equal(findAll(root, byClass('g', 'legend')).length, 1);
});

test('a 512-unit layer wraps inside the figure', () => {
  const { root, width, height } = checkFigure(renderMaskHeatmap(singleGroupMasks(512), 3));
  const cells = findAll(findAll(root, byClass('g', 'cells'))[0], (e) => e.name === 'rect');
  assert.equal(cells.length, 512);
  const xs = new Set(cells.map((c) => c.attributes.x));
  const ys = new Set(cells.map((c) => c.attributes.y));
  assert.equal(ys.size, 8, '64 cells per line');
  assert.equal(xs.size, 64);
  for (const c of cells) {
    assert.ok(Number(c.attributes.x) + Number(c.attributes.width) <= width, 'cell inside the width');
    assert.ok(Number(c.attributes.y) + Number(c.attributes.height) <= height, 'cell inside the height');
  }
  assert.equal(findAll(root, byClass('path', 'pruned')).length, 256);
});

test('the scale is symmetric around 0 and robust to one runaway logit', () => {
  assert.equal(symmetricRange([0, 0, 0]), 1);
  assert.equal(symmetricRange([-2, 1, 0.5]), 2);
  const many = [...Array.from({ length: 99 }, (_, i) => (i % 2 ? 1 : -1) * (i / 99)), 1000];
  assert.ok(symmetricRange(many) < 2, 'the 98th percentile, not the maximum');
  assert.equal(divergingColour(0, 1), '#f7f7f7');
  assert.equal(divergingColour(-5, 1), '#b2182b');
  assert.equal(divergingColour(5, 1), '#2166ac');
});

test('training curves: four panels, the selected epoch marked, a gap where validation is missing', () => {
  const report = sampleReport();
  const { root } = checkFigure(renderTrainingCurves(report.history, report.selection.epoch));
  const panels = findAll(root, byClass('g', 'panel'));
  assert.equal(panels.length, 4);
  assert.deepEqual(
    panels.map((p) => textContent(findAll(p, (e) => e.name === 'text')[0])),
    ['Loss terms', 'Validation unbiased accuracy', 'Units kept', 'Temperature τ (log scale)'],
  );
  assert.equal(findAll(root, byClass('line', 'marker')).length, 4);
  const seriesPoints = (panel: XmlElement): number[] => findAll(panel, (e) => e.name === 'polyline').map((p) => (p.attributes.points ?? '').split(' ').length);
  assert.deepEqual(seriesPoints(panels[0]), [12, 12], 'cross-entropy and MI');
  assert.deepEqual(seriesPoints(panels[1]), [11], 'epoch 1 has no validation value');
  assert.deepEqual(seriesPoints(panels[3]), [12]);
  // τ on a log axis: decade ticks only.
  const tauTicks = findAll(panels[3], byClass('text', 'y-tick')).map(textContent);
  assert.deepEqual(tauTicks, ['0.1', '1']);
  checkFigure(renderTrainingCurves([], 0));
});

test('probe chart: vanilla and subnetwork bars overall and per layer, with the chance line', () => {
  const report = sampleReport();
  const { root } = checkFigure(renderProbeChart(report.probe!));
  const bars = findAll(root, byClass('rect', 'bar'));
  assert.equal(bars.length, 2 * (2 + 4));
  assert.deepEqual(findAll(root, byClass('text', 'category')).map(textContent), ['linear probe', 'MLP probe', 'conv1', 'conv2', 'conv3', 'conv4']);
  const chance = findAll(root, byClass('line', 'reference'));
  assert.equal(chance.length, 1);
  assert.equal(textContent(chance[0]), 'chance 10.0%');
  assert.equal(textContent(findAll(bars[1], (e) => e.name === 'title')[0]), 'linear probe — subnetwork: 35.2%');
});

test('accuracy chart: four bars per model', () => {
  const report = sampleReport();
  const { root } = checkFigure(renderAccuracyChart(report.metrics));
  assert.equal(findAll(root, byClass('rect', 'bar')).length, 4 * 4);
  assert.deepEqual(findAll(root, byClass('text', 'category')).map(textContent), ['vanilla', 'BISE subnetwork', 'random (5 seeds)', 'magnitude']);
});

test('hostile labels are escaped in every figure', () => {
  const report = sampleReport();
  report.masks[1].label = HOSTILE;
  report.masks[1].producers = [`${HOSTILE}\u0001`];
  report.probe!.subnetwork.perLayer[2].label = HOSTILE;
  report.probe!.vanilla.perLayer[2].label = HOSTILE;
  report.metrics.baselines[1].name = HOSTILE;
  for (const f of renderFigures(report)) {
    assert.ok(!f.svg.includes('<script'), f.file);
    const { root } = checkFigure(f.svg);
    if (f.file !== 'figures/training-curves.svg') {
      assert.ok(findAll(root, () => true).some((e) => e.children.some((c) => typeof c === 'string' && c.includes(HOSTILE))), `${f.file} shows the label as text`);
    }
  }
  assert.equal(escapeXml(HOSTILE), '&lt;script&gt;&amp;&quot;&apos;');
  assert.equal(escapeXml('a\u0000b\ud800c😀'), 'a\ufffdb\ufffdc😀');
});

test('line plot: categorical x at even spacing with its labels, one polyline per series, gaps at missing values', () => {
  const rho = [0.997, 0.97, 0.99, 0.995]; // unsorted on purpose
  const svg = renderLinePlot({
    title: 'Accuracy vs ρ',
    description: 'unbiased test accuracy per model',
    xLabel: 'ρ',
    xAxis: 'categorical',
    series: [
      { name: 'vanilla', points: rho.map((r, i) => [r, 0.1 * (i + 1)] as const) },
      { name: HOSTILE, points: [[0.97, 0.5], [0.99, null], [0.995, 0.4], [0.997, 0.3]] },
    ],
    yDomain: [0, 1],
    formatY: (v) => `${Math.round(v * 100)}%`,
  });
  const { root, width } = checkFigure(svg);
  assert.equal(width, 640);
  const ticks = findAll(root, (e) => e.name === 'text' && e.attributes['text-anchor'] === 'middle' && ['0.97', '0.99', '0.995', '0.997'].includes(textContent(e)));
  assert.deepEqual(ticks.map(textContent), ['0.97', '0.99', '0.995', '0.997']);
  const lines = findAll(root, (e) => e.name === 'polyline').map((p) => (p.attributes.points ?? '').split(' ').map((xy) => xy.split(',').map(Number)));
  assert.equal(lines.length, 3, 'vanilla, and the second series in two runs around the missing value');
  const xs = lines[0].map((p) => p[0]);
  assert.ok(Math.abs(xs[1] - xs[0] - (xs[3] - xs[2])) < 0.02, `even spacing: ${xs.join(', ')}`);
  // Sorted by x: vanilla's y at ρ = 0.97 is 0.2 (the second point given), so its first pixel is lower than its last (0.1 at 0.997).
  assert.ok(lines[0][0][1] < lines[0][3][1]);
  assert.deepEqual(lines.slice(1).map((l) => l.length), [1, 2]);
  assert.ok(svg.includes(escapeXml(HOSTILE)) && !svg.includes(HOSTILE));
  assert.equal(renderLinePlot({ title: 't', description: 'd', xLabel: 'x', series: [], formatY: String }), renderLinePlot({ title: 't', description: 'd', xLabel: 'x', series: [], formatY: String }));
});

test('line plot: linear x with given tick labels', () => {
  const { root } = checkFigure(
    renderLinePlot({
      title: 'Accuracy vs bias-label noise',
      description: 'd',
      xLabel: 'fraction of bias labels flipped',
      series: [{ name: 'BISE', points: [[0, 0.4], [0.1, 0.35], [0.5, 0.2]] }],
      xTicks: [0, 0.1, 0.2, 0.3, 0.5].map((v) => ({ value: v, label: v.toFixed(1) })),
      formatY: String,
    }),
  );
  const labels = findAll(root, (e) => e.name === 'text' && !byClass('text', 'y-tick')(e) && /^0\.\d$/.test(textContent(e))).map(textContent);
  assert.deepEqual(labels, ['0.0', '0.1', '0.2', '0.3', '0.5']);
  const [line] = findAll(root, (e) => e.name === 'polyline').map((p) => (p.attributes.points ?? '').split(' ').map((xy) => Number(xy.split(',')[0])));
  assert.ok(Math.abs((line[2] - line[0]) / (line[1] - line[0]) - 5) < 1e-3, 'x = 0.5 is five times as far as x = 0.1');
});
