/** report.md: the headline, the tables and their numbers, the links, the provenance, and inert user text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown } from '../../../src/core/report';
import { sampleReport } from './sample-report';
import { multiBiasReport } from './multi-bias-report';

const HOSTILE = `<script>&"'`;

/** Unescaped '|' in a line (a table's cell separators). */
function pipes(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) if (line[i] === '|' && line[i - 1] !== '\\') n++;
  return n;
}

/** The lines of the table whose header line is `header`. */
function tableAfter(md: string, header: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf(header);
  assert.ok(start >= 0, `no table with header ${header}`);
  const out: string[] = [];
  for (let i = start; i < lines.length && lines[i].startsWith('|'); i++) out.push(lines[i]);
  return out;
}

const kept = (r: ReturnType<typeof sampleReport>, g: number): number => r.masks[g].keep.filter(Boolean).length;

test('the headline gives the accuracy change and what was removed', () => {
  const r = sampleReport();
  const md = renderMarkdown(r);
  const units = r.masks.reduce((s, m) => s + m.keep.length, 0);
  const keptUnits = r.masks.reduce((s, m) => s + m.keep.filter(Boolean).length, 0);
  const pct = (a: number, b: number): string => `${((100 * (b - a)) / b).toFixed(1)}%`;
  assert.ok(md.startsWith('# BISE report: simple-convnet.onnx on BiasedMNIST ρ=0.997\n'));
  assert.ok(md.includes('> **Unbiased accuracy: 33.4% → 71.2% (+37.8 pts)**'));
  const p = r.pruning;
  assert.ok(
    md.includes(
      `> with ${pct(keptUnits, units)} of units (${units - keptUnits} of ${units}), ${pct(p.paramsAfter, p.paramsBefore)} of parameters and ${pct(p.flopsAfter, p.flopsBefore)} of FLOPs removed.`,
    ),
  );
  assert.ok(md.includes('Mask selected at epoch 11 of 12 (best validation unbiased accuracy: 70.5% on validation).'));
});

test('the metrics table has vanilla, the subnetwork and each baseline', () => {
  const md = renderMarkdown(sampleReport());
  const table = tableAfter(md, '| Model | Unbiased | Bias-aligned | Bias-conflicting | Worst group | Δ unbiased vs vanilla | Samples |');
  assert.deepEqual(table.slice(2), [
    '| vanilla | 33.4% | 99.8% | 26.0% | 12.0% |   | 10,000 |',
    '| **BISE subnetwork** | **71.2%** | **90.1%** | **69.1%** | **55.0%** | +37.8 pts | 10,000 |',
    '| random (5 seeds) | 30.1% | 97.0% | 22.7% | 8.0% | -3.3 pts | 10,000 |',
    '| magnitude | 35.2% | 98.5% | 28.2% | 10.0% | +1.8 pts | 10,000 |',
  ]);
});

test('the per-layer table gives units, shapes, parameters and FLOPs before → after', () => {
  const r = sampleReport();
  const md = renderMarkdown(r);
  const table = tableAfter(md, '| Layer | Op | Units kept / total | Weight shape | Parameters | FLOPs |');
  assert.equal(table.length, 2 + 5 + 1, 'header, rule, 4 convs + fc, whole model');
  const [k1, k2] = [kept(r, 0), kept(r, 1)];
  const conv2After = k2 * k1 * 49 + k2;
  const conv2FlopsAfter = 2 * k2 * k1 * 49 * 784;
  assert.equal(
    table[3],
    `| /conv2/Conv | Conv | ${k2} / 32 | [32, 16, 7, 7] → [${k2}, ${k1}, 7, 7] | 25,120 → ${conv2After.toLocaleString('en-US')} (-${((100 * (25120 - conv2After)) / 25120).toFixed(1)}%) | 39.3 M → ${(conv2FlopsAfter / 1e6).toFixed(1)} M (-${((100 * (39337984 - conv2FlopsAfter)) / 39337984).toFixed(1)}%) |`,
  );
  assert.match(table[6], /^\| \/fc\/Gemm \| Gemm \| — \| \[10, 128\] → \[10, \d+\] \| 1,290 → \d+ /);
  assert.match(table[7], /^\| \*\*whole model\*\* \| {3}\| \*\*\d+ \/ 240\*\* \| {3}\| \*\*530,730 → [\d,]+ \(-\d+\.\d%\)\*\* \| \*\*829\.8 M → [\d.]+ M \(-\d+\.\d%\)\*\* \|$/);
  assert.ok(md.includes('for input shapes input [1, 3, 28, 28]'));
});

