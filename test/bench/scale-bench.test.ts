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
  for (const t of [cnn, resnet]) assert.ok(t.medianMs > 0 && Number.isFinite(t.medianMs) && t.allMs.length === 1, JSON.stringify(t));
});

test('scale bench: flags parse, and bad ones are refused', () => {
  const o = parseScaleBenchArgs(['--repeats', '1', '--only', 'step,scaling', '--batches', '2,4', '--no-torch']);
  assert.equal(o.repeats, 1);
  assert.deepEqual(o.sections, ['step', 'scaling']);
  assert.deepEqual(o.batches, [2, 4]);
  assert.equal(o.torch, false);
  assert.deepEqual(parseScaleBenchArgs([]).sections, ['step', 'pruned', 'memory', 'scaling', 'train', 'families', 'imagenet']);
  assert.equal(parseScaleBenchArgs([]).imagenetBatch, 32);
  assert.equal(parseScaleBenchArgs(['--imagenet-batch', '8']).imagenetBatch, 8);
  assert.deepEqual(parseScaleBenchArgs(['--families', 'densenet121,resnet50']).families.map((f) => f.name), ['resnet50', 'densenet121']);
  assert.throws(() => parseScaleBenchArgs(['--families', 'vgg11']), /--families: unknown family vgg11/);
  assert.deepEqual(parseScaleBenchArgs(['--only', 'train,step']).sections, ['step', 'train']);
  assert.throws(() => parseScaleBenchArgs(['--only', 'speed']), /unknown section/);
  assert.throws(() => parseScaleBenchArgs(['--repeats', '0']), /--repeats/);
  assert.throws(() => parseScaleBenchArgs(['--repeat', '3']), /unknown flag/);
  assert.match(formatTable(['a', 'b'], [['x', 1]]), /^\| a \| b \|\n\|:--\|--:\|\n\| x \| 1 \|$/);
});
