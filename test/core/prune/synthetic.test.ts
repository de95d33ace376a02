/**
 * Pruning rules on small graphs built in code: Concat offsets, Flatten/Reshape → Gemm feature blocks, MatMul with
 * a bias Add, BatchNormalization and per-channel constants, shared constants, and the ops that must refuse (a
 * pool across channels a Transpose moved off axis 1, Softmax over channels, part of a conv group, a residual Add
 * of differently pruned tensors). Each prunable case is also run in onnxruntime against the gated model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, Tensor, floatAttr, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { inferShapes, int64Values } from '../../../src/core/onnx/shape-inference';
import { serializeModel } from '../../../src/core/onnx/writer';
import { Discovery, discoverUnits } from '../../../src/core/units/discover';
import { KeepMask, PruneError, concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { takeAlongAxis } from '../../../src/core/prune/tensor-ops';
import { GraphBuilder } from './ir-builder';

const conv = (k: number, pad: number, stride = 1) => ({
  kernel_shape: intsAttr([k, k]),
  pads: intsAttr([pad, pad, pad, pad]),
  strides: intsAttr([stride, stride]),
});

function discover(model: Model): Discovery {
  return discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)));
}

/** Mask keeping exactly `keep` of `channels`. */
function only(channels: number, keep: readonly number[]): Uint8Array {
  const m = new Uint8Array(channels);
  for (const k of keep) m[k] = 1;
  return m;
}

const allOnes = (d: Discovery): KeepMask[] => d.groups.map((g) => new Uint8Array(g.channels).fill(1));

function init(model: Model, name: string): Tensor {
  const t = model.graph.initializers.get(name);
  assert.ok(t, `initializer '${name}' exists`);
  return t;
}

async function assertMatchesGated(model: Model, d: Discovery, masks: readonly KeepMask[], batch: { dims: number[]; data: Float32Array }, pruned: Model): Promise<void> {
  const r = await verifyPruning(model, d, masks, batch, { pruned, session: { threads: 1 } });
  assert.ok(r.maxAbsDiff <= 1e-5, `pruned vs gated logits differ by ${r.maxAbsDiff}`);
}

test('takeAlongAxis slices any axis and keeps the source intact', () => {
  const t: Tensor = { dtype: 'float32', dims: [2, 3, 2], data: Float32Array.from({ length: 12 }, (_, i) => i) };
  assert.deepEqual([...takeAlongAxis(t, 1, [0, 2]).data], [0, 1, 4, 5, 6, 7, 10, 11]);
  assert.deepEqual(takeAlongAxis(t, 2, [1]).dims, [2, 3, 1]);
  assert.deepEqual([...takeAlongAxis(t, 0, [1]).data], [6, 7, 8, 9, 10, 11]);
  const ints: Tensor = { dtype: 'int64', dims: [3], data: BigInt64Array.from([5n, 6n, 7n]) };
  assert.deepEqual([...takeAlongAxis(ints, 0, [2, 0]).data], [7n, 5n]);
  assert.deepEqual([...t.data], Array.from({ length: 12 }, (_, i) => i));
});

