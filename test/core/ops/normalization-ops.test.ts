/**
 * Normalisation and pooling ops in the registry: LayerNormalization (opset 17; axis, epsilon, optional bias, the
 * Mean / InvStdDev outputs), GroupNormalization (opset 18: scale per group; opset 21: per channel),
 * InstanceNormalization and GlobalMaxPool. Reference kernels against onnxruntime at the op's opset, gradients
 * against finite differences (and onnxruntime), channel rules against the model with the removed channels'
 * downstream weights zeroed. Also: the decomposed LayerNorm that exporters write below opset 17 differentiates
 * end to end.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Attribute, Graph, Model, Tensor, ValueInfo, floatAttr, intAttr, intsAttr, makeTensor } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { serializeModel } from '../../../src/core/onnx/writer';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { GradientError } from '../../../src/core/autodiff/rule';
import { discoverUnits } from '../../../src/core/units/discover';
import { PruneError, concreteInputShapes, pruneModel, runModel } from '../../../src/core/prune';
import { takeAlongAxis } from '../../../src/core/prune/tensor-ops';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { RefTensor, fromIrTensor, sizeOf } from '../../../src/core/ops/reference/tensor';
import { BuiltGraph, GraphBuilder } from '../../support/graph-builder';
import { DrawnCase, assertClose, gradCheckDraws } from '../../support/gradcheck';
import { fromOrt, modelOf, runOnnx, toOrtFloat32 } from '../../support/ort';
import { Rng, distinct, float32Values, normal, seedFor, uniform } from '../../support/random';
import { randomShape } from '../../support/random-ops';
import { GraphBuilder as ModelBuilder } from '../prune/ir-builder';

/** Runs a graph in onnxruntime at default-domain opset `opset`. */
async function runAtOpset(graph: Graph, feeds: Readonly<Record<string, ort.Tensor>>, opset: number): Promise<Record<string, ort.Tensor>> {
  const model = { ...modelOf(graph), opsetImports: [{ domain: '', version: opset }] };
  const session = await ort.InferenceSession.create(serializeModel(model));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

async function matchesOnnxRuntime(built: BuiltGraph, opset: number, label: string): Promise<void> {
  const ours = evaluate(built.graph, built.feeds);
  const feeds = Object.fromEntries(built.graph.inputs.map((v) => [v.name, toOrtFloat32(built.feeds.get(v.name)!)]));
  const theirs = await runAtOpset(built.graph, feeds, opset);
  for (const out of built.graph.outputs) {
    const expected = fromOrt(theirs[out.name]);
    assert.deepEqual(ours.get(out.name)!.dims, expected.dims, `${label}: shape of '${out.name}'`);
    assertClose(ours.get(out.name)!.data, expected.data, 1e-4, `${label}: '${out.name}'`);
  }
}

/**
 * gradCheck for ops newer than the test runner's opset 17 (GroupNormalization): float64 analytic gradients
 * against central differences, the forward in onnxruntime at `opset`, the backward (plain opset-17 ops) in
 * onnxruntime against the float64 gradients.
 */
async function gradCheckAtOpset(name: string, draws: number, opset: number, make: (rng: Rng) => DrawnCase): Promise<void> {
  for (let draw = 0; draw < draws; draw++) {
    const seed = seedFor(name, draw);
    const rng = new Rng(seed);
    const c = make(rng);
    const label = `${name} draw ${draw} (seed ${seed}) [${c.describe ?? ''}]`;
    const { graph, feeds } = c.built;
    const shapes = inferShapes(graph, new Map([...feeds].map(([k, t]) => [k, t.dims])));
    const backward = buildBackward({ forward: graph, shapes, seeds: c.seeds, targets: c.targets });
    const upstream = new Map(c.seeds.map((s) => [s, { dims: shapes.get(s)!, data: float32Values(rng, sizeOf(shapes.get(s)!), normal()) }] as const));
    const loss = (f: ReadonlyMap<string, RefTensor>): number => {
      const values = evaluate(graph, f);
      let total = 0;
      for (const [s, r] of upstream) values.get(s)!.data.forEach((v, i) => (total += v * r.data[i]));
      return total;
    };
    const forward64 = evaluate(graph, feeds);
    const backFeeds = new Map<string, RefTensor>();
    for (const [s, input] of backward.seedInputs) backFeeds.set(input, upstream.get(s)!);
    for (const k of [...backward.savedInputs, ...backward.savedIntermediates]) backFeeds.set(k, forward64.get(k)!);
    const backward64 = evaluate(backward.graph, backFeeds);
    for (const target of c.targets) {
      const analytic = backward64.get(backward.gradOutputs.get(target)!)!;
      const base = feeds.get(target)!;
      const numeric = base.data.map((v, i) => {
        const step = 1e-6;
        const at = (delta: number): number => {
          const data = base.data.slice();
          data[i] = v + delta;
          return loss(new Map(feeds).set(target, { dims: base.dims, data }));
        };
        return (at(step) - at(-step)) / (2 * step);
      });
      assertClose(analytic.data, numeric, 1e-5, `${label}: float64 dL/d'${target}' vs finite differences`);
    }
    const outputs: ValueInfo[] = [...new Set([...c.seeds, ...backward.savedIntermediates])].map((s) => ({ name: s, dtype: 'float32', shape: shapes.get(s) ?? null }));
    const graphFeeds = Object.fromEntries(graph.inputs.map((v) => [v.name, toOrtFloat32(feeds.get(v.name)!)]));
    const forward32 = await runAtOpset({ ...graph, outputs }, graphFeeds, opset);
    for (const s of c.seeds) assertClose(fromOrt(forward32[s]).data, forward64.get(s)!.data, 1e-4, `${label}: onnxruntime forward '${s}'`);
    const backFeeds32: Record<string, ort.Tensor> = {};
    for (const [s, input] of backward.seedInputs) backFeeds32[input] = toOrtFloat32(upstream.get(s)!);
    for (const k of backward.savedInputs) backFeeds32[k] = graphFeeds[k];
    for (const k of backward.savedIntermediates) backFeeds32[k] = forward32[k];
    const backward32 = await runOnnx(backward.graph, backFeeds32);
    for (const target of c.targets) {
      const expected = backward64.get(backward.gradOutputs.get(target)!)!;
      assertClose(fromOrt(backward32[backward.gradOutputs.get(target)!]).data, expected.data, 1e-4, `${label}: onnxruntime dL/d'${target}'`);
    }
  }
}

// ---------------------------------------------------------------- LayerNormalization

interface LayerNormCase {
  readonly x: number[];
  readonly axis: number;
  readonly param: number[];
  readonly bias: boolean;
  readonly attrs: Record<string, Attribute>;
}

/**
 * Normalised blocks of at least 3 values: with 2, x̂ = ±1 whatever X is, so the true gradient is pure
 * cancellation (of order ε) and float32 cannot resolve it.
 */
const MIN_BLOCK = 3;

function randomLayerNorm(rng: Rng): LayerNormCase {
  let x: number[];
  let axis: number;
  do {
    x = randomShape(rng, rng.int(2, 4));
    axis = rng.int(-x.length, x.length - 1);
  } while (sizeOf(x.slice(axis < 0 ? axis + x.length : axis)) < MIN_BLOCK);
  const normalized = x.slice(axis < 0 ? axis + x.length : axis);
  // Scale / B cover the normalised shape, or broadcast (fewer leading axes, size-1 axes).
  const param = normalized.slice(rng.int(0, Math.min(1, normalized.length - 1))).map((d) => (rng.bool(0.2) ? 1 : d));
  const attrs: Record<string, Attribute> = { axis: intAttr(axis) };
  if (rng.bool()) attrs.epsilon = floatAttr(Math.fround(rng.uniform(1e-5, 1e-2)));
  return { x, axis, param, bias: rng.bool(0.7), attrs };
}

test('LayerNormalization reference (Y, Mean, InvStdDev) matches onnxruntime at opset 17', async () => {
  for (let draw = 0; draw < 8; draw++) {
    const rng = new Rng(seedFor('reference LayerNormalization', draw));
    const c = randomLayerNorm(rng);
    const g = new GraphBuilder(rng);
    const inputs = [g.input('x', c.x), g.weight('scale', c.param), ...(c.bias ? [g.weight('b', c.param)] : [])];
    const outputs = rng.bool() ? g.node('LayerNormalization', inputs, c.attrs, 3) : g.node('LayerNormalization', inputs, c.attrs, 1);
    await matchesOnnxRuntime(g.build(outputs), 17, `draw ${draw} x=[${c.x}] axis=${c.axis} scale=[${c.param}]`);
  }
});

test('LayerNormalization: dX, dScale, dB for any axis, broadcast Scale / B, optional bias', async () => {
  await gradCheckDraws('LayerNormalization', 12, (rng) => {
    const c = randomLayerNorm(rng);
    const g = new GraphBuilder(rng);
    const x = g.input('x', c.x, normal(2));
    const scale = g.tensor('scale', c.param, rng.bool(), uniform(0.5, 1.5));
    const bias = c.bias ? g.tensor('b', c.param, rng.bool()) : undefined;
    const [y] = g.node('LayerNormalization', [x, scale, ...(bias ? [bias] : [])], c.attrs, rng.bool() ? 3 : 1);
    const targets = [x, scale, ...(bias ? [bias] : [])].filter((t) => !g.build([y]).graph.initializers.has(t));
    return { built: g.build([y]), seeds: [y], targets, describe: `x=[${c.x}] axis=${c.axis} scale=[${c.param}] bias=${c.bias}` };
  });
});

test('LayerNormalization: a gradient through the Mean or InvStdDev output is a GradientError naming the node', () => {
  const g = new GraphBuilder(new Rng(4));
  const x = g.input('x', [2, 3]);
  const [, mean] = g.node('LayerNormalization', [x, g.weight('s', [3])], {}, 3);
  const graph = g.unevaluated([mean]);
  assert.throws(
    () => buildBackward({ forward: graph, shapes: inferShapes(graph), seeds: [mean], targets: [x] }),
    (e: unknown) => e instanceof GradientError && /'LayerNormalization_0'/.test(e.message) && /Mean/.test(e.message),
  );
});

test('LayerNormalization decomposed as exporters write it below opset 17 (ReduceMean, Sub, Pow, Sqrt, Div, Mul, Add) differentiates end to end', async () => {
  await gradCheckDraws('LayerNormalization decomposed', 6, (rng) => {
    const dims = [...randomShape(rng, rng.int(1, 2)), rng.int(MIN_BLOCK, 5)];
    const d = dims[dims.length - 1];
    const g = new GraphBuilder(rng);
    const x = g.input('x', dims, normal(2));
    const weight = g.tensor('weight', [d], rng.bool(), uniform(0.5, 1.5));
    const bias = g.tensor('bias', [d], rng.bool());
    const mean = g.op('ReduceMean', [x], { axes: intsAttr([-1]), keepdims: intAttr(1) });
    const centred = g.op('Sub', [x, mean]);
    const variance = g.op('ReduceMean', [g.op('Pow', [centred, g.weight('two', [], () => [2])])], { axes: intsAttr([-1]), keepdims: intAttr(1) });
    const std = g.op('Sqrt', [g.op('Add', [variance, g.weight('eps', [], () => [1e-5])])]);
    const y = g.op('Add', [g.op('Mul', [g.op('Div', [centred, std]), weight]), bias]);
    const built = g.build([y]);
    const targets = [x, weight, bias].filter((t) => !built.graph.initializers.has(t));
    // The same function as the fused op, on the same values.
    const value = (name: string): RefTensor => built.feeds.get(name) ?? fromIrTensor(built.graph.initializers.get(name)!);
    const fused = new GraphBuilder(rng);
    const [z] = fused.node('LayerNormalization', [fused.input('x', dims), fused.input('w', [d]), fused.input('b', [d])], { axis: intAttr(-1), epsilon: floatAttr(1e-5) });
    const fusedY = evaluate(fused.unevaluated([z]), new Map([['x', value(x)], ['w', value(weight)], ['b', value(bias)]])).get(z)!;
    assertClose(evaluate(built.graph, built.feeds).get(y)!.data, fusedY.data, 1e-6, 'decomposed vs fused LayerNormalization');
    return { built, seeds: [y], targets, describe: `x=[${dims}]` };
  });
});

test('LayerNormalization channel rule: over trailing axes channels pass through; over axis 1 it is refused', async () => {
  for (const axis of [2, -1, 1]) {
    const { model, batch } = normModel(17, (b, h) => b.node('LayerNormalization', [h, b.weight('ln_scale', [5, 5].slice(axis === 2 ? 0 : 1)), b.weight('ln_b', [5])], { axis: intAttr(axis) }, 'norm'), 4);
    const masks = [Uint8Array.from([1, 0, 1, 1]), Uint8Array.from([1, 1, 1])];
    if (axis === 1) {
      // Statistics over the channels change when channels go: discovery leaves conv1's units out, saying why, and
      // the channel rule itself refuses a pruned channel axis (as with a hand-made discovery that gated them).
      const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)));
      assert.deepEqual(d.groups.map((g) => g.producers), [['conv2']]);
      assert.ok(d.skipped.some((s) => s.node === 'conv1' && /LayerNormalization/.test(s.reason)), JSON.stringify(d.skipped));
      const perChannel = discoverUnits(withNormAsRelu(model.graph), inferShapes(model.graph, concreteInputShapes(model.graph)), { checkPruning: false });
      assert.throws(() => pruneModel(model, perChannel, masks), (e: unknown) => e instanceof PruneError && /node 'norm' \(LayerNormalization\)/.test(e.message) && /axis=1/.test(e.message));
      continue;
    }
    const pruned = prune(model, masks);
    assert.deepEqual(pruned.graph.initializers.get('ln_b')!.dims, [5], 'LayerNorm over trailing axes slices nothing');
    await assertMatchesZeroed(model, pruned, [0, 2, 3], batch);
  }
});

