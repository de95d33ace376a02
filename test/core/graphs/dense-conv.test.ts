/**
 * Convs and ConvTransposes on small maps computed as one matrix product (graphs/dense-conv) against the float64
 * reference interpreter: strides, pads, dilation, groups, bias, output_padding, rectangular maps; the pass keeps
 * tensor names, takes only what its cost rule accepts, and ResNet-18's mask step gives the same gate gradients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Graph, Node, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { lowerConvsToDense } from '../../../src/core/graphs/dense-conv';
import { planDenseConv, worthDense } from '../../../src/core/graphs/dense-conv/plan';
import { readModelFile } from '../../../src/core/onnx/reader';
import { GraphBuilder } from '../../support/graph-builder';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { Rng } from '../../support/random';
import { fixturePath } from '../../support/fixtures';
import { runOnnx } from '../../support/ort';
import { assertLoweredStepMatchesDirect } from '../../support/lowered-step';

interface DenseCase {
  readonly label: string;
  readonly op: 'Conv' | 'ConvTranspose';
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly attrs: Node['attributes'];
  readonly bias?: boolean;
}

const CASES: readonly DenseCase[] = [
  { label: '3x3 same on 2x2, bias', op: 'Conv', x: [3, 6, 2, 2], w: [5, 6, 3, 3], attrs: { pads: intsAttr([1, 1, 1, 1]) }, bias: true },
  { label: '3x3 same on 1x1 (only the centre tap reads data)', op: 'Conv', x: [2, 8, 1, 1], w: [4, 8, 3, 3], attrs: { pads: intsAttr([1, 1, 1, 1]) } },
  { label: 'stride 2, 2x2 -> 1x1', op: 'Conv', x: [2, 4, 2, 2], w: [6, 4, 3, 3], attrs: { pads: intsAttr([1, 1, 1, 1]), strides: intsAttr([2, 2]) } },
  { label: '1x1 stride 2 (downsample)', op: 'Conv', x: [2, 4, 4, 4], w: [6, 4, 1, 1], attrs: { strides: intsAttr([2, 2]) }, bias: true },
  { label: 'rectangular map, asymmetric pads, dilation 2', op: 'Conv', x: [2, 3, 3, 5], w: [4, 3, 3, 2], attrs: { pads: intsAttr([2, 0, 1, 1]), dilations: intsAttr([2, 2]) } },
  { label: 'grouped', op: 'Conv', x: [2, 4, 3, 3], w: [6, 2, 3, 3], attrs: { pads: intsAttr([1, 1, 1, 1]), group: intAttr(2) }, bias: true },
  {
    label: 'ConvTranspose stride 2 with output_padding (a strided conv\'s input gradient)',
    op: 'ConvTranspose',
    x: [2, 6, 1, 1],
    w: [6, 4, 3, 3],
    attrs: { pads: intsAttr([1, 1, 1, 1]), strides: intsAttr([2, 2]), output_padding: intsAttr([1, 1]) },
  },
  { label: 'ConvTranspose stride 1, grouped, bias', op: 'ConvTranspose', x: [2, 4, 2, 3], w: [4, 3, 3, 3], attrs: { pads: intsAttr([1, 1, 1, 1]), group: intAttr(2) }, bias: true },
];

async function runGraph(graph: Graph, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  return (await runOnnx(graph, feeds, { threads: 1 }))[graph.outputs[0].name].data as Float32Array;
}

for (const c of CASES) {
  test(`dense conv equals the reference: ${c.label}`, async () => {
    const b = new GraphBuilder(new Rng(17));
    const x = b.input('x', c.x);
    const w = b.weight('w', c.w);
    const outChannels = c.op === 'Conv' ? c.w[0] : c.w[1] * (((c.attrs.group as { value?: number } | undefined)?.value) ?? 1);
    const [y] = b.node(c.op, c.bias ? [x, w, b.weight('b', [outChannels])] : [x, w], c.attrs);
    const { graph, feeds } = b.build([y]);
    const shapes = inferShapes(graph, new Map([['x', c.x]]));
    const lowered = lowerConvsToDense(graph, shapes, { costRatio: Infinity });
    assert.deepEqual(lowered.replaced, [graph.nodes[0].name]);
    assert.ok(!lowered.graph.nodes.some((n) => n.opType === c.op), `no ${c.op} left`);
    assert.ok(!lowered.graph.initializers.has('w'), 'the weight is replaced by the matrix');
    const reference = evaluate(graph, feeds).get(graph.outputs[0].name)?.data as Float64Array;
    const input = feeds.get('x') as { dims: number[]; data: Float64Array };
    const out = await runGraph(lowered.graph, { x: new ort.Tensor('float32', Float32Array.from(input.data), input.dims) });
    assert.equal(out.length, reference.length);
    const scale = Math.max(...reference.map(Math.abs));
    const err = Math.max(...out.map((v, i) => Math.abs(v - reference[i]))) / scale;
    assert.ok(err <= 1e-5, `relative error ${err}`);
  });
}

test('the cost rule: ResNet-18\'s convs on 2x2 and 1x1 maps are lowered, those on 4x4 and 8x8 are not', () => {
  const conv = (attributes: Node['attributes']): Node => ({ name: 'c', opType: 'Conv', domain: '', inputs: ['x', 'w'], outputs: ['y'], attributes });
  const same = conv({ pads: intsAttr([1, 1, 1, 1]) });
  const strided = conv({ pads: intsAttr([1, 1, 1, 1]), strides: intsAttr([2, 2]) });
  const worth = (node: Node, x: number[], w: number[], y: number[]): boolean => worthDense(planDenseConv(node, x, w, y)!);
  assert.equal(worth(same, [100, 512, 1, 1], [512, 512, 3, 3], [100, 512, 1, 1]), true);
  assert.equal(worth(same, [100, 256, 2, 2], [256, 256, 3, 3], [100, 256, 2, 2]), true);
  assert.equal(worth(strided, [100, 256, 2, 2], [512, 256, 3, 3], [100, 512, 1, 1]), true);
  assert.equal(worth(same, [100, 128, 4, 4], [128, 128, 3, 3], [100, 128, 4, 4]), false);
  assert.equal(worth(same, [100, 64, 8, 8], [64, 64, 3, 3], [100, 64, 8, 8]), false);
  assert.equal(planDenseConv(same, [1, 2, 8], [2, 2, 3], [1, 2, 8]), undefined, '1-D conv');
});

test('the pass keeps every tensor name and leaves convs with a weight fed at run time', () => {
  const b = new GraphBuilder(new Rng(3));
  const x = b.input('x', [2, 4, 2, 2]);
  const [a] = b.node('Conv', [x, b.weight('w1', [4, 4, 3, 3])], { pads: intsAttr([1, 1, 1, 1]) });
  const [r] = b.node('Relu', [a]);
  const [fed] = b.node('Conv', [r, b.input('w2', [4, 4, 3, 3])], { pads: intsAttr([1, 1, 1, 1]) });
  const { graph } = b.build([fed]);
  const shapes = inferShapes(graph, new Map([['x', [2, 4, 2, 2]], ['w2', [4, 4, 3, 3]]]));
  const result = lowerConvsToDense(graph, shapes);
  assert.deepEqual(result.replaced, [graph.nodes[0].name]);
  // A graph-wide budget smaller than the matrix [16, 16] keeps the conv direct.
  assert.deepEqual(lowerConvsToDense(graph, shapes, { maxTotalBytes: 16 * 16 * 4 - 1 }).replaced, []);
  assert.deepEqual(lowerConvsToDense(graph, shapes, { maxTotalBytes: 16 * 16 * 4 }).replaced, [graph.nodes[0].name]);
  const produced = new Set(result.graph.nodes.flatMap((n) => n.outputs));
  for (const name of graph.nodes.flatMap((n) => n.outputs)) assert.ok(produced.has(name), `tensor '${name}' is still produced`);
});

test('mask step on ResNet-18: gate gradients with lowered convs (dense and pruned-specialised) equal the direct ones', async () => {
  await assertLoweredStepMatchesDirect({
    model: readModelFile(fixturePath('resnet18')),
    batchSize: 4,
    pruned: (i) => i % 4 === 1,
    checkLowered: (g) => assert.ok(lowerConvsToDense(g.forward, g.forwardShapes).replaced.length >= 6, 'layer3/layer4 convs qualify'),
  });
});
