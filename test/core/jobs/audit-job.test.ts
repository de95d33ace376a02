/**
 * The audit job on the bundled demo CNN (trained on BiasedMNIST ρ = 0.97, so it leans on colour) with small
 * splits: the report folder, that its numbers are those of plain inference plus Fairlearn's definitions, the
 * probe per layer, --no-probe, two bias attributes, an existing folder, and cancellation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEMO } from '../../../src/core/jobs/demo-setting';
import { AuditJobOptions, defaultAuditFolder, runAuditJob } from '../../../src/core/jobs/audit-job';
import { multiBiasBreakdown } from '../../../src/core/metrics/breakdown';
import { loadBuiltinDataset } from '../../../src/core/jobs/builtin-datasets';
import { readModelFile } from '../../../src/core/onnx/reader';
import { predictDataset } from '../../../src/core/bise/predict';
import { attributeFairness } from '../../../src/core/metrics/fairness';
import { parseAnyReport, parseAuditReport } from '../../../src/core/report/audit-schema';
import { parseReport } from '../../../src/core/report/schema';
import { CancelledError, JobEvent } from '../../../src/core/bise/events';

const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function setup(): { dir: string; modelPath: string; options: AuditJobOptions } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-audit-'));
  const modelPath = path.join(dir, 'demo.onnx');
  fs.copyFileSync(DEMO.modelPath, modelPath);
  const options: AuditJobOptions = {
    modelPath,
    data: { kind: 'biased-mnist', rho: 0.97, seed: 0, trainSize: 100, valSize: 200, testSize: 200 },
    overwrite: false,
    probe: true,
    probeEpochs: 5,
    seed: 0,
    threads: 2,
  };
  return { dir, modelPath, options };
}

test('audit writes report.json, report.md and figures next to the untouched model; numbers match plain inference', async () => {
  const { dir, modelPath, options } = setup();
  const before = sha(modelPath);
  const events: JobEvent[] = [];
  const result = await runAuditJob(options, { onEvent: (e) => events.push(e) });
  assert.equal(sha(modelPath), before);
  assert.equal(result.folder, path.join(dir, 'demo.audit'));
  assert.equal(defaultAuditFolder(modelPath), result.folder);
  assert.deepEqual(fs.readdirSync(result.folder).sort(), ['figures', 'report.json', 'report.md']);
  assert.deepEqual(fs.readdirSync(path.join(result.folder, 'figures')).sort(), ['accuracy.svg', 'fairness.svg', 'probe.svg']);
  const json = fs.readFileSync(path.join(result.folder, 'report.json'), 'utf8');
  const report = parseAuditReport(json, 'report.json');
  assert.deepEqual(report, result.report);
  assert.deepEqual(parseAnyReport(json, 'report.json'), report);
  assert.throws(() => parseReport(json, 'report.json'), /kind: this is an audit report/);
  assert.equal(report.model.path, '../demo.onnx');

  // The gated pass with every gate open predicts what the plain model predicts: `bise eval`'s numbers, exactly,
  // and Fairlearn's metrics on those predictions (one-vs-rest over the 10 digits, colour as the group).
  const data = loadBuiltinDataset(options.data);
  const { predictions } = await predictDataset(readModelFile(modelPath), data.test, { threads: 2 });
  assert.deepEqual(report.metrics, multiBiasBreakdown(predictions, data.test.y, data.test.biases, 10, data.test.biasClasses));
  assert.deepEqual(report.fairness, [{ attribute: 'background colour', ...attributeFairness(predictions, data.test.y, data.test.biases[0], 10) }]);
  assert.equal(report.fairness[0].mode, 'one-vs-rest');
  assert.equal(report.fairness[0].perClass.length, 10);

  // A model trained at ρ = 0.97 leans on colour: conflicting digits fare worse, groups are treated unequally,
  // and the colour is easy to read from its features.
  const m = report.metrics;
  assert.ok(m.alignedAccuracy > m.conflictingAccuracy + 0.3, `aligned ${m.alignedAccuracy} vs conflicting ${m.conflictingAccuracy}`);
  assert.ok(report.fairness[0].worst.demographicParityDifference > 0.3, `DP difference ${report.fairness[0].worst.demographicParityDifference}`);
  const probe = report.probe!;
  assert.equal(probe.perLayer.length, 4);
  assert.ok(probe.linearAccuracy > probe.chance + 0.3, `probe ${probe.linearAccuracy} vs chance ${probe.chance}`);
  assert.equal(report.model.bottleneck !== null && report.model.classifier !== null, true);

  const md = fs.readFileSync(path.join(result.folder, 'report.md'), 'utf8');
  assert.match(md, /^# BISE audit: demo\.onnx on BiasedMNIST ρ=0\.97/);
  assert.match(md, /one-vs-rest: each of the 10 classes in turn is the positive class/);
  assert.match(md, /!\[Bias probe accuracy on the bottleneck and per layer\]\(figures\/probe\.svg\)/);
  assert.ok(events.some((e) => e.type === 'progress' && e.phase === 'audit' && e.done === 4));
});

test('--no-probe audits without unit discovery; two bias attributes get a fairness entry each', async () => {
  const { dir, options } = setup();
  const out = path.join(dir, 'multi');
  const result = await runAuditJob({ ...options, outDir: out, probe: false, data: { kind: 'multi-color-mnist', rhoLeft: 0.99, rhoRight: 0.95, seed: 0, trainSize: 100, valSize: 20, testSize: 100 } }, { onEvent: () => undefined });
  const report = parseAuditReport(fs.readFileSync(path.join(out, 'report.json'), 'utf8'), 'report.json');
  assert.equal(report.probe, null);
  assert.equal(report.model.bottleneck, null);
  assert.deepEqual(report.fairness.map((f) => f.attribute), ['left background colour', 'right background colour']);
  assert.equal(report.metrics.perBias?.length, 2);
  assert.equal(report.metrics.alignmentCells?.length, 4);
  assert.deepEqual(fs.readdirSync(path.join(out, 'figures')).sort(), ['accuracy.svg', 'fairness-1.svg', 'fairness-2.svg']);
  assert.deepEqual(result.report.outputs.figures, ['figures/accuracy.svg', 'figures/fairness-1.svg', 'figures/fairness-2.svg']);
  assert.match(fs.readFileSync(path.join(out, 'report.md'), 'utf8'), /No probe was run for this audit\./);
});

test('an existing folder needs overwrite; a cancelled audit writes nothing', async () => {
  const { dir, options } = setup();
  const out = path.join(dir, 'taken');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
  await assert.rejects(runAuditJob({ ...options, outDir: out, probe: false }, { onEvent: () => undefined }), /already exists; pass --overwrite/);
  await assert.rejects(runAuditJob({ ...options, outDir: out, probe: false, overwrite: true }, { onEvent: () => undefined }), /cannot replace '.*taken': it does not look like a BISE report folder/);
  assert.equal(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8'), 'mine');

  const controller = new AbortController();
  const cancelled = path.join(dir, 'cancelled');
  const onEvent = (e: JobEvent): void => {
    if (e.type === 'progress' && e.done === 0) controller.abort();
  };
  await assert.rejects(runAuditJob({ ...options, outDir: cancelled }, { onEvent, signal: controller.signal }), (e: unknown) => e instanceof CancelledError);
  assert.equal(fs.existsSync(cancelled), false);
});
