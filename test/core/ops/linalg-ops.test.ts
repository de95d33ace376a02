/**
 * Linear-algebra ops in the registry: Gemm (transA/transB/alpha/beta in every facet), N-d MatMul (1-D operands,
 * batch broadcasting, constant or computed operands), and Conv / ConvTranspose on 1-d and 3-d inputs (rank 3 and
 * rank 5). Gradients are finite-difference checked, reference kernels compared with onnxruntime, and channel
 * rules run against the gated model.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Attribute, Model, floatAttr, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { discoverUnits } from '../../../src/core/units/discover';
import { PruneError, concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { takeAlongAxis } from '../../../src/core/prune/tensor-ops';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { GraphBuilder } from '../../support/graph-builder';
import { backwardOps, gradCheckDraws, assertClose } from '../../support/gradcheck';
import { fromOrt, runOnnx, toOrtFloat32 } from '../../support/ort';
import { Rng, seedFor } from '../../support/random';
import { ConvConfig, randomConv, randomShape } from '../../support/random-ops';
import { GraphBuilder as ModelBuilder } from '../prune/ir-builder';

/** The float64 reference kernels against onnxruntime on the graph's outputs. */
async function matchesOnnxRuntime(b: GraphBuilder, outputs: string[], label: string): Promise<void> {
  const built = b.build(outputs);
  const ours = evaluate(built.graph, built.feeds);
  const feeds = Object.fromEntries(built.graph.inputs.map((v) => [v.name, toOrtFloat32(built.feeds.get(v.name)!)]));
  const theirs = await runOnnx(built.graph, feeds);
  for (const out of outputs) {
    const expected = fromOrt(theirs[out]);
    assert.deepEqual(ours.get(out)!.dims, expected.dims, `${label}: shape of '${out}'`);
    assertClose(ours.get(out)!.data, expected.data, 1e-5, `${label}: '${out}'`);
  }
}

// ---------------------------------------------------------------- MatMul

/** Operand shapes covering numpy's rules: 1-D on either side or both, 2-D, and broadcast batch axes. */
function randomMatMulShapes(rng: Rng): { a: number[]; b: number[] } {
  const [m, k, n] = randomShape(rng, 3);
  const batch = randomShape(rng, rng.int(0, 2), 3);
  const thin = (dims: number[]): number[] => dims.map((d) => (rng.bool(0.3) ? 1 : d));
  const kind = rng.pick(['vector-matrix', 'matrix-vector', 'vector-vector', 'batched', 'batched-vector']);
  if (kind === 'vector-matrix') return { a: [k], b: [...thin(batch), k, n] };
  if (kind === 'matrix-vector') return { a: [...thin(batch), m, k], b: [k] };
  if (kind === 'vector-vector') return { a: [k], b: [k] };
  if (kind === 'batched-vector') return { a: [...thin(batch), m, k], b: rng.bool() ? [k] : [k, n] };
  return { a: [...thin(batch), m, k], b: [...thin(batch.slice(rng.int(0, batch.length))), k, n] };
}

test('MatMul: 1-D operands follow numpy (prepended / appended axis dropped) and match onnxruntime', async () => {
  for (let draw = 0; draw < 10; draw++) {
    const rng = new Rng(seedFor('MatMul numpy shapes', draw));
    const { a, b } = randomMatMulShapes(rng);
    const g = new GraphBuilder(rng);
    const y = g.op('MatMul', [g.input('a', a), g.input('b', b)]);
    await matchesOnnxRuntime(g, [y], `draw ${draw} a=[${a}] b=[${b}]`);
  }
  const g = new GraphBuilder(new Rng(1));
  const shapes = inferShapes(g.unevaluated([g.op('MatMul', [g.input('a', [4]), g.input('b', [2, 4, 3])])]));
  assert.deepEqual(shapes.get('MatMul_0_out0'), [2, 3]);
});

test('MatMul: dA, dB for 1-D, 2-D and batched operands, each constant or computed', async () => {
  await gradCheckDraws('MatMul numpy', 16, (rng) => {
    const { a, b } = randomMatMulShapes(rng);
    const g = new GraphBuilder(rng);
    const constA = rng.bool(0.3);
    const constB = !constA && rng.bool(0.5);
    const x = g.tensor('a', a, constA);
    const w = g.tensor('b', b, constB);
    const y = g.op('MatMul', [x, w]);
    const targets = [...(constA ? [] : [x]), ...(constB ? [] : [w])];
    return { built: g.build([y]), seeds: [y], targets, describe: `a=[${a}]${constA ? ' const' : ''} b=[${b}]${constB ? ' const' : ''}` };
  });
});

test('MatMul: the gradient through a constant weight reads it pre-transposed (no Transpose per step)', async () => {
  const [result] = await gradCheckDraws('MatMul constant weight', 1, (rng) => {
    const g = new GraphBuilder(rng);
    const x = g.input('x', [2, 3, 4]);
    const y = g.op('MatMul', [x, g.weight('w', [4, 5])]);
    return { built: g.build([y]), seeds: [y], targets: [x] };
  });
  assert.ok(!backwardOps(result).includes('Transpose'), backwardOps(result).join(', '));
});

