/**
 * A boolean tensor computed on the gated path and read by the backward graph: ReLU written as
 * Where(Greater(h, 0), h, 0) makes the backward keep the Greater output (a bool). The forward graphs must declare
 * it as bool (onnxruntime refuses a session whose outputs are declared float32 but computed as bool) and the
 * runner must not hand onnxruntime a float32 buffer for it. Gradients must equal those of the same net with Relu.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { DifferentiableRunner } from '../../../src/core/runtime/differentiable-runner';
import { buildTrainingGraphs } from '../../../src/core/graphs/training-graphs';
import { GraphBuilder } from '../prune/ir-builder';

const k3 = { kernel_shape: intsAttr([3, 3]), pads: intsAttr([1, 1, 1, 1]) };

/** Conv → relu (as Relu, or as Where(h > 0, h, 0)) → Conv → relu → GlobalAveragePool → Flatten → Gemm. */
function net(whereRelu: boolean): Model {
  const b = new GraphBuilder(7);
  const x = b.input('x', ['batch', 2, 5, 5]);
  const zero = b.weight('zero', [], [0]);
  const relu = (t: string, name: string): string =>
    whereRelu ? b.node('Where', [b.node('Greater', [t, zero], {}, `${name}_positive`), t, zero], {}, name) : b.node('Relu', [t], {}, name);
  const h1 = relu(b.node('Conv', [x, b.weight('w1', [4, 2, 3, 3]), b.weight('b1', [4])], k3, 'conv1'), 'act1');
  const h2 = relu(b.node('Conv', [h1, b.weight('w2', [3, 4, 3, 3]), b.weight('b2', [3])], k3, 'conv2'), 'act2');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [h2])], { axis: intAttr(1) });
  return b.model(b.node('Gemm', [z, b.weight('fc', [2, 3]), b.weight('fcb', [2])], { transB: intAttr(1) }, 'fc'));
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-5 * (1 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('gate gradients through Where(Greater(h, 0), h, 0): the kept boolean is declared bool and the step runs', async () => {
  const batch = new GraphBuilder(3).batch([2, 2, 5, 5]);
  const results: { logits: Float32Array; grads: Float32Array[] }[] = [];
  for (const whereRelu of [true, false]) {
    const runner = await GateGradientRunner.create(net(whereRelu), { batchSize: 2, sharing: 'group' });
    try {
      if (whereRelu) {
        const kept = runner.graphs.forward.outputs.filter((o) => o.dtype === 'bool').map((o) => o.name);
        assert.ok(kept.length > 0, 'the backward keeps a boolean forward tensor');
      }
      const gates = runner.graphs.gates.map((g) => Float32Array.from({ length: g.channels }, (_, i) => 0.5 + 0.1 * i));
      const fwd = await runner.forward(batch.data, gates);
      const logits = Float32Array.from(fwd.logits);
      const dLogits = Float32Array.from(logits, (_, i) => (i % 2 === 0 ? 1 : -0.5));
      const grads = await runner.backward(fwd, dLogits, new Float32Array(fwd.z.length).fill(0.25));
      results.push({ logits, grads });
    } finally {
      await runner.release();
    }
  }
  close(results[0].logits, results[1].logits, 'logits');
  results[1].grads.forEach((g, k) => close(results[0].grads[k], g, `gate ${k}`));
});

test('weight training through Where(Greater(h, 0), h, 0) runs and matches Relu', async () => {
  const batch = new GraphBuilder(5).batch([2, 2, 5, 5]);
  const results: { logits: Float32Array; grads: Float32Array[] }[] = [];
  for (const whereRelu of [true, false]) {
    const model = net(whereRelu);
    const graphs = buildTrainingGraphs(model, 2, undefined, 'frozen', { denseConvs: false });
    const runner = await DifferentiableRunner.create(model, graphs);
    try {
      const inputs: Record<string, Float32Array> = { [graphs.input]: batch.data };
      for (const p of graphs.parameters) inputs[p] = Float32Array.from(model.graph.initializers.get(p)?.data as Float32Array);
      const fwd = await runner.forward(inputs);
      const logits = Float32Array.from(fwd.outputs[graphs.logits]);
      const grads = await runner.backward(fwd, { [graphs.logits]: Float32Array.from(logits, (_, i) => (i % 3) - 1) });
      results.push({ logits, grads });
    } finally {
      await runner.release();
    }
  }
  close(results[0].logits, results[1].logits, 'logits');
  results[1].grads.forEach((g, k) => close(results[0].grads[k], g, `parameter ${k}`));
});
