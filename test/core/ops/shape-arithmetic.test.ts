/**
 * The shape-arithmetic ops (Shape, Size, Range, Reshape, Expand, ConstantOfShape, Gather, Squeeze, Unsqueeze, Tile):
 * reference kernels and shape rules against onnxruntime in the forms the opsets give them, gradients by finite
 * differences (and in onnxruntime), hostile values refused with the node named, and channel rules (pruned model =
 * gated model, or a clear refusal naming node and reason), computed Reshape targets included.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Attribute, Model, Tensor, intAttr, intsAttr, int64Tensor, makeTensor } from '../../../src/core/onnx/ir';
import { inferShapes, int64Values } from '../../../src/core/onnx/shape-inference';
import { GraphBuilder } from '../../support/graph-builder';
import { GradCheckResult, backwardOps, gradCheckDraws } from '../../support/gradcheck';
import { Rng, seedFor, uniform } from '../../support/random';
import { factorise, randomBroadcastPair, randomShape } from '../../support/random-ops';
import { GraphBuilder as ModelBuilder } from '../prune/ir-builder';
import { assertRefused, conv3x3, matchesOnnxRuntime, prunedMatchesGated } from './layout-support';

const DRAWS = 6;

/** Runs `make` on `draws` seeded draws against onnxruntime; every failure names the seed. */
async function refDraws(
  name: string,
  draws: number,
  make: (rng: Rng, b: GraphBuilder) => { outputs: string[]; int64Outputs?: string[]; opset?: number; describe: string },
): Promise<void> {
  for (let draw = 0; draw < draws; draw++) {
    const seed = seedFor(name, draw);
    const rng = new Rng(seed);
    const b = new GraphBuilder(rng);
    const { outputs, int64Outputs = [], opset = 17, describe } = make(rng, b);
    await matchesOnnxRuntime(`${name} draw ${draw} (seed ${seed}) [${describe}, opset ${opset}]`, b.build(outputs, int64Outputs), opset);
  }
}

/** Every op a backward graph emits has a shape rule, and the gradients get their inputs' shapes. */
function assertBackwardShapesKnown(results: readonly GradCheckResult[]): void {
  for (const r of results) {
    const g = r.backward.graph;
    const shapes = inferShapes(g, new Map(g.inputs.map((v) => [v.name, v.shape as number[]])));
    for (const o of g.outputs) assert.deepEqual(shapes.get(o.name), o.shape, `backward output '${o.name}'`);
  }
}

const scalar = (b: GraphBuilder, name: string, value: number): string => b.ints(name, [value], []);

// ---------------------------------------------------------------- reference kernels and shape rules

test('Shape (start/end, opset 15+) and Size match onnxruntime', async () => {
  await refDraws('Shape', DRAWS, (rng, b) => {
    const rank = rng.int(1, 4);
    const attrs: Record<string, Attribute> = {};
    if (rng.bool()) attrs.start = intAttr(rng.int(-rank - 1, rank + 1));
    if (rng.bool()) attrs.end = intAttr(rng.int(-rank - 1, rank + 1));
    const x = b.input('x', randomShape(rng, rank));
    const s = b.op('Shape', [x], attrs);
    const n = b.op('Size', [x]);
    return { outputs: [], int64Outputs: [s, n], describe: `rank=${rank} ${JSON.stringify(attrs)}` };
  });
});

test('Range matches onnxruntime for int64 and float operands', async () => {
  await refDraws('Range int64', DRAWS, (rng, b) => {
    const start = rng.int(-5, 5);
    const delta = rng.pick([-3, -2, -1, 1, 2, 3]);
    const limit = start + delta * rng.int(-1, 6) + rng.int(-1, 1);
    const r = b.op('Range', [scalar(b, 'start', start), scalar(b, 'limit', limit), scalar(b, 'delta', delta)]);
    return { outputs: [], int64Outputs: [r], describe: `${start}:${limit}:${delta}` };
  });
  await refDraws('Range float', DRAWS, (rng, b) => {
    const start = b.weight('start', [], uniform(-3, 3));
    const limit = b.weight('limit', [], uniform(-3, 3));
    const delta = b.weight('delta', [], () => [rng.pick([-1, 1]) * rng.uniform(0.3, 1.1)]);
    return { outputs: [b.op('Range', [start, limit, delta])], describe: 'float' };
  });
});

