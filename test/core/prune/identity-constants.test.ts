/**
 * PyTorch's exporter de-duplicates equal initializers and reads the copies through Identity nodes: freshly
 * folded BatchNorms give every conv an all-zero bias, so ResNet-50, RegNet and EfficientNet exports have Conv
 * biases (and sometimes weights) that are Identity outputs. They are constants: discovery gates those convs,
 * pruning slices private copies, and the consistency check reads them (it used to stop every such model with
 * "bias length differs from the output channels", even with every unit kept).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, intAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { serializeModel } from '../../../src/core/onnx/writer';
import { Discovery, discoverUnits } from '../../../src/core/units/discover';
import { concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { GraphBuilder } from './ir-builder';
import { k3 } from './mobile-blocks';

const discover = (m: Model): Discovery => discoverUnits(m.graph, inferShapes(m.graph, concreteInputShapes(m.graph)));

/** conv1 and conv2 (4 channels each) read one zero bias through two Identity nodes; conv2's weight is an alias too. */
function aliased(): Model {
  const b = new GraphBuilder(9);
  const x = b.input('x', ['batch', 2, 4, 4]);
  b.weight('zero_bias', [4], [0, 0, 0, 0]);
  const bias1 = b.node('Identity', ['zero_bias'], {}, 'bias1');
  const bias2 = b.node('Identity', ['zero_bias'], {}, 'bias2');
  const w2 = b.node('Identity', [b.weight('w2_source', [4, 4, 3, 3])], {}, 'w2');
  const h1 = b.node('Relu', [b.node('Conv', [x, b.weight('w1', [4, 2, 3, 3]), bias1], k3, 'conv1')]);
  const h2 = b.node('Relu', [b.node('Conv', [h1, w2, bias2], k3, 'conv2')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [h2])], { axis: intAttr(1) });
  return b.model(b.node('Gemm', [z, b.weight('fc', [3, 4]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
}

test('Conv weights and biases read through Identity nodes are constants: both convs are units', () => {
  const d = discover(aliased());
  assert.deepEqual(d.groups.map((g) => g.producers), [['conv1'], ['conv2']]);
  assert.deepEqual(d.skipped, []);
});

test('keeping every unit returns the model unchanged (no internal error on aliased biases)', () => {
  const model = aliased();
  const d = discover(model);
  const same = pruneModel(model, d, d.groups.map((g) => new Array<boolean>(g.channels).fill(true))).model;
  assert.deepEqual(serializeModel(same), serializeModel(model));
});

test('pruning gives the aliased convs private copies and drops the Identity nodes nothing reads any more', async () => {
  const model = aliased();
  const d = discover(model);
  const masks = [[true, false, true, true], [false, true, true, false]];
  const { model: pruned } = pruneModel(model, d, masks);
  const conv2 = pruned.graph.nodes.find((n) => n.name === 'conv2');
  assert.deepEqual(pruned.graph.initializers.get(conv2?.inputs[1] ?? '')?.dims, [2, 3, 3, 3]);
  assert.deepEqual(pruned.graph.initializers.get(conv2?.inputs[2] ?? '')?.dims, [2]);
  const left = pruned.graph.nodes.filter((n) => n.opType === 'Identity').map((n) => n.name);
  assert.deepEqual(left, [], 'the aliases are no longer read');
  assert.ok(!pruned.graph.initializers.has('zero_bias') && !pruned.graph.initializers.has('w2_source'), 'their sources are dropped');
  const data = Float32Array.from({ length: 2 * 2 * 4 * 4 }, (_, i) => Math.sin(i));
  const r = await verifyPruning(model, d, masks, { dims: [2, 2, 4, 4], data }, { pruned, session: { threads: 1 } });
  assert.ok(r.maxAbsDiff <= 1e-5, `pruned vs gated logits differ by ${r.maxAbsDiff}`);
});

test('an alias still read elsewhere stays, with its source', () => {
  const model = aliased();
  const d = discover(model);
  // Only conv2 loses units: conv1 still reads bias1 (and through it zero_bias).
  const { model: pruned } = pruneModel(model, d, [[true, true, true, true], [true, false, true, true]]);
  assert.deepEqual(pruned.graph.nodes.filter((n) => n.opType === 'Identity').map((n) => n.name), ['bias1']);
  assert.ok(pruned.graph.initializers.has('zero_bias'));
});
