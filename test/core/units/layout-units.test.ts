/**
 * Units and gate sites on the right axis: channels-last tensors (tf2onnx's Transposes around convs), a MatMul's
 * neurons on the last axis of [N, tokens, D] / [N, H, W, D] gated after GELU (one gate per neuron, broadcast over
 * tokens and positions; gradients and the probe's pooling on that axis), groups whose sites sit on different
 * axes; and discovery agreeing with pruning: a unit whose channels pruning cannot follow is left out with the
 * pruner's reason instead of being gated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { Discovery } from '../../../src/core/units/discover';
import { gateInputsFor } from '../../../src/core/graphs/gated-forward';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { GatedInference } from '../../../src/core/bise/gated-inference';
import type { InMemoryDataset } from '../../../src/core/data/dataset';
import { pruneModel, runModel, verifyPruning } from '../../../src/core/prune';
import { GraphBuilder, conv, convNextBlock, discover, gelu, perm } from '../prune/ir-builder';


const sitesOf = (d: Discovery) => d.sites.map((s) => ({ tensor: s.tensor, axis: s.axis, channels: s.channels, group: s.group }));

test('tf2onnx NHWC: the gate goes after the channels-last bias Add and ReLU, on axis 3', () => {
  const b = new GraphBuilder(1);
  const x = b.input('x', ['batch', 6, 6, 3]);
  const c1 = b.node('Conv', [b.node('Transpose', [x], perm(0, 3, 1, 2)), b.weight('w1', [4, 3, 3, 3])], conv(3, 1), 'conv1');
  const r1 = b.node('Relu', [b.node('Add', [b.node('Transpose', [c1], perm(0, 2, 3, 1)), b.weight('b1', [4])])], {}, 'relu1');
  const flat = b.node('Reshape', [r1, b.int64('flat_shape', [-1, 144])]);
  const d1 = b.node('Relu', [b.node('Add', [b.node('MatMul', [flat, b.weight('wd', [144, 6])], {}, 'dense'), b.weight('bd', [6])])], {}, 'relu2');
  const model = b.model(b.node('MatMul', [d1, b.weight('wo', [6, 3])], {}, 'out'));
  const d = discover(model);
  assert.deepEqual(sitesOf(d), [
    { tensor: 'relu1_out', axis: 3, channels: 4, group: 0 },
    { tensor: 'relu2_out', axis: 1, channels: 6, group: 1 },
  ]);
  assert.deepEqual(d.units.map((u) => [u.node, u.axis]), [['conv1', 1], ['dense', 1]]);
  assert.deepEqual(gateInputsFor(d, 'group').map((g) => g.dims), [[1, 1, 1, 4], [1, 6]]);
});

/** Patch conv → tokens [N, 4, 6] → Linear(6, 12) → GELU → Linear(12, 6) → mean over tokens → head. */
function tokenMlp(activation: 'gelu' | 'gelu-half-first' | 'Gelu'): { b: GraphBuilder; model: Model } {
  const b = new GraphBuilder(2);
  const x = b.input('x', ['batch', 3, 8, 8]);
  const patches = b.node('Conv', [x, b.weight('wp', [6, 3, 4, 4]), b.weight('bp', [6])], conv(4, 0, 4), 'patch');
  const tokens = b.node('Transpose', [b.node('Reshape', [patches, b.int64('tokens_shape', [0, 6, 4])])], perm(0, 2, 1));
  const pre = b.node('Add', [b.node('MatMul', [tokens, b.weight('w1', [6, 12])], {}, 'fc1'), b.weight('b1', [12])]);
  const hidden = activation === 'Gelu' ? b.node('Gelu', [pre], {}, 'gelu') : gelu(b, pre, 'gelu', activation === 'gelu-half-first');
  const out = b.node('Add', [b.node('MatMul', [hidden, b.weight('w2', [12, 6])], {}, 'fc2'), b.weight('b2', [6])]);
  const pooled = b.node('ReduceMean', [out], { axes: intsAttr([1]), keepdims: intAttr(0) });
  const model = b.model(b.node('Gemm', [pooled, b.weight('fc', [3, 6])], { transB: intAttr(1) }, 'fc'));
  return { b, model: activation === 'Gelu' ? { ...model, opsetImports: [{ domain: '', version: 20 }] } : model };
}

