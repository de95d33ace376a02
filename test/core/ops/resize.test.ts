/**
 * Resize (opsets 11–19; nearest and linear; every coordinate transform but tf_crop_and_resize; every nearest
 * mode; scales or sizes; opset 18's `axes`): the reference kernel against onnxruntime at the model's opset, the
 * gradient (transposed per-axis maps) against finite differences and onnxruntime, the channel rule against the
 * gated model, and the refusals.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Attribute, Graph, intAttr, intsAttr, stringAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { serializeModel } from '../../../src/core/onnx/writer';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { GradientError } from '../../../src/core/autodiff/rule';
import { discoverUnits } from '../../../src/core/units/discover';
import { PruneError, concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { GraphBuilder } from '../../support/graph-builder';
import { assertClose, backwardOps, gradCheckDraws } from '../../support/gradcheck';
import { fromOrt, modelOf, toOrtFloat32 } from '../../support/ort';
import { Rng, seedFor } from '../../support/random';
import { randomShape } from '../../support/random-ops';
import { GraphBuilder as ModelBuilder } from '../prune/ir-builder';

async function runAtOpset(graph: Graph, feeds: Readonly<Record<string, ort.Tensor>>, opset: number): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(serializeModel({ ...modelOf(graph), opsetImports: [{ domain: '', version: opset }] }));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

const SCALES = [0.5, 0.6, 0.75, 1, 1.25, 1.5, 1.7, 2, 2.5, 3];

interface ResizeCase {
  readonly x: number[];
  readonly opset: number;
  readonly attrs: Record<string, Attribute>;
  /** Builds the node's inputs 1–3 (roi, scales, sizes) in the opset's form. */
  readonly inputs: (b: GraphBuilder) => string[];
  readonly describe: string;
}

/** A random Resize valid in onnxruntime at one of `opsets`. */
function randomResize(rng: Rng, opsets: readonly number[]): ResizeCase {
  const opset = rng.pick(opsets);
  const mode = rng.pick(['nearest', 'linear']);
  const rank = mode === 'linear' ? rng.pick([2, 3, 4, 4, 5]) : rng.pick([3, 4, 4, 5]);
  const x = rank === 2 ? randomShape(rng, 2, 5) : [rng.int(1, 2), rng.int(1, 3), ...randomShape(rng, rank - 2, rank === 5 ? 3 : 5)];
  // onnxruntime's linear kernels keep batch and channels; nearest may resize any axis but N, C stay put here too.
  const resizable = x.map((_, i) => rank === 2 || i >= 2);
  const transforms = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', ...(opset <= 13 && mode === 'nearest' ? ['tf_half_pixel_for_nn'] : []), ...(opset >= 19 ? ['half_pixel_symmetric'] : [])];
  const transform = rng.pick(transforms);
  const attrs: Record<string, Attribute> = { mode: stringAttr(mode), coordinate_transformation_mode: stringAttr(transform) };
  const nearestMode = mode === 'nearest' ? rng.pick(['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']) : undefined;
  if (nearestMode) attrs.nearest_mode = stringAttr(nearestMode);
  const listed = opset >= 18 && rng.bool() ? x.map((_, i) => i).filter((i) => resizable[i]) : x.map((_, i) => i);
  if (listed.length !== rank) attrs.axes = intsAttr(listed);
  const bySizes = rng.bool(0.4);
  const values = listed.map((axis) => {
    if (!resizable[axis]) return bySizes ? x[axis] : 1;
    if (bySizes) return rng.int(1, 2 * x[axis] + 1);
    for (;;) {
      const s = rng.pick(SCALES);
      if (Math.floor(Math.fround(x[axis] * Math.fround(s))) >= 1) return s;
    }
  });
  const inputs = (b: GraphBuilder): string[] => {
    const given = bySizes ? b.ints('sizes', values) : b.weight('scales', [values.length], () => values);
    if (opset < 13) {
      const roi = b.weight('roi', [0]);
      return bySizes ? [roi, b.weight('no_scales', [0]), given] : [roi, given];
    }
    return bySizes ? ['', '', given] : ['', given];
  };
  const describe = `opset ${opset} x=[${x}] ${mode} ${transform}${nearestMode ? ` ${nearestMode}` : ''} ${bySizes ? 'sizes' : 'scales'}=[${values}]${attrs.axes ? ` axes=[${listed}]` : ''}`;
  return { x, opset, attrs, inputs, describe };
}