// ---------------------------------------------------------------- GroupNormalization / InstanceNormalization

function randomGroupNorm(rng: Rng): { x: number[]; groups: number; perChannel: boolean } {
  for (;;) {
    const groups = rng.int(1, 3);
    const x = [rng.int(1, 2), groups * rng.int(1, 3), ...randomShape(rng, rng.int(0, 2), 3)];
    if ((x[1] / groups) * sizeOf(x.slice(2)) >= MIN_BLOCK) return { x, groups, perChannel: rng.bool() };
  }
}

test('GroupNormalization reference matches onnxruntime: opset 18 (per-group scale) and opset 21 (per-channel)', async () => {
  for (let draw = 0; draw < 8; draw++) {
    const rng = new Rng(seedFor('reference GroupNormalization', draw));
    const c = randomGroupNorm(rng);
    const g = new GraphBuilder(rng);
    const len = c.perChannel ? c.x[1] : c.groups;
    const y = g.op('GroupNormalization', [g.input('x', c.x), g.weight('s', [len]), g.weight('b', [len])], { num_groups: intAttr(c.groups), epsilon: floatAttr(Math.fround(rng.uniform(1e-5, 1e-2))) });
    await matchesOnnxRuntime(g.build([y]), c.perChannel ? 21 : 18, `draw ${draw} x=[${c.x}] G=${c.groups} perChannel=${c.perChannel}`);
  }
});