test('MatMul: scalars and mismatched inner sizes are refused at shape inference, naming the node', () => {
  for (const [a, b] of [[[], [3]], [[2, 3], [4, 2]], [[3], [4]]] as const) {
    const g = new GraphBuilder(new Rng(2));
    const graph = g.unevaluated([g.op('MatMul', [g.input('a', [...a]), g.input('b', [...b])])]);
    assert.throws(() => inferShapes(graph), /node 'MatMul_0' \(MatMul\)/);
  }
});

// ---------------------------------------------------------------- Gemm

test('Gemm: alpha, beta, transA and transB together, with A and B both computed', async () => {
  await gradCheckDraws('Gemm all attributes', 8, (rng) => {
    const g = new GraphBuilder(rng);
    const [m, k, n] = randomShape(rng, 3);
    const [transA, transB] = [rng.int(0, 1), rng.int(0, 1)];
    const attrs: Record<string, Attribute> = { transA: intAttr(transA), transB: intAttr(transB), alpha: floatAttr(Math.fround(rng.uniform(-2, 2))), beta: floatAttr(Math.fround(rng.uniform(-2, 2))) };
    const a = g.input('a', transA ? [k, m] : [m, k]);
    const w = g.input('b', transB ? [n, k] : [k, n]);
    const c = g.input('c', rng.pick([[n], [m, n], [1, 1], [m, 1]]));
    const y = g.op('Gemm', [a, w, c], attrs);
    return { built: g.build([y]), seeds: [y], targets: [a, w, c], describe: `transA=${transA} transB=${transB}` };
  });
});

function gemmHead(transB: number, alpha: number, beta: number): { model: Model; b: ModelBuilder } {
  const b = new ModelBuilder(9);
  const x = b.input('x', ['batch', 2, 3, 3]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w', [4, 2, 3, 3]), b.weight('bias', [4])], { kernel_shape: intsAttr([3, 3]), pads: intsAttr([1, 1, 1, 1]) }, 'conv')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [h])], { axis: intAttr(1) });
  const hidden = b.node('Gemm', [z, b.weight('fc1', transB ? [5, 4] : [4, 5]), b.weight('fc1b', [1, 5])], { transB: intAttr(transB), alpha: floatAttr(alpha), beta: floatAttr(beta) }, 'fc1');
  const logits = b.node('Gemm', [b.node('Relu', [hidden]), b.weight('fc2', [5, 3]), b.weight('fc2b', [3])], { alpha: floatAttr(alpha), beta: floatAttr(beta) }, 'fc2');
  return { model: b.model(logits), b };
}

for (const transB of [0, 1]) {
  test(`Gemm channel rule (transB=${transB}, alpha, beta): input features and output units sliced, pruned equals gated`, async () => {
    const { model, b } = gemmHead(transB, 0.75, -1.5);
    const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)));
    assert.deepEqual(d.groups.map((g) => g.producers), [['conv'], ['fc1']]);
    const masks = [Uint8Array.from([1, 0, 1, 1]), Uint8Array.from([0, 1, 1, 0, 1])];
    const { model: pruned } = pruneModel(model, d, masks);
    const fc1 = pruned.graph.initializers.get('fc1')!;
    const expected = takeAlongAxis(takeAlongAxis(model.graph.initializers.get('fc1')!, transB ? 1 : 0, [0, 2, 3]), transB ? 0 : 1, [1, 2, 4]);
    assert.deepEqual(fc1.dims, expected.dims);
    assert.deepEqual([...fc1.data], [...expected.data]);
    assert.deepEqual(pruned.graph.initializers.get('fc1b')!.dims, [1, 3]);
    const r = await verifyPruning(model, d, masks, b.batch([3, 2, 3, 3]), { pruned, session: { threads: 1 } });
    assert.ok(r.maxAbsDiff <= 1e-5, `pruned vs gated differ by ${r.maxAbsDiff}`);
  });
}

