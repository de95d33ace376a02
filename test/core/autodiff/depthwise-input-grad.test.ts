/**
 * The input gradient of strided depthwise convs as per-channel matrices (src/core/ops/depthwise-input-grad.ts):
 * finite differences of the float64 reference and onnxruntime float32 against float64 on the geometries that
 * stress the matrix (strides 2 and 3, kernels 1/3/5, asymmetric pads, dilation, odd sizes whose last rows no
 * output reads, 1-D and 3-D), onnxruntime against its own ConvTranspose on a MobileNetV2-sized conv, and which
 * convs the rule gives the form.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Graph, intAttr, intsAttr, makeTensor } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { windowGeometry } from '../../../src/core/onnx/conv-geometry';
import { ConvShapes, MAX_DEPTHWISE_DENSE_POSITIONS, depthwiseDenseApplies, depthwiseInputGrad } from '../../../src/core/ops/depthwise-input-grad';
import { GraphBuilder } from '../../support/graph-builder';
import { assertClose, backwardOps, gradCheckDraws } from '../../support/gradcheck';
import { runOnnx } from '../../support/ort';
import { Rng } from '../../support/random';

interface Geometry {
  readonly size: number[];
  readonly kernel: number[];
  readonly strides: number[];
  readonly pads: number[];
  readonly dilations?: number[];
}

const GEOMETRIES: Record<string, Geometry> = {
  'MobileNetV2 3×3 s2 (even size: output_padding 1)': { size: [6, 6], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
  '5×5 s2 on an odd size': { size: [7, 5], kernel: [5, 5], strides: [2, 2], pads: [2, 2, 2, 2] },
  '3×3 s3, asymmetric pads': { size: [7, 8], kernel: [3, 3], strides: [3, 3], pads: [0, 2, 1, 0] },
  '1×1 s2: the last row and column read by no output': { size: [5, 6], kernel: [1, 1], strides: [2, 2], pads: [0, 0, 0, 0] },
  '3×3 s2 dilation 2, mixed pads': { size: [8, 7], kernel: [3, 3], strides: [2, 3], pads: [2, 1, 0, 2], dilations: [2, 1] },
  '1-D 3 s2': { size: [9], kernel: [3], strides: [2], pads: [1, 0] },
  '3-D 3×1×3 s2': { size: [4, 3, 5], kernel: [3, 1, 3], strides: [2, 1, 2], pads: [1, 0, 0, 1, 0, 1] },
};

function depthwiseCase(rng: Rng, g: Geometry, channels: number, constantWeight = true) {
  const b = new GraphBuilder(rng);
  const x = b.input('x', [2, channels, ...g.size]);
  const w = b.tensor('w', [channels, 1, ...g.kernel], constantWeight);
  const y = b.op('Conv', [x, w], {
    group: intAttr(channels),
    kernel_shape: intsAttr(g.kernel),
    strides: intsAttr(g.strides),
    pads: intsAttr(g.pads),
    dilations: intsAttr(g.dilations ?? g.kernel.map(() => 1)),
  });
  return { built: b.build([y]), seeds: [y], targets: [x] };
}

test('depthwise strided Conv: dX as per-channel matrices matches finite differences and float64 in onnxruntime', async () => {
  for (const [name, g] of Object.entries(GEOMETRIES)) {
    const [result] = await gradCheckDraws(`depthwise dX ${name}`, 1, (rng) => depthwiseCase(rng, g, 3));
    const ops = backwardOps(result);
    assert.ok(ops.includes('MatMul') && !ops.includes('ConvTranspose'), `${name}: ops ${ops.join(', ')}`);
  }
});

function backwardOpsOf(built: { graph: Graph }, seeds: readonly string[]): string[] {
  const backward = buildBackward({ forward: built.graph, shapes: inferShapes(built.graph), seeds, targets: ['x'] });
  return backward.graph.nodes.map((n) => n.opType);
}

test('depthwise strided Conv: larger maps, fed weights, grouped convs and BISE_STRIDED_DX=conv-transpose keep the ConvTranspose', () => {
  const rng = new Rng(3);
  const mobile = GEOMETRIES['MobileNetV2 3×3 s2 (even size: output_padding 1)'];
  const side = Math.ceil(Math.sqrt(MAX_DEPTHWISE_DENSE_POSITIONS)) + 1;
  const large = depthwiseCase(rng, { ...mobile, size: [side, side] }, 2);
  assert.ok(backwardOpsOf(large.built, large.seeds).includes('ConvTranspose'), 'a map above the limit');
  const atLimit = depthwiseCase(rng, { ...mobile, size: [16, 16] }, 2);
  assert.ok(!backwardOpsOf(atLimit.built, atLimit.seeds).includes('ConvTranspose'), '16×16 (MobileNetV2 at 32×32) is within it');
  const fed = depthwiseCase(rng, mobile, 2, false);
  assert.ok(backwardOpsOf(fed.built, fed.seeds).includes('ConvTranspose'), 'a fed weight');
  const b = new GraphBuilder(rng);
  const grouped = b.op('Conv', [b.input('x', [1, 4, 6, 6]), b.weight('w', [4, 2, 3, 3])], { group: intAttr(2), strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]) });
  assert.ok(backwardOpsOf(b.build([grouped]), [grouped]).includes('ConvTranspose'), 'two channels per group');
  const constant = depthwiseCase(rng, mobile, 2);
  process.env.BISE_STRIDED_DX = 'conv-transpose';
  try {
    assert.ok(backwardOpsOf(constant.built, constant.seeds).includes('ConvTranspose'), 'the switch for benchmarks');
  } finally {
    delete process.env.BISE_STRIDED_DX;
  }
});

test("depthwise strided Conv: onnxruntime's per-channel matrices equal its ConvTranspose on MobileNetV2's 144-channel 8×8 conv", async () => {
  const rng = new Rng(11);
  const [n, c, h] = [4, 144, 8];
  const node = { name: 'dw', opType: 'Conv', domain: '', inputs: [], outputs: [], attributes: { strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]) } };
  const shapes: ConvShapes = { x: [n, c, h, h], w: [c, 1, 3, 3], y: [n, c, h / 2, h / 2], group: c, geom: windowGeometry(node, [h, h], [3, 3]) };
  assert.ok(depthwiseDenseApplies(shapes));
  const weight = makeTensor('float32', shapes.w, Float32Array.from({ length: c * 9 }, () => rng.normal()));
  const nodes: Graph['nodes'][number][] = [];
  const initializers = new Map([['w', weight]]);
  let id = 0;
  const ops = {
    op: (opType: string, inputs: readonly string[], attributes = {}) => {
      const out = `${opType}_${id++}`;
      nodes.push({ name: out, opType, domain: '', inputs: [...inputs], outputs: [out], attributes });
      return out;
    },
    addConstant: (hint: string, value: typeof weight) => {
      initializers.set(`${hint}_${id++}`, value);
      return `${hint}_${id - 1}`;
    },
  };
  const dense = depthwiseInputGrad(ops, shapes, 'dy', weight);
  const transposed = ops.op('ConvTranspose', ['dy', 'w'], { group: intAttr(c), strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 1]), output_padding: intsAttr([1, 1]) });
  const info = (name: string, dims: readonly number[]) => ({ name, dtype: 'float32' as const, shape: [...dims] });
  const graph: Graph = { name: 'dx', nodes, inputs: [info('dy', shapes.y)], outputs: [info(dense, shapes.x), info(transposed, shapes.x)], initializers, valueInfo: new Map() };
  const dy = new ort.Tensor('float32', Float32Array.from({ length: n * c * (h / 2) ** 2 }, () => rng.normal()), shapes.y);
  const out = await runOnnx(graph, { dy }, { threads: 2 });
  assertClose(out[dense].data as Float32Array, out[transposed].data as Float32Array, 1e-6, 'per-channel matrices vs ConvTranspose');
});