test('GroupNormalization: dX, dScale, dBias, per-group (opset 18) and per-channel (opset 21)', async () => {
  for (const perChannel of [false, true]) {
    await gradCheckAtOpset(`GroupNormalization perChannel=${perChannel}`, 6, perChannel ? 21 : 18, (rng) => {
      const c = randomGroupNorm(rng);
      const g = new GraphBuilder(rng);
      const len = perChannel ? c.x[1] : c.groups;
      const x = g.input('x', c.x, normal(2));
      const scale = g.input('s', [len], uniform(0.5, 1.5));
      const bias = g.input('b', [len]);
      const y = g.op('GroupNormalization', [x, scale, bias], { num_groups: intAttr(c.groups) });
      return { built: g.build([y]), seeds: [y], targets: [x, scale, bias], describe: `x=[${c.x}] G=${c.groups}` };
    });
  }
});

test('InstanceNormalization reference matches onnxruntime, and dX, dScale, dB check out', async () => {
  for (let draw = 0; draw < 6; draw++) {
    const rng = new Rng(seedFor('reference InstanceNormalization', draw));
    const x = randomShape(rng, rng.int(3, 5), 3);
    const g = new GraphBuilder(rng);
    const y = g.op('InstanceNormalization', [g.input('x', x), g.weight('s', [x[1]]), g.weight('b', [x[1]])], { epsilon: floatAttr(1e-3) });
    await matchesOnnxRuntime(g.build([y]), 17, `draw ${draw} x=[${x}]`);
  }
  await gradCheckDraws('InstanceNormalization', 8, (rng) => {
    let dims: number[];
    do dims = randomShape(rng, rng.int(3, 4), 3);
    while (sizeOf(dims.slice(2)) < MIN_BLOCK);
    const g = new GraphBuilder(rng);
    const x = g.input('x', dims, normal(2));
    const scale = g.tensor('s', [dims[1]], rng.bool(), uniform(0.5, 1.5));
    const bias = g.tensor('b', [dims[1]], rng.bool());
    const y = g.op('InstanceNormalization', [x, scale, bias]);
    const built = g.build([y]);
    return { built, seeds: [y], targets: [x, scale, bias].filter((t) => !built.graph.initializers.has(t)), describe: `x=[${dims}]` };
  });
});

