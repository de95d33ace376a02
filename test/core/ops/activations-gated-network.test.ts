/**
 * HardSwish and SiLU as exporters write it (x · Sigmoid(x), MobileNetV3 / EfficientNet) inside a gated conv
 * network: the engine accepts the model, discovers its units, its gate gradients match float64 finite
 * differences and onnxruntime, and a random-mask prune equals the gated (zeroed) model in onnxruntime.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Model, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { buildGateGradientGraphs } from '../../../src/core/graphs/gate-gradient-graphs';
import { buildGatedForward, gateInputsFor } from '../../../src/core/graphs/gated-forward';
import { discoverUnits } from '../../../src/core/units/discover';
import { pruneModel, verifyPruning } from '../../../src/core/prune';
import { RefTensor } from '../../../src/core/ops/reference/tensor';
import { GraphBuilder } from '../../support/graph-builder';
import { gradCheck } from '../../support/gradcheck';
import { Rng, float32Values, normal, seedFor, uniform } from '../../support/random';

const conv3x3 = { kernel_shape: intsAttr([3, 3]), pads: intsAttr([1, 1, 1, 1]) };
const BATCH = [2, 3, 6, 6];

/** Conv → HardSwish → Conv → x·Sigmoid(x) → GlobalAveragePool → Flatten → Gemm, with seeded weights. */
function swishNet(rng: Rng): { model: Model; feeds: ReadonlyMap<string, RefTensor> } {
  const b = new GraphBuilder(rng);
  const x = b.input('x', BATCH);
  // Scaled so that the first conv's outputs spread over all three pieces of HardSwish (below −3, between, above 3).
  const c1 = b.op('Conv', [x, b.weight('w1', [6, 3, 3, 3], normal(0.8)), b.weight('b1', [6])], conv3x3);
  const c2 = b.op('Conv', [b.op('HardSwish', [c1]), b.weight('w2', [5, 6, 3, 3], normal(0.3)), b.weight('b2', [5])], conv3x3);
  const silu = b.op('Mul', [c2, b.op('Sigmoid', [c2])]);
  const z = b.op('Flatten', [b.op('GlobalAveragePool', [silu])], { axis: intAttr(1) });
  const logits = b.op('Gemm', [z, b.weight('fc', [4, 5]), b.weight('fcb', [4])], { transB: intAttr(1) });
  const built = b.build([logits]);
  const model: Model = { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '0', graph: built.graph, metadata: {} };
  return { model, feeds: built.feeds };
}

test('HardSwish + SiLU conv net: units, gate gradients (finite differences, onnxruntime) and a random-mask prune', async () => {
  const seed = seedFor('swish net', 0);
  const rng = new Rng(seed);
  const { model, feeds } = swishNet(rng);

  // The engine's own entry point accepts the model and differentiates it. Wherever the gates go (before or after
  // the activations), the first conv's weight gradient passes through HardSwish and SiLU.
  const engine = buildGateGradientGraphs(model, { batchSize: BATCH[0], weightTargets: ['w1'] });
  assert.deepEqual(engine.discovery.groups.map((g) => g.producers), [['Conv_0'], ['Conv_2']]);
  assert.ok(engine.backward.graph.nodes.some((n) => n.opType === 'HardSigmoid'), "HardSwish's gradient is in the backward graph");

  // Gate gradients (one gate vector per group) and w1's against central differences in float64 and onnxruntime.
  const discovery = discoverUnits(model.graph, inferShapes(model.graph));
  const gates = gateInputsFor(discovery, 'group');
  const gated = buildGatedForward(model.graph, discovery, gates);
  const gateFeeds = new Map(feeds);
  for (const g of gates) gateFeeds.set(g.name, { dims: g.dims, data: float32Values(rng, g.channels, uniform(0.5, 1.5)) });
  const result = await gradCheck(
    { label: `swish net (seed ${seed})`, graph: gated.graph, feeds: gateFeeds, seeds: [gated.logits, gated.bottleneck], targets: [...gates.map((g) => g.name), 'w1'] },
    rng,
  );
  for (const g of gates) assert.ok(result.gradients.get(g.name)!.data.some((v) => Math.abs(v) > 1e-4), `gate '${g.name}' gets a gradient`);

  // Random masks: the pruned model computes what the gated model computes with 0/1 gates.
  for (let draw = 0; draw < 3; draw++) {
    const masks = discovery.groups.map((g) => {
      const keep = rng.shuffle(Array.from({ length: g.channels }, (_, i) => i)).slice(0, rng.int(1, g.channels - 1));
      return Uint8Array.from({ length: g.channels }, (_, i) => (keep.includes(i) ? 1 : 0));
    });
    const { model: pruned } = pruneModel(model, discovery, masks);
    const kept = masks.map((m) => m.reduce((a, v) => a + v, 0));
    assert.deepEqual(pruned.graph.initializers.get('w1')!.dims, [kept[0], 3, 3, 3]);
    assert.deepEqual(pruned.graph.initializers.get('w2')!.dims, [kept[1], kept[0], 3, 3]);
    assert.deepEqual(pruned.graph.initializers.get('fc')!.dims, [4, kept[1]]);
    const input = { dims: BATCH, data: Float32Array.from(float32Values(rng, BATCH.reduce((a, d) => a * d, 1), normal())) };
    const r = await verifyPruning(model, discovery, masks, input, { pruned, session: { threads: 1 } });
    assert.ok(r.maxAbsDiff <= 1e-5, `draw ${draw}: pruned vs gated logits differ by ${r.maxAbsDiff} (masks ${masks.map((m) => m.join('')).join(' / ')})`);
  }
});