test('Concat along axis 1 offsets the channel maps of its inputs', async () => {
  const b = new GraphBuilder(11);
  const x = b.input('x', ['batch', 3, 6, 6]);
  const a = b.node('Relu', [b.node('Conv', [x, b.weight('wa', [4, 3, 3, 3]), b.weight('ba', [4])], conv(3, 1), 'convA')]);
  const c = b.node('Relu', [b.node('Conv', [x, b.weight('wb', [6, 3, 3, 3]), b.weight('bb', [6])], conv(3, 1), 'convB')]);
  const cat = b.node('Concat', [a, c], { axis: intAttr(1) }, 'cat');
  const y = b.node('Relu', [b.node('Conv', [cat, b.weight('wc', [5, 10, 3, 3]), b.weight('bc', [5])], conv(3, 1), 'convC')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [y])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [3, 5]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
  const d = discover(model);
  assert.deepEqual(d.groups.map((g) => g.producers), [['convA'], ['convB'], ['convC']]);
  const masks = [only(4, [0, 2]), only(6, [1, 4, 5]), only(5, [0, 1, 3])];
  const { model: pruned, report } = pruneModel(model, d, masks);
  assert.deepEqual(init(pruned, 'wa').dims, [2, 3, 3, 3]);
  assert.deepEqual(init(pruned, 'wb').dims, [3, 3, 3, 3]);
  const wc = init(pruned, 'wc');
  assert.deepEqual(wc.dims, [3, 5, 3, 3]);
  // Input channels of convC: A's 0, 2 and B's 1, 4, 5 offset by A's 4 channels.
  const expected = takeAlongAxis(takeAlongAxis(init(model, 'wc'), 0, [0, 1, 3]), 1, [0, 2, 5, 8, 9]);
  assert.deepEqual([...wc.data], [...expected.data]);
  assert.deepEqual(init(pruned, 'fc').dims, [3, 3]);
  assert.deepEqual(report.groups.map((g) => g.removed), [2, 3, 2]);
  await assertMatchesGated(model, d, masks, b.batch([2, 3, 6, 6]), pruned);
});

for (const variant of ['Flatten', 'Reshape [0, -1]', 'Reshape [-1, 12]', 'Gemm transB=0'] as const) {
  test(`${variant} → Gemm maps channel c to features c·HW … c·HW + HW − 1`, async () => {
    const b = new GraphBuilder(5);
    const x = b.input('x', ['batch', 2, 4, 4]);
    const h = b.node('Relu', [b.node('Conv', [x, b.weight('w', [3, 2, 3, 3]), b.weight('bias', [3])], conv(3, 1, 2), 'conv')]); // [N, 3, 2, 2]
    let z: string;
    if (variant === 'Reshape [0, -1]') z = b.node('Reshape', [h, b.int64('shape', [0, -1])], {}, 'reshape');
    else if (variant === 'Reshape [-1, 12]') z = b.node('Reshape', [h, b.int64('shape', [-1, 12])], {}, 'reshape');
    else z = b.node('Flatten', [h], { axis: intAttr(1) });
    const transB = variant === 'Gemm transB=0' ? 0 : 1;
    const model = b.model(b.node('Gemm', [z, b.weight('fc', transB ? [5, 12] : [12, 5]), b.weight('fcb', [5])], { transB: intAttr(transB) }, 'fc'));
    const d = discover(model);
    const masks = [only(3, [0, 2])];
    const { model: pruned } = pruneModel(model, d, masks);
    const features = [0, 1, 2, 3, 8, 9, 10, 11];
    const fc = init(pruned, 'fc');
    assert.deepEqual(fc.dims, transB ? [5, 8] : [8, 5]);
    assert.deepEqual([...fc.data], [...takeAlongAxis(init(model, 'fc'), transB ? 1 : 0, features).data]);
    if (variant === 'Reshape [-1, 12]') assert.deepEqual(int64Values(init(pruned, 'shape')), [-1, 8]);
    if (variant === 'Reshape [0, -1]') assert.deepEqual(int64Values(init(pruned, 'shape')), [0, -1]);
    await assertMatchesGated(model, d, masks, b.batch([2, 2, 4, 4]), pruned);
  });
}

test('MatMul with a following bias Add: W[:, o], the bias and the next W[i, :] are sliced', async () => {
  const b = new GraphBuilder(7);
  const x = b.input('x', ['batch', 3, 2, 2]);
  const f = b.node('Flatten', [x], { axis: intAttr(1) });
  const h = b.node('Relu', [b.node('Add', [b.node('MatMul', [f, b.weight('w1', [12, 6])], {}, 'mm1'), b.weight('b1', [6])], {}, 'bias1')]);
  const model = b.model(b.node('Add', [b.node('MatMul', [h, b.weight('w2', [6, 4])], {}, 'mm2'), b.weight('b2', [4])], {}, 'bias2'));
  const d = discover(model);
  assert.equal(d.classifier, 'mm2');
  assert.deepEqual(d.groups.map((g) => g.producers), [['mm1']]);
  const masks = [only(6, [1, 3, 4])];
  const { model: pruned, report } = pruneModel(model, d, masks);
  assert.deepEqual(init(pruned, 'w1').dims, [12, 3]);
  assert.deepEqual([...init(pruned, 'b1').data], [...takeAlongAxis(init(model, 'b1'), 0, [1, 3, 4]).data]);
  assert.deepEqual(init(pruned, 'w2').dims, [3, 4]);
  assert.equal(report.paramsBefore - report.paramsAfter, 3 * 12 + 3 + 3 * 4);
  assert.deepEqual(
    report.layers.map((l) => [l.node, l.flopsBefore, l.flopsAfter]),
    [
      ['mm1', 2 * 12 * 6, 2 * 12 * 3],
      ['mm2', 2 * 6 * 4, 2 * 3 * 4],
    ],
  );
  await assertMatchesGated(model, d, masks, b.batch([3, 3, 2, 2]), pruned);
});

test('BatchNormalization and per-channel constant Mul/Add after a Conv are sliced with it', async () => {
  const b = new GraphBuilder(3);
  const x = b.input('x', ['batch', 2, 5, 5]);
  let h = b.node('Conv', [x, b.weight('w', [4, 2, 3, 3])], conv(3, 1), 'conv');
  h = b.node('Mul', [h, b.weight('scale', [1, 4, 1, 1])], {}, 'scale');
  h = b.node('Add', [b.weight('shift', [4, 1, 1]), h], {}, 'shift');
  h = b.node('BatchNormalization', [h, b.weight('g', [4]), b.weight('beta', [4]), b.weight('mean', [4]), b.weight('var', [4], undefined, 0.5, 1.5)], { epsilon: floatAttr(1e-5) }, 'bn');
  h = b.node('Relu', [h]);
  const y = b.node('Relu', [b.node('Conv', [h, b.weight('w2', [3, 4, 3, 3]), b.weight('b2', [3])], conv(3, 1), 'conv2')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [y])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [2, 3]), b.weight('fcb', [2])], { transB: intAttr(1) }, 'fc'));
  const d = discover(model);
  const masks = [only(4, [0, 3]), only(3, [1, 2])];
  const { model: pruned } = pruneModel(model, d, masks);
  for (const p of ['g', 'beta', 'mean', 'var']) assert.deepEqual([...init(pruned, p).data], [...takeAlongAxis(init(model, p), 0, [0, 3]).data], p);
  assert.deepEqual(init(pruned, 'scale').dims, [1, 2, 1, 1]);
  assert.deepEqual(init(pruned, 'shift').dims, [2, 1, 1]);
  assert.deepEqual(init(pruned, 'w2').dims, [2, 2, 3, 3]);
  assert.deepEqual(init(pruned, 'fc').dims, [2, 2]);
  await assertMatchesGated(model, d, masks, b.batch([2, 2, 5, 5]), pruned);
});