test('MLP on tokens: the hidden neurons are units on the last axis, gated once each after the whole GELU', () => {
  for (const activation of ['gelu', 'gelu-half-first', 'Gelu'] as const) {
    const d = discover(tokenMlp(activation).model);
    const hidden = d.sites.find((s) => s.tensor === 'gelu_out');
    assert.deepEqual(hidden && { axis: hidden.axis, channels: hidden.channels, rank: hidden.rank }, { axis: 2, channels: 12, rank: 3 }, activation);
    assert.deepEqual(d.units.find((u) => u.node === 'fc1')?.axis, 2);
    const gate = gateInputsFor(d, 'group')[hidden?.group ?? -1];
    assert.deepEqual(gate.dims, [1, 1, 12], `${activation}: one gate per neuron, broadcast over the tokens`);
  }
});

test('gate gradients on the last axis match central differences of the loss', async () => {
  const { b, model } = tokenMlp('gelu');
  const runner = await GateGradientRunner.create(model, { batchSize: 2, sharing: 'group' }, { threads: 1 });
  try {
    const x = Float32Array.from(b.batch([2, 3, 8, 8]).data);
    const gates = runner.graphs.gates.map((g) => Float32Array.from({ length: g.channels }, (_, i) => 0.5 + 0.05 * i));
    const fwd = await runner.forward(x, gates);
    const r1 = Float32Array.from(fwd.logits, (_, i) => Math.sin(i + 1));
    const r2 = Float32Array.from(fwd.z, (_, i) => Math.cos(i + 1));
    const grads = await runner.backward(fwd, r1, r2);
    const loss = async (g: Float32Array[]): Promise<number> => {
      const f = await runner.forward(x, g);
      let s = 0;
      f.logits.forEach((v, i) => (s += v * r1[i]));
      f.z.forEach((v, i) => (s += v * r2[i]));
      return s;
    };
    const k = runner.graphs.gates.findIndex((g) => g.sites[0].tensor === 'gelu_out');
    assert.ok(k >= 0);
    for (const unit of [0, 5, 11]) {
      const step = 1e-2;
      const at = (delta: number): Float32Array[] => gates.map((g, j) => (j === k ? g.map((v, i) => (i === unit ? v + delta : v)) : g));
      const numeric = ((await loss(at(step))) - (await loss(at(-step)))) / (2 * step);
      assert.ok(Math.abs(numeric - grads[k][unit]) <= 1e-2 * Math.max(1, Math.abs(numeric)), `unit ${unit}: ${grads[k][unit]} vs ${numeric}`);
    }
  } finally {
    await runner.release();
  }
});

test('the probe pools a last-axis site per neuron: [N, tokens, D] averaged over the tokens', async () => {
  const { b, model } = tokenMlp('gelu');
  const d = discover(model);
  const gates = gateInputsFor(d, 'group');
  const inference = await GatedInference.create(model, d, gates, { pooledSites: true, batchSize: 3, threads: 1 });
  try {
    const n = 4;
    const x = Float32Array.from(b.batch([n, 3, 8, 8]).data);
    const dataset: InMemoryDataset = { name: 'toy', x, dims: [3, 8, 8], y: new Int32Array(n), biases: [], numClasses: 3, biasClasses: [], meta: {} };
    const pass = await inference.run(dataset, gates.map((g) => new Float32Array(g.channels).fill(1)));
    const hidden = pass.pooledSites.get('gelu_out');
    assert.equal(hidden?.length, n * 12, 'one value per sample and neuron');
    // The same mean computed from the site itself: the gated model with the site as an output.
    const withSite = { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, { name: 'gelu_out', dtype: 'float32' as const, shape: null }] } };
    const site = await runModel(withSite, { dims: [n, 3, 8, 8], data: x }, 'gelu_out', { threads: 1 });
    for (let i = 0; i < n; i++) {
      for (const c of [0, 7, 11]) {
        let mean = 0;
        for (let t = 0; t < 4; t++) mean += site[(i * 4 + t) * 12 + c] / 4;
        assert.ok(Math.abs((hidden as Float32Array)[i * 12 + c] - mean) <= 1e-5, `sample ${i}, neuron ${c}`);
      }
    }
  } finally {
    await inference.release();
  }
});

