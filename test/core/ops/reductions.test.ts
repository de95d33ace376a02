/**
 * ReduceSum, ReduceMean, ReduceMax, ReduceL2, Softmax and LogSoftmax: reference kernels and shape rules against
 * onnxruntime (axes as attribute or input, keepdims, noop_with_empty_axes), gradients by finite differences and
 * in onnxruntime (ReduceMax's ties, ReduceL2 at zero, Softmax before opset 13), and channel rules.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Attribute, Graph, Model, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { serializeModel } from '../../../src/core/onnx/writer';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { RefTensor } from '../../../src/core/ops/reference/tensor';
import { GraphBuilder } from '../../support/graph-builder';
import { GradCheckResult, assertClose, gradCheckDraws } from '../../support/gradcheck';
import { fromOrt, modelOf, toOrtFloat32 } from '../../support/ort';
import { Rng, distinct, float32Values, normal, seedFor } from '../../support/random';
import { randomShape } from '../../support/random-ops';
import { GraphBuilder as ModelBuilder } from '../prune/ir-builder';
import { assertRefused, atOpset, conv3x3, matchesOnnxRuntime, prunedMatchesGated } from './layout-support';

const REDUCTIONS = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceL2'] as const;
type Reduction = (typeof REDUCTIONS)[number];
type AxesForm = 'attribute' | 'input' | 'all' | 'noop';

/** The opset at which `op` takes its axes in `form` (ReduceSum's input form came at 13, the others' at 18). */
function opsetFor(op: Reduction, form: AxesForm, rng: Rng): number {
  if (form === 'attribute') return op === 'ReduceSum' ? 11 : rng.pick([11, 13, 17]);
  if (form === 'input' || form === 'noop') return op === 'ReduceSum' ? rng.pick([13, 17, 18]) : 18;
  return rng.pick([13, 18]);
}

/** A random reduction of a rank-1…4 input in one of its forms. */
function randomReduction(rng: Rng, b: GraphBuilder, op: Reduction, forms: readonly AxesForm[], values = normal()) {
  const rank = rng.int(1, 4);
  const dims = randomShape(rng, rank);
  const form = rng.pick(forms);
  const axes = rng.shuffle(Array.from({ length: rank }, (_, i) => (rng.bool(0.3) ? i - rank : i))).slice(0, rng.int(1, rank));
  const attrs: Record<string, Attribute> = rng.bool(0.2) ? {} : { keepdims: intAttr(rng.int(0, 1)) };
  const x = b.input('x', dims, values);
  const inputs = [x];
  if (form === 'attribute') attrs.axes = intsAttr(axes);
  if (form === 'input') inputs.push(b.ints('axes', axes));
  if (form === 'noop') attrs.noop_with_empty_axes = intAttr(1);
  const describe = `${op} x=[${dims}] ${form === 'attribute' || form === 'input' ? `axes=[${axes}] as ${form}` : form} keepdims=${attrs.keepdims?.value ?? 'default'}`;
  return { y: b.op(op, inputs, attrs), x, describe, opset: opsetFor(op, form, rng) };
}

for (const op of REDUCTIONS) {
  test(`${op}: reference and shape rule match onnxruntime (axes as attribute or input, all axes, noop, keepdims)`, async () => {
    for (let draw = 0; draw < 10; draw++) {
      const seed = seedFor(`${op} reference`, draw);
      const rng = new Rng(seed);
      const b = new GraphBuilder(rng);
      const { y, describe, opset } = randomReduction(rng, b, op, ['attribute', 'input', 'all', 'noop'], op === 'ReduceMax' ? distinct() : normal());
      await matchesOnnxRuntime(`${op} draw ${draw} (seed ${seed}) [${describe}, opset ${opset}]`, b.build([y]), opset);
    }
  });
}

/** Every op a backward graph emits has a shape rule. */
function assertBackwardShapesKnown(results: readonly GradCheckResult[]): void {
  for (const r of results) {
    const g = r.backward.graph;
    const shapes = inferShapes(g, new Map(g.inputs.map((v) => [v.name, v.shape as number[]])));
    for (const o of g.outputs) assert.deepEqual(shapes.get(o.name), o.shape, `backward output '${o.name}'`);
  }
}