test('Reshape matches onnxruntime (0 copies, −1 infers)', async () => {
  await refDraws('Reshape', DRAWS, (rng, b) => {
    const x = randomShape(rng, rng.int(2, 4));
    const target = factorise(rng, x.reduce((p, q) => p * q, 1), rng.int(1, 4));
    const written: number[] = target.map((d, i) => (i < x.length && d === x[i] && rng.bool() ? 0 : d));
    written[rng.int(0, written.length - 1)] = written.includes(-1) ? written[0] : -1;
    if (written.filter((d) => d === -1).length > 1) written[written.indexOf(-1)] = target[written.indexOf(-1)];
    return { outputs: [b.op('Reshape', [b.input('x', x), b.ints('shape', written)])], describe: `[${x}] -> [${written}]` };
  });
});

test('Expand and Tile match onnxruntime', async () => {
  await refDraws('Expand', DRAWS, (rng, b) => {
    const [sa, sb] = randomBroadcastPair(rng);
    return { outputs: [b.op('Expand', [b.input('x', sa), b.ints('shape', sb)])], describe: `[${sa}] to [${sb}]` };
  });
  await refDraws('Tile', DRAWS, (rng, b) => {
    const x = randomShape(rng, rng.int(1, 4), 3);
    const repeats = x.map(() => rng.int(1, 3));
    return { outputs: [b.op('Tile', [b.input('x', x), b.ints('repeats', repeats)])], describe: `[${x}] × [${repeats}]` };
  });
});

test('ConstantOfShape matches onnxruntime (float and int64 values, default 0)', async () => {
  await refDraws('ConstantOfShape', DRAWS, (rng, b) => {
    const dims = randomShape(rng, rng.int(1, 3));
    const kind = rng.pick(['float', 'int64', 'default'] as const);
    const value: Tensor = kind === 'int64' ? int64Tensor([1], [rng.int(-9, 9)]) : makeTensor('float32', [1], Float32Array.of(Math.fround(rng.normal())));
    const out = b.op('ConstantOfShape', [b.ints('dims', dims)], kind === 'default' ? {} : { value: { type: 'tensor', value } });
    return kind === 'int64' ? { outputs: [], int64Outputs: [out], describe: kind } : { outputs: [out], describe: kind };
  });
});

test('Gather matches onnxruntime on any axis, with negative and repeated indices', async () => {
  await refDraws('Gather', 2 * DRAWS, (rng, b) => {
    const data = randomShape(rng, rng.int(1, 4));
    const axis = rng.int(-data.length, data.length - 1);
    const d = data[axis < 0 ? axis + data.length : axis];
    const indexDims = randomShape(rng, rng.int(0, 2), 3);
    const indices = Array.from({ length: indexDims.reduce((p, q) => p * q, 1) }, () => rng.int(-d, d - 1));
    const y = b.op('Gather', [b.input('data', data), b.ints('indices', indices, indexDims)], { axis: intAttr(axis) });
    return { outputs: [y], describe: `data [${data}] axis ${axis} indices [${indexDims}] = [${indices}]` };
  });
});