test('a depthwise conv behind Transposes follows the NHWC unit that feeds it: one group, gates on axes 3 and 1, prunes exactly', async () => {
  const b = new GraphBuilder(3);
  const x = b.input('x', ['batch', 3, 6, 6]);
  const c1 = b.node('Conv', [x, b.weight('w1', [4, 3, 3, 3])], conv(3, 1), 'conv1');
  const r1 = b.node('Relu', [b.node('Add', [b.node('Transpose', [c1], perm(0, 2, 3, 1)), b.weight('b1', [4])])], {}, 'relu1');
  const dw = b.node('Conv', [b.node('Transpose', [r1], perm(0, 3, 1, 2)), b.weight('wdw', [4, 1, 3, 3]), b.weight('bdw', [4])], conv(3, 1, 1, 4), 'dwconv');
  const r2 = b.node('Relu', [dw], {}, 'relu2');
  const c2 = b.node('Relu', [b.node('Conv', [r2, b.weight('w2', [5, 4, 1, 1])], conv(1, 0), 'conv2')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [c2])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [3, 5])], { transB: intAttr(1) }, 'fc'));
  const d = discover(model);
  assert.deepEqual(d.groups.map((g) => [g.producers, g.followers]), [[['conv1'], ['dwconv']], [['conv2'], []]]);
  assert.deepEqual(d.groups[0].sites.map((s) => [s.tensor, s.axis]), [['relu1_out', 3], ['relu2_out', 1]]);
  assert.deepEqual(gateInputsFor(d, 'group')[0].dims, [1, 1, 1, 4], 'the second site reads the gate reshaped to [1, 4, 1, 1]');
  const masks = [[true, false, false, true], [true, true, false, true, false]];
  const { model: pruned } = pruneModel(model, d, masks);
  assert.deepEqual(pruned.graph.initializers.get('wdw')?.dims, [2, 1, 3, 3]);
  const r = await verifyPruning(model, d, masks, b.batch([2, 3, 6, 6]), { pruned, session: { threads: 1 } });
  assert.ok(r.maxAbsDiff <= 1e-5, String(r.maxAbsDiff));
});

test('ConvNeXt block: the MLP hidden neurons are the only units; the rest is left out, saying why', () => {
  const { model } = convNextBlock(4, false);
  const d = discover(model);
  assert.deepEqual(sitesOf(d), [{ tensor: 'gelu_out', axis: 3, channels: 16, group: 0 }]);
  const why = new Map(d.skipped.map((s) => [s.node, s.reason]));
  assert.deepEqual([...why.keys()].sort(), ['dwconv', 'pwconv2', 'stem']);
  assert.match(why.get('dwconv') ?? '', /normalised together by 'ln' \(LayerNormalization\)/);
  // The residual stream couples the stem and the second Linear (through the layer scale) with the dw conv.
  assert.match(why.get('stem') ?? '', /coupled to 'dwconv'/);
  assert.match(why.get('pwconv2') ?? '', /coupled to 'dwconv'/);
});

test('a unit whose channels pruning cannot follow (split across axes by a Reshape) is left out with the pruner\'s reason, never gated', () => {
  const b = new GraphBuilder(5);
  const x = b.input('x', ['batch', 3, 6, 6]);
  const r = b.node('Relu', [b.node('Conv', [x, b.weight('w', [8, 3, 3, 3])], conv(3, 1), 'conv')]);
  // Heads: [N, 8, 36] → [N, 2, 4, 36], a softmax within each head, and back.
  const heads = b.node('Reshape', [r, b.int64('heads', [0, 2, 4, 36])], {}, 'split_heads');
  const merged = b.node('Reshape', [b.node('Softmax', [heads], { axis: intAttr(2) }), b.int64('back', [0, 8, 6, 6])], {}, 'merge_heads');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [merged])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [3, 8])], { transB: intAttr(1) }, 'fc'));
  assert.deepEqual(discover(model, false).groups.map((g) => g.producers), [['conv']], 'without the pruning trial it would be gated');
  const d = discover(model);
  assert.deepEqual(d.groups, []);
  assert.deepEqual(d.units, []);
  assert.equal(d.skipped.length, 1);
  assert.equal(d.skipped[0].node, 'conv');
  assert.match(d.skipped[0].reason, /^pruning cannot follow its channels: cannot prune node 'split_heads' \(Reshape\): it reshapes .* which mixes the channel axis 1/);
});
