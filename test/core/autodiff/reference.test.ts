/**
 * The float64 reference interpreter against onnxruntime (float32), op by op on random configurations, so the
 * gradient checks that lean on it can be trusted. Inputs are float32-exact, so only float32 rounding differs.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Attribute, floatAttr, intAttr, intsAttr, makeTensor, stringAttr } from '../../../src/core/onnx/ir';
import { SUPPORTED_OPS } from '../../../src/core/onnx/shape-inference';
import { opDefinition } from '../../../src/core/ops/registry';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { BuiltGraph, GraphBuilder } from '../../support/graph-builder';
import { assertClose } from '../../support/gradcheck';
import { fromOrt, runOnnx, toOrtFloat32 } from '../../support/ort';
import { Rng, awayFrom, distinct, seedFor, uniform } from '../../support/random';
import { randomBatchPair, randomBroadcastPair, randomConv, randomConvTranspose, randomPool, randomShape } from '../../support/random-ops';

const TOLERANCE = 1e-5;
const DRAWS = 6;

interface RefCase {
  readonly built: BuiltGraph;
  readonly describe: string;
}

async function compareWithOnnxRuntime(label: string, { built, describe }: RefCase): Promise<void> {
  const ours = evaluate(built.graph, built.feeds);
  const feeds = Object.fromEntries(built.graph.inputs.map((v) => [v.name, toOrtFloat32(built.feeds.get(v.name)!)]));
  const theirs = await runOnnx(built.graph, feeds);
  for (const out of built.graph.outputs) {
    const expected = fromOrt(theirs[out.name]);
    const got = ours.get(out.name)!;
    assert.deepEqual(got.dims, expected.dims, `${label} (${describe}): shape of '${out.name}'`);
    assertClose(got.data, expected.data, TOLERANCE, `${label} (${describe}): '${out.name}'`);
  }
}

function refTest(op: string, make: (rng: Rng, b: GraphBuilder) => { outputs: string[]; int64Outputs?: string[]; describe?: string }): void {
  test(`reference ${op} matches onnxruntime`, async () => {
    for (let draw = 0; draw < DRAWS; draw++) {
      const seed = seedFor(`reference ${op}`, draw);
      const rng = new Rng(seed);
      const b = new GraphBuilder(rng);
      const { outputs, int64Outputs = [], describe = '' } = make(rng, b);
      await compareWithOnnxRuntime(`${op} draw ${draw} (seed ${seed})`, { built: b.build(outputs, int64Outputs), describe });
    }
  });
}

test('the interpreter implements every op shape inference supports', () => {
  const missing = SUPPORTED_OPS.filter((op) => !opDefinition(op));
  assert.deepEqual(missing, []);
});

refTest('Conv', (rng, b) => {
  const c = randomConv(rng);
  const inputs = [b.input('x', c.x), b.weight('w', c.w), ...(c.bias ? [b.weight('b', [c.bias])] : [])];
  return { outputs: [b.op('Conv', inputs, c.attrs)], describe: c.describe };
});

refTest('ConvTranspose', (rng, b) => {
  const c = randomConvTranspose(rng);
  const inputs = [b.input('x', c.x), b.weight('w', c.w), ...(c.bias ? [b.weight('b', [c.bias])] : [])];
  return { outputs: [b.op('ConvTranspose', inputs, c.attrs)], describe: c.describe };
});

refTest('MaxPool', (rng, b) => {
  const c = randomPool(rng, 'MaxPool');
  const [y, indices] = b.node('MaxPool', [b.input('x', c.x, distinct())], c.attrs, 2);
  return { outputs: [y], int64Outputs: [indices], describe: c.describe };
});

refTest('AveragePool', (rng, b) => {
  const c = randomPool(rng, 'AveragePool');
  return { outputs: [b.op('AveragePool', [b.input('x', c.x)], c.attrs)], describe: c.describe };
});

refTest('GlobalAveragePool', (rng, b) => ({ outputs: [b.op('GlobalAveragePool', [b.input('x', randomShape(rng, rng.int(3, 5)))])] }));

refTest('Gemm', (rng, b) => {
  const [m, k, n] = randomShape(rng, 3);
  const transA = rng.int(0, 1);
  const transB = rng.int(0, 1);
  const cShape = rng.pick([[n], [m, n], [1, n], [m, 1], []]);
  const attrs: Record<string, Attribute> = { transA: intAttr(transA), transB: intAttr(transB), alpha: floatAttr(Math.fround(rng.uniform(-2, 2))), beta: floatAttr(Math.fround(rng.uniform(-2, 2))) };
  const a = b.input('a', transA ? [k, m] : [m, k]);
  const w = b.weight('b', transB ? [n, k] : [k, n]);
  return { outputs: [b.op('Gemm', [a, w, b.weight('c', cShape)], attrs)], describe: `m=${m} k=${k} n=${n} c=[${cShape}]` };
});

refTest('MatMul', (rng, b) => {
  const [batchA, batchB] = randomBatchPair(rng);
  const [m, k, n] = randomShape(rng, 3);
  return { outputs: [b.op('MatMul', [b.input('a', [...batchA, m, k]), b.input('b', [...batchB, k, n])])], describe: `a=[${batchA},${m},${k}] b=[${batchB},${k},${n}]` };
});

refTest('Softmax', (rng, b) => {
  const rank = rng.int(1, 4);
  const axis = rng.int(-rank, rank - 1);
  return { outputs: [b.op('Softmax', [b.input('x', randomShape(rng, rank))], { axis: intAttr(axis) })], describe: `axis=${axis}` };
});

refTest('BatchNormalization', (rng, b) => {
  const x = randomShape(rng, rng.int(2, 4));
  const c = [x[1]];
  const inputs = [b.input('x', x), b.weight('scale', c), b.weight('bias', c), b.weight('mean', c), b.weight('var', c, uniform(0.5, 1.5))];
  return { outputs: [b.op('BatchNormalization', inputs, { epsilon: floatAttr(Math.fround(rng.uniform(1e-5, 1e-2))) })] };
});

for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Sum']) {
  refTest(op, (rng, b) => {
    const [sa, sb] = randomBroadcastPair(rng);
    return { outputs: [b.op(op, [b.input('a', sa), b.input('b', sb, awayFrom([0], 0.3))])], describe: `[${sa}] ${op} [${sb}]` };
  });
}

for (const op of ['Relu', 'Sigmoid', 'Tanh', 'Exp', 'Neg', 'Identity']) {
  refTest(op, (rng, b) => ({ outputs: [b.op(op, [b.input('x', randomShape(rng, rng.int(1, 4)))])] }));
}

refTest('LeakyRelu', (rng, b) => ({ outputs: [b.op('LeakyRelu', [b.input('x', randomShape(rng, 3))], { alpha: floatAttr(Math.fround(rng.uniform(-1, 1))) })] }));

refTest('Clip', (rng, b) => {
  const lo = rng.bool() ? b.weight('lo', [], uniform(-1, 0)) : '';
  const hi = rng.bool() ? b.weight('hi', [], uniform(0, 1)) : '';
  return { outputs: [b.op('Clip', [b.input('x', randomShape(rng, 3)), lo, hi])], describe: `min=${lo !== ''} max=${hi !== ''}` };
});

refTest('Where Greater Less And', (rng, b) => {
  const [sa, sb] = randomBroadcastPair(rng);
  const a = b.input('a', sa);
  const c = b.input('b', sb);
  const both = b.op('And', [b.op('Greater', [a, c]), b.op('Less', [a, b.weight('one', [], uniform(0, 1))])]);
  return { outputs: [b.op('Where', [both, a, c])], describe: `[${sa}] vs [${sb}]` };
});

refTest('Dropout', (rng, b) => {
  const inputs = [b.input('x', randomShape(rng, 3)), b.weight('ratio', [], uniform(0.1, 0.9)), b.bool('training', false)];
  return { outputs: b.node('Dropout', inputs, {}, 2).slice(0, 1) };
});

refTest('Flatten', (rng, b) => {
  const rank = rng.int(1, 4);
  const axis = rng.int(-rank, rank);
  return { outputs: [b.op('Flatten', [b.input('x', randomShape(rng, rank))], { axis: intAttr(axis) })], describe: `axis=${axis}` };
});

refTest('Reshape', (rng, b) => {
  const x = randomShape(rng, 3);
  const target = [x[0], -1, ...(rng.bool() ? [1] : [])].map((d, i) => (i === 0 && rng.bool() ? 0 : d));
  return { outputs: [b.op('Reshape', [b.input('x', x), b.ints('shape', target)])], describe: `[${x}] -> [${target}]` };
});

refTest('Transpose', (rng, b) => {
  const rank = rng.int(1, 4);
  const perm = rng.shuffle(Array.from({ length: rank }, (_, i) => i));
  return { outputs: [b.op('Transpose', [b.input('x', randomShape(rng, rank))], rng.bool() ? { perm: intsAttr(perm) } : {})] };
});

refTest('Expand', (rng, b) => {
  const [sa, sb] = randomBroadcastPair(rng);
  return { outputs: [b.op('Expand', [b.input('x', sa), b.ints('shape', sb)])], describe: `[${sa}] to [${sb}]` };
});

refTest('Concat', (rng, b) => {
  const rank = rng.int(1, 3);
  const base = randomShape(rng, rank);
  const axis = rng.int(-rank, rank - 1);
  const parts = Array.from({ length: rng.int(1, 3) }, (_, i) => b.input(`x${i}`, base.map((d, a) => (a === (axis + rank) % rank ? rng.int(1, 3) : d))));
  return { outputs: [b.op('Concat', parts, { axis: intAttr(axis) })], describe: `axis=${axis}` };
});

refTest('Split', (rng, b) => {
  const x = randomShape(rng, 3, 5);
  const axis = rng.int(0, 2);
  const first = rng.int(0, x[axis]);
  return { outputs: b.node('Split', [b.input('x', x), b.ints('split', [first, x[axis] - first])], { axis: intAttr(axis) }, 2), describe: `axis=${axis} first=${first}` };
});

refTest('Slice', (rng, b) => {
  const x = randomShape(rng, 3, 6);
  const axes = rng.shuffle([0, 1, 2]).slice(0, rng.int(1, 3));
  const steps = axes.map(() => rng.pick([1, 2, -1, -2]));
  const starts = axes.map(() => rng.int(-7, 7));
  const ends = axes.map(() => rng.pick([rng.int(-7, 7), 1e9, -1e9]));
  const inputs = [b.input('x', x), b.ints('starts', starts), b.ints('ends', ends), b.ints('axes', axes), b.ints('steps', steps)];
  return { outputs: [b.op('Slice', inputs)], describe: `x=[${x}] starts=${starts} ends=${ends} axes=${axes} steps=${steps}` };
});

refTest('ScatterElements', (rng, b) => {
  const data = randomShape(rng, 2, 5);
  const axis = rng.int(0, 1);
  const idxShape = data.map((d, a) => (a === axis ? rng.int(1, 6) : rng.int(1, d)));
  const count = idxShape[0] * idxShape[1];
  const indices = Array.from({ length: count }, () => rng.int(-data[axis], data[axis] - 1));
  const inputs = [b.input('data', data), b.ints('indices', indices, idxShape), b.input('updates', idxShape)];
  return { outputs: [b.op('ScatterElements', inputs, { axis: intAttr(axis), reduction: stringAttr('add') })], describe: `axis=${axis}` };
});

refTest('ReduceSum', (rng, b) => {
  const rank = rng.int(1, 4);
  const axes = rng.shuffle(Array.from({ length: rank }, (_, i) => (rng.bool() ? i : i - rank))).slice(0, rng.int(1, rank));
  const keep = rng.int(0, 1);
  return { outputs: [b.op('ReduceSum', [b.input('x', randomShape(rng, rank)), b.ints('axes', axes)], { keepdims: intAttr(keep) })], describe: `axes=${axes} keepdims=${keep}` };
});

refTest('ConstantOfShape Constant', (rng, b) => {
  const dims = randomShape(rng, 2);
  const filled = b.op('ConstantOfShape', [b.ints('dims', dims)], { value: { type: 'tensor', value: makeTensor('float32', [1], Float32Array.of(Math.fround(rng.normal()))) } });
  const values = Float32Array.from({ length: dims[0] * dims[1] }, () => rng.normal());
  const constant = b.op('Constant', [], { value: { type: 'tensor', value: makeTensor('float32', dims, values) } });
  return { outputs: [b.op('Add', [filled, b.op('Mul', [constant, b.input('x', dims)])])] };
});

test('reference pools drop a ceil_mode window that would start in the end padding, as onnxruntime does', async () => {
  for (const op of ['MaxPool', 'AveragePool']) {
    const b = new GraphBuilder(new Rng(7));
    const attrs = { kernel_shape: intsAttr([2]), strides: intsAttr([3]), pads: intsAttr([0, 1]), ceil_mode: intAttr(1) };
    const outputs = b.node(op, [b.input('x', [1, 2, 6], distinct())], attrs, op === 'MaxPool' ? 2 : 1);
    const built = b.build(outputs.slice(0, 1), outputs.slice(1));
    assert.deepEqual(built.graph.outputs[0].shape, [1, 2, 2]);
    await compareWithOnnxRuntime(`${op} ceil_mode drop`, { built, describe: 'size 6, kernel 2, stride 3, pads [0, 1]' });
  }
});
