/**
 * Classifier heads beyond one Gemm (units/discover.ts findClassifier): SqueezeNet's 1×1-conv classifier before a
 * global pool (Conv → ReLU → GlobalAveragePool → Flatten), where z is the conv's input pooled as the head pools;
 * multi-layer heads, where z is the input of the last linear layer and the earlier head layers are units; and
 * `--bottleneck`, which still overrides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, intAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { concreteInputShapes, pruneModel, runModel, verifyPruning } from '../../../src/core/prune';
import { DiscoverOptions, Discovery, discoverUnits } from '../../../src/core/units/discover';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { GraphBuilder } from '../prune/ir-builder';
import { k3 } from '../prune/mobile-blocks';

const discover = (m: Model, options: DiscoverOptions = {}): Discovery => discoverUnits(m.graph, inferShapes(m.graph, concreteInputShapes(m.graph)), options);

/** x → conv (6) → Relu → conv (4) → Relu → classifier conv 1×1 (3 classes) → Relu → `pool` → Flatten. */
function squeezeHead(pool: 'GlobalAveragePool' | 'GlobalMaxPool' | 'ReduceMean'): Model {
  const b = new GraphBuilder(13);
  const x = b.input('x', ['batch', 2, 5, 5]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w1', [6, 2, 3, 3]), b.weight('b1', [6])], k3, 'conv1')], {}, 'relu1');
  const f = b.node('Relu', [b.node('Conv', [h, b.weight('w2', [4, 6, 3, 3]), b.weight('b2', [4])], k3, 'conv2')], {}, 'relu2');
  const c = b.node('Relu', [b.node('Conv', [f, b.weight('wc', [3, 4, 1, 1]), b.weight('bc', [3])], {}, 'classifier')], {}, 'class_relu');
  const pooled = pool === 'ReduceMean' ? b.node('ReduceMean', [c], { axes: { type: 'ints', value: [2, 3] }, keepdims: intAttr(1) }, 'pool') : b.node(pool, [c], {}, 'pool');
  return b.model(b.node('Flatten', [pooled], { axis: intAttr(1) }, 'logits'));
}

test('a 1×1-conv classifier before a global pool: z is its input, pooled as the head pools', () => {
  for (const [pool, as] of [['GlobalAveragePool', 'GlobalAveragePool'], ['ReduceMean', 'GlobalAveragePool'], ['GlobalMaxPool', 'GlobalMaxPool']] as const) {
    const d = discover(squeezeHead(pool));
    assert.equal(d.classifier, 'classifier', pool);
    assert.equal(d.bottleneck, 'relu2_out');
    assert.equal(d.bottleneckPooling, as);
    assert.deepEqual(d.groups.map((g) => g.producers), [['conv1'], ['conv2']]);
  }
});

test('z of a conv classifier is one pooled value per channel in the gate-gradient graphs, and its gradient flows', async () => {
  const model = squeezeHead('GlobalAveragePool');
  const runner = await GateGradientRunner.create(model, { batchSize: 2, sharing: 'group' });
  try {
    assert.deepEqual(runner.graphs.bottleneckDims, [2, 4]);
    const batch = new GraphBuilder(1).batch([2, 2, 5, 5]);
    const gates = runner.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
    const fwd = await runner.forward(batch.data, gates);
    assert.equal(fwd.z.length, 8);
    const grads = await runner.backward(fwd, new Float32Array(fwd.logits.length), new Float32Array(8).fill(1));
    assert.ok(grads[1].some((g) => g !== 0), 'dL/dz reaches the gates of the layer that makes z');
  } finally {
    await runner.release();
  }
});

test('the pooled z is the average of the bottleneck over its positions', async () => {
  const model = squeezeHead('GlobalAveragePool');
  const withZ: Model = { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, { name: 'relu2_out', dtype: 'float32', shape: null }] } };
  const runner = await GateGradientRunner.create(model, { batchSize: 2, sharing: 'group' });
  try {
    const batch = new GraphBuilder(1).batch([2, 2, 5, 5]);
    const fwd = await runner.forward(batch.data, runner.graphs.gates.map((g) => new Float32Array(g.channels).fill(1)));
    const full = await runModel(withZ, batch, 'relu2_out');
    const mean = Array.from({ length: 8 }, (_, k) => full.subarray(k * 25, k * 25 + 25).reduce((a, b) => a + b, 0) / 25);
    fwd.z.forEach((v, k) => assert.ok(Math.abs(v - mean[k]) <= 1e-5, `z[${k}] = ${v}, mean ${mean[k]}`));
  } finally {
    await runner.release();
  }
});

