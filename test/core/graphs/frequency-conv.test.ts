/**
 * Convolutions computed in the frequency domain (graphs/frequency-conv) against the float64 reference conv and
 * onnxruntime's direct conv: odd and even periods, asymmetric pads, dilation, bias, non-square inputs; the pass
 * keeps tensor names, lowers only what qualifies, and the mask step's gate gradients do not change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Graph, Node, Tensor, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { lowerConvsToFrequencyDomain } from '../../../src/core/graphs/frequency-conv';
import { MICROSOFT_DOMAIN, lowerConv } from '../../../src/core/graphs/frequency-conv/lower';
import { period, planFrequencyConv } from '../../../src/core/graphs/frequency-conv/plan';
import { readModelFile } from '../../../src/core/onnx/reader';
import { GraphBuilder } from '../../support/graph-builder';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { Rng } from '../../support/random';
import { fixturePath } from '../../support/fixtures';
import { runOnnx } from '../../support/ort';
import { assertLoweredStepMatchesDirect } from '../../support/lowered-step';

interface ConvCase {
  readonly label: string;
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly pads: readonly number[];
  readonly dilations?: readonly number[];
  readonly bias?: boolean;
}

const CASES: readonly ConvCase[] = [
  { label: '7x7 same, 28x28, bias (SimpleConvNet layer)', x: [3, 6, 28, 28], w: [8, 6, 7, 7], pads: [3, 3, 3, 3], bias: true },
  { label: '3x3 same, even period', x: [2, 4, 9, 9], w: [5, 4, 3, 3], pads: [1, 1, 1, 1] },
  { label: '5x5 valid, non-square input', x: [2, 3, 11, 8], w: [4, 3, 5, 5], pads: [0, 0, 0, 0], bias: true },
  { label: 'asymmetric pads, rectangular kernel', x: [2, 3, 10, 12], w: [4, 3, 3, 5], pads: [2, 0, 1, 3] },
  { label: 'dilation 2 with padding', x: [1, 3, 13, 13], w: [2, 3, 3, 3], pads: [2, 2, 2, 2], dilations: [2, 2], bias: true },
  { label: 'kernel larger than padding allows wrap-around', x: [1, 2, 6, 6], w: [3, 2, 5, 5], pads: [4, 4, 4, 4] },
];

function convGraph(rng: Rng, c: ConvCase): { graph: Graph; feeds: Map<string, { dims: number[]; data: Float64Array }>; node: Node } {
  const b = new GraphBuilder(rng);
  const x = b.input('x', c.x);
  const w = b.weight('w', c.w);
  const inputs = c.bias ? [x, w, b.weight('b', [c.w[0]])] : [x, w];
  const attrs = { pads: intsAttr(c.pads), ...(c.dilations ? { dilations: intsAttr(c.dilations) } : {}) };
  const [y] = b.node('Conv', inputs, attrs);
  const built = b.build([y]);
  return { graph: built.graph, feeds: built.feeds as Map<string, { dims: number[]; data: Float64Array }>, node: built.graph.nodes[0] };
}

async function runGraph(graph: Graph, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  return (await runOnnx(graph, feeds, { threads: 1, extraDomains: [MICROSOFT_DOMAIN] }))[graph.outputs[0].name].data as Float32Array;
}

for (const c of CASES) {
  test(`frequency-domain conv equals the reference conv: ${c.label}`, async () => {
    const { graph, feeds, node } = convGraph(new Rng(11), c);
    const shapes = inferShapes(graph, new Map([['x', c.x]]));
    const lowered = lowerConvsToFrequencyDomain(graph, shapes, { costRatio: Infinity });
    assert.deepEqual(lowered.replaced, [node.name]);
    assert.ok(!lowered.graph.nodes.some((n) => n.opType === 'Conv'), 'no Conv left');
    const reference = evaluate(graph, feeds).get(graph.outputs[0].name)?.data as Float64Array;
    const x = feeds.get('x') as { dims: number[]; data: Float64Array };
    const ortFeeds = { x: new ort.Tensor('float32', Float32Array.from(x.data), x.dims) };
    const [direct, frequency] = [await runGraph(graph, ortFeeds), await runGraph(lowered.graph, ortFeeds)];
    const scale = Math.max(...reference.map(Math.abs));
    const err = (a: Float32Array): number => Math.max(...a.map((v, i) => Math.abs(v - reference[i]))) / scale;
    assert.equal(frequency.length, reference.length);
    assert.ok(err(frequency) <= 1e-5, `frequency-domain conv: relative error ${err(frequency)} (direct conv: ${err(direct)})`);
  });
}

test('periods are the smallest without wrap-around: one less aliases', async () => {
  // Same conv at 28x28 with 7x7 taps and padding 3: outputs 0..27 read inputs -3..30, so P = 31.
  assert.equal(period(28, 28, 7, 3), 31);
  assert.equal(period(10, 6, 5, 0), 10);
  assert.equal(period(6, 6, 9, 4), 10);
  const c = CASES[0];
  const { graph, feeds, node } = convGraph(new Rng(11), c);
  const plan = planFrequencyConv(node, c.x, c.w, [c.x[0], c.w[0], c.x[2], c.x[3]]);
  assert.ok(plan);
  assert.deepEqual(plan.periods, [31, 31]);
  const reference = evaluate(graph, feeds).get(graph.outputs[0].name)?.data as Float64Array;
  const x = feeds.get('x') as { dims: number[]; data: Float64Array };
  const shorter = { ...plan, periods: [30, 30] as const };
  const lowered = lowerConv(shorter, { prefix: 'short', x: 'x', weight: graph.initializers.get('w') as Tensor, bias: 'b', y: graph.outputs[0].name });
  const out = await runGraph({ ...graph, nodes: [...lowered.nodes], initializers: new Map([...graph.initializers, ...lowered.initializers]) }, {
    x: new ort.Tensor('float32', Float32Array.from(x.data), x.dims),
  });
  const scale = Math.max(...reference.map(Math.abs));
  const err = Math.max(...out.map((v, i) => Math.abs(v - reference[i]))) / scale;
  assert.ok(err > 1e-2, `a period one shorter should wrap around (relative error ${err})`);
});

test('the pass lowers only stride-1, ungrouped convs with constant weights, and keeps every tensor name', () => {
  const rng = new Rng(3);
  const b = new GraphBuilder(rng);
  const x = b.input('x', [2, 4, 12, 12]);
  const [a] = b.node('Conv', [x, b.weight('w1', [4, 4, 5, 5])], { pads: intsAttr([2, 2, 2, 2]) });
  const [r] = b.node('Relu', [a]);
  const [strided] = b.node('Conv', [r, b.weight('w2', [4, 4, 5, 5])], { pads: intsAttr([2, 2, 2, 2]), strides: intsAttr([2, 2]) });
  const [grouped] = b.node('Conv', [r, b.weight('w3', [4, 2, 5, 5])], { pads: intsAttr([2, 2, 2, 2]), group: intAttr(2) });
  const [fed] = b.node('Conv', [r, b.input('w4', [4, 4, 5, 5])], { pads: intsAttr([2, 2, 2, 2]) });
  const { graph } = b.build([strided, grouped, fed]);
  const shapes = inferShapes(graph, new Map([['x', [2, 4, 12, 12]], ['w4', [4, 4, 5, 5]]]));
  const result = lowerConvsToFrequencyDomain(graph, shapes, { costRatio: Infinity });
  assert.deepEqual(result.replaced, [graph.nodes[0].name]);
  assert.ok(!result.graph.initializers.has('w1'), 'the lowered conv’s weight is replaced by its spectrum');
  assert.ok(result.graph.initializers.has('w2') && result.graph.initializers.has('w3'));
  const produced = new Set(result.graph.nodes.flatMap((n) => n.outputs));
  for (const name of graph.nodes.flatMap((n) => n.outputs)) assert.ok(produced.has(name), `tensor '${name}' is still produced`);
  // At the default cost threshold a tiny conv stays direct.
  assert.deepEqual(lowerConvsToFrequencyDomain(graph, shapes).replaced, []);
});

test('planFrequencyConv refuses what it cannot lower', () => {
  const conv = (attributes: Node['attributes']): Node => ({ name: 'c', opType: 'Conv', domain: '', inputs: ['x', 'w'], outputs: ['y'], attributes });
  assert.equal(planFrequencyConv(conv({ strides: intsAttr([2, 2]) }), [1, 2, 8, 8], [2, 2, 3, 3], [1, 2, 3, 3]), undefined);
  assert.equal(planFrequencyConv(conv({ group: intAttr(2) }), [1, 2, 8, 8], [2, 1, 3, 3], [1, 2, 6, 6]), undefined);
  assert.equal(planFrequencyConv(conv({}), [1, 2, 8], [2, 2, 3], [1, 2, 6]), undefined, '1-D conv');
  assert.ok(planFrequencyConv(conv({}), [1, 2, 8, 8], [2, 2, 3, 3], [1, 2, 6, 6]));
});

test('mask step on SimpleConvNet: gate gradients with frequency-domain convs (dense and pruned-specialised) equal the direct ones', async () => {
  await assertLoweredStepMatchesDirect({
    model: readModelFile(fixturePath('simple-convnet')),
    batchSize: 6,
    pruned: (i) => i % 3 === 0,
    checkLowered: (g) => assert.equal(lowerConvsToFrequencyDomain(g.forward, g.forwardShapes).replaced.length, 3, 'convs 2–4 qualify at the default threshold'),
  });
});