test('the probe, history and config tables', () => {
  const md = renderMarkdown(sampleReport());
  const probe = tableAfter(md, '| Probe | Vanilla | Subnetwork | Δ |');
  assert.deepEqual(probe.slice(2, 6), [
    '| linear probe accuracy | 98.1% | 35.2% | -62.9 pts |',
    '| MLP probe accuracy | 99.3% | 41.8% | -57.5 pts |',
    '| mutual information (normalised) | 0.874 | 0.121 | -0.753 |',
    '| chance level | 10.0% | 10.0% |   |',
  ]);
  assert.equal(probe.length, 2 + 4 + 4, 'four overall rows and one per layer');
  assert.ok(probe.includes('| layer conv4 | 96.0% | 35.0% | -61.0 pts |'));

  const history = tableAfter(md, '| Epoch | τ | Loss | Cross-entropy | MI | Train acc. | Aux. bias acc. | Val. unbiased | Units kept | Time |');
  assert.equal(history.length, 2 + 12);
  assert.ok(history[2].startsWith('| 1 | 1 | 2.650 | 2.300 | 0.350 | 20.0% | 98.0% | — | 240 / 240 |'), history[2]);
  assert.ok(history[12].startsWith('| **11** (selected) | 0.125 |'), history[12]);

  const config = tableAfter(md, '| Setting | Value |');
  assert.equal(config.length, 2 + 14);
  assert.ok(config.includes('| maskWeightDecay | 0.0001 |'));
  assert.ok(config.includes('| bottleneckOverride | none |'));
  assert.ok(config.includes('| data.rho | 0.997 |'));
  assert.ok(config.includes('| selection | best-val-unbiased |'));
});

test('figures, files and provenance are linked and stated', () => {
  const r = sampleReport();
  const md = renderMarkdown(r);
  for (const line of [
    '![Test accuracy of the vanilla model, the subnetwork and the baselines](figures/accuracy.svg)',
    '![Mask logits per gated layer (crossed cells are pruned units)](figures/mask-heatmap.svg)',
    '![Bias probe accuracy, vanilla vs subnetwork](figures/probe.svg)',
    '![Training curves](figures/training-curves.svg)',
  ]) {
    assert.ok(md.split('\n').includes(line), line);
  }
  assert.match(md, /^- Pruned model: \[simple-convnet\.bise\.onnx\]\(simple-convnet\.bise\.onnx\) \([\d,]+ parameters, [\d.]+ M FLOPs\)$/m);
  assert.ok(md.includes('[masks.json](masks.json)'));
  assert.ok(md.includes('- Tool: bise 0.1.0, onnxruntime 1.30.0, Node 20.20.2, execution provider cpu'));
  assert.ok(md.includes(`SHA-256 \`${r.model.sha256}\``));
  assert.ok(md.includes(`SHA-256 \`${r.data.sha256}\``));
  assert.ok(md.includes('- Seed: 42'));
  assert.ok(md.includes('- Created: 2026-03-14T09:26:53.589Z'));
  assert.ok(md.includes('54,000 train / 6,000 validation / 10,000 test samples'));
});

test('user text is escaped and never breaks a table', () => {
  const r = sampleReport();
  r.masks[1].label = HOSTILE;
  (r.pruning.groups[1] as { label: string }).label = HOSTILE;
  (r.pruning.layers[1] as { node: string }).node = `conv|2\n${HOSTILE}`;
  r.probe!.vanilla.perLayer[1].label = HOSTILE;
  r.config[`key ${HOSTILE}`] = `value | ${HOSTILE}`;
  r.data.name = `*${HOSTILE}*`;
  const md = renderMarkdown(r);
  assert.ok(!md.includes('<script>'), 'raw HTML from a label');
  assert.ok(md.includes('\\<script\\>\\&"\''));
  for (const block of md.split('\n\n')) {
    const rows = block.split('\n').filter((l) => l.startsWith('|'));
    for (const row of rows) assert.equal(pipes(row), pipes(rows[0]), `row has another cell count than its header: ${row}`);
  }
});

test('a report without a probe or history still renders', () => {
  const r = sampleReport();
  r.probe = null;
  r.history = [];
  r.outputs.figures = r.outputs.figures.filter((f) => f !== 'figures/probe.svg');
  const md = renderMarkdown(r);
  assert.ok(md.includes('No probe was run for this report.'));
  assert.ok(md.includes('No training epochs were recorded.'));
  assert.ok(!md.includes('figures/probe.svg'));
  assert.ok(md.includes('Mask selected at epoch 11 (best validation unbiased accuracy).'));
});