test('GroupNormalization channel rule: whole groups removed exactly (num_groups, scale, bias follow); a split group is refused', async () => {
  for (const opset of [18, 21]) {
    const make = (b: ModelBuilder, h: string, c: number): string => {
      const len = opset === 18 ? 3 : c;
      return b.node('GroupNormalization', [h, b.weight('gn_s', [len], undefined, 0.5, 1.5), b.weight('gn_b', [len])], { num_groups: intAttr(3) }, 'norm');
    };
    const { model, batch } = normModel(opset, make, 6);
    // Groups of 2 channels; discovery makes each GroupNorm group one unit: keep groups 0 and 2.
    const pruned = prune(model, [Uint8Array.from([1, 0, 1]), Uint8Array.from([1, 1, 1])]);
    const norm = pruned.graph.nodes.find((n) => n.name === 'norm')!;
    assert.deepEqual(norm.attributes.num_groups, intAttr(2));
    const expected = takeAlongAxis(model.graph.initializers.get('gn_s')!, 0, opset === 18 ? [0, 2] : [0, 1, 4, 5]);
    assert.deepEqual([...pruned.graph.initializers.get('gn_s')!.data], [...expected.data]);
    await assertMatchesZeroed(model, pruned, [0, 1, 4, 5], batch);
    // A discovery with one unit per channel (made on the same graph with the norm as a per-channel op) would split
    // a group: the channel rule refuses it.
    const perChannel = discoverUnits(withNormAsRelu(model.graph), inferShapes(model.graph, concreteInputShapes(model.graph)), { checkPruning: false });
    assert.deepEqual(perChannel.groups.map((g) => g.channels), [6, 3]);
    assert.throws(
      () => pruneModel(model, perChannel, [Uint8Array.from([1, 1, 1, 0, 1, 1]), Uint8Array.from([1, 1, 1])]),
      (e: unknown) => e instanceof PruneError && /node 'norm' \(GroupNormalization\)/.test(e.message) && /num_groups=3/.test(e.message) && /group 1/.test(e.message),
    );
  }
});