test('Resize reference matches onnxruntime (opsets 11, 13, 17, 18, 19; nearest and linear; all transforms and nearest modes)', async () => {
  for (let draw = 0; draw < 40; draw++) {
    const rng = new Rng(seedFor('reference Resize', draw));
    const c = randomResize(rng, [11, 13, 17, 18, 19]);
    const b = new GraphBuilder(rng);
    const y = b.op('Resize', [b.input('x', c.x), ...c.inputs(b)], c.attrs);
    const built = b.build([y]);
    const ours = evaluate(built.graph, built.feeds).get(y)!;
    const theirs = fromOrt((await runAtOpset(built.graph, { x: toOrtFloat32(built.feeds.get('x')!) }, c.opset))[y]);
    assert.deepEqual(ours.dims, theirs.dims, `draw ${draw} ${c.describe}: output shape`);
    assert.deepEqual(inferShapes(built.graph).get(y), theirs.dims, `draw ${draw} ${c.describe}: shape rule`);
    assertClose(ours.data, theirs.data, 1e-5, `draw ${draw} ${c.describe}`);
  }
});

test('Resize nearest on exact .5 coordinates: round_prefer_floor and round_prefer_ceil pick as onnxruntime does', async () => {
  // Downsampling by 2 with half_pixel puts every coordinate at 2o + 0.5; asymmetric upsampling by 2/3 at .5 too.
  for (const [transform, scale] of [['half_pixel', 0.5], ['asymmetric', 2 / 3], ['align_corners', 1.5]] as const) {
    for (const nearestMode of ['round_prefer_floor', 'round_prefer_ceil']) {
      const b = new GraphBuilder(new Rng(7));
      const attrs = { mode: stringAttr('nearest'), coordinate_transformation_mode: stringAttr(transform), nearest_mode: stringAttr(nearestMode) };
      const y = b.op('Resize', [b.input('x', [1, 1, 1, 9], () => [1, 2, 3, 4, 5, 6, 7, 8, 9]), '', b.weight('scales', [4], () => [1, 1, 1, scale])], attrs);
      const built = b.build([y]);
      const theirs = fromOrt((await runAtOpset(built.graph, { x: toOrtFloat32(built.feeds.get('x')!) }, 17))[y]);
      assert.deepEqual([...evaluate(built.graph, built.feeds).get(y)!.data], [...theirs.data], `${transform} ×${scale} ${nearestMode}`);
    }
  }
});

test('Resize: dX is the transposed interpolation (nearest scatter-adds, linear spreads by its weights)', async () => {
  const results = await gradCheckDraws('Resize', 16, (rng) => {
    const c = randomResize(rng, [13, 17]);
    const b = new GraphBuilder(rng);
    const x = b.input('x', c.x);
    const gate = b.input('gate', c.x.map((d, i) => (i === 1 && c.x.length > 2 ? d : 1)));
    const y = b.op('Resize', [b.op('Mul', [x, gate]), ...c.inputs(b)], c.attrs);
    return { built: b.build([y]), seeds: [y], targets: [x, gate], describe: c.describe };
  });
  for (const r of results) assert.ok(!backwardOps(r).includes('ScatterElements'), backwardOps(r).join(', '));
});

test('Resize channel rule: channels pass through and an explicit sizes input gets the kept count', async () => {
  for (const form of ['scales', 'sizes'] as const) {
    const b = new ModelBuilder(13);
    // A constant `sizes` fixes the batch too, so that model's input has a fixed batch.
    const x = b.input('x', [form === 'sizes' ? 2 : 'batch', 2, 4, 4]);
    const h = b.node('Relu', [b.node('Conv', [x, b.weight('w1', [4, 2, 3, 3]), b.weight('b1', [4])], { kernel_shape: intsAttr([3, 3]), pads: intsAttr([1, 1, 1, 1]) }, 'conv1')]);
    const resizeInputs = form === 'scales' ? [h, '', b.weight('scales', [4], [1, 1, 2, 1.5])] : [h, '', '', b.int64('sizes', [2, 4, 7, 9])];
    const up = b.node('Resize', resizeInputs, { mode: stringAttr('linear'), coordinate_transformation_mode: stringAttr('pytorch_half_pixel') }, 'up');
    const y = b.node('Relu', [b.node('Conv', [up, b.weight('w2', [3, 4, 3, 3]), b.weight('b2', [3])], { kernel_shape: intsAttr([3, 3]) }, 'conv2')]);
    const z = b.node('Flatten', [b.node('GlobalAveragePool', [y])], { axis: intAttr(1) });
    const model = b.model(b.node('Gemm', [z, b.weight('fc', [2, 3]), b.weight('fcb', [2])], { transB: intAttr(1) }, 'fc'));
    const inputShapes = new Map([['x', [2, 2, 4, 4]]]);
    const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph, inputShapes, 2)));
    const masks = d.groups.map((g) => Uint8Array.from({ length: g.channels }, (_, i) => (g.producers[0] === 'conv1' && i === 1 ? 0 : 1)));
    const { model: pruned } = pruneModel(model, d, masks, { inputShapes });
    if (form === 'sizes') assert.deepEqual(Array.from(pruned.graph.initializers.get('sizes')!.data as BigInt64Array, Number), [2, 3, 7, 9]);
    const r = await verifyPruning(model, d, masks, b.batch([2, 2, 4, 4]), { pruned, inputShapes, session: { threads: 1 } });
    assert.ok(r.maxAbsDiff <= 1e-5, `${form}: pruned vs gated differ by ${r.maxAbsDiff}`);
  }
});

