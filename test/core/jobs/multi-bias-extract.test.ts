/**
 * The extract job on Multi-Color MNIST (two bias attributes) with the built-in MLP: one auxiliary head per
 * attribute, and a version-2 report with each attribute's accuracy and the four aligned/conflicting cells, which
 * agree with the test set's own counts and with the per-attribute numbers; the bias probe on z covers both
 * attributes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildMlp, MLP_3X100 } from '../../../src/core/models/mlp';
import { serializeModel } from '../../../src/core/onnx/writer';
import { runExtractJob } from '../../../src/core/jobs/extract-job';
import { DEFAULT_EXTRACT_CONFIG } from '../../../src/core/bise/config';
import { REPORT_VERSION, parseReport } from '../../../src/core/report/schema';
import { multiColorMnistSplits } from '../../../src/core/data/multi-color-mnist';

test('Multi-Color MNIST: per-bias metrics and the 2×2 cells in report.json and report.md', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-multi-'));
  const modelPath = path.join(dir, 'mlp.onnx');
  fs.writeFileSync(modelPath, serializeModel(buildMlp({ ...MLP_3X100, hidden: [16, 16, 16] })));
  const data = { kind: 'multi-color-mnist', rhoLeft: 0.99, rhoRight: 0.95, seed: 3, trainSize: 300, valSize: 100, testSize: 200 } as const;
  const result = await runExtractJob(
    { modelPath, data, config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 50, tauPeriod: 1, maxEpochs: 2, auxEpochs: 1 }, overwrite: false, randomSeeds: 2, probe: true, probeEpochs: 1, threads: 1 },
    { onEvent: () => undefined },
  );
  const report = parseReport(fs.readFileSync(path.join(result.folder, 'report.json'), 'utf8'), 'report.json');
  assert.equal(report.version, REPORT_VERSION);
  assert.equal(report.data.biasAttributes.length, 2);
  // The same test split, regenerated: count its aligned samples per attribute and per cell.
  const test = multiColorMnistSplits({ ...data, evalRho: 0.1 }).test;
  const alignedWith = (k: number): boolean[] => Array.from(test.y, (y, i) => test.biases[k][i] === y);
  const [left, right] = [alignedWith(0), alignedWith(1)];
  for (const m of [report.metrics.vanilla, report.metrics.subnetwork, ...report.metrics.baselines.map((b) => b.metrics)]) {
    assert.equal(m.perBias?.length, 2);
    assert.deepEqual(m.perBias!.map((b) => b.alignedSamples), [left.filter(Boolean).length, right.filter(Boolean).length]);
    assert.equal(m.perBias![0].alignedAccuracy, m.alignedAccuracy, 'the top-level fields are attribute 0');
    const cells = m.alignmentCells!;
    assert.deepEqual(cells.map((c) => c.aligned), [[true, true], [true, false], [false, true], [false, false]]);
    assert.deepEqual(
      cells.map((c) => c.samples),
      [[true, true], [true, false], [false, true], [false, false]].map(([l, r]) => test.y.filter((_, i) => left[i] === l && right[i] === r).length),
    );
    // Attribute 1's conflicting accuracy is the sample-weighted mean of the two cells conflicting with it.
    const rc = [cells[1], cells[3]];
    const n = rc.reduce((s, c) => s + c.samples, 0);
    assert.ok(Math.abs(m.perBias![1].conflictingAccuracy - rc.reduce((s, c) => s + c.accuracy * c.samples, 0) / n) < 1e-9);
  }
  // The probe on z covers the right colour too (attribute 0's stays in the top-level fields).
  for (const p of [report.probe!.vanilla, report.probe!.subnetwork]) {
    assert.deepEqual(p.perBias?.map((b) => b.attribute), [1]);
  }
  const md = fs.readFileSync(path.join(result.folder, 'report.md'), 'utf8');
  assert.ok(md.includes('### Per bias attribute') && md.includes('| Model | A·A | A·C | C·A | C·C |'));
  assert.ok(md.includes('### Bias probe per attribute') && /\n\| right background colour \| [\d.]+% → [\d.]+% \|/.test(md));
});
