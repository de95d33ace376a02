/**
 * The built-in ResNet-18 (models/resnet18.ts): torchvision's layout (unit discovery finds the same 12 groups and
 * 17 gate sites as the exported torchvision fixture), it runs in onnxruntime, and `trainWeights` trains it with
 * batch-statistics BatchNorm: the loss falls, the running statistics move, and the exported model's inference
 * uses them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { RESNET18_32, buildResNet18 } from '../../../src/core/models/resnet18';
import { readModelFile } from '../../../src/core/onnx/reader';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { serializeModel } from '../../../src/core/onnx/writer';
import { discoverUnits } from '../../../src/core/units/discover';
import { trainWeights, DEFAULT_TRAIN_CONFIG } from '../../../src/core/bise/train';
import { InMemoryDataset } from '../../../src/core/data/dataset';
import { fixturePath } from '../../support/fixtures';
import { Rng } from '../../support/random';

const discover = (m: ReturnType<typeof buildResNet18>) => discoverUnits(m.graph, inferShapes(m.graph, new Map([['input', [2, 3, 32, 32]]])));

test('ResNet-18: the same prunable groups and gate sites as torchvision’s exported ResNet-18', () => {
  const ours = discover(buildResNet18(RESNET18_32));
  const fixture = readModelFile(fixturePath('resnet18'));
  const theirs = discoverUnits(fixture.graph, inferShapes(fixture.graph, new Map([[fixture.graph.inputs[0].name, [2, 3, 32, 32]]])));
  assert.equal(ours.groups.length, 12);
  assert.equal(ours.sites.length, 17);
  assert.deepEqual(ours.groups.map((g) => g.channels), theirs.groups.map((g) => g.channels));
  const count = [...buildResNet18(RESNET18_32).graph.initializers.values()].reduce((s, t) => s + t.data.length, 0);
  // 11.17M weights (torchvision with 10 classes) plus 9.6k BatchNorm running statistics.
  assert.ok(Math.abs(count - 11_181_642) < 20_000, `parameter count ${count}`);
});

test('ResNet-18 (narrow) trains with batch statistics; the export carries the running statistics', async () => {
  const spec = { ...RESNET18_32, height: 16, width: 16, widths: [4, 4, 8, 8] as [number, number, number, number], seed: 3 };
  const model = buildResNet18(spec);
  const rng = new Rng(1);
  const n = 40;
  // Two classes told apart by the mean brightness of the image: learnable in a few steps.
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const x = new Float32Array(n * 3 * 16 * 16);
  for (let i = 0; i < n; i++) for (let k = 0; k < 3 * 256; k++) x[i * 768 + k] = rng.normal() * 0.5 + (y[i] === 1 ? 0.8 : -0.8);
  const train: InMemoryDataset = { name: 'toy', x, dims: [3, 16, 16], y, biases: [Int32Array.from(y)], numClasses: 10, biasClasses: [2], meta: {} };
  const result = await trainWeights({ model, train, config: { ...DEFAULT_TRAIN_CONFIG, epochs: 6, batchSize: 20, lr: 0.05 }, session: { threads: 1 } });
  const losses = result.history.map((h) => h.loss);
  assert.ok(losses[losses.length - 1] < losses[0], `loss should fall: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
  const runningMean = result.model.graph.initializers.get('bn1.running_mean')?.data as Float32Array;
  const runningVar = result.model.graph.initializers.get('bn1.running_var')?.data as Float32Array;
  assert.ok(runningMean.some((v) => v !== 0) && runningVar.some((v) => v !== 1), 'running statistics were updated');
  assert.ok(model.graph.initializers.get('bn1.running_mean')?.data.every((v) => v === 0), 'the input model is unchanged');
  const session = await ort.InferenceSession.create(serializeModel(result.model));
  try {
    const out = await session.run({ input: new ort.Tensor('float32', x.subarray(0, 4 * 768), [4, 3, 16, 16]) });
    assert.ok((out.logits.data as Float32Array).every(Number.isFinite));
  } finally {
    await session.release();
  }
});
