/**
 * Relu → MaxPool as MaxPool → Relu in the training graphs (graphs/pool-before-relu.ts): the same output and the
 * same weight gradient, exactly (float64 reference interpreter, with windows that are negative everywhere), and
 * the swap only where nothing else reads the Relu or the pool's indices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, intsAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { RefTensor } from '../../../src/core/ops/reference/tensor';
import { poolBeforeRelu } from '../../../src/core/graphs/pool-before-relu';
import { withMaxPoolIndices } from '../../../src/core/graphs/prepare';
import { GraphBuilder } from '../../support/graph-builder';
import { Rng, normal } from '../../support/random';

const POOL = { kernel_shape: intsAttr([3, 3]), strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]) };

function stem(rng: Rng, reluReaders: 1 | 2): { graph: Graph; feeds: ReadonlyMap<string, RefTensor>; w: string; y: string } {
  const b = new GraphBuilder(rng);
  const x = b.input('x', [2, 2, 8, 8]);
  // Negative bias: many windows are ≤ 0 everywhere, where Relu's ties at 0 would move the pool's arg-max.
  const w = b.input('w', [3, 2, 3, 3], normal(0.5));
  const conv = b.op('Conv', [x, w, b.weight('bias', [3], () => [-1, -0.5, -2])], { pads: intsAttr([1, 1, 1, 1]) });
  const relu = b.op('Relu', [conv]);
  const pooled = b.op('MaxPool', [relu], POOL);
  const out = reluReaders === 1 ? pooled : b.op('Add', [b.op('GlobalAveragePool', [relu]), b.op('GlobalAveragePool', [pooled])]);
  const built = b.build([out]);
  return { graph: built.graph, feeds: built.feeds, w, y: out };
}

function outputAndGradient(graph: Graph, feeds: ReadonlyMap<string, RefTensor>, w: string, y: string): [Float64Array, Float64Array] {
  const forward = { ...graph, nodes: withMaxPoolIndices(graph.nodes) };
  const shapes = inferShapes(forward, new Map([...feeds].map(([name, t]) => [name, t.dims])));
  const values = evaluate(forward, feeds);
  const backward = buildBackward({ forward, shapes, seeds: [y], targets: [w] });
  const upstream = values.get(y) as RefTensor;
  const backwardFeeds = new Map<string, RefTensor>([[backward.seedInputs.get(y) as string, { dims: upstream.dims, data: upstream.data.map((_, i) => Math.cos(i)) }]]);
  for (const name of [...backward.savedInputs, ...backward.savedIntermediates]) backwardFeeds.set(name, (values.get(name) ?? feeds.get(name)) as RefTensor);
  const grads = evaluate(backward.graph, backwardFeeds);
  return [Float64Array.from(upstream.data), Float64Array.from((grads.get(backward.gradOutputs.get(w) as string) as RefTensor).data)];
}

test('MaxPool before Relu: the same output and weight gradient, bit for bit, with all-negative windows', () => {
  const { graph, feeds, w, y } = stem(new Rng(8), 1);
  const swapped = poolBeforeRelu(graph);
  assert.deepEqual(swapped.nodes.map((n) => n.opType), ['Conv', 'MaxPool', 'Relu']);
  assert.ok(graph.nodes.length === 3);
  const [out, grad] = outputAndGradient(graph, feeds, w, y);
  const [swappedOut, swappedGrad] = outputAndGradient(swapped, feeds, w, y);
  assert.ok(out.some((v) => v === 0) && out.some((v) => v > 0), 'some pooled windows are ≤ 0 everywhere, some are not');
  assert.deepEqual(swappedOut, out);
  assert.deepEqual(swappedGrad, grad);
  assert.ok(grad.some((v) => v !== 0));
});

test('a Relu that something else reads, or a pool whose indices are an output, stays as it is', () => {
  const { graph } = stem(new Rng(8), 2);
  assert.equal(poolBeforeRelu(graph), graph);
  const single = stem(new Rng(8), 1).graph;
  const withIndices = withMaxPoolIndices(single.nodes);
  assert.deepEqual(poolBeforeRelu({ ...single, nodes: withIndices }).nodes, withIndices);
});
