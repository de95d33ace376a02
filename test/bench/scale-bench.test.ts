/**
 * Keeps `npm run bench:scale` (bench/scale.ts) from rotting: its models load or build into valid ONNX whose mask
 * step runs, the child-process, pruned-inference and weight-training-step paths work, and its flags parse. Tiny batches, one repeat,
 * no PyTorch; the figures themselves are not checked.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModel } from '../../src/core/onnx/reader';
import { serializeModel } from '../../src/core/onnx/writer';
import { checkSupported, inferShapes } from '../../src/core/onnx/shape-inference';
import { discoverUnits } from '../../src/core/units/discover';
import { GateLayout } from '../../bench/scale/gate-layout';
import { FIXTURE_MODELS, fileModelKey, loadBenchModel, modelLabel, torchArchitectureArgs, widthChannels, widthModelKey } from '../../bench/scale/models';
import { timeMaskStep } from '../../bench/scale/mask-step-timing';
import { runStepChild } from '../../bench/scale/run-step-child';
import { keepMasks, prunedInferenceLatency } from '../../bench/scale/pruned-inference';
import { timeTrainStep } from '../../bench/scale/train-step-timing';
import { parseScaleBenchArgs } from '../../bench/scale/options';
import { SIMPLE_CONVNET, buildSmallCnn } from '../../src/core/models/small-cnn';
import { RESNET18_32, buildResNet18 } from '../../src/core/models/resnet18';
import { formatTable } from '../../bench/scale/table';
import { TRANSFORMER_ROWS, TransformerMeasurement, runTokenStepChild } from '../../bench/scale/transformers';
import { tokenExtent } from '../../bench/scale/token-step-timing';
import { UnitKind } from '../../src/core/units/attention-heads';
import { transformersReport } from '../../bench/scale/sections/transformers';

const TINY = { batch: 2, threads: 1, warmup: 0, repeats: 1 };

test('scale bench: width-scaled SimpleConvNets serialize to valid ONNX with one gate group per conv block', () => {
  for (const factor of [0.5, 1, 2]) {
    const model = parseModel(serializeModel(loadBenchModel(widthModelKey(factor))), `width ${factor}`);
    checkSupported(model.graph);
    const d = discoverUnits(model.graph, inferShapes(model.graph, new Map([['input', [2, 3, 28, 28]]])));
    assert.deepEqual(d.groups.map((g) => g.channels), widthChannels(factor));
  }
  assert.deepEqual(widthChannels(0.5), [8, 16, 32, 64]);
  assert.deepEqual(widthChannels(2), [32, 64, 128, 256]);
  assert.deepEqual(torchArchitectureArgs(widthModelKey(2)), ['--model', 'simple-convnet', '--channels', '32,64,128,256']);
  assert.throws(() => loadBenchModel('no-such-model'), /unknown bench model/);
});

test('scale bench: the mask step of every bench model runs', async () => {
  for (const key of [...FIXTURE_MODELS, widthModelKey(0.5), widthModelKey(2)]) {
    const t = await timeMaskStep(loadBenchModel(key), TINY);
    assert.ok(t.medianMs > 0 && Number.isFinite(t.medianMs), `${modelLabel(key)}: ${t.medianMs}`);
    assert.ok(t.gateVectors > 0 && t.stepRssMiB > 0, modelLabel(key));
  }
});

test('scale bench: the step child process reports its timing and memory as JSON', () => {
  const r = runStepChild('mlp', { ...TINY, frequencyConv: false });
  assert.equal(r.gateVectors, 3);
  assert.equal(r.allMs.length, 1);
  assert.ok(r.startRssMiB > 0 && r.peakRssMiB >= r.stepRssMiB && r.stepRssMiB > 0, JSON.stringify(r));
  assert.throws(() => runStepChild('no-such-model', TINY), /failed in its child process: .*unknown bench model/);
});

test('scale bench: the step child runs an ONNX file and describes its gates for the PyTorch twin', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-gates-'));
  try {
    const file = path.join(dir, 'gates.json');
    const r = runStepChild(fileModelKey('test/fixtures/zoo/mobilenet-v2-op13.onnx'), TINY, file);
    const layout = JSON.parse(fs.readFileSync(file, 'utf8')) as GateLayout;
    assert.equal(layout.gates.length, r.gateVectors);
    assert.deepEqual(layout.gateGrads.map((g) => g.length), layout.gates.map((g) => g.units));
    const sites = layout.gates.flatMap((g) => g.sites);
    assert.ok(sites.every((s) => s.producer?.startsWith('/features/') && s.consumers.length > 0), 'every site names its torch.onnx-scoped producer and readers');
    assert.match(layout.classifier, /^\/classifier\//);
    // What bench/torch-family-step.py computes the same BISE loss from, and its MI-alone check.
    assert.deepEqual([layout.loss?.y.length, layout.loss?.heads.map((h) => h.weight.length / h.classes)], [TINY.batch, [layout.bottleneckDims.slice(1).reduce((a, b) => a * b, 1)]]);
    assert.deepEqual(layout.miCheck?.gateGrads.map((g) => g.length), layout.gates.map((g) => g.units));
    assert.equal(layout.miCheck?.z.length, layout.bottleneckDims.reduce((a, b) => a * b, 1));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('scale bench: physically pruned models have fewer parameters and FLOPs, and run', async () => {
  assert.deepEqual(keepMasks([4], 0.5).map((m) => m.filter(Boolean).length), [2]);
  assert.deepEqual(keepMasks([3], 1).map((m) => m.filter(Boolean).length), [1], 'a group keeps at least one unit');
  const rows = await prunedInferenceLatency(loadBenchModel('mlp'), [0, 0.5], TINY);
  assert.equal(rows.length, 2);
  assert.ok(rows[1].params < rows[0].params && rows[1].flops < rows[0].flops);
  assert.ok(rows.every((r) => r.medianMs > 0));
});

test('scale bench: the weight-training step runs, with and without BatchNorm', async () => {
  const cnn = await timeTrainStep(buildSmallCnn(SIMPLE_CONVNET), TINY);
  assert.equal(cnn.parameters, 530_730, 'torchvision-style count of SimpleConvNet (as bench/torch-train-step.py reports)');
  const resnet = await timeTrainStep(buildResNet18({ ...RESNET18_32, widths: [4, 4, 8, 8] }), TINY);
  for (const t of [cnn, resnet]) assert.ok(t.medianMs > 0 && Number.isFinite(t.medianMs) && t.allMs.length === 1 && t.cpuMs > 0, JSON.stringify(t));
});

test('scale bench: flags parse, and bad ones are refused', () => {
  const o = parseScaleBenchArgs(['--repeats', '1', '--only', 'step,scaling', '--batches', '2,4', '--no-torch']);
  assert.equal(o.repeats, 1);
  assert.deepEqual(o.sections, ['step', 'scaling']);
  assert.deepEqual(o.batches, [2, 4]);
  assert.equal(o.torch, false);
  assert.deepEqual(parseScaleBenchArgs([]).sections, ['step', 'pruned', 'memory', 'scaling', 'train', 'families', 'imagenet', 'transformers']);
  assert.equal(parseScaleBenchArgs([]).imagenetBatch, 32);
  assert.deepEqual([parseScaleBenchArgs([]).transformerBatch, parseScaleBenchArgs([]).sequence], [32, 128]);
  const t = parseScaleBenchArgs(['--only', 'transformers', '--transformer-batch', '4', '--sequence', '16']);
  assert.deepEqual([t.sections, t.transformerBatch, t.sequence], [['transformers'], 4, 16]);
  assert.throws(() => parseScaleBenchArgs(['--sequence', '129']), /--sequence must be at most 128/);
  assert.equal(parseScaleBenchArgs(['--imagenet-batch', '8']).imagenetBatch, 8);
  assert.deepEqual(parseScaleBenchArgs(['--families', 'densenet121,resnet50']).families.map((f) => f.name), ['resnet50', 'densenet121']);
  assert.throws(() => parseScaleBenchArgs(['--families', 'vgg11']), /--families: unknown family vgg11/);
  assert.deepEqual(parseScaleBenchArgs(['--only', 'train,step']).sections, ['step', 'train']);
  assert.throws(() => parseScaleBenchArgs(['--only', 'speed']), /unknown section/);
  assert.throws(() => parseScaleBenchArgs(['--repeats', '0']), /--repeats/);
  assert.throws(() => parseScaleBenchArgs(['--repeat', '3']), /unknown flag/);
  assert.match(formatTable(['a', 'b'], [['x', 1]]), /^\| a \| b \|\n\|:--\|--:\|\n\| x \| 1 \|$/);
});

test('scale bench: the token step child times a BERT-style model and describes its MLP and head gates', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-token-gates-'));
  try {
    const ids = [2, 5, 9, 0, 0, 2, 7, 8, 11, 4];
    const mask = ids.map((id) => (id === 0 ? 0 : 1));
    const inputs = path.join(dir, 'inputs.json');
    fs.writeFileSync(inputs, JSON.stringify({ input_ids: { dims: [2, 5], data: ids }, attention_mask: { dims: [2, 5], data: mask }, token_type_ids: { dims: [2, 5], data: ids.map(() => 0) } }));
    const file = path.join(dir, 'gates.json');
    const r = runTokenStepChild('test/fixtures/transformers/bert-tiny-op17.onnx', inputs, 'both', { threads: 1, warmup: 0, repeats: 1 }, file);
    const layout = JSON.parse(fs.readFileSync(file, 'utf8')) as GateLayout;
    assert.equal(layout.gates.length, r.gateVectors);
    // What bench/torch-transformer-step.py relies on: head contexts [batch, heads, sequence, head size] gated on
    // axis 1 inside each layer's attention/self scope, MLP neurons on the last axis of the intermediate's output.
    const sites = layout.gates.flatMap((g) => g.sites);
    const heads = sites.filter((s) => /^\/bert\/encoder\/layer\.\d+\/attention\/self\//.test(s.producer ?? ''));
    assert.deepEqual(heads.map((s) => [s.rank, s.axis, s.channels, s.repeat]), [[4, 1, 4, 1], [4, 1, 4, 1]]);
    assert.ok(sites.some((s) => /\/intermediate\//.test(s.producer ?? '') && s.axis === 2 && s.channels === 64), JSON.stringify(sites.map((s) => s.producer)));
    assert.ok(r.medianMs > 0 && r.peakRssMiB > 0);
    assert.throws(() => runTokenStepChild('test/fixtures/transformers/bert-tiny-op17.onnx', inputs, 'neurons' as UnitKind, { threads: 1, warmup: 0, repeats: 1 }), /failed in its child process: .*--units must be one of mlp, heads, both, got 'neurons'/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('scale bench: token batches of unequal shapes are refused, naming the input', () => {
  assert.deepEqual(tokenExtent({ input_ids: { dims: [2, 3], data: [1, 2, 3, 4, 5, 6] } }), { batchSize: 2, sequenceLength: 3 });
  assert.throws(() => tokenExtent({ input_ids: { dims: [2, 3], data: [1, 2, 3, 4, 5, 6] }, attention_mask: { dims: [2, 4], data: new Array(8).fill(1) } }), /'attention_mask' is \[2, 4\]; every input must be \[batch, sequence\] like 'input_ids'/);
  assert.throws(() => tokenExtent({ input_ids: { dims: [2, 3], data: [1, 2] } }), /'input_ids' \[2, 3\] has 2 values/);
});

test('scale bench: the transformers report flags slow rows, differing gradients and failures', () => {
  const settings = { batch: 32, sequence: 128, threads: 2, warmup: 0, repeats: 1, torch: true };
  const [mlp, both, vit] = TRANSFORMER_ROWS;
  const ours = (medianMs: number): TransformerMeasurement['ours'] => ({
    medianMs, allMs: [medianMs], setupMs: 5, gateVectors: 3, stepRssMiB: 300, startRssMiB: 90, peakRssMiB: 310, gating: { gateVectors: 3, units: 576, sites: 3, leftOut: 14 },
  });
  const torch = (medianMs: number, gradMaxRelDiff: number): TransformerMeasurement['torch'] => ({ torch: '1.13', medianMs, allMs: [medianMs], startRssMiB: 260, peakRssMiB: 400, gradMaxRelDiff, blas: 'generic' });
  const met = transformersReport([{ row: mlp, exportMs: 7000, ours: ours(100), torch: torch(200, 1e-6) }], settings, 9000);
  assert.match(met, /^## 8\. Mask step of transformers, batch 32 \(bert-mini sequence 128\)/);
  assert.match(met, /\| bert-mini, MLP neurons +\| +3 \| +576 \| +14 \| +100 \| +200 \| +0\.50× \| +310 \| +400 \| +1\.0e-6 \|/);
  assert.match(met, /Target \(≤ 1\.0× PyTorch\): met for the 1 compared\./);
  assert.match(met, /generic reference BLAS/);
  const missed = transformersReport(
    [
      { row: mlp, exportMs: 7000, ours: ours(300), torch: torch(200, 5e-3) },
      { row: both, exportMs: 7000, oursError: 'Shape: no rule' },
      { row: vit, exportMs: 1000, exportError: 'export failed: no torchvision' },
    ],
    settings,
    9000,
  );
  assert.match(missed, /Target \(≤ 1\.0× PyTorch\): not met: bert-mini, MLP neurons 1\.50× \(2 of 3 not compared\)\./);
  assert.match(missed, /5\.0e-3 \(differ!\)/);
  assert.match(missed, /bert-mini, MLP neurons: the gate gradients differ/);
  assert.match(missed, /bert-mini, MLP neurons \+ heads: the engine failed: Shape: no rule/);
  assert.match(missed, /ViT-6×192 \(32×32\): export failed: no torchvision/);
  assert.match(missed, /engine error \(below\)/);
  assert.match(transformersReport([{ row: vit, exportMs: 1000, ours: ours(100) }], { ...settings, torch: false }, 1000), /Target \(≤ 1\.0× PyTorch\): not compared/);
});