test('Gemm channel rule: a pruned input under transA=1 is refused naming the node and transA', () => {
  // A model whose fc1 reads the pruned features of the conv units; fc1 gets transA=1 below.
  const b = new ModelBuilder(5);
  const x = b.input('x', ['batch', 2, 3, 3]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w', [4, 2, 1, 1])], { kernel_shape: intsAttr([1, 1]) }, 'conv')]);
  const f = b.node('Flatten', [b.node('GlobalAveragePool', [h])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [b.node('Relu', [b.node('Gemm', [f, b.weight('fc1', [4, 4])], {}, 'fc1')]), b.weight('fc2', [4, 3])], {}, 'fc2'));
  const withTransA: Model = {
    ...model,
    graph: { ...model.graph, nodes: model.graph.nodes.map((n) => (n.name === 'fc1' ? { ...n, attributes: { transA: intAttr(1) } } : n)) },
  };
  // [N, 4] with N = 4 so that transA=1 still multiplies; only the conv is a unit.
  const shapes = inferShapes(withTransA.graph, new Map([['x', [4, 2, 3, 3]]]));
  const d = discoverUnits(withTransA.graph, shapes, { checkPruning: false });
  assert.deepEqual(d.groups.map((g) => g.producers), [['conv']]);
  assert.throws(
    () => pruneModel(withTransA, d, [Uint8Array.from([1, 1, 0, 1])], { inputShapes: new Map([['x', [4, 2, 3, 3]]]) }),
    (e: unknown) => e instanceof PruneError && /node 'fc1' \(Gemm\)/.test(e.message) && /transA=1/.test(e.message),
  );
});

// ---------------------------------------------------------------- Conv / ConvTranspose in 1-d and 3-d

function convCase(op: 'Conv' | 'ConvTranspose', rng: Rng, c: ConvConfig, constantWeight: boolean) {
  const g = new GraphBuilder(rng);
  const x = g.input('x', c.x);
  const w = g.tensor('w', c.w, constantWeight);
  const bias = c.bias === undefined ? undefined : g.tensor('bias', [c.bias], rng.bool());
  const y = g.op(op, [x, w, ...(bias ? [bias] : [])], c.attrs);
  const targets = [x, ...(c.group === 1 && !constantWeight ? [w] : []), ...(bias ? [bias] : [])];
  return { built: g.build([y]), seeds: [y], targets, describe: `${c.describe} constantWeight=${constantWeight}` };
}

/** ConvTranspose with `r` spatial axes (stride, dilation, pads, output_padding < stride, group). */
function convTransposeOfRank(rng: Rng, r: number): ConvConfig {
  for (;;) {
    const group = rng.pick([1, 1, 2]);
    const [cg, mg] = [rng.int(1, 2), rng.int(1, 2)];
    const small = r === 3;
    const kernel = Array.from({ length: r }, () => rng.int(1, small ? 2 : 3));
    const strides = Array.from({ length: r }, () => rng.int(1, small ? 2 : 3));
    const dilations = Array.from({ length: r }, () => rng.int(1, 2));
    const pads = Array.from({ length: 2 * r }, (_, i) => rng.int(0, (kernel[i % r] - 1) * dilations[i % r]));
    const outputPadding = strides.map((s, i) => rng.int(0, Math.max(s, dilations[i]) - 1)).map((p, i) => Math.min(p, strides[i] - 1));
    const spatial = Array.from({ length: r }, () => rng.int(1, small ? 3 : 5));
    const out = spatial.map((n, i) => strides[i] * (n - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1 - pads[i] - pads[i + r]);
    if (out.some((n) => n < 1)) continue;
    const x = [rng.int(1, 2), cg * group, ...spatial];
    const bias = rng.bool() ? mg * group : undefined;
    const attrs = { kernel_shape: intsAttr(kernel), strides: intsAttr(strides), dilations: intsAttr(dilations), pads: intsAttr(pads), output_padding: intsAttr(outputPadding), group: intAttr(group) };
    return { x, w: [cg * group, mg, ...kernel], bias, group, attrs, describe: `x=[${x}] k=[${kernel}] s=[${strides}] d=[${dilations}] p=[${pads}] op=[${outputPadding}] g=${group}` };
  }
}

for (const r of [1, 3]) {
  test(`Conv on rank-${r + 2} inputs: dX, dW, dB (constant and fed weights, strided and stride 1)`, async () => {
    await gradCheckDraws(`Conv ${r}-d`, 8, (rng) => convCase('Conv', rng, randomConv(rng, { spatialRank: r, ...(rng.bool() ? { stride: 1 } : {}) }), rng.bool()));
  });

  test(`ConvTranspose on rank-${r + 2} inputs: dX, dW, dB`, async () => {
    await gradCheckDraws(`ConvTranspose ${r}-d`, 8, (rng) => convCase('ConvTranspose', rng, convTransposeOfRank(rng, r), rng.bool()));
  });

  test(`ConvTranspose ${r}-d reference kernel matches onnxruntime`, async () => {
    for (let draw = 0; draw < 6; draw++) {
      const rng = new Rng(seedFor(`ConvTranspose ${r}-d reference`, draw));
      const c = convTransposeOfRank(rng, r);
      const g = new GraphBuilder(rng);
      const y = g.op('ConvTranspose', [g.input('x', c.x), g.weight('w', c.w), ...(c.bias ? [g.weight('b', [c.bias])] : [])], c.attrs);
      await matchesOnnxRuntime(g, [y], c.describe);
    }
  });
}

test('ConvTranspose: SAME auto_pad is refused at shape inference rather than given a wrong shape', () => {
  const g = new GraphBuilder(new Rng(3));
  const graph = g.unevaluated([g.op('ConvTranspose', [g.input('x', [1, 2, 4, 4]), g.weight('w', [2, 3, 3, 3])], { auto_pad: { type: 'string', value: 'SAME_UPPER' }, strides: intsAttr([2, 2]) })]);
  assert.throws(() => inferShapes(graph), /node 'ConvTranspose_0' \(ConvTranspose\): auto_pad 'SAME_UPPER' is not supported/);
});