for (const op of REDUCTIONS) {
  test(`${op}: gradient by finite differences and in onnxruntime`, async () => {
    // onnxruntime runs these graphs at opset 17: ReduceSum takes its axes as an input there, the others as an attribute.
    const forms: AxesForm[] = op === 'ReduceSum' ? ['input', 'all', 'noop'] : ['attribute', 'all'];
    const results = await gradCheckDraws(op, 8, (rng) => {
      const b = new GraphBuilder(rng);
      const { y, x, describe } = randomReduction(rng, b, op, forms, op === 'ReduceMax' ? distinct() : normal());
      return { built: b.build([y]), seeds: [y], targets: [x], describe };
    });
    // Opset 18 forms: axes as an input for all four, noop_with_empty_axes.
    const at18 = await gradCheckDraws(
      `${op} opset 18`,
      4,
      (rng) => {
        const b = new GraphBuilder(rng);
        const { y, x, describe } = randomReduction(rng, b, op, ['input', 'noop'], op === 'ReduceMax' ? distinct() : normal());
        return { built: b.build([y]), seeds: [y], targets: [x], describe };
      },
      { forwardOpset: 18 },
    );
    assertBackwardShapesKnown([...results, ...at18]);
  });
}

/** dL/dX for L = Σ R·Y, evaluated in the float64 reference from the backward graph built at `opset`. */
function referenceGradient(graph: Graph, x: RefTensor, r: RefTensor, opset = 17, forwardValues?: ReadonlyMap<string, RefTensor>): RefTensor {
  const y = graph.outputs[0].name;
  const shapes = inferShapes(graph, new Map([['x', x.dims]]));
  const backward = buildBackward({ forward: graph, shapes, seeds: [y], targets: ['x'], opset });
  const forward = forwardValues ?? evaluate(graph, new Map([['x', x]]));
  const feeds = new Map<string, RefTensor>([[backward.seedInputs.get(y)!, r]]);
  for (const name of [...backward.savedInputs, ...backward.savedIntermediates]) feeds.set(name, forward.get(name)!);
  return evaluate(backward.graph, feeds).get(backward.gradOutputs.get('x')!)!;
}

function single(op: string, dims: readonly number[], inputs: string[], attrs: Record<string, Attribute>, ints: Record<string, number[]> = {}): Graph {
  const b = new GraphBuilder(new Rng(1));
  b.input('x', dims);
  for (const [name, values] of Object.entries(ints)) b.ints(name, values);
  return b.unevaluated([b.op(op, inputs, attrs)]);
}

test('ReduceMax: tied maxima share the gradient evenly (as PyTorch amax)', () => {
  const x = { dims: [2, 3], data: Float64Array.of(1, 3, 3, 2, 2, 2) };
  const r = { dims: [2], data: Float64Array.of(6, 3) };
  const dx = referenceGradient(single('ReduceMax', [2, 3], ['x'], { axes: intsAttr([1]), keepdims: intAttr(0) }), x, r);
  assert.deepEqual(Array.from(dx.data), [0, 3, 3, 1, 1, 1]);
});

test('noop_with_empty_axes: ReduceMax passes dY through; ReduceL2 is |x| as onnxruntime computes it; ReduceL2 of zeros has a zero gradient', async () => {
  const x = { dims: [2, 2], data: Float64Array.of(1, -2, 0.5, 3) };
  const r = { dims: [2, 2], data: Float64Array.of(0.25, -1, 2, 4) };
  const noop = referenceGradient(single('ReduceMax', [2, 2], ['x'], { noop_with_empty_axes: intAttr(1) }), x, r);
  assert.deepEqual(Array.from(noop.data), Array.from(r.data));
  const l2 = single('ReduceL2', [2, 2], ['x'], { noop_with_empty_axes: intAttr(1) });
  assert.deepEqual(Array.from((await runAt(l2, x, 18)).data), [1, 2, 0.5, 3]);
  assert.deepEqual(Array.from(evaluate(l2, new Map([['x', x]])).get(l2.outputs[0].name)!.data), [1, 2, 0.5, 3]);
  assert.deepEqual(Array.from(referenceGradient(l2, x, r).data), [0.25, 1, 2, 4]);
  const zeros = { dims: [2, 2], data: Float64Array.of(0, 0, 1, 0) };
  const dx = referenceGradient(single('ReduceL2', [2, 2], ['x'], { axes: intsAttr([1]) }), zeros, { dims: [2, 1], data: Float64Array.of(5, 7) });
  assert.deepEqual(Array.from(dx.data), [0, 0, 7, 0]);
});

test('Reductions refuse repeated or out-of-range axes and non-constant axes, naming the node', () => {
  const cases: [Graph, readonly number[][], RegExp][] = [
    [single('ReduceMean', [2, 3], ['x'], { axes: intsAttr([1, -1]) }), [[2, 3]], /node 'ReduceMean_0' \(ReduceMean\): axes \[1, -1\] lists an axis twice/],
    [single('ReduceSum', [2, 3], ['x', 'axes'], {}, { axes: [2] }), [[2, 3]], /node 'ReduceSum_0' \(ReduceSum\): axis 2 is out of range for a 2-dimensional input/],
  ];
  for (const [graph, dims, why] of cases) assert.throws(() => inferShapes(graph, new Map([['x', dims[0]]])), why);
  const b = new GraphBuilder(new Rng(1));
  const x = b.input('x', [2, 3]);
  const y = b.op('ReduceMean', [x, b.input('axes', [1])]);
  assert.throws(() => inferShapes(b.unevaluated([y]), new Map([[x, [2, 3]], ['axes', [1]]])), /node 'ReduceMean_0' \(ReduceMean\): its axes .* must be a constant/);
});