test('InstanceNormalization channel rule: scale and B are sliced to the kept channels', async () => {
  const { model, batch } = normModel(17, (b, h, c) => b.node('InstanceNormalization', [h, b.weight('in_s', [c], undefined, 0.5, 1.5), b.weight('in_b', [c])], {}, 'norm'), 4);
  const pruned = prune(model, [Uint8Array.from([0, 1, 1, 0]), Uint8Array.from([1, 1, 1])]);
  assert.deepEqual([...pruned.graph.initializers.get('in_b')!.data], [...takeAlongAxis(model.graph.initializers.get('in_b')!, 0, [1, 2]).data]);
  await assertMatchesZeroed(model, pruned, [1, 2], batch);
});

/**
 * x → conv (C units) → norm → Relu → conv2 (3 units) → GlobalAveragePool → Flatten → Gemm. Spatial 5×5 so that
 * LayerNorm's trailing axes are [5, 5].
 */
function normModel(opset: number, norm: (b: ModelBuilder, h: string, channels: number) => string, channels: number): { model: Model; batch: { dims: number[]; data: Float32Array } } {
  const b = new ModelBuilder(21);
  const x = b.input('x', ['batch', 2, 5, 5]);
  const h = b.node('Conv', [x, b.weight('w1', [channels, 2, 3, 3]), b.weight('b1', [channels])], { kernel_shape: intsAttr([3, 3]), pads: intsAttr([1, 1, 1, 1]) }, 'conv1');
  const n = b.node('Relu', [norm(b, h, channels)]);
  const y = b.node('Relu', [b.node('Conv', [n, b.weight('w2', [3, channels, 3, 3]), b.weight('b2', [3])], { kernel_shape: intsAttr([3, 3]), pads: intsAttr([1, 1, 1, 1]) }, 'conv2')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [y])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [2, 3]), b.weight('fcb', [2])], { transB: intAttr(1) }, 'fc'));
  return { model: { ...model, opsetImports: [{ domain: '', version: opset }] }, batch: b.batch([2, 2, 5, 5]) };
}

