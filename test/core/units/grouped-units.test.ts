/**
 * Unit discovery through depthwise and grouped convolutions, squeeze-and-excitation blocks and x·σ(x)
 * activations (SiLU, HardSwish as exported), on small graphs: which convs join which group, where the gates go,
 * and how many consecutive channels a unit spans at each gate site.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, intAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { Discovery, discoverUnits } from '../../../src/core/units/discover';
import { GraphBuilder } from '../prune/ir-builder';
import { groupedConvNet, k3, seBlock } from '../prune/mobile-blocks';

const discover = (m: Model): Discovery => discoverUnits(m.graph, inferShapes(m.graph, concreteInputShapes(m.graph)));

test('a depthwise conv follows the group that feeds it: one gate vector, a gate after each', () => {
  const d = discover(groupedConvNet({ channels: 6, group: 6, outChannels: 6 }));
  assert.deepEqual(d.skipped, []);
  assert.deepEqual(d.groups.map((g) => [g.producers, g.followers, g.channels]), [[['conv0'], ['grouped'], 6], [['proj'], [], 16]]);
  assert.deepEqual(d.groups[0].sites.map((s) => [s.tensor, s.channels, s.repeat]), [['relu0_out', 6, 1], ['grouped_relu_out', 6, 1]]);
  assert.equal(d.units.find((u) => u.node === 'grouped')?.role, 'follower');
});

test('a depthwise conv of multiplier k gives each unit k consecutive output channels', () => {
  const d = discover(groupedConvNet({ channels: 4, group: 4, outChannels: 8, bias: false }));
  const [g] = d.groups;
  assert.equal(g.channels, 4);
  assert.deepEqual(g.sites.map((s) => [s.channels, s.repeat]), [[4, 1], [8, 2]]);
});

test('a grouped conv makes the units of the group that feeds it whole conv groups', () => {
  // 8 channels, 2 conv groups of 4 inputs and 6 outputs each: 2 units, 4 channels before and 6 after.
  const d = discover(groupedConvNet({ channels: 8, group: 2, outChannels: 12 }));
  const [g] = d.groups;
  assert.deepEqual([g.producers, g.followers, g.channels], [['conv0'], ['grouped'], 2]);
  assert.deepEqual(g.sites.map((s) => [s.tensor, s.channels, s.repeat]), [['relu0_out', 8, 4], ['grouped_relu_out', 12, 6]]);
});

test('a grouped conv reading the graph input is not gated, and says why', () => {
  const b = new GraphBuilder(3);
  const x = b.input('x', ['batch', 4, 5, 5]);
  const dw = b.node('Relu', [b.node('Conv', [x, b.weight('dw', [4, 1, 3, 3])], { ...k3, group: intAttr(4) }, 'dw')]);
  const h = b.node('Relu', [b.node('Conv', [dw, b.weight('w', [6, 4, 1, 1])], {}, 'conv')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [h])], { axis: intAttr(1) });
  const d = discover(b.model(b.node('Gemm', [z, b.weight('fc', [3, 6])], { transB: intAttr(1) }, 'fc')));
  assert.deepEqual(d.groups.map((g) => g.producers), [['conv']]);
  assert.match(d.skipped.find((s) => s.node === 'dw')?.reason ?? '', /pruned with the units that feed them.*graph input/);
});

test('squeeze-and-excitation: the expand conv follows the tensor it scales; the reduce conv has its own units', () => {
  const d = discover(seBlock());
  assert.deepEqual(d.skipped, []);
  assert.deepEqual(
    d.groups.map((g) => [g.producers, g.followers, g.sites.map((s) => s.tensor)]),
    [
      [['stem', 'project'], [], ['stem_silu_out', 'residual_out']],
      [['expand', 'se_expand'], ['dw'], ['expand_silu_out', 'dw_silu_out']],
      [['se_reduce'], [], ['se_reduce_silu_out']],
    ],
  );
});

test('x·sigmoid(x) and x·hardsigmoid(x) are activations: the gate goes after the Mul', () => {
  for (const act of ['Sigmoid', 'HardSigmoid']) {
    const b = new GraphBuilder(5);
    const x = b.input('x', ['batch', 2, 4, 4]);
    const h = b.node('Conv', [x, b.weight('w', [4, 2, 3, 3])], k3, 'conv');
    const a = b.node('Mul', [b.node(act, [h]), h], {}, 'swish');
    const z = b.node('Flatten', [b.node('GlobalAveragePool', [a])], { axis: intAttr(1) });
    const d = discover(b.model(b.node('Gemm', [z, b.weight('fc', [3, 4])], { transB: intAttr(1) }, 'fc')));
    assert.deepEqual(d.sites.map((s) => s.tensor), ['swish_out'], act);
  }
});

test('blocks ending in SiLU couple their residual Adds into one group, though the Adds carry no gate', async () => {
  // EfficientNetV2's fused blocks: stem → SiLU; block k: conv → SiLU → Add(·, previous stream).
  const b = new GraphBuilder(8);
  const x = b.input('x', ['batch', 2, 4, 4]);
  const silu = (t: string, name: string): string => b.node('Mul', [t, b.node('Sigmoid', [t])], {}, name);
  let stream = silu(b.node('Conv', [x, b.weight('ws', [4, 2, 3, 3]), b.weight('bs', [4])], k3, 'stem'), 'stem_silu');
  for (const k of [1, 2]) {
    const h = silu(b.node('Conv', [stream, b.weight(`w${k}`, [4, 4, 3, 3]), b.weight(`b${k}`, [4])], k3, `block${k}`), `block${k}_silu`);
    stream = b.node('Add', [h, stream], {}, `add${k}`);
  }
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [stream])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [3, 4]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
  const d = discover(model);
  assert.deepEqual(d.skipped, []);
  assert.deepEqual(d.groups.map((g) => g.producers), [['stem', 'block1', 'block2']]);
  assert.deepEqual(d.sites.map((s) => s.tensor), ['stem_silu_out', 'block1_silu_out', 'block2_silu_out']);
  const masks = [[true, false, true, false]];
  const { model: pruned } = pruneModel(model, d, masks);
  const data = Float32Array.from({ length: 2 * 2 * 4 * 4 }, (_, i) => Math.cos(i));
  const r = await verifyPruning(model, d, masks, { dims: [2, 2, 4, 4], data }, { pruned, session: { threads: 1 } });
  assert.ok(r.maxAbsDiff <= 1e-5, `pruned vs gated logits differ by ${r.maxAbsDiff}`);
});
