/**
 * Units around normalisations that couple channels (units/normalization-readers.ts): a GroupNormalization group is
 * one unit, so masks never split a group and the gate goes after the normalisation; an InstanceNormalization is
 * per channel (gate after it); a LayerNormalization over the axis that carries a unit's channels (axis 1, or the
 * last axis after an NHWC Transpose) leaves that unit out, with a reason `bise info` shows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, floatAttr, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { Discovery, discoverUnits } from '../../../src/core/units/discover';
import { GraphBuilder } from '../prune/ir-builder';
import { k3 } from '../prune/mobile-blocks';

const discover = (m: Model): Discovery => discoverUnits(m.graph, inferShapes(m.graph, concreteInputShapes(m.graph)));

/** x → conv (8) → `norm` → Relu → conv (6) → Relu → GAP → Flatten → Gemm. */
function net(norm: (b: GraphBuilder, h: string) => string, opset = 18): Model {
  const b = new GraphBuilder(21);
  const x = b.input('x', ['batch', 3, 6, 6]);
  const h = b.node('Conv', [x, b.weight('w1', [8, 3, 3, 3]), b.weight('b1', [8])], k3, 'conv1');
  const r = b.node('Relu', [norm(b, h)], {}, 'relu1');
  const c2 = b.node('Relu', [b.node('Conv', [r, b.weight('w2', [6, 8, 3, 3]), b.weight('b2', [6])], k3, 'conv2')], {}, 'relu2');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [c2])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [3, 6]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
  return { ...model, opsetImports: [{ domain: '', version: opset }] };
}

const groupNorm = (groups: number, perChannel: boolean) => (b: GraphBuilder, h: string): string =>
  b.node('GroupNormalization', [h, b.weight('gs', [perChannel ? 8 : groups], undefined, 0.5, 1.5), b.weight('gb', [perChannel ? 8 : groups], undefined, 0.2, 1)], { num_groups: intAttr(groups), epsilon: floatAttr(1e-5) }, 'gn');

async function assertPrunesExactly(model: Model, d: Discovery, masks: boolean[][]): Promise<void> {
  const batch = new GraphBuilder(2).batch([2, 3, 6, 6]);
  const { maxAbsDiff } = await verifyPruning(model, d, masks, batch);
  assert.ok(maxAbsDiff <= 1e-5, `pruned differs from gated by ${maxAbsDiff}`);
}

test('GroupNormalization: a whole group is one unit and the gate goes after the normalisation and its ReLU', async () => {
  for (const [opset, perChannel] of [[18, false], [21, true]] as const) {
    const model = net(groupNorm(4, perChannel), opset);
    const d = discover(model);
    assert.deepEqual(d.skipped, []);
    const [g] = d.groups;
    assert.deepEqual([g.producers, g.channels], [['conv1'], 4]);
    assert.deepEqual(g.sites.map((s) => [s.tensor, s.channels, s.repeat]), [['relu1_out', 8, 2]]);
    // Any mask removes whole groups: GN keeps its other groups' statistics, and the pruned model equals the gated one.
    const masks = [[true, false, true, false], [true, true, false, true, true, true]];
    const pruned = pruneModel(model, d, masks).model;
    const gn = pruned.graph.nodes.find((n) => n.name === 'gn');
    assert.equal(gn?.attributes.num_groups?.type === 'int' && gn.attributes.num_groups.value, 2);
    await assertPrunesExactly(model, d, masks);
  }
});

