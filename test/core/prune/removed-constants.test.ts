/**
 * Removed channels that are not zero where a layer reads them (prune/removed-values.ts): a gate zeroes a unit at
 * its site, but a BatchNormalization after a Concat (DenseNet), a Sigmoid, a bias Add turn the zero into a
 * per-channel constant that physical removal would drop. The pruned model must still equal the gated model: the
 * constant goes into the reading layer's bias, or after it as a constant map where zero padding makes it differ
 * by position. Values that are not one constant per channel are refused, naming where they became non-zero.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, floatAttr, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { PruneError, concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { Discovery, discoverUnits } from '../../../src/core/units/discover';
import { GraphBuilder } from './ir-builder';
import { k3 } from './mobile-blocks';

const discover = (m: Model, checkPruning = true): Discovery => discoverUnits(m.graph, inferShapes(m.graph, concreteInputShapes(m.graph)), { checkPruning });

/**
 * DenseNet's pattern: stem conv → Relu (gated) and a raw conv (gated at its output, read by the Concat only) →
 * Concat → BatchNormalization (non-zero shifts) → `after` → `reader` (a conv) → Relu → GAP → Flatten → Gemm.
 */
function denseNet(reader: 'conv1x1' | 'conv3x3', after: 'Relu' | 'Sigmoid' = 'Relu'): Model {
  const b = new GraphBuilder(11);
  const x = b.input('x', ['batch', 2, 6, 6]);
  const stem = b.node('Relu', [b.node('Conv', [x, b.weight('w0', [4, 2, 3, 3]), b.weight('b0', [4])], k3, 'stem')], {}, 'stem_relu');
  const grown = b.node('Conv', [stem, b.weight('w1', [3, 4, 3, 3]), b.weight('b1', [3])], k3, 'grow');
  const cat = b.node('Concat', [stem, grown], { axis: intAttr(1) }, 'cat');
  const bn = b.node(
    'BatchNormalization',
    [cat, b.weight('s', [7], undefined, 0.5, 1.5), b.weight('o', [7], undefined, 0.2, 1), b.weight('m', [7]), b.weight('v', [7], undefined, 0.5, 1.5)],
    { epsilon: floatAttr(1e-5) },
    'norm',
  );
  const act = b.node(after, [bn], {}, 'norm_act');
  const conv = reader === 'conv1x1' ? b.node('Conv', [act, b.weight('w2', [5, 7, 1, 1]), b.weight('b2', [5])], {}, 'reader') : b.node('Conv', [act, b.weight('w2', [5, 7, 3, 3])], k3, 'reader');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [b.node('Relu', [conv], {}, 'reader_relu')])], { axis: intAttr(1) });
  return b.model(b.node('Gemm', [z, b.weight('fc', [3, 5]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
}

/** Removes units 0 and 2 of every group that has more than two (the rest kept). */
const someRemoved = (d: Discovery): boolean[][] => d.groups.map((g) => Array.from({ length: g.channels }, (_, i) => g.channels <= 2 || (i !== 0 && i !== 2)));

async function assertExact(model: Model, masks: boolean[][], d: Discovery): Promise<void> {
  const batch = new GraphBuilder(4).batch([2, 2, 6, 6]);
  const { maxAbsDiff } = await verifyPruning(model, d, masks, batch);
  assert.ok(maxAbsDiff <= 1e-5, `pruned differs from gated by ${maxAbsDiff}`);
}

test('DenseNet: a BatchNorm shift after the Concat is folded into the 1×1 conv that reads it', async () => {
  const model = denseNet('conv1x1');
  const d = discover(model);
  assert.deepEqual(d.sites.map((s) => s.tensor), ['stem_relu_out', 'grow_out', 'reader_relu_out']);
  const masks = someRemoved(d);
  const result = pruneModel(model, d, masks);
  // The removed channels after the BN + ReLU hold non-zero constants in the gated model ...
  const state = result.removedChannels.get('norm_act_out')?.state;
  assert.ok(state && [0, 2, 4, 6].some((c) => state.values[c] > 0), 'the BN shift leaves non-zero removed channels');
  assert.equal(state.origin, 'norm');
  // ... which the reader's bias now carries; the pruned model has no extra node.
  const bias = result.model.graph.initializers.get(result.model.graph.nodes.find((n) => n.name === 'reader')?.inputs[2] ?? '');
  assert.notDeepEqual(Array.from(bias?.data as Float32Array), Array.from(model.graph.initializers.get('b2')?.data as Float32Array));
  assert.equal(result.model.graph.nodes.length, model.graph.nodes.length);
  await assertExact(model, masks, d);
});

test('a 3×3 zero-padded reader gets the constant as a map after it (it differs at the borders), and no bias', async () => {
  const model = denseNet('conv3x3');
  const d = discover(model);
  const masks = someRemoved(d);
  const result = pruneModel(model, d, masks);
  const add = result.model.graph.nodes.find((n) => n.name === 'reader::removed_channels');
  assert.equal(add?.opType, 'Add');
  // The reader is a unit too: the map covers its kept outputs.
  assert.deepEqual(result.model.graph.initializers.get(add.inputs[1])?.dims, [1, 3, 6, 6]);
  await assertExact(model, masks, d);
});

test('Sigmoid(0) = ½ in removed channels reaches a Gemm without C through a pool: C is created', async () => {
  const b = new GraphBuilder(5);
  const x = b.input('x', ['batch', 2, 6, 6]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w0', [4, 2, 3, 3]), b.weight('b0', [4])], k3, 'conv')], {}, 'relu');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [b.node('Sigmoid', [h], {}, 'squash')])], { axis: intAttr(1) }, 'flat');
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [3, 4])], { transB: intAttr(1), beta: floatAttr(0.5) }, 'fc'));
  const d = discover(model);
  assert.deepEqual(d.sites.map((s) => s.tensor), ['relu_out']);
  const masks = [[true, false, true, false]];
  const result = pruneModel(model, d, masks);
  const fc = result.model.graph.nodes.find((n) => n.name === 'fc');
  assert.equal(fc?.inputs.length, 3);
  await assertExact(model, masks, d);
});