test('a constant shared by differently pruned nodes gets a private copy per node', async () => {
  const b = new GraphBuilder(9);
  const x = b.input('x', ['batch', 2, 4, 4]);
  const shared = b.weight('shared_bias', [4, 1, 1]);
  const a = b.node('Relu', [b.node('Add', [b.node('Conv', [x, b.weight('wa', [4, 2, 3, 3])], conv(3, 1), 'convA'), shared], {}, 'addA')]);
  const c = b.node('Relu', [b.node('Add', [b.node('Conv', [x, b.weight('wb', [4, 2, 3, 3])], conv(3, 1), 'convB'), shared], {}, 'addB')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [b.node('Concat', [a, c], { axis: intAttr(1) })])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [3, 8]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
  const d = discover(model);
  const masks = [only(4, [0, 1]), only(4, [3])];
  const { model: pruned } = pruneModel(model, d, masks);
  const addA = pruned.graph.nodes.find((n) => n.name === 'addA');
  const addB = pruned.graph.nodes.find((n) => n.name === 'addB');
  assert.ok(addA && addB);
  assert.notEqual(addA.inputs[1], addB.inputs[1]);
  assert.deepEqual(init(pruned, addA.inputs[1]).dims, [2, 1, 1]);
  assert.deepEqual(init(pruned, addB.inputs[1]).dims, [1, 1, 1]);
  assert.ok(!pruned.graph.initializers.has('shared_bias'), 'the unused original is dropped');
  assert.ok(model.graph.initializers.has('shared_bias'), 'the source model is untouched');
  await assertMatchesGated(model, d, masks, b.batch([2, 2, 4, 4]), pruned);
});

/** conv → relu → `tail` → GlobalAveragePool → Flatten → Gemm (`features` inputs). */
/** The conv's units feed `tail`. Discovery does not try the pruning, so the pruner's own refusals can be tested. */
function withTail(tail: (b: GraphBuilder, h: string) => string, features = 4): { model: Model; d: Discovery } {
  const b = new GraphBuilder(2);
  const x = b.input('x', ['batch', 2, 4, 4]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w', [4, 2, 3, 3]), b.weight('bias', [4])], conv(3, 1), 'conv')]);
  const t = tail(b, h);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [t])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [3, features]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
  return { model, d: discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)), { checkPruning: false }) };
}