test('LogSoftmax: reference matches onnxruntime and the gradient checks out, on any axis', async () => {
  for (let draw = 0; draw < 6; draw++) {
    const seed = seedFor('LogSoftmax reference', draw);
    const rng = new Rng(seed);
    const b = new GraphBuilder(rng);
    const rank = rng.int(1, 4);
    const axis = rng.int(-rank, rank - 1);
    const y = b.op('LogSoftmax', [b.input('x', randomShape(rng, rank))], rng.bool(0.2) ? {} : { axis: intAttr(axis) });
    await matchesOnnxRuntime(`LogSoftmax draw ${draw} (seed ${seed})`, b.build([y]), 17);
  }
  const results = await gradCheckDraws('LogSoftmax', 8, (rng) => {
    const b = new GraphBuilder(rng);
    const rank = rng.int(1, 4);
    const axis = rng.bool(0.2) ? undefined : rng.int(-rank, rank - 1);
    const x = b.input('x', randomShape(rng, rank));
    const y = b.op('LogSoftmax', [x], axis === undefined ? {} : { axis: intAttr(axis) });
    return { built: b.build([y]), seeds: [y], targets: [x], describe: `rank=${rank} axis=${axis ?? 'default'}` };
  });
  assertBackwardShapesKnown(results);
});

/** Runs a one-input graph in onnxruntime at `opset`. */
async function runAt(graph: Graph, x: RefTensor, opset: number): Promise<RefTensor> {
  const session = await ort.InferenceSession.create(serializeModel({ ...modelOf(graph), opsetImports: [{ domain: '', version: opset }] }));
  try {
    const out = await session.run({ x: toOrtFloat32(x) });
    return fromOrt(out[graph.outputs[0].name]);
  } finally {
    await session.release();
  }
}

test('Softmax / LogSoftmax before opset 13 normalise over the flattened axes from `axis` (default 1), gradients included', async () => {
  const rng = new Rng(seedFor('softmax opset 11', 0));
  const dims = [2, 3, 2, 2];
  const x = { dims, data: float32Values(rng, 24, normal()) };
  const r = { dims, data: float32Values(rng, 24, normal()) };
  for (const op of ['Softmax', 'LogSoftmax']) {
    for (const axis of [undefined, 0, 2, 3, -2]) {
      const attrs: Record<string, Attribute> = axis === undefined ? {} : { axis: intAttr(axis) };
      const graph = single(op, dims, ['x'], attrs);
      const label = `${op} axis=${axis ?? 'default'} at opset 11`;
      // The same function at opset 13: flatten at `axis`, normalise the last axis, reshape back.
      const from = axis === undefined ? 1 : axis < 0 ? axis + dims.length : axis;
      const flat = single('Flatten', dims, ['x'], { axis: intAttr(from) });
      const normalised = { ...flat, nodes: [...flat.nodes, { name: 'n', opType: op, domain: '', inputs: [flat.outputs[0].name], outputs: ['n_out'], attributes: { axis: intAttr(-1) } }] };
      const b = new GraphBuilder(new Rng(1));
      const shape = b.ints('dims', dims);
      const equivalent: Graph = {
        ...normalised,
        initializers: new Map([...normalised.initializers, ...b.unevaluated([]).initializers]),
        nodes: [...normalised.nodes, { name: 'back', opType: 'Reshape', domain: '', inputs: ['n_out', shape], outputs: ['y'], attributes: {} }],
        outputs: [{ name: 'y', dtype: 'float32', shape: null }],
      };
      const expected = evaluate(equivalent, new Map([['x', x]])).get('y')!;
      assertClose((await runAt(graph, x, 11)).data, expected.data, 1e-5, `${label}: onnxruntime vs the opset-13 rewrite`);
      // The reference kernel has opset-13 semantics: the backward reads the output as onnxruntime computes it at 11.
      const dx = referenceGradient(graph, x, r, 11, new Map([[graph.outputs[0].name, expected]]));
      assertClose(dx.data, referenceGradient(equivalent, x, r).data, 1e-12, `${label}: gradient vs the opset-13 rewrite's`);
    }
  }
});

// ---- channel rules: conv (6 channels) → relu → `tail` → … → Gemm, pruned vs gated in onnxruntime ----

