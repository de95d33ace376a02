/**
 * maxpool-gate-gather.ts: the gate gradient through a MaxPool's scatter, rewritten as a Gather, gives the same sums
 * in onnxruntime (overlapping windows, so picked positions repeat); patterns it must not touch stay; and the step
 * graphs of a real ResNet export carry the Gather, not the scatter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Graph, Node, int64Tensor } from '../../../src/core/onnx/ir';
import { maxPoolGateGather, maxPoolGatherFromOutput } from '../../../src/core/graphs/maxpool-gate-gather';
import { buildGateGradientGraphs } from '../../../src/core/graphs/gate-gradient-graphs';
import { readModelFile } from '../../../src/core/onnx/reader';
import { runOnnx } from '../../support/ort';
import { zooModelPath } from '../../support/zoo';

const X = [2, 3, 9, 9];
const Y = [2, 3, 4, 4];
const node = (opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = {}): Node => ({ name: outputs[0], opType, domain: '', inputs, outputs, attributes });

/** MaxPool (3×3, stride 2: windows overlap) of x, then its dX scatter, times `h`, summed over `axes`. */
function scatterGraph(o: { axes: number[]; keepdims: number; hShape?: number[]; extraReader?: boolean }): Graph {
  const total = X.reduce((a, b) => a * b, 1);
  const nodes: Node[] = [
    node('MaxPool', ['x'], ['y', 'idx'], { kernel_shape: { type: 'ints', value: [3, 3] }, strides: { type: 'ints', value: [2, 2] } }),
    node('Reshape', ['idx', 'flat'], ['flat_idx']),
    node('Reshape', ['dy', 'flat'], ['flat_dy']),
    node('ConstantOfShape', ['size'], ['zeros']),
    node('ScatterElements', ['zeros', 'flat_idx', 'flat_dy'], ['scattered'], { axis: { type: 'int', value: 0 }, reduction: { type: 'string', value: 'add' } }),
    node('Reshape', ['scattered', 'x_shape'], ['dx']),
    node('Mul', ['dx', 'h'], ['product']),
    node('ReduceSum', ['product', 'axes'], ['gate_grad'], { keepdims: { type: 'int', value: o.keepdims } }),
  ];
  const outputs = [{ name: 'gate_grad', dtype: 'float32' as const, shape: null }];
  if (o.extraReader) outputs.push({ name: 'dx', dtype: 'float32', shape: null });
  return {
    name: 'g',
    nodes,
    inputs: [
      { name: 'x', dtype: 'float32', shape: X },
      { name: 'dy', dtype: 'float32', shape: Y },
      { name: 'h', dtype: 'float32', shape: o.hShape ?? X },
    ],
    outputs,
    initializers: new Map([
      ['flat', int64Tensor([1], [-1])],
      ['size', int64Tensor([1], [total])],
      ['x_shape', int64Tensor([4], X)],
      ['axes', int64Tensor([o.axes.length], o.axes)],
    ]),
    valueInfo: new Map(),
  };
}

function feeds(hShape: number[] = X): Record<string, ort.Tensor> {
  const filled = (dims: number[], f: (i: number) => number): ort.Tensor => new ort.Tensor('float32', Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => f(i)), dims);
  // Few distinct values: windows tie, so the first-arg-max rule and repeated positions are exercised.
  return { x: filled(X, (i) => Math.round(Math.sin(i * 1.3) * 3)), dy: filled(Y, (i) => Math.cos(i * 0.7)), h: filled(hShape, (i) => Math.sin(i * 0.31) + 0.5) };
}

const shapes = (hShape: number[] = X) => (name: string) => (name === 'h' ? hShape : name === 'x' ? X : undefined);

for (const [axes, keepdims] of [[[0, 2, 3], 1], [[0, 2, 3], 0], [[2, 3], 1], [[-2, -1, 0], 1]] as const) {
  test(`the Gather form gives the scatter form's gate gradient (axes ${axes.join(',')}, keepdims ${keepdims})`, async () => {
    const before = scatterGraph({ axes: [...axes], keepdims });
    const after = maxPoolGateGather(before, shapes());
    assert.ok(!after.nodes.some((n) => n.opType === 'ScatterElements'), 'the scatter is gone');
    assert.ok(after.nodes.some((n) => n.opType === 'Gather'));
    const [a, b] = [await runOnnx(before, feeds()), await runOnnx(after, feeds())];
    assert.deepEqual(b.gate_grad.dims, a.gate_grad.dims);
    const [x, y] = [a.gate_grad.data as Float32Array, b.gate_grad.data as Float32Array];
    const scale = Math.max(...Array.from(x, Math.abs));
    assert.ok(scale > 0.1);
    x.forEach((v, i) => assert.ok(Math.abs(v - y[i]) <= 1e-6 * scale, `entry ${i}: ${v} vs ${y[i]}`));
  });
}