test('a GroupNormalization group that a Concat fills from two convs: each conv unit is a whole group, or it is left out', () => {
  for (const [first, gated] of [[4, true], [3, false]] as const) {
    const b = new GraphBuilder(3);
    const x = b.input('x', ['batch', 3, 6, 6]);
    const a = b.node('Relu', [b.node('Conv', [x, b.weight('wa', [first, 3, 3, 3])], k3, 'conv_a')], {}, 'relu_a');
    const c = b.node('Relu', [b.node('Conv', [x, b.weight('wc', [8 - first, 3, 3, 3])], k3, 'conv_c')], {}, 'relu_c');
    const cat = b.node('Concat', [a, c], { axis: intAttr(1) }, 'cat');
    const gn = b.node('GroupNormalization', [cat, b.weight('gs', [4]), b.weight('gb', [4])], { num_groups: intAttr(4) }, 'gn');
    const z = b.node('Flatten', [b.node('GlobalAveragePool', [b.node('Relu', [gn])])], { axis: intAttr(1) });
    const model = { ...b.model(b.node('Gemm', [z, b.weight('fc', [2, 8])], { transB: intAttr(1) }, 'fc')), opsetImports: [{ domain: '', version: 18 }] };
    const d = discover(model);
    if (gated) {
      assert.deepEqual(d.groups.map((g) => [g.producers, g.channels]), [[['conv_a'], 2], [['conv_c'], 2]]);
    } else {
      assert.deepEqual(d.groups, []);
      assert.match(d.skipped.find((s) => s.node === 'conv_a')?.reason ?? '', /reach 'gn' \(GroupNormalization\) at channels 0–2, which do not start and end on its group boundaries/);
    }
  }
});

test('InstanceNormalization is per channel: the gate goes after it and pruning is exact', async () => {
  const model = net((b, h) => b.node('InstanceNormalization', [h, b.weight('is', [8], undefined, 0.5, 1.5), b.weight('ib', [8], undefined, 0.2, 1)], {}, 'in'));
  const d = discover(model);
  assert.deepEqual(d.groups.map((g) => [g.producers, g.channels, g.sites.map((s) => s.tensor)]), [[['conv1'], 8, ['relu1_out']], [['conv2'], 6, ['relu2_out']]]);
  await assertPrunesExactly(model, d, [[true, false, true, true, false, true, true, false], [true, true, false, true, true, true]]);
});

test('LayerNormalization over the channels (axis 1, or the last axis after an NHWC Transpose) leaves the unit out, saying why', () => {
  const over = (b: GraphBuilder, h: string): string => b.node('LayerNormalization', [h, b.weight('ls', [8, 6, 6]), b.weight('lb', [8, 6, 6])], { axis: intAttr(1) }, 'ln');
  const nhwc = (b: GraphBuilder, h: string): string => {
    const t = b.node('Transpose', [h], { perm: intsAttr([0, 2, 3, 1]) }, 'to_nhwc');
    const ln = b.node('LayerNormalization', [t, b.weight('ls', [8]), b.weight('lb', [8])], { axis: intAttr(-1) }, 'ln');
    return b.node('Transpose', [ln], { perm: intsAttr([0, 3, 1, 2]) }, 'to_nchw');
  };
  for (const [norm, text] of [
    [over, /normalised together by 'ln' \(LayerNormalization\) over axes 1 to 3, which include the axis that carries them \(axis 1\)/],
    [nhwc, /normalised together by 'ln' \(LayerNormalization\) over axis 3, which is the axis that carries them \(axis 3\)/],
  ] as const) {
    const d = discover(net(norm, 17));
    assert.deepEqual(d.groups.map((g) => g.producers), [['conv2']]);
    assert.match(d.skipped.find((s) => s.node === 'conv1')?.reason ?? '', text);
  }
});

test('LayerNormalization over the positions of each channel (axis 2) does not couple the channels: the gate goes after it', async () => {
  const model = net((b, h) => b.node('LayerNormalization', [h, b.weight('ls', [6, 6]), b.weight('lb', [6, 6])], { axis: intAttr(2) }, 'ln'), 17);
  const d = discover(model);
  assert.deepEqual(d.skipped, []);
  assert.deepEqual(d.groups.map((g) => [g.producers, g.sites.map((s) => s.tensor)]), [[['conv1'], ['relu1_out']], [['conv2'], ['relu2_out']]]);
  await assertPrunesExactly(model, d, [[true, false, true, true, false, true, true, false], [true, true, false, true, true, true]]);
});