/** The graph with node 'norm' replaced by a Relu of its input (same tensor names), for a per-channel discovery. */
function withNormAsRelu(graph: Graph): Graph {
  return { ...graph, nodes: graph.nodes.map((n) => (n.name === 'norm' ? { ...n, opType: 'Relu', inputs: [n.inputs[0]], attributes: {} } : n)) };
}

function prune(model: Model, masks: Uint8Array[]): Model {
  const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)));
  assert.deepEqual(d.groups.map((g) => g.producers), [['conv1'], ['conv2']]);
  return pruneModel(model, d, masks).model;
}

/**
 * The physically pruned model must compute what the source computes when the removed channels contribute
 * nothing downstream: conv2's weights reading them zeroed.
 */
async function assertMatchesZeroed(model: Model, pruned: Model, kept: readonly number[], batch: { dims: number[]; data: Float32Array }): Promise<void> {
  const w2 = model.graph.initializers.get('w2')!;
  const [m, c, kh, kw] = w2.dims;
  const zeroed = Float32Array.from(w2.data as Float32Array);
  for (let o = 0; o < m; o++) for (let i = 0; i < c; i++) if (!kept.includes(i)) zeroed.fill(0, ((o * c + i) * kh) * kw, ((o * c + i + 1) * kh) * kw);
  const reference: Model = { ...model, graph: { ...model.graph, initializers: new Map(model.graph.initializers).set('w2', makeTensor('float32', w2.dims, zeroed) as Tensor) } };
  const [want, got] = await Promise.all([runModel(reference, batch, undefined, { threads: 1 }), runModel(pruned, batch, undefined, { threads: 1 })]);
  assertClose(got, want, 1e-5, 'pruned vs zeroed model');
}