test('two bias attributes: per-attribute table and the aligned/conflicting cells; nothing extra for one attribute', () => {
  const md = renderMarkdown(multiBiasReport());
  const perBias = tableAfter(
    md,
    '| Model | left background colour: aligned | left background colour: conflicting | left background colour: worst group | right background colour: aligned | right background colour: conflicting | right background colour: worst group |',
  );
  // Vanilla cells (A·A, A·C, C·A, C·C) = 100%, 90%, 30%, 10% over 10 / 90 / 90 / 810 samples.
  assert.equal(perBias[2], '| vanilla | 91.0% | 12.0% | 5.0% | 37.0% | 18.0% | 5.0% |');
  assert.ok(md.includes('Test samples: left background colour: 100 aligned, 900 conflicting; right background colour: 100 aligned, 900 conflicting.'));
  const cells = tableAfter(md, '| Model | A·A | A·C | C·A | C·C |');
  assert.deepEqual(cells.slice(2), [
    '| vanilla | 100.0% | 90.0% | 30.0% | 10.0% |',
    '| BISE subnetwork | 95.0% | 85.0% | 50.0% | 30.0% |',
    '| random (5 seeds) | 90.0% | 70.0% | 20.0% | 10.0% |',
    '| magnitude | 90.0% | 70.0% | 20.0% | 10.0% |',
    '| *test samples* | 10 | 90 | 90 | 810 |',
  ]);
  const empty = multiBiasReport();
  empty.metrics.subnetwork.alignmentCells![0] = { aligned: [true, true], accuracy: 0, samples: 0 };
  empty.metrics.subnetwork.alignmentCells![3].samples += 10;
  assert.ok(tableAfter(renderMarkdown(empty), '| Model | A·A | A·C | C·A | C·C |')[3].startsWith('| BISE subnetwork | — | 85.0% |'));
  const single = renderMarkdown(sampleReport());
  assert.ok(!single.includes('### Per bias attribute') && !single.includes('A·A'));
});

test('two bias attributes: the probe on z per attribute, vanilla → subnetwork; nothing extra for one attribute or without it', () => {
  const md = renderMarkdown(multiBiasReport());
  const table = tableAfter(md, '| Attribute | Linear probe, vanilla → subnetwork | MLP probe, vanilla → subnetwork | Chance |');
  assert.deepEqual(table.slice(1), [
    '|---|---:|---:|---:|',
    '| left background colour | 98.1% → 35.2% | 99.3% → 41.8% | 10.0% |',
    '| right background colour | 96.2% → 51.4% | 97.7% → 60.3% | 10.4% |',
  ]);
  const section = md.slice(md.indexOf('## Bias probe'), md.indexOf('## Training'));
  assert.ok(section.indexOf('### Bias probe per attribute') > section.indexOf('| Probe | Vanilla | Subnetwork | Δ |'), 'after the main probe table');
  assert.ok(!renderMarkdown(sampleReport()).includes('per attribute'));
  const older = multiBiasReport();
  delete older.probe!.vanilla.perBias;
  delete older.probe!.subnetwork.perBias;
  assert.ok(!renderMarkdown(older).includes('Bias probe per attribute'), 'a report written before the field');
  const hostile = multiBiasReport();
  hostile.data.biasAttributes = [`a|${HOSTILE}`, `b\n${HOSTILE}`];
  const rows = tableAfter(renderMarkdown(hostile), '| Attribute | Linear probe, vanilla → subnetwork | MLP probe, vanilla → subnetwork | Chance |');
  assert.ok(rows.every((row) => pipes(row) === 5 && !row.includes('<script>')), rows.join('\n'));
});

test('substitute training bias labels: where they came from and how well they matched; nothing for given labels', () => {
  const r = sampleReport();
  r.config.biasFrom = 'identify';
  r.biasLabels = [{ attribute: 'colour', samples: 1000, agreement: 0.93, trueConflicting: 30, flaggedConflicting: 80, conflictingRecall: 0.6, conflictingPrecision: 0.225 }];
  const md = renderMarkdown(r);
  assert.ok(md.includes('### Training bias labels'));
  assert.ok(md.includes('an identification model'));
  assert.deepEqual(tableAfter(md, '| Attribute | Agreement | Truly conflicting | Flagged conflicting | Recall | Precision |').slice(2), ['| colour | 93.0% | 30 | 80 | 60.0% | 22.5% |']);
  r.config.biasFrom = 'given';
  r.config.biasNoise = 0.2;
  assert.ok(renderMarkdown(r).includes("the dataset's bias labels, with 20.0% of them replaced by another value"));
  assert.ok(!renderMarkdown(sampleReport()).includes('### Training bias labels'));
});
