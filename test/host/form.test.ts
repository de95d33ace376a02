/** Building a job from the form: defaults are valid, every bad field gets an actionable message, all at once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_EXTRACT_CONFIG } from '../../src/core/bise/config';
import { BUILTIN_DATASETS, DetectedDataset, fashionMnistOption } from '../../src/host/datasets';
import { buildExtractJob, defaultForm, FormContext, summarizeErrors } from '../../src/host/form';
import { loadSavedChoice, saveChoice, savedChoicePath } from '../../src/host/saved-choice';
import type { FieldError, FormValues } from '../../src/protocol';

const npy: DetectedDataset = {
  option: { id: 'npy:data/x', kind: 'npy-folder', label: 'data/x (.npy arrays)', detail: '', supported: false, reason: 'not yet' },
  location: '/ws/data/x',
};
const ctx: FormContext = { modelPath: '/ws/model.onnx', datasets: [...BUILTIN_DATASETS, npy], providers: ['cpu', 'webgpu'], outDir: '/store/runs/model-1' };

function errorsOf(patch: Partial<FormValues>): FieldError[] {
  const r = buildExtractJob({ ...defaultForm(), ...patch }, ctx);
  assert.equal(r.ok, false, 'expected the form to be refused');
  return r.ok ? [] : r.errors;
}

test('the default form builds the authors’ configuration on BiasedMNIST ρ=0.99', () => {
  const r = buildExtractJob(defaultForm(), ctx);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.deepEqual(r.job, {
    kind: 'extract',
    modelPath: '/ws/model.onnx',
    data: { kind: 'biased-mnist', rho: 0.99, seed: 0, trainSize: 7000, valSize: 1000, testSize: 2000 },
    config: DEFAULT_EXTRACT_CONFIG,
    outDir: '/store/runs/model-1',
    overwrite: false,
    provider: 'cpu',
    randomSeeds: 5,
    probe: true,
    probeEpochs: 30,
    biasFrom: 'given',
    biasNoise: 0,
  });
});

test('Multi-Color MNIST, threads, bottleneck and the schedule fields reach the job', () => {
  const r = buildExtractJob({ ...defaultForm(), dataset: 'builtin:multi-color-mnist', rhoLeft: '0.9', rhoRight: ' 0.8 ', threads: '3', bottleneck: 'z', maxEpochs: '4', tauPeriod: '2', probe: false, provider: 'webgpu' }, ctx);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.deepEqual(r.job.data, { kind: 'multi-color-mnist', rhoLeft: 0.9, rhoRight: 0.8, seed: 0, trainSize: 7000, valSize: 1000, testSize: 2000 });
  assert.equal(r.job.threads, 3);
  assert.equal(r.job.bottleneck, 'z');
  assert.equal(r.job.config.maxEpochs, 4);
  assert.equal(r.job.config.tauPeriod, 2);
  assert.equal(r.job.probe, false);
  assert.equal(r.job.provider, 'webgpu');
});

test('Corrupted Fashion-MNIST takes ρ and sizes up to the 60,000 Fashion-MNIST images; refused, saying why, when not installed', () => {
  const installed = fashionMnistOption({ images: '/fm/train-images-idx3-ubyte.gz', labels: '/fm/train-labels-idx1-ubyte.gz' });
  const withFashion: FormContext = { ...ctx, datasets: [...BUILTIN_DATASETS.slice(0, 2), { ...installed, option: { ...installed.option, supported: true, reason: null } }] };
  const form = { ...defaultForm(), dataset: 'builtin:corrupted-fashion-mnist', rho: '0.98', trainSize: '10000' };
  const r = buildExtractJob(form, withFashion);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.deepEqual(r.job.data, { kind: 'corrupted-fashion-mnist', rho: 0.98, seed: 0, trainSize: 10000, valSize: 1000, testSize: 2000 });
  const tooMany = buildExtractJob({ ...form, trainSize: '59000' }, withFashion);
  assert.deepEqual(tooMany.ok ? [] : tooMany.errors, [
    { field: 'trainSize', message: 'Training + validation + test samples is 62000, more than the 60,000 Fashion-MNIST training images; lower one of them' },
  ]);
  const absent = buildExtractJob(form, { ...ctx, datasets: [...BUILTIN_DATASETS.slice(0, 2), installed] });
  assert.match(absent.ok ? '' : absent.errors[0].message, /cannot be used: needs Debian's dataset-fashion-mnist \(apt-get install dataset-fashion-mnist\)/);
});

test('bad numbers are named with the expected range, an example and a hint', () => {
  assert.deepEqual(errorsOf({ rho: '0,99' }), [{ field: 'rho', message: "ρ (bias alignment): expected a number between 0 and 1 (e.g. 0.99), got '0,99' — use a dot as the decimal separator" }]);
  assert.deepEqual(errorsOf({ rho: '1.5' }), [{ field: 'rho', message: 'ρ (bias alignment): expected a number between 0 and 1 (e.g. 0.99), got 1.5' }]);
  assert.deepEqual(errorsOf({ batchSize: '' }), [{ field: 'batchSize', message: 'Batch size: expected a whole number ≥ 1 (e.g. 100); the field is empty' }]);
  assert.deepEqual(errorsOf({ maxEpochs: '2.5' }), [{ field: 'maxEpochs', message: 'Max epochs: expected a whole number ≥ 1 (e.g. 200), got 2.5 (not a whole number)' }]);
  assert.deepEqual(errorsOf({ maskLr: '0' }), [{ field: 'maskLr', message: 'Mask learning rate: expected a number > 0 (e.g. 0.01), got 0' }]);
  assert.deepEqual(errorsOf({ threads: 'all' }), [{ field: 'threads', message: "Threads: expected a whole number ≥ 1 (e.g. 4), got 'all'" }]);
});

test('cross-field rules: the bundled digits, the batch against the training set', () => {
  assert.deepEqual(errorsOf({ trainSize: '9000', testSize: '2000' }), [
    { field: 'trainSize', message: 'Training + validation + test samples is 12000, more than the 10,000 bundled MNIST digits; lower one of them' },
  ]);
  assert.deepEqual(errorsOf({ trainSize: '100', batchSize: '200' }), [
    { field: 'batchSize', message: 'Batch size: 200 is larger than the training set (100 samples); lower it or raise the training samples' },
  ]);
});

test('datasets, providers and selection must be ones offered', () => {
  assert.match(errorsOf({ dataset: 'npy:data/x' })[0].message, /Dataset: data\/x \(\.npy arrays\) cannot be used: not yet/);
  assert.match(errorsOf({ dataset: 'csv:gone.csv' })[0].message, /not one of the datasets found; choose one from the list/);
  assert.deepEqual(errorsOf({ provider: 'cuda' }), [{ field: 'provider', message: "Execution provider: 'cuda' is not available in this onnxruntime-node build (available: cpu, webgpu); choose one of those" }]);
  assert.match(errorsOf({ provider: 'tpu' })[0].message, /expected one of cpu, cuda, webgpu, got 'tpu'/);
  assert.match(errorsOf({ selection: 'best' })[0].message, /Mask selection: expected one of best-val-unbiased, last/);
  assert.match(errorsOf({ bottleneck: 'my tensor' })[0].message, /no spaces/);
});

test('every problem is reported at once, and summarised for a notification', () => {
  const errors = errorsOf({ rho: 'x', batchSize: '0', gamma: '-1', auxEpochs: 'many' });
  assert.deepEqual(errors.map((e) => e.field).sort(), ['auxEpochs', 'batchSize', 'gamma', 'rho']);
  assert.match(summarizeErrors(errors), /^4 problems in the form: .* \(and 1 more\)$/);
  assert.equal(summarizeErrors(errors.slice(0, 1)), errors[0].message);
});

const images: DetectedDataset = {
  option: {
    id: 'csv:faces/list.csv',
    kind: 'image-csv',
    label: 'faces/list.csv (image list)',
    detail: '',
    supported: true,
    reason: null,
    csv: { columns: ['fname', 'smiling', 'gender', 'age'], suggested: { path: 'fname', target: 'smiling', bias: ['gender'] } },
  },
  location: '/ws/faces/list.csv',
};
const csvCtx: FormContext = { ...ctx, datasets: [...ctx.datasets, images] };

test('an image CSV: the chosen columns reach the job; without a choice the suggested ones do', () => {
  const chosen = buildExtractJob({ ...defaultForm(), dataset: images.option.id, csvColumns: { path: 'fname', target: ' smiling', bias: ['gender', 'age'] } }, csvCtx);
  assert.ok(chosen.ok);
  assert.deepEqual(chosen.ok && chosen.job.data, { kind: 'image-csv', csv: '/ws/faces/list.csv', columns: { path: 'fname', target: 'smiling', bias: ['gender', 'age'] } });
  const suggested = buildExtractJob({ ...defaultForm(), dataset: images.option.id }, csvCtx);
  assert.deepEqual(suggested.ok && suggested.job.data, { kind: 'image-csv', csv: '/ws/faces/list.csv', columns: { path: 'fname', target: 'smiling', bias: ['gender'] } });
});

test('an image CSV: a column that is not in its header, or one used twice, is refused naming the CSV and the column', () => {
  const r = buildExtractJob({ ...defaultForm(), dataset: images.option.id, csvColumns: { path: 'file', target: 'smiling', bias: ['smiling'] } }, csvCtx);
  assert.equal(r.ok, false);
  const errors = r.ok ? [] : r.errors;
  assert.deepEqual(
    errors.map((e) => e.field),
    ['csvColumns', 'csvColumns'],
  );
  assert.equal(errors[0].message, 'Image path column: faces/list.csv has no column "file" (its columns: fname, smiling, gender, age); choose one of those');
  assert.match(errors[1].message, /Column "smiling" of faces\/list\.csv is chosen as both the target and the bias column/);
});

test('bias labels: by default the dataset’s, none flipped; identified labels and a flipped fraction reach the job', () => {
  assert.equal(defaultForm().biasFrom, 'given');
  assert.equal(defaultForm().biasNoise, '0');
  const r = buildExtractJob({ ...defaultForm(), biasFrom: 'identify', biasNoise: ' 0.2 ' }, ctx);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.job.biasFrom, 'identify');
  assert.equal(r.job.biasNoise, 0.2);
  // Any dataset: identification needs no bias labels, noise applies to whichever labels are used.
  const csv = buildExtractJob({ ...defaultForm(), dataset: images.option.id, biasNoise: '0.05' }, csvCtx);
  assert.ok(csv.ok);
  assert.deepEqual(csv.ok && [csv.job.biasFrom, csv.job.biasNoise], ['given', 0.05]);
});

test('bias labels: a source that is not offered and a fraction outside [0, 1) are named with what to enter', () => {
  assert.deepEqual(errorsOf({ biasFrom: 'labels' }), [
    { field: 'biasFrom', message: "Training bias labels: expected one of given, identify (the dataset's labels, or identified without bias labels), got 'labels'" },
  ]);
  assert.deepEqual(errorsOf({ biasNoise: '1' }), [
    { field: 'biasNoise', message: 'Flip bias labels (fraction): expected a number ≥ 0 and < 1 (e.g. 0.1), got 1 — 1 would flip every label; use 0 to keep them as they are' },
  ]);
  assert.deepEqual(errorsOf({ biasNoise: '10' }), [
    { field: 'biasNoise', message: 'Flip bias labels (fraction): expected a number ≥ 0 and < 1 (e.g. 0.1), got 10 — a fraction, not a percentage: 10% is 0.1' },
  ]);
  assert.deepEqual(errorsOf({ biasNoise: '-0.1' }), [{ field: 'biasNoise', message: 'Flip bias labels (fraction): expected a number ≥ 0 and < 1 (e.g. 0.1), got -0.1' }]);
  assert.deepEqual(errorsOf({ biasNoise: '0,1' }), [
    { field: 'biasNoise', message: "Flip bias labels (fraction): expected a number ≥ 0 and < 1 (e.g. 0.1), got '0,1' — use a dot as the decimal separator" },
  ]);
  assert.deepEqual(errorsOf({ biasNoise: '' }), [{ field: 'biasNoise', message: 'Flip bias labels (fraction): expected a number ≥ 0 and < 1 (e.g. 0.1); the field is empty' }]);
  assert.deepEqual(
    errorsOf({ biasFrom: '', biasNoise: 'some', rho: 'x' }).map((e) => e.field).sort(),
    ['biasFrom', 'biasNoise', 'rho'],
    'reported with the other problems, all at once',
  );
  // 0 (none flipped) and anything short of 1 are accepted.
  for (const ok of ['0', '0.999']) assert.ok(buildExtractJob({ ...defaultForm(), biasNoise: ok }, ctx).ok, ok);
});

test('bias labels in the saved choice: they round-trip; a choice saved before them loads with the defaults', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-form-bias-'));
  const model = path.join(dir, 'net.onnx');
  const form = { ...defaultForm(), biasFrom: 'identify', biasNoise: '0.3' };
  saveChoice(model, form);
  const saved = JSON.parse(fs.readFileSync(savedChoicePath(model), 'utf8')) as { form: Record<string, unknown> };
  assert.equal(saved.form.biasFrom, 'identify');
  assert.equal(saved.form.biasNoise, '0.3');
  assert.deepEqual(loadSavedChoice(model), { kind: 'loaded', file: savedChoicePath(model), form });

  const { biasFrom, biasNoise, ...older } = { ...defaultForm(), rho: '0.97' };
  void biasFrom;
  void biasNoise;
  fs.writeFileSync(savedChoicePath(model), JSON.stringify({ schema: 'bise-form', version: 1, form: older }, null, 2));
  const loaded = loadSavedChoice(model);
  assert.deepEqual(loaded, { kind: 'loaded', file: savedChoicePath(model), form: { ...defaultForm(), rho: '0.97' } });
  assert.ok(loaded.kind === 'loaded' && buildExtractJob(loaded.form, ctx).ok, 'and it still runs');

  fs.writeFileSync(savedChoicePath(model), JSON.stringify({ schema: 'bise-form', version: 1, form: { ...older, biasNoise: 0.1 } }));
  const bad = loadSavedChoice(model);
  assert.equal(bad.kind, 'invalid');
  assert.match(bad.kind === 'invalid' ? bad.problem : '', /form\.biasNoise: expected a string, found 0\.1/);
  fs.writeFileSync(savedChoicePath(model), JSON.stringify({ schema: 'bise-form', version: 1, form: [] }));
  assert.match((loadSavedChoice(model) as { problem?: string }).problem ?? '', /form: expected an object/);
  fs.rmSync(dir, { recursive: true, force: true });
});