test('Squeeze and Unsqueeze match onnxruntime: axes as an input (opset 13+) and as an attribute (opset 11)', async () => {
  await refDraws('Squeeze', 2 * DRAWS, (rng, b) => {
    const x = randomShape(rng, rng.int(1, 4)).map((d) => (rng.bool() ? 1 : d));
    const ones = x.flatMap((d, i) => (d === 1 ? [i] : []));
    const axes = rng.shuffle(ones).slice(0, rng.int(0, ones.length)).map((a) => (rng.bool() ? a - x.length : a));
    const opset = rng.pick([11, 17]);
    const listed = axes.length > 0 && rng.bool(0.8);
    const y =
      opset === 11
        ? b.op('Squeeze', [b.input('x', x)], listed ? { axes: intsAttr(axes) } : {})
        : b.op('Squeeze', listed ? [b.input('x', x), b.ints('axes', axes)] : [b.input('x', x)]);
    return { outputs: [y], opset, describe: `[${x}] axes ${listed ? `[${axes}]` : 'all ones'}` };
  });
  await refDraws('Unsqueeze', 2 * DRAWS, (rng, b) => {
    const x = randomShape(rng, rng.int(0, 3));
    const count = rng.int(1, 2);
    const rank = x.length + count;
    const axes = rng.shuffle(Array.from({ length: rank }, (_, i) => i)).slice(0, count).map((a) => (rng.bool() ? a - rank : a));
    const opset = rng.pick([11, 17]);
    const y = opset === 11 ? b.op('Unsqueeze', [b.input('x', x)], { axes: intsAttr(axes) }) : b.op('Unsqueeze', [b.input('x', x), b.ints('axes', axes)]);
    return { outputs: [y], opset, describe: `[${x}] axes [${axes}]` };
  });
});

// ---------------------------------------------------------------- hostile values

test('hostile values in the file are refused with the node and the value named', () => {
  const cases: [string, (b: GraphBuilder) => string, RegExp][] = [
    ['Range delta 0', (b) => b.op('Range', [scalar(b, 's', 0), scalar(b, 'l', 5), scalar(b, 'd', 0)]), /Range_\d+' \(Range\): delta is 0/],
    ['Reshape two -1', (b) => b.op('Reshape', [b.input('x', [2, 6]), b.ints('t', [-1, -1])]), /\(Reshape\): cannot reshape \[2, 6\] to \[-1, -1\]: more than one entry is -1/],
    ['Reshape entry -5', (b) => b.op('Reshape', [b.input('x', [2, 6]), b.ints('t', [-5, 3])]), /entry 0 is -5/],
    ['Reshape 0 and -1 with allowzero', (b) => b.op('Reshape', [b.input('x', [2, 6]), b.ints('t', [0, -1])], { allowzero: intAttr(1) }), /cannot hold both 0 and -1/],
    ['Expand negative size', (b) => b.op('Expand', [b.input('x', [2, 1]), b.ints('t', [2, -3])]), /\(Expand\): shape \[2, -3\] has entry 1 = -3/],
    ['Tile wrong length', (b) => b.op('Tile', [b.input('x', [2, 3]), b.ints('r', [2])]), /\(Tile\): repeats \[2\] should have one entry per axis/],
    ['ConstantOfShape negative', (b) => b.op('ConstantOfShape', [b.ints('s', [3, -1])]), /\(ConstantOfShape\): shape \[3, -1\] has entry 1 = -1/],
    ['Gather axis 2^31', (b) => b.op('Gather', [b.input('x', [2, 3]), b.ints('i', [0])], { axis: intAttr(2 ** 31) }), /\(Gather\): axis 2147483648 is out of range/],
    ['Squeeze a size-3 axis', (b) => b.op('Squeeze', [b.input('x', [2, 3]), b.ints('a', [1])]), /\(Squeeze\): axis 1 of input \[2, 3\] has size 3, not 1/],
    ['Unsqueeze duplicate axes', (b) => b.op('Unsqueeze', [b.input('x', [2, 3]), b.ints('a', [0, -4])]), /\(Unsqueeze\): axis -4 is listed twice/],
  ];
  for (const [label, make] of cases.map(([l, m]) => [l, m] as const)) {
    const b = new GraphBuilder(new Rng(1));
    const y = make(b);
    const g = b.unevaluated([y]);
    const why = cases.find((c) => c[0] === label)?.[2] as RegExp;
    assert.throws(() => inferShapes(g, new Map(g.inputs.map((v) => [v.name, v.shape as number[]]))), why, label);
  }
});

test('a Gather index out of range is refused by the kernel (the folding evaluates it), naming the node', () => {
  const b = new GraphBuilder(new Rng(1));
  const y = b.op('Gather', [b.op('Shape', [b.input('x', [2, 3])]), b.ints('i', [5], [])]);
  const g = b.unevaluated([y]);
  assert.throws(() => inferShapes(g, new Map([['x', [2, 3]]])), /node 'Gather_1' \(Gather\): index 5 is out of range for axis 0 of size 2/);
});

// ---------------------------------------------------------------- gradients

test('Expand: dX sums dY over the broadcast axes', async () => {
  const results = await gradCheckDraws('Expand', DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const [sa, sb] = randomBroadcastPair(rng);
    const x = b.tensor('x', sa, rng.bool(0.3));
    const y = b.op('Tanh', [b.op('Expand', [x, b.ints('shape', sb)])]);
    return { built: b.build([y]), seeds: [y], targets: [x], describe: `[${sa}] to [${sb}]` };
  });
  assertBackwardShapesKnown(results);
});