test('a conv classifier prunes and exports: its input channels follow the last group', async () => {
  const model = squeezeHead('GlobalAveragePool');
  const d = discover(model);
  const masks = [[true, false, true, true, false, true], [false, true, true, false]];
  const pruned = pruneModel(model, d, masks).model;
  assert.deepEqual(pruned.graph.initializers.get(pruned.graph.nodes.find((n) => n.name === 'classifier')?.inputs[1] ?? '')?.dims, [3, 2, 1, 1]);
  const { maxAbsDiff } = await verifyPruning(model, d, masks, new GraphBuilder(2).batch([2, 2, 5, 5]));
  assert.ok(maxAbsDiff <= 1e-5);
});

test('--bottleneck still overrides a conv classifier: z is that tensor, not pooled', () => {
  const d = discover(squeezeHead('GlobalAveragePool'), { bottleneck: 'relu1_out' });
  assert.equal(d.bottleneck, 'relu1_out');
  assert.equal(d.bottleneckPooling, undefined);
  assert.deepEqual(d.groups.map((g) => g.producers), [['conv1']]);
});

test('multi-layer heads: z is the input of the last linear layer; the earlier head layers are units', () => {
  const b = new GraphBuilder(4);
  const x = b.input('x', ['batch', 2, 4, 4]);
  const f = b.node('Relu', [b.node('Conv', [x, b.weight('w', [3, 2, 3, 3])], k3, 'conv')], {}, 'relu');
  const flat = b.node('Flatten', [f], { axis: intAttr(1) });
  const h1 = b.node('Relu', [b.node('Gemm', [flat, b.weight('f1', [8, 48]), b.weight('f1b', [8])], { transB: intAttr(1) }, 'fc1')], {}, 'fc1_relu');
  const h2 = b.node('Relu', [b.node('Gemm', [h1, b.weight('f2', [6, 8]), b.weight('f2b', [6])], { transB: intAttr(1) }, 'fc2')], {}, 'fc2_relu');
  const d = discover(b.model(b.node('Gemm', [h2, b.weight('f3', [3, 6])], { transB: intAttr(1) }, 'fc3')));
  assert.equal(d.classifier, 'fc3');
  assert.equal(d.bottleneck, 'fc2_relu_out');
  assert.equal(d.bottleneckPooling, undefined);
  assert.deepEqual(d.groups.map((g) => [g.producers, g.channels]), [[['conv'], 3], [['fc1'], 8], [['fc2'], 6]]);
});

test('a 3×3 conv before the pool is a feature layer, not a classifier: no head is found', () => {
  const b = new GraphBuilder(2);
  const x = b.input('x', ['batch', 2, 5, 5]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w1', [4, 2, 3, 3])], k3, 'conv1')]);
  const model = b.model(b.node('Flatten', [b.node('GlobalAveragePool', [h])], { axis: intAttr(1) }, 'features'));
  assert.throws(() => discover(model), /no classifier head found: 'features_out' is not produced by a Gemm\/MatMul .*nor by a 1×1 Conv/);
});

test('a conv over the whole map (a fully connected layer written as a conv) is a classifier; z is its input as is', () => {
  const b = new GraphBuilder(6);
  const x = b.input('x', ['batch', 2, 5, 5]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w1', [4, 2, 3, 3])], k3, 'conv1')], {}, 'relu1');
  const d = discover(b.model(b.node('Flatten', [b.node('Conv', [h, b.weight('wc', [3, 4, 5, 5])], {}, 'classifier')], { axis: intAttr(1) })));
  assert.deepEqual([d.classifier, d.bottleneck, d.bottleneckPooling], ['classifier', 'relu1_out', undefined]);
});