test('removed constants made to differ by position (an average counting zero padding) are refused where a layer reads them', () => {
  const b = new GraphBuilder(6);
  const x = b.input('x', ['batch', 2, 6, 6]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w0', [4, 2, 3, 3]), b.weight('b0', [4])], k3, 'conv')], {}, 'relu');
  const shifted = b.node('Add', [h, b.weight('shift', [4, 1, 1], undefined, 0.5, 1)], {}, 'shift');
  const pooled = b.node('AveragePool', [shifted], { ...k3, count_include_pad: intAttr(1) }, 'pool');
  const r = b.node('Relu', [b.node('Conv', [pooled, b.weight('w1', [3, 4, 3, 3])], {}, 'reader')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [r])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [2, 3])], { transB: intAttr(1) }, 'fc'));
  const why = /channels 1 of 'pool_out'.*differ by position.*become non-zero at node 'shift' \(Add\)/;
  assert.throws(
    () => pruneModel(model, discover(model, false), [[true, false, true, true], [true, true, true]]),
    (e: unknown) => e instanceof PruneError && e.node === 'reader' && why.test(e.message),
  );
  // Discovery tries the pruner on each group: this one is left out, and `bise info` says why.
  assert.match(discover(model).skipped.find((s) => s.node === 'conv')?.reason ?? '', /cannot prune node 'reader'.*differ by position/);
});

test('a non-zero removed constant summed over the channels is refused, naming the reduction and the BatchNorm', () => {
  const b = new GraphBuilder(7);
  const x = b.input('x', ['batch', 2, 6, 6]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w0', [4, 2, 3, 3]), b.weight('b0', [4])], k3, 'conv')], {}, 'relu');
  const other = b.node('Relu', [b.node('Conv', [x, b.weight('w1', [4, 2, 3, 3]), b.weight('b1', [4])], k3, 'conv_b')], {}, 'relu_b');
  const bn = b.node('BatchNormalization', [b.node('Concat', [h, other], { axis: intAttr(1) }), b.weight('s', [8]), b.weight('o', [8], undefined, 0.5, 1), b.weight('m', [8]), b.weight('v', [8], undefined, 1, 2)], {}, 'norm');
  const summed = b.node('ReduceSum', [bn, b.int64('axes', [1])], { keepdims: intAttr(1) }, 'sum');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [summed])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [2, 1])], { transB: intAttr(1) }, 'fc'));
  const d = discover(model, false);
  assert.throws(
    () => pruneModel(model, d, d.groups.map((g) => Array.from({ length: g.channels }, (_, i) => i !== 1))),
    (e: unknown) => e instanceof PruneError && e.node === 'sum' && /non-zero constant.*node 'norm' \(BatchNormalization\)/.test(e.message),
  );
});

test('kernel-sized pads on both sides: the map is exact on every border position', async () => {
  const b = new GraphBuilder(9);
  const x = b.input('x', ['batch', 2, 6, 6]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w0', [4, 2, 3, 3]), b.weight('b0', [4])], k3, 'conv')], {}, 'relu');
  const shifted = b.node('Add', [h, b.weight('shift', [4, 1, 1], undefined, 0.5, 1)], {}, 'shift');
  const wide = { kernel_shape: intsAttr([5, 5]), pads: intsAttr([2, 1, 2, 1]), strides: intsAttr([2, 1]) };
  const r = b.node('Relu', [b.node('Conv', [shifted, b.weight('w1', [3, 4, 5, 5]), b.weight('b1', [3])], wide, 'reader')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [r])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [2, 3])], { transB: intAttr(1) }, 'fc'));
  const d = discover(model);
  await assertExact(model, [[false, true, true, false], [true, true, true]], d);
});