test('Tile: dX sums dY over the tiles', async () => {
  const results = await gradCheckDraws('Tile', DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const shape = randomShape(rng, rng.int(1, 4), 3);
    const repeats = shape.map(() => rng.int(1, 3));
    const x = b.input('x', shape);
    const y = b.op('Tanh', [b.op('Tile', [x, b.ints('repeats', repeats)])]);
    return { built: b.build([y]), seeds: [y], targets: [x], describe: `[${shape}] × [${repeats}]` };
  });
  assertBackwardShapesKnown(results);
});

test('Gather: dData scatters dY back (ScatterElements add), repeated and negative indices on any axis', async () => {
  const results = await gradCheckDraws('Gather', 2 * DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const dims = randomShape(rng, rng.int(1, 3));
    const axis = rng.int(-dims.length, dims.length - 1);
    const d = dims[axis < 0 ? axis + dims.length : axis];
    const indexDims = randomShape(rng, rng.int(0, 2), 3);
    const indices = Array.from({ length: indexDims.reduce((p, q) => p * q, 1) }, () => rng.int(-d, d - 1));
    // An embedding table is an initializer; an activation a graph input.
    const data = b.tensor('data', dims, rng.bool(0.5));
    const y = b.op('Tanh', [b.op('Gather', [data, b.ints('indices', indices, indexDims)], { axis: intAttr(axis) })]);
    return { built: b.build([y]), seeds: [y], targets: [data], describe: `[${dims}] axis ${axis} indices [${indexDims}] = [${indices}]` };
  });
  assertBackwardShapesKnown(results);
  assert.ok(results.every((r) => backwardOps(r).includes('ScatterElements')));
});

test('Squeeze and Unsqueeze: dX is dY reshaped back', async () => {
  const results = await gradCheckDraws('Squeeze Unsqueeze', DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const shape = randomShape(rng, rng.int(1, 3));
    const x = b.input('x', shape);
    const up = b.op('Unsqueeze', [x, b.ints('up', [0, shape.length + 1])]);
    const y = b.op('Tanh', [b.op('Squeeze', [b.op('Tanh', [up]), b.ints('down', [0])])]);
    return { built: b.build([y]), seeds: [y], targets: [x], describe: `[${shape}]` };
  });
  assertBackwardShapesKnown(results);
});

test('Reshape with a target computed from Shape (view(x.size(0), -1)): the gradient flows to x, not to the shape', async () => {
  await gradCheckDraws('Reshape computed', DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const shape = randomShape(rng, rng.int(2, 4));
    const x = b.input('x', shape);
    const batch = b.op('Unsqueeze', [b.op('Gather', [b.op('Shape', [x]), b.ints('zero', [0], [])]), b.ints('axes', [0])]);
    const target = b.op('Concat', [batch, b.ints('rest', [-1])], { axis: intAttr(0) });
    const y = b.op('Tanh', [b.op('Reshape', [b.op('Sigmoid', [x]), target])]);
    return { built: b.build([y]), seeds: [y], targets: [x], describe: `[${shape}]` };
  });
});