function assertRefused(model: Model, d: Discovery, node: string, op: string, why: RegExp): void {
  const partial = d.groups.map((g) => only(g.channels, [0, 2]));
  assert.throws(
    () => pruneModel(model, d, partial),
    (e: unknown) => {
      assert.ok(e instanceof PruneError, String(e));
      assert.equal(e.node, node);
      assert.equal(e.opType, op);
      assert.match(e.message, new RegExp(`node '${node}' \\(${op}\\)`));
      assert.match(e.message, why);
      return true;
    },
  );
  // Nothing pruned: nothing to refuse, and the model comes back unchanged.
  const same = pruneModel(model, d, allOnes(d)).model;
  assert.deepEqual(serializeModel(same), serializeModel(model));
}

test('a Transpose moves the pruned channels with axis 1; an op that pools across their new axis is refused, naming it', () => {
  const { model, d } = withTail((b, h) => b.node('MaxPool', [b.node('Transpose', [h], { perm: intsAttr([0, 2, 1, 3]) }, 'transpose')], { kernel_shape: intsAttr([1, 1]) }, 'pool'));
  assertRefused(model, d, 'pool', 'MaxPool', /holds its partly pruned channels on axis 2/);
});

test('a Transpose that keeps axis 1 passes the channels on', () => {
  const { model, d } = withTail((b, h) => b.node('Transpose', [h], { perm: intsAttr([0, 1, 3, 2]) }, 'transpose'));
  const { model: pruned } = pruneModel(model, d, [only(4, [1, 2, 3])]);
  assert.deepEqual(init(pruned, 'fc').dims, [3, 3]);
});

test('Softmax over the channel axis of a pruned tensor is refused', () => {
  const { model, d } = withTail((b, h) => b.node('Softmax', [h], { axis: intAttr(1) }, 'softmax'));
  assertRefused(model, d, 'softmax', 'Softmax', /channel axis/);
});

test('a Reshape that mixes the channel axis of a pruned tensor is refused', () => {
  // [N, 4, 4, 4] → [N, 2, 8, 4]: each new row holds two channels. ([N, 16, 2, 2] would give every channel four
  // whole rows, which pruning follows: test/core/ops/shape-arithmetic.test.ts.)
  const { model, d } = withTail((b, h) => b.node('Reshape', [h, b.int64('shape', [0, 2, 8, 4])], {}, 'reshape'), 2);
  assertRefused(model, d, 'reshape', 'Reshape', /mixes the channel axis/);
});

