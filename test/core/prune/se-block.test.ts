/**
 * Squeeze-and-excitation (EfficientNet's MBConv, MobileNetV3, RegNet-Y): the reduce conv's outputs are units of
 * their own; the expand conv's outputs scale the block's tensor channel by channel, so they are removed with that
 * tensor's channels (the expand conv is a producer of its group, without a gate of its own). SiLU is exported as
 * x·Sigmoid(x) and gated after the Mul. The pruned model must equal the gated one, and gate gradients be exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, Tensor } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { Discovery, discoverUnits } from '../../../src/core/units/discover';
import { concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { checkGateGradients, seBlock } from './mobile-blocks';
import { prng } from './ir-builder';

const discover = (m: Model): Discovery => discoverUnits(m.graph, inferShapes(m.graph, concreteInputShapes(m.graph)));
const weightOf = (m: Model, node: string): Tensor => m.graph.initializers.get(m.graph.nodes.find((n) => n.name === node)?.inputs[1] ?? '') as Tensor;

test('an SE block prunes its expand, depthwise, reduce and SE-expand convs consistently; pruned = gated', async () => {
  const model = seBlock(3, 8, 4);
  const d = discover(model);
  const inner = d.groups.findIndex((g) => g.producers.includes('se_expand'));
  const reduce = d.groups.findIndex((g) => g.producers.includes('se_reduce'));
  assert.ok(inner >= 0 && reduce >= 0);
  for (const seed of [1, 2, 3]) {
    const rand = prng(seed);
    const masks = d.groups.map((g) => {
      const keep = Array.from({ length: g.channels }, () => rand() < 0.5);
      keep[Math.floor(rand() * g.channels)] = true;
      return keep;
    });
    const { model: pruned } = pruneModel(model, d, masks);
    const keptInner = masks[inner].filter(Boolean).length;
    const keptReduce = masks[reduce].filter(Boolean).length;
    assert.deepEqual(weightOf(pruned, 'dw').dims, [keptInner, 1, 3, 3]);
    assert.deepEqual(weightOf(pruned, 'se_reduce').dims, [keptReduce, keptInner, 1, 1]);
    assert.deepEqual(weightOf(pruned, 'se_expand').dims, [keptInner, keptReduce, 1, 1]);
    assert.equal(weightOf(pruned, 'project').dims[1], keptInner);
    const data = Float32Array.from({ length: 3 * 4 * 5 * 5 }, () => rand() * 2 - 1);
    const r = await verifyPruning(model, d, masks, { dims: [3, 4, 5, 5], data }, { pruned, session: { threads: 1 } });
    const scale = r.gatedLogits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(scale > 1e-3, 'the check model has logits worth comparing');
    assert.ok(r.maxAbsDiff <= 1e-5 * scale, `seed ${seed}: pruned vs gated logits differ by ${r.maxAbsDiff} (largest logit ${scale})`);
  }
});

test('SE block: gate gradients', async () => {
  const model = seBlock(4);
  await checkGateGradients('se block', model, discover(model));
});

test('an SE expand conv that scales a tensor no unit produces is not gated, and says why', async () => {
  // The block's SE Mul rewired to scale the graph input x (4 channels), with the SE expand conv and the
  // projection cut down to 4 channels to fit.
  const model = seBlock(5);
  const graph = model.graph;
  const nodes = graph.nodes.map((n) => (n.name === 'se_mul' ? { ...n, inputs: [n.inputs[0], 'x'] } : n));
  const x = graph.inputs[0];
  const inits = new Map(graph.initializers);
  const w2 = inits.get('se_w2') as Tensor;
  inits.set('se_w2', { ...w2, dims: [4, w2.dims[1], 1, 1], data: (w2.data as Float32Array).slice(0, 4 * w2.dims[1]) });
  inits.set('se_b2', { ...(inits.get('se_b2') as Tensor), dims: [4], data: ((inits.get('se_b2') as Tensor).data as Float32Array).slice(0, 4) });
  const pw = inits.get('pw') as Tensor;
  inits.set('pw', { ...pw, dims: [4, 4, 1, 1], data: (pw.data as Float32Array).slice(0, 16) });
  const changed: Model = { ...model, graph: { ...graph, nodes, initializers: inits, inputs: [x] } };
  const d = discover(changed);
  assert.match(d.skipped.find((s) => s.node === 'se_expand')?.reason ?? '', /scale 'x' channel by channel.*no prunable unit produces/);
  assert.ok(!d.groups.some((g) => g.producers.includes('se_expand')));
});