test('an integer path from the data (Size → Cast) carries no gradient; the data path beside it does', async () => {
  await gradCheckDraws('Size beside data', 3, (rng) => {
    const b = new GraphBuilder(rng);
    const shape = randomShape(rng, rng.int(1, 3));
    const x = b.input('x', shape);
    const count = b.op('Cast', [b.op('Size', [x])], { to: intAttr(1) });
    const y = b.op('Tanh', [b.op('Div', [x, count])]);
    return { built: b.build([y]), seeds: [y], targets: [x], describe: `[${shape}]` };
  });
});

// ---------------------------------------------------------------- channel rules

/** conv → relu [N, 4, 4, 4], then `tail`, then GlobalAveragePool → Flatten → Gemm(features). */
function convModel(tail: (b: ModelBuilder, h: string) => string, features = 4, opset = 13): Model {
  const b = new ModelBuilder(5);
  const x = b.input('x', ['batch', 2, 4, 4]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w', [4, 2, 3, 3]), b.weight('bias', [4])], conv3x3, 'conv')], {}, 'relu');
  const t = tail(b, h);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [t])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [3, features]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
  return { ...model, opsetImports: [{ domain: '', version: opset }] };
}

/** conv → relu [N, 4, 4, 4] → `flatten` → Gemm over the 64 features. */
function flattenModel(flatten: (b: ModelBuilder, h: string) => string): Model {
  const b = new ModelBuilder(6);
  const x = b.input('x', ['batch', 2, 4, 4]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w', [4, 2, 3, 3]), b.weight('bias', [4])], conv3x3, 'conv')], {}, 'relu');
  return b.model(b.node('Gemm', [flatten(b, h), b.weight('fc', [3, 64]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
}

const int64Constant = (b: ModelBuilder, values: readonly number[], dims: readonly number[] = [values.length]): string =>
  b.node('Constant', [], { value: { type: 'tensor', value: int64Tensor(dims, values) } });

/** The exporter's x.size(0): Shape → Gather(scalar 0) → Unsqueeze(axes [0]). */
function batchOf(b: ModelBuilder, t: string): string {
  return b.node('Unsqueeze', [b.node('Gather', [b.node('Shape', [t]), int64Constant(b, [0], [])]), int64Constant(b, [0])]);
}

const KEEP = { conv: [0, 2, 3] };

test('Unsqueeze and Squeeze around the channels carry them; an axis in front of them is refused', async () => {
  await prunedMatchesGated(convModel((b, h) => b.node('Squeeze', [b.node('Relu', [b.node('Unsqueeze', [h, b.int64('axes', [4])])]), b.int64('axes2', [-1])])), KEEP, [2, 2, 4, 4]);
  assertRefused(
    convModel((b, h) => b.node('Squeeze', [b.node('Unsqueeze', [h, b.int64('axes', [0])], {}, 'unsq'), b.int64('axes2', [0])])),
    KEEP,
    'unsq',
    'Unsqueeze',
    /inserts an axis at position 0, in front of the partly pruned channel axis/,
  );
});

test('Expand to a constant shape that spells out the channels: the count is rewritten', async () => {
  const model = convModel((b, h) => b.node('Expand', [b.node('GlobalAveragePool', [h]), b.int64('to', [1, 4, 2, 2])], {}, 'expand'));
  const pruned = await prunedMatchesGated(model, KEEP, [2, 2, 4, 4]);
  const expand = pruned.graph.nodes.find((n) => n.name === 'expand');
  assert.deepEqual(int64Values(pruned.graph.initializers.get(expand?.inputs[1] ?? '') as Tensor), [1, 3, 2, 2]);
});

test('Tile along the spatial axes carries the channels; along the channels it is refused', async () => {
  await prunedMatchesGated(convModel((b, h) => b.node('Tile', [h, b.int64('r', [1, 1, 2, 3])])), KEEP, [2, 2, 4, 4]);
  assertRefused(convModel((b, h) => b.node('Tile', [h, b.int64('r', [1, 2, 1, 1])], {}, 'tile'), 8), KEEP, 'tile', 'Tile', /repeats the partly pruned channel axis/);
});

test('Gather along a spatial axis carries the channels; along the channels it is refused', async () => {
  await prunedMatchesGated(convModel((b, h) => b.node('Gather', [h, b.int64('rows', [3, 0, -1])], { axis: intAttr(2) })), KEEP, [2, 2, 4, 4]);
  assertRefused(convModel((b, h) => b.node('Gather', [h, b.int64('ch', [0, 1])], { axis: intAttr(1) }, 'pick'), 2), KEEP, 'pick', 'Gather', /picks entries of the partly pruned channel axis/);
});

test('a Reshape giving every channel whole rows ([N, 4, 4, 4] → [N, 16, 2, 2]) prunes, its count rewritten', async () => {
  const pruned = await prunedMatchesGated(convModel((b, h) => b.node('Reshape', [h, b.int64('shape', [0, 16, 2, 2])], {}, 'reshape'), 16), KEEP, [2, 2, 4, 4]);
  assert.deepEqual(int64Values(pruned.graph.initializers.get('shape') as Tensor), [0, 12, 2, 2]);
});

test('view(x.size(0), -1) and flatten(1, 2): computed targets follow the pruned channels and stay computed', async () => {
  for (const form of ['view', 'flatten(1, 2)'] as const) {
    const model = flattenModel((b, h) => {
      if (form === 'view') return b.node('Reshape', [h, b.node('Concat', [batchOf(b, h), int64Constant(b, [-1])], { axis: intAttr(0) })], {}, 'view');
      // [N, 4, 4, 4] → [N, 16, 4] (Shape[0:1], -1, Shape[3:4]) → view(x.size(0), -1)
      const shape = b.node('Shape', [h]);
      const head = b.node('Slice', [shape, int64Constant(b, [0]), int64Constant(b, [1]), int64Constant(b, [0])]);
      const tail = b.node('Slice', [shape, int64Constant(b, [3]), int64Constant(b, [4]), int64Constant(b, [0])]);
      const merged = b.node('Reshape', [h, b.node('Concat', [head, int64Constant(b, [-1]), tail], { axis: intAttr(0) })], {}, 'flatten12');
      return b.node('Reshape', [merged, b.node('Concat', [batchOf(b, merged), int64Constant(b, [-1])], { axis: intAttr(0) })], {}, 'view');
    });
    for (const batch of [1, 3]) {
      const pruned = await prunedMatchesGated(model, KEEP, [batch, 2, 4, 4]);
      assert.ok(pruned.graph.nodes.some((n) => n.opType === 'Shape'), `${form}: the shape subgraph stays`);
      assert.equal(pruned.graph.initializers.get('fc')?.dims[1], 48, `${form}: the classifier reads 3 × 16 features`);
    }
  }
});

test('view(x.size(0), 64): the literal feature count is rewritten and the target becomes batch-free, not baked', async () => {
  const model = flattenModel((b, h) => b.node('Reshape', [h, b.node('Concat', [batchOf(b, h), int64Constant(b, [64])], { axis: intAttr(0) })], {}, 'view'));
  for (const batch of [1, 3]) {
    const pruned = await prunedMatchesGated(model, KEEP, [batch, 2, 4, 4]);
    const view = pruned.graph.nodes.find((n) => n.name === 'view');
    assert.deepEqual(int64Values(pruned.graph.initializers.get(view?.inputs[1] ?? '') as Tensor), [0, 48], 'batch copied (0), features pruned');
    assert.deepEqual(pruned.graph.nodes.filter((n) => ['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Constant'].includes(n.opType)).map((n) => n.name), [], 'the unread shape subgraph is gone');
  }
});

test('a computed target that cannot be written without the batch, and must change, is refused naming the node', () => {
  // A side branch only works at batch 1 (a constant [1, 64] reshape), so the target cannot be analysed at two batch sizes.
  const model = flattenModel((b, h) => {
    b.node('Reshape', [h, b.int64('one', [1, 64])], {}, 'batch_one');
    return b.node('Reshape', [h, b.node('Concat', [batchOf(b, h), int64Constant(b, [64])], { axis: intAttr(0) })], {}, 'view');
  });
  assertRefused(model, KEEP, 'view', 'Reshape', /is computed from the batch size in a way that cannot be written without it/);
});