test('a grouped convolution that would keep part of a conv group is refused', () => {
  // Discovery makes the units whole conv groups (2 units of 2 channels); a hand-made per-channel split must
  // still be caught by the pruner.
  const { model, d: found } = withTail((b, h) => b.node('Conv', [h, b.weight('grouped', [4, 2, 3, 3])], { ...conv(3, 1), group: intAttr(2) }, 'grouped'));
  assert.deepEqual(found.groups.map((g) => [g.channels, g.followers]), [[2, ['grouped']]]);
  const d = { ...found, groups: found.groups.map((g) => ({ ...g, channels: 4, sites: g.sites.map((s) => ({ ...s, repeat: 1 })) })) };
  assertRefused(model, d, 'grouped', 'Conv', /group=2.*keeps 1 of the 2 channels of group 0.*whole groups/);
});

test('a residual Add of tensors pruned differently is refused, naming the Add', () => {
  // Discovery couples the two convolutions (their activations meet in the Add); a hand-made split into two
  // groups, as a user override could produce, must still be caught by the pruner.
  const b = new GraphBuilder(4);
  const x = b.input('x', ['batch', 2, 4, 4]);
  const a = b.node('Relu', [b.node('Conv', [x, b.weight('wa', [4, 2, 3, 3])], conv(3, 1), 'convA')]);
  const c = b.node('Relu', [b.node('Conv', [x, b.weight('wb', [4, 2, 3, 3])], conv(3, 1), 'convB')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [b.node('Add', [a, c], {}, 'residual')])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [3, 4])], { transB: intAttr(1) }, 'fc'));
  const coupled = discover(model);
  assert.equal(coupled.groups.length, 1);
  const [g] = coupled.groups;
  const d = {
    ...coupled,
    groups: [
      { ...g, producers: ['convA'], sites: [g.sites[0]] },
      { ...g, id: 1, producers: ['convB'], sites: [g.sites[1]] },
    ],
  };
  assert.throws(() => pruneModel(model, d, [only(4, [0, 1]), only(4, [0, 2])]), /node 'residual' \(Add\).*carry different channels/);
  // The same channels on both sides are fine.
  const { model: pruned } = pruneModel(model, d, [only(4, [0, 2]), only(4, [0, 2])]);
  assert.deepEqual(init(pruned, 'fc').dims, [3, 2]);
});

test('declared value_info and graph output shapes follow the pruned channels', async () => {
  const b = new GraphBuilder(13);
  const x = b.input('x', ['batch', 2, 4, 4]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w', [4, 2, 3, 3]), b.weight('bias', [4])], conv(3, 1), 'conv')], {}, 'relu');
  const z = b.node('Flatten', [h], { axis: intAttr(1) }, 'flatten');
  const base = b.model(b.node('Gemm', [z, b.weight('fc', [3, 64]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
  const shapes = inferShapes(base.graph, concreteInputShapes(base.graph));
  const declared = (name: string) => ({ name, dtype: 'float32' as const, shape: ['batch', ...(shapes.get(name) as number[]).slice(1)] });
  const model: Model = {
    ...base,
    graph: {
      ...base.graph,
      outputs: [...base.graph.outputs, declared(z)],
      valueInfo: new Map(base.graph.nodes.flatMap((n) => n.outputs).filter((o) => o !== z && o !== base.graph.outputs[0].name).map((o) => [o, declared(o)])),
    },
  };
  const d = discover(model);
  const masks = [only(4, [1, 2, 3])];
  const { model: pruned } = pruneModel(model, d, masks);
  assert.deepEqual(pruned.graph.valueInfo.get('conv_out')?.shape, ['batch', 3, 4, 4]);
  assert.deepEqual(pruned.graph.valueInfo.get('relu_out')?.shape, ['batch', 3, 4, 4]);
  assert.deepEqual(pruned.graph.outputs[1].shape, ['batch', 48]);
  assert.deepEqual(model.graph.outputs[1].shape, ['batch', 64], 'the source keeps its declarations');
  await assertMatchesGated(model, d, masks, b.batch([2, 2, 4, 4]), pruned);
});