// ---------------------------------------------------------------- GlobalMaxPool

test('GlobalMaxPool: reference matches onnxruntime; dY goes to each plane\'s maximum', async () => {
  for (let draw = 0; draw < 4; draw++) {
    const rng = new Rng(seedFor('reference GlobalMaxPool', draw));
    const g = new GraphBuilder(rng);
    const y = g.op('GlobalMaxPool', [g.input('x', randomShape(rng, rng.int(3, 5), 4))]);
    await matchesOnnxRuntime(g.build([y]), 17, `draw ${draw}`);
  }
  await gradCheckDraws('GlobalMaxPool', 6, (rng) => {
    const dims = randomShape(rng, rng.int(3, 5), 4);
    const g = new GraphBuilder(rng);
    const x = g.input('x', dims, distinct());
    const gate = g.input('gate', [1, dims[1], ...dims.slice(2).map(() => 1)], uniform(0.5, 1.5));
    const y = g.op('GlobalMaxPool', [g.op('Mul', [x, gate])]);
    return { built: g.build([y]), seeds: [y], targets: [x, gate], describe: `x=[${dims}]` };
  });
});

test('GlobalMaxPool ties: the whole gradient goes to the first maximal position (row-major), in onnxruntime and the reference', async () => {
  const g = new GraphBuilder(new Rng(1));
  const x = g.input('x', [1, 2, 2, 3], () => [0, 3, 1, 3, 3, 2, /* channel 1 */ -1, -1, -1, -1, -1, -1]);
  const y = g.op('GlobalMaxPool', [x]);
  const graph = g.unevaluated([y]);
  const shapes = inferShapes(graph);
  const backward = buildBackward({ forward: graph, shapes, seeds: [y], targets: [x] });
  const dy: RefTensor = { dims: [1, 2, 1, 1], data: Float64Array.from([2, 5]) };
  const feeds = new Map<string, RefTensor>([[backward.seedInputs.get(y)!, dy], ['x', g.build([y]).feeds.get('x')!]]);
  const expected = [0, 2, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0];
  assert.deepEqual([...evaluate(backward.graph, feeds).get(backward.gradOutputs.get(x)!)!.data], expected);
  const ortFeeds = Object.fromEntries([...feeds].map(([k, t]) => [k, toOrtFloat32(t)]));
  const out = await runOnnx(backward.graph, ortFeeds);
  assert.deepEqual([...fromOrt(out[backward.gradOutputs.get(x)!]).data], expected);
});

test('normalisation shape rules name the node and the attribute when a model does not fit', () => {
  const cases: [string, number[], number[][], Record<string, Attribute>, RegExp][] = [
    ['GroupNormalization', [2, 6, 3], [[3], [3]], { num_groups: intAttr(4) }, /num_groups 4 should be a positive divisor of the 6 channels/],
    ['GroupNormalization', [2, 6, 3], [[2], [2]], { num_groups: intAttr(3) }, /scale \[2\] should hold one value per group \[3\] \(opset 18\) or per channel \[6\] \(opset 21\)/],
    ['LayerNormalization', [2, 3, 4], [[3], [4]], { axis: intAttr(-1) }, /Scale \[3\] does not broadcast to the normalised shape \[4\]/],
    ['LayerNormalization', [2, 3, 4], [[4], [4]], { axis: intAttr(3) }, /axis 3 is out of range/],
    ['InstanceNormalization', [2, 3], [[3], [3]], {}, /at least one spatial axis/],
  ];
  for (const [op, x, params, attrs, pattern] of cases) {
    const g = new GraphBuilder(new Rng(1));
    const graph = g.unevaluated([g.op(op, [g.input('x', x), g.weight('s', params[0]), g.weight('b', params[1])], attrs)]);
    assert.throws(() => inferShapes(graph), (e: unknown) => e instanceof Error && e.message.includes(`'${op}_0' (${op})`) && pattern.test(e.message), `${op} ${JSON.stringify(attrs)}`);
  }
});