function withTail(tail: (b: ModelBuilder, h: string) => string, features: number, opset = 13): Model {
  const b = new ModelBuilder(29);
  const x = b.input('x', ['batch', 2, 4, 4]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w', [6, 2, 3, 3]), b.weight('bias', [6])], conv3x3, 'conv')]);
  const z = b.node('Flatten', [tail(b, h)], { axis: intAttr(1) });
  return atOpset(b.model(b.node('Gemm', [z, b.weight('fc', [3, features]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc')), opset);
}

const fcDims = (m: Model): readonly number[] | undefined => m.graph.initializers.get('fc')?.dims;

test('Reductions over spatial axes pass the channels on (ReduceMean as attribute and as input, ReduceMax, ReduceL2)', async () => {
  const tails: [string, number, (b: ModelBuilder, h: string) => string][] = [
    ['ReduceMean attribute', 13, (b, h) => b.node('ReduceMean', [h], { axes: intsAttr([2, 3]) }, 'reduce')],
    ['ReduceMean input', 18, (b, h) => b.node('ReduceMean', [h, b.int64('axes', [-1, -2])], { keepdims: intAttr(0) }, 'reduce')],
    ['ReduceMax', 13, (b, h) => b.node('ReduceMax', [h], { axes: intsAttr([2, 3]) }, 'reduce')],
    ['ReduceL2', 13, (b, h) => b.node('ReduceL2', [h], { axes: intsAttr([3]), keepdims: intAttr(0) }, 'reduce')],
    ['ReduceSum over batch, kept', 13, (b, h) => b.node('ReduceSum', [h, b.int64('axes', [0, 2, 3])], {}, 'reduce')],
  ];
  for (const [label, opset, tail] of tails) {
    const features = label === 'ReduceL2' ? 24 : 6;
    const pruned = await prunedMatchesGated(withTail(tail, features, opset), { conv: [1, 2, 5] }, [2, 2, 4, 4]);
    assert.deepEqual(fcDims(pruned), [3, features / 2], label);
  }
});

test('ReduceSum and ReduceL2 over the pruned channel axis stay exact (a removed channel adds nothing)', async () => {
  for (const op of ['ReduceSum', 'ReduceL2']) {
    const model = withTail((b, h) => b.node(op, [h, ...(op === 'ReduceSum' ? [b.int64('axes', [1])] : [])], op === 'ReduceL2' ? { axes: intsAttr([1]) } : {}, 'reduce'), 16);
    const pruned = await prunedMatchesGated(model, { conv: [0, 4] }, [2, 2, 4, 4]);
    assert.deepEqual(fcDims(pruned), [3, 16], op);
  }
});

test('ReduceMean / ReduceMax over the pruned channel axis, or moving it, are refused naming node, op and axes', () => {
  const mean = withTail((b, h) => b.node('ReduceMean', [h], { axes: intsAttr([1]) }, 'reduce'), 16);
  assertRefused(mean, { conv: [0, 4] }, 'reduce', 'ReduceMean', /reduces over axes \[1\], including the channel axis 1 .* the mean divides by the original number of channels/);
  const max = withTail((b, h) => b.node('ReduceMax', [h, b.int64('axes', [-3, 2])], {}, 'reduce'), 4);
  assertRefused(atOpset(max, 18), { conv: [0, 4] }, 'reduce', 'ReduceMax', /axes \[1, 2\].*the maximum would no longer see the removed channels/);
  const batch = withTail((b, h) => b.node('Flatten', [b.node('ReduceMean', [h], { axes: intsAttr([0]), keepdims: intAttr(0) }, 'reduce')], { axis: intAttr(0) }), 96);
  assertRefused(batch, { conv: [0, 4] }, 'reduce', 'ReduceMean', /axes \[0\] without keepdims, which moves the partly pruned channel axis 1/);
});

test('Softmax / LogSoftmax of a partly pruned tensor are refused: over channels they mix them, elsewhere removed channels turn non-zero', async () => {
  for (const op of ['Softmax', 'LogSoftmax']) {
    const spatial = withTail((b, h) => b.node('GlobalAveragePool', [b.node(op, [h], { axis: intAttr(2) }, 'norm')]), 6, 11);
    assertRefused(spatial, { conv: [1, 3] }, 'norm', op, new RegExp(`axes \\[2, 3\\] .* comes out of ${op} non-zero`));
    await prunedMatchesGated(spatial, { conv: [0, 1, 2, 3, 4, 5] }, [2, 2, 4, 4]);
    const channels = withTail((b, h) => b.node('GlobalAveragePool', [b.node(op, [h], { axis: intAttr(1) }, 'norm')]), 6);
    assertRefused(channels, { conv: [1, 3] }, 'norm', op, /normalizes over the channel axis 1 .*axes \[1\]/);
    const coerced = withTail((b, h) => b.node('GlobalAveragePool', [b.node(op, [h], {}, 'norm')]), 6, 11);
    assertRefused(coerced, { conv: [1, 3] }, 'norm', op, /axes \[1, 2, 3\]/);
  }
});