test('left alone: a broadcast activation, a dX read elsewhere, a reduction that keeps a spatial axis', () => {
  for (const g of [
    scatterGraph({ axes: [0, 2, 3], keepdims: 1, hShape: [1, 3, 1, 1] }),
    scatterGraph({ axes: [0, 2, 3], keepdims: 1, extraReader: true }),
    scatterGraph({ axes: [0, 2], keepdims: 1 }),
  ]) {
    const shapeOf = shapes(g.inputs[2].shape as number[]);
    assert.equal(maxPoolGateGather(g, shapeOf), g);
  }
});

test("a torchvision ResNet's step graph gathers at its stem pool instead of scattering", () => {
  const model = readModelFile(zooModelPath('resnet-op17'));
  const graphs = buildGateGradientGraphs(model, { batchSize: 2 });
  const ops = graphs.backward.graph.nodes.map((n) => n.opType);
  assert.ok(!ops.includes('ScatterElements'));
  assert.ok(graphs.backward.graph.nodes.some((n) => n.opType === 'Gather' && n.name.includes('::gather')));
});

test("a Gather of a MaxPool's own input at its indices becomes its output, and the unread indices output goes", async () => {
  const g: Graph = {
    name: 'g',
    nodes: [
      node('MaxPool', ['x'], ['y', 'idx'], { kernel_shape: { type: 'ints', value: [3, 3] }, strides: { type: 'ints', value: [2, 2] }, pads: { type: 'ints', value: [1, 1, 1, 1] } }),
      node('Reshape', ['x', 'flat'], ['flat_x']),
      node('Reshape', ['idx', 'flat'], ['flat_idx']),
      node('Gather', ['flat_x', 'flat_idx'], ['picked'], { axis: { type: 'int', value: 0 } }),
      node('Mul', ['picked', 'flat_dy'], ['product']),
      node('Reshape', ['dy', 'flat'], ['flat_dy']),
    ],
    inputs: [
      { name: 'x', dtype: 'float32', shape: X },
      { name: 'dy', dtype: 'float32', shape: [2, 3, 5, 5] },
    ],
    outputs: [{ name: 'product', dtype: 'float32', shape: null }],
    initializers: new Map([['flat', int64Tensor([1], [-1])]]),
    valueInfo: new Map(),
  };
  // Reshape of dy after its reader: order does not matter to the rewrite; keep the graph topologically sorted for onnxruntime.
  const sorted: Graph = { ...g, nodes: [g.nodes[0], g.nodes[1], g.nodes[2], g.nodes[3], g.nodes[5], g.nodes[4]] };
  const after = maxPoolGatherFromOutput(sorted);
  assert.ok(!after.nodes.some((n) => n.opType === 'Gather'));
  const pool = after.nodes.find((n) => n.opType === 'MaxPool');
  assert.deepEqual(pool?.outputs, ['y'], 'the indices output is dropped');
  const f = feeds();
  const dy = new ort.Tensor('float32', Float32Array.from({ length: 150 }, (_, i) => Math.cos(i)), [2, 3, 5, 5]);
  const [a, b] = [await runOnnx(sorted, { x: f.x, dy }), await runOnnx(after, { x: f.x, dy })];
  assert.deepEqual(Array.from(b.product.data as Float32Array), Array.from(a.product.data as Float32Array));
  // A Gather at another tensor's indices (the gate's Mul between the activation and the pool) stays.
  const gated: Graph = { ...sorted, nodes: sorted.nodes.map((n) => (n.opType === 'MaxPool' ? { ...n, inputs: ['x_gated'] } : n)).concat([]), inputs: [...sorted.inputs, { name: 'x_gated', dtype: 'float32', shape: X }] };
  assert.equal(maxPoolGatherFromOutput(gated), gated);
});
