/**
 * Training-mode batch normalisation (graphs/batchnorm-training.ts): the decomposed graph normalises with the
 * batch's statistics (checked against a float64 computation), exposes them, is differentiated correctly (finite
 * differences through the whole decomposition, for x, scale and bias), and the running statistics follow
 * PyTorch's update; `bise train`'s loop keeps them in the exported model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floatAttr, Graph } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { updateRunningStatistics, withBatchStatistics } from '../../../src/core/graphs/batchnorm-training';
import { GraphBuilder } from '../../support/graph-builder';
import { gradCheckDraws } from '../../support/gradcheck';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { RefTensor } from '../../../src/core/ops/reference/tensor';
import { Rng, normal, uniform } from '../../support/random';

function batchNormGraph(rng: Rng, dims: readonly number[], epsilon?: number): { graph: Graph; feeds: ReadonlyMap<string, RefTensor>; x: string; scale: string; bias: string; y: string } {
  const b = new GraphBuilder(rng);
  const c = [dims[1]];
  const x = b.input('x', dims, normal(2));
  const scale = b.input('scale', c, uniform(0.5, 1.5));
  const bias = b.input('bias', c);
  const y = b.op('BatchNormalization', [x, scale, bias, b.weight('running_mean', c), b.weight('running_var', c, uniform(0.5, 1.5))], epsilon ? { epsilon: floatAttr(epsilon) } : {});
  const built = b.build([y]);
  return { graph: built.graph, feeds: built.feeds, x, scale, bias, y };
}

for (const dims of [[4, 3, 5, 2], [6, 4], [3, 2, 7]]) {
  test(`training-mode batch norm on [${dims}] normalises with the batch's statistics`, () => {
    const rng = new Rng(7);
    const { graph, feeds, x, scale, bias, y } = batchNormGraph(rng, dims, 1e-3);
    const shapes = inferShapes(graph, new Map(graph.inputs.map((v) => [v.name, v.shape as number[]])));
    const { graph: training, statistics } = withBatchStatistics(graph, shapes);
    assert.equal(statistics.length, 1);
    assert.ok(!training.nodes.some((n) => n.opType === 'BatchNormalization'));
    const values = evaluate(training, feeds);
    const [n, c] = dims;
    const inner = dims.slice(2).reduce((a, v) => a * v, 1);
    const xs = (feeds.get(x) as RefTensor).data;
    const [g, beta] = [(feeds.get(scale) as RefTensor).data, (feeds.get(bias) as RefTensor).data];
    const out = (values.get(y) as RefTensor).data;
    const mean = (values.get(statistics[0].mean) as RefTensor).data;
    const variance = (values.get(statistics[0].variance) as RefTensor).data;
    assert.equal(statistics[0].count, n * inner);
    for (let ch = 0; ch < c; ch++) {
      const at = (i: number, k: number): number => (i * c + ch) * inner + k;
      let m = 0;
      for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) m += xs[at(i, k)];
      m /= n * inner;
      let v = 0;
      for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) v += (xs[at(i, k)] - m) ** 2;
      v /= n * inner;
      assert.ok(Math.abs(mean[ch] - m) < 1e-9 && Math.abs(variance[ch] - v) < 1e-9, `channel ${ch}: statistics`);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < inner; k++) {
          const expected = ((xs[at(i, k)] - m) / Math.sqrt(v + 1e-3)) * g[ch] + beta[ch];
          assert.ok(Math.abs(out[at(i, k)] - expected) < 1e-6, `channel ${ch}, sample ${i}: ${out[at(i, k)]} vs ${expected}`);
        }
      }
    }
  });
}

test('training-mode batch norm: gradients of x, scale and bias through the batch statistics', async () => {
  await gradCheckDraws('BatchNormalization (training mode)', 6, (rng) => {
    const dims = rng.bool() ? [rng.int(2, 4), rng.int(1, 3), rng.int(1, 3), rng.int(1, 3)] : [rng.int(3, 6), rng.int(1, 4)];
    const { graph, feeds, x, scale, bias, y } = batchNormGraph(rng, dims);
    const shapes = inferShapes(graph, new Map(graph.inputs.map((v) => [v.name, v.shape as number[]])));
    const training = withBatchStatistics(graph, shapes).graph;
    return { built: { graph: { ...training, outputs: [graph.outputs[0]] }, feeds }, seeds: [y], targets: [x, scale, bias], describe: `x=[${dims}]` };
  });
});

test('running statistics follow PyTorch: momentum as in ONNX, unbiased variance', () => {
  const running = { mean: Float32Array.of(0, 1), variance: Float32Array.of(1, 2) };
  updateRunningStatistics(running, { mean: Float32Array.of(2, -1), variance: Float32Array.of(3, 0.5) }, 0.9, 4);
  const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6;
  assert.ok(close(running.mean[0], 0.2) && close(running.mean[1], 0.8));
  assert.ok(close(running.variance[0], 0.9 + 0.1 * 3 * (4 / 3)), `variance ${running.variance[0]}`);
  assert.ok(close(running.variance[1], 1.8 + 0.1 * 0.5 * (4 / 3)));
});