test('Resize channel rule: a nearest Resize of the channel axis is refused naming the node and the axis', () => {
  const b = new ModelBuilder(14);
  const x = b.input('x', ['batch', 2, 4, 4]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w1', [4, 2, 3, 3])], { kernel_shape: intsAttr([3, 3]), pads: intsAttr([1, 1, 1, 1]) }, 'conv1')]);
  const up = b.node('Resize', [h, '', b.weight('scales', [4], [1, 2, 1, 1])], { mode: stringAttr('nearest') }, 'up');
  const y = b.node('Relu', [b.node('Conv', [up, b.weight('w2', [3, 8, 3, 3])], { kernel_shape: intsAttr([3, 3]) }, 'conv2')]);
  const model = b.model(b.node('Gemm', [b.node('Flatten', [b.node('GlobalAveragePool', [y])], { axis: intAttr(1) }), b.weight('fc', [3, 2])], {}, 'fc'));
  const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)), { checkPruning: false });
  const masks = d.groups.map((g) => Uint8Array.from({ length: g.channels }, (_, i) => (g.producers[0] === 'conv1' && i === 0 ? 0 : 1)));
  assert.throws(() => pruneModel(model, d, masks), (e: unknown) => e instanceof PruneError && /node 'up' \(Resize\)/.test(e.message) && /channel axis 1 \(4 → 8\)/.test(e.message));
});

test('Resize refusals name the node and what is not supported', () => {
  const cases: [Record<string, Attribute>, (b: GraphBuilder) => string[], RegExp][] = [
    [{ mode: stringAttr('cubic') }, (b) => ['', b.weight('s', [4], () => [1, 1, 2, 2])], /mode 'cubic' is not supported/],
    [{ coordinate_transformation_mode: stringAttr('tf_crop_and_resize') }, (b) => [b.weight('roi', [8], () => [0, 0, 0, 0, 1, 1, 1, 1]), b.weight('s', [4], () => [1, 1, 2, 2])], /coordinate_transformation_mode 'tf_crop_and_resize' is not supported/],
    [{ mode: stringAttr('linear'), antialias: intAttr(1) }, (b) => ['', b.weight('s', [4], () => [1, 1, 0.5, 0.5])], /antialias 1 is not supported/],
    [{ mode: stringAttr('linear') }, (b) => ['', b.weight('s', [4], () => [2, 1, 2, 2])], /linear mode with scales \[2, 1, 2, 2\] is not supported/],
    [{}, (b) => [b.weight('s', [4], () => [1, 1, 2, 2])], /opset-10 form/],
    [{}, (b) => ['', b.input('s', [4])], /scales \(input 2, 's'\) must be a constant/],
    [{}, (b) => ['', b.weight('s', [4], () => [1, 1, 2, 2]), b.ints('sizes', [1, 2, 8, 8])], /exactly one of scales \(input 2\) and sizes \(input 3\)/],
    [{ keep_aspect_ratio_policy: stringAttr('not_larger') }, (b) => ['', '', b.ints('sizes', [1, 2, 8, 8])], /keep_aspect_ratio_policy 'not_larger' is not supported/],
  ];
  for (const [attrs, inputs, pattern] of cases) {
    const b = new GraphBuilder(new Rng(1));
    const graph = b.unevaluated([b.op('Resize', [b.input('x', [1, 2, 4, 4]), ...inputs(b)], attrs)]);
    assert.throws(() => inferShapes(graph), (e: unknown) => e instanceof Error && e.message.includes(`node 'Resize_0' (Resize)`) && pattern.test(e.message), `${JSON.stringify(attrs)}: ${pattern}`);
  }
  // The scales are not differentiable (they are constants the engine builds the graph for).
  const b = new GraphBuilder(new Rng(2));
  const graph = b.unevaluated([b.op('Resize', [b.input('x', [1, 1, 2, 2]), '', b.weight('scales', [4], () => [1, 1, 2, 2])])]);
  const shapes = inferShapes(graph);
  assert.throws(() => buildBackward({ forward: graph, shapes, seeds: ['Resize_0_out0'], targets: ['scales'] }), (e: unknown) => e instanceof GradientError && /scales/.test(e.message));
});
