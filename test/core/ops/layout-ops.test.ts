/**
 * Split, Slice and Pad as model ops: reference kernels and shape rules against onnxruntime in every form the
 * opsets give them, gradients by finite differences (and in onnxruntime), the backward graphs' ops all known to
 * shape inference, and channel rules (pruned model = gated model, or a clear refusal naming node and reason).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Attribute, Model, floatAttr, intAttr, intsAttr, stringAttr } from '../../../src/core/onnx/ir';
import { inferShapes, int64Values } from '../../../src/core/onnx/shape-inference';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { GraphBuilder } from '../../support/graph-builder';
import { GradCheckResult, backwardOps, gradCheckDraws } from '../../support/gradcheck';
import { Rng, seedFor } from '../../support/random';
import { randomShape } from '../../support/random-ops';
import { GraphBuilder as ModelBuilder } from '../prune/ir-builder';
import { assertRefused, atOpset, conv3x3, matchesOnnxRuntime, prunedMatchesGated, withOutputs } from './layout-support';

/** Runs `make` on `draws` seeded draws; every failure names the seed. */
async function refDraws(name: string, draws: number, make: (rng: Rng, b: GraphBuilder) => { outputs: string[]; opset: number; describe: string }): Promise<void> {
  for (let draw = 0; draw < draws; draw++) {
    const seed = seedFor(name, draw);
    const rng = new Rng(seed);
    const b = new GraphBuilder(rng);
    const { outputs, opset, describe } = make(rng, b);
    await matchesOnnxRuntime(`${name} draw ${draw} (seed ${seed}) [${describe}, opset ${opset}]`, b.build(outputs), opset);
  }
}

/** Every op a backward graph emits has a shape rule (GoogLeNet failed on Concat's Split). */
function assertBackwardShapesKnown(results: readonly GradCheckResult[]): void {
  for (const r of results) {
    const g = r.backward.graph;
    const shapes = inferShapes(g, new Map(g.inputs.map((v) => [v.name, v.shape as number[]])));
    for (const o of g.outputs) assert.deepEqual(shapes.get(o.name), o.shape, `backward output '${o.name}'`);
  }
}

/** `n` split into `count` sizes ≥ 1 (count ≤ n). */
function partition(rng: Rng, n: number, count: number): number[] {
  const cuts = rng.shuffle(Array.from({ length: n - 1 }, (_, i) => i + 1)).slice(0, count - 1).sort((a, b) => a - b);
  return [...cuts, n].map((c, i) => c - (i === 0 ? 0 : cuts[i - 1]));
}

type SplitForm = 'input' | 'attribute' | 'equal' | 'num_outputs';

/** A random Split of a rank-1…4 input in one of its forms; returns the node's outputs and opset. */
function randomSplit(rng: Rng, b: GraphBuilder, forms: readonly SplitForm[]): { outputs: string[]; opset: number; describe: string; x: string } {
  const rank = rng.int(1, 4);
  const dims = randomShape(rng, rank, 6);
  const axis = rng.int(-rank, rank - 1);
  const n = dims[(axis + rank) % rank];
  const x = b.input('x', dims);
  const form = rng.pick(forms);
  const attrs: Record<string, Attribute> = rng.bool(0.2) && axis === 0 ? {} : { axis: intAttr(axis) };
  if (form === 'equal') {
    const count = rng.pick([1, 2, 3].filter((c) => n % c === 0));
    return { outputs: b.node('Split', [x], attrs, count), opset: 13, describe: `x=[${dims}] axis=${axis} equal ${count}`, x };
  }
  if (form === 'num_outputs') {
    const count = rng.pick([1, 2, 3].filter((c) => c <= n && (c - 1) * Math.ceil(n / c) < n));
    return { outputs: b.node('Split', [x], { ...attrs, num_outputs: intAttr(count) }, count), opset: 18, describe: `x=[${dims}] axis=${axis} num_outputs=${count}`, x };
  }
  const sizes = partition(rng, n, rng.int(1, Math.min(3, n)));
  const describe = `x=[${dims}] axis=${axis} split=[${sizes}] as ${form}`;
  if (form === 'attribute') return { outputs: b.node('Split', [x], { ...attrs, split: intsAttr(sizes) }, sizes.length), opset: 11, describe, x };
  return { outputs: b.node('Split', [x, b.ints('split', sizes)], attrs, sizes.length), opset: rng.pick([13, 17]), describe, x };
}

test('Split: reference and shape rule match onnxruntime (sizes as input or attribute, equal parts, num_outputs)', async () => {
  await refDraws('Split reference', 12, (rng, b) => randomSplit(rng, b, ['input', 'attribute', 'equal', 'num_outputs']));
});

test('Split: dX is the output gradients concatenated, zeros for outputs without one', async () => {
  const results = await gradCheckDraws('Split', 8, (rng) => {
    const b = new GraphBuilder(rng);
    const { outputs, describe, x } = randomSplit(rng, b, ['input', 'equal']);
    const seeds = outputs.filter((_, i) => i === 0 || rng.bool(0.6));
    return { built: b.build(outputs), seeds, targets: [x], describe: `${describe} seeds=${seeds.length}/${outputs.length}` };
  });
  const at18 = await gradCheckDraws(
    'Split num_outputs',
    4,
    (rng) => {
      const b = new GraphBuilder(rng);
      const { outputs, describe, x } = randomSplit(rng, b, ['num_outputs']);
      return { built: b.build(outputs), seeds: outputs.filter((_, i) => i === 0 || rng.bool(0.6)), targets: [x], describe };
    },
    { forwardOpset: 18 },
  );
  assertBackwardShapesKnown([...results, ...at18]);
  assert.ok(results.some((r) => backwardOps(r).includes('ConstantOfShape')), 'some draw left an output without a gradient');
});

test('Split: inconsistent sizes and a non-constant split input are refused, naming the node', () => {
  const b = new GraphBuilder(new Rng(1));
  const x = b.input('x', [2, 5]);
  const bad = b.node('Split', [x, b.ints('split', [2, 2])], { axis: intAttr(1) }, 2);
  assert.throws(() => inferShapes(b.unevaluated(bad), new Map([[x, [2, 5]]])), /node 'Split_0' \(Split\): split \[2, 2\] should be sizes ≥ 0 that add up to 5/);
  const c = new GraphBuilder(new Rng(1));
  const y = c.input('y', [2, 5]);
  const fed = c.node('Split', [y, c.input('sizes', [2])], { axis: intAttr(1) }, 2);
  assert.throws(() => inferShapes(c.unevaluated(fed), new Map([[y, [2, 5]], ['sizes', [2]]])), /node 'Split_0' \(Split\): its split sizes .* must be a constant/);
  const d = new GraphBuilder(new Rng(1));
  const z = d.input('z', [2, 5]);
  const uneven = d.node('Split', [z], { axis: intAttr(1) }, 2);
  assert.throws(() => inferShapes(d.unevaluated(uneven), new Map([[z, [2, 5]]])), /cannot be split into 2 equal parts/);
});

test("Concat's backward graph (a Split) has known shapes", () => {
  const b = new GraphBuilder(new Rng(5));
  const x = b.input('x', [2, 3, 4]);
  const y = b.input('y', [2, 2, 4]);
  const cat = b.op('Concat', [x, y], { axis: intAttr(1) });
  const built = b.build([cat]);
  const shapes = inferShapes(built.graph, new Map([[x, [2, 3, 4]], [y, [2, 2, 4]]]));
  const backward = buildBackward({ forward: built.graph, shapes, seeds: [cat], targets: [x, y] });
  assert.ok(backward.graph.nodes.some((n) => n.opType === 'Split'));
  assertBackwardShapesKnown([{ backward, gradients: new Map() }]);
});

/** A random Slice of a rank-1…4 input: starts/ends anywhere (clamped), steps ±1, ±2, ±3. */
function randomSlice(rng: Rng, b: GraphBuilder): { y: string; x: string; describe: string } {
  const rank = rng.int(1, 4);
  const dims = randomShape(rng, rank, 6);
  const axes = rng.shuffle(Array.from({ length: rank }, (_, i) => i)).slice(0, rng.int(1, rank));
  const steps = axes.map(() => rng.pick([1, 1, 2, 3, -1, -2]));
  const starts = axes.map((a) => rng.int(-dims[a] - 1, dims[a]));
  const ends = axes.map((a) => rng.pick([rng.int(-dims[a] - 1, dims[a] + 1), 2 ** 31 - 1, -(2 ** 31)]));
  const signed = axes.map((a) => (rng.bool(0.3) ? a - rank : a));
  const x = b.input('x', dims);
  const inputs = [x, b.ints('starts', starts), b.ints('ends', ends)];
  const plain = steps.every((s) => s === 1) && rng.bool(0.5);
  if (!plain) inputs.push(b.ints('axes', signed), b.ints('steps', steps));
  else if (rng.bool()) inputs.push(b.ints('axes', signed));
  const describe = `x=[${dims}] starts=[${starts}] ends=[${ends}] axes=[${plain && inputs.length === 3 ? 'default' : signed}] steps=[${plain ? 'default' : steps}]`;
  return { y: b.op('Slice', inputs), x, describe };
}

test('Slice: reference and shape rule match onnxruntime (negative indices, clamping, steps of either sign)', async () => {
  await refDraws('Slice reference', 12, (rng, b) => {
    const { y, describe } = randomSlice(rng, b);
    return { outputs: [y], opset: rng.pick([11, 13, 17]), describe };
  });
});

test('Slice: dX is dY put back in place (Pad), strided and reversed axes included', async () => {
  const results = await gradCheckDraws('Slice', 12, (rng) => {
    for (;;) {
      const b = new GraphBuilder(rng);
      const { y, x, describe } = randomSlice(rng, b);
      const built = b.build([y]);
      if (built.graph.outputs[0].shape?.every((d) => d !== 0)) return { built, seeds: [y], targets: [x], describe };
    }
  });
  assertBackwardShapesKnown(results);
});

test('Slice: an empty slice has a zero gradient; a zero step is refused', async () => {
  const results = await gradCheckDraws('Slice empty', 1, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', [3, 4]);
    const y = b.op('Slice', [x, b.ints('starts', [3]), b.ints('ends', [1]), b.ints('axes', [1])]);
    const z = b.op('Concat', [b.op('Slice', [x, b.ints('s2', [0]), b.ints('e2', [1]), b.ints('a2', [1])]), y], { axis: intAttr(1) });
    return { built: b.build([z]), seeds: [z], targets: [x] };
  });
  assertBackwardShapesKnown(results);
  const b = new GraphBuilder(new Rng(1));
  const x = b.input('x', [3, 4]);
  const y = b.op('Slice', [x, b.ints('starts', [0]), b.ints('ends', [2]), b.ints('axes', [0]), b.ints('steps', [0])]);
  assert.throws(() => inferShapes(b.unevaluated([y]), new Map([[x, [3, 4]]])), /node 'Slice_0' \(Slice\): step 0 along axis 0 should be a non-zero integer/);
});

type PadForm = 'input' | 'attribute' | 'axes';

/** Random pads for one axis of length d in `mode`: each side crops (negative) or pads, within what the mode allows. */
function randomPads(rng: Rng, d: number, mode: string): [number, number] {
  for (;;) {
    const side = (): number => (rng.bool(0.3) ? -rng.int(0, d) : rng.int(0, 3));
    const [b, e] = [side(), side()];
    const kept = d + Math.min(b, 0) + Math.min(e, 0);
    if (kept < 0 || (kept === 0 && d > 0 && rng.bool(0.7))) continue;
    const [pb, pe] = [Math.max(b, 0), Math.max(e, 0)];
    if (mode === 'reflect' && (pb > 0 || pe > 0) && (kept < 2 || pb > kept - 1 || pe > kept - 1)) continue;
    if (mode !== 'constant' && kept === 0) continue;
    return [b, e];
  }
}

/** A random Pad (mode, pads, fill) in one of its forms. */
function randomPad(rng: Rng, b: GraphBuilder, forms: readonly PadForm[], fillAsInput = false): { y: string; x: string; value?: string; opset: number; describe: string } {
  const rank = rng.int(1, 4);
  const dims = randomShape(rng, rank, 4).map((d) => d + 1);
  const mode = rng.pick(['constant', 'reflect', 'edge']);
  const form = rng.pick(forms);
  const padded = form === 'axes' ? rng.shuffle(Array.from({ length: rank }, (_, i) => i)).slice(0, rng.int(1, rank)) : dims.map((_, i) => i);
  const perAxis = padded.map((a) => randomPads(rng, dims[a], mode));
  const pads = [...perAxis.map((p) => p[0]), ...perAxis.map((p) => p[1])];
  const attrs: Record<string, Attribute> = mode === 'constant' && rng.bool(0.3) ? {} : { mode: stringAttr(mode) };
  const x = b.input('x', dims);
  const describe = `x=[${dims}] ${mode} pads=[${pads}]${form === 'axes' ? ` axes=[${padded}]` : ''} as ${form}`;
  if (form === 'attribute') {
    if (mode === 'constant' && rng.bool()) attrs.value = floatAttr(Math.fround(rng.normal()));
    return { y: b.op('Pad', [x], { ...attrs, pads: intsAttr(pads) }), x, opset: 10, describe };
  }
  const value = mode === 'constant' && (fillAsInput || rng.bool()) ? (fillAsInput ? b.input('value', []) : b.weight('value', [])) : undefined;
  const inputs = [x, b.ints('pads', pads), value ?? ''];
  if (form === 'axes') inputs.push(b.ints('axes', padded.map((a) => (rng.bool(0.3) ? a - rank : a))));
  while (inputs[inputs.length - 1] === '') inputs.pop();
  return { y: b.op('Pad', inputs, attrs), x, value, opset: form === 'axes' ? 18 : rng.pick([11, 13, 17]), describe };
}

test('Pad: reference and shape rule match onnxruntime (constant/reflect/edge, crops, pads as input or attribute, axes)', async () => {
  await refDraws('Pad reference', 16, (rng, b) => {
    const { y, opset, describe } = randomPad(rng, b, ['input', 'attribute', 'axes']);
    return { outputs: [y], opset, describe };
  });
});

test('Pad: gradients for every mode (borders fold back onto what they copied; crops get zeros) and of the fill value', async () => {
  const results = await gradCheckDraws('Pad', 16, (rng) => {
    const b = new GraphBuilder(rng);
    const fillAsInput = rng.bool(0.4);
    const { y, x, value, describe } = randomPad(rng, b, ['input'], fillAsInput);
    const targets = [x, ...(value && fillAsInput ? [value] : [])];
    return { built: b.build([y]), seeds: [y], targets, describe };
  });
  const withAxes = await gradCheckDraws(
    'Pad axes',
    4,
    (rng) => {
      const b = new GraphBuilder(rng);
      const { y, x, describe } = randomPad(rng, b, ['axes']);
      return { built: b.build([y]), seeds: [y], targets: [x], describe };
    },
    { forwardOpset: 18 },
  );
  assertBackwardShapesKnown([...results, ...withAxes]);
  const modes = new Set(results.map((r) => backwardOps(r).join(' ')));
  assert.ok(modes.size > 3, 'the draws should cover several gradient paths');
});

test('Pad: unsupported modes and impossible pads are refused, naming the node and the pads', () => {
  const cases: [Record<string, Attribute>, number[], RegExp][] = [
    [{ mode: stringAttr('wrap') }, [0, 1, 0, 1], /node 'Pad_0' \(Pad\): mode 'wrap' is not supported/],
    [{ mode: stringAttr('reflect') }, [0, 3, 0, 0], /reflect padding of axis 1 by pads \[0, 3, 0, 0\] needs at most 2 per side/],
    [{}, [0, -2, 0, -2], /pads \[0, -2, 0, -2\] crop more than the 3 elements of axis 1/],
    [{}, [0, 1, 1], /pads \[0, 1, 1\] should have 4 values/],
  ];
  for (const [attrs, pads, why] of cases) {
    const b = new GraphBuilder(new Rng(1));
    const x = b.input('x', [2, 3]);
    const y = b.op('Pad', [x, b.ints('pads', pads)], attrs);
    assert.throws(() => inferShapes(b.unevaluated([y]), new Map([[x, [2, 3]]])), why);
  }
});

// ---- channel rules: conv → relu → op → … → GlobalAveragePool → Flatten → Gemm, pruned vs gated in onnxruntime ----

/** conv (6 channels) → relu → `tail` → GlobalAveragePool → Flatten → Gemm over `features`. */
function withTail(tail: (b: ModelBuilder, h: string) => string, features: number, input = [2, 6, 6]): Model {
  const b = new ModelBuilder(17);
  const x = b.input('x', ['batch', ...input]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w', [6, input[0], 3, 3]), b.weight('bias', [6])], conv3x3, 'conv')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [tail(b, h)])], { axis: intAttr(1) });
  return b.model(b.node('Gemm', [z, b.weight('fc', [3, features]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
}

function init(model: Model, name: string): number[] {
  const t = model.graph.initializers.get(name);
  assert.ok(t, `initializer '${name}'`);
  return t.dtype === 'int64' ? int64Values(t) : Array.from(t.dims);
}

/** Split of conv's 6 channels into parts read by convA and convB, joined again for the classifier. */
function channelSplit(split: (b: ModelBuilder, h: string) => void, sizes: readonly number[]): Model {
  const b = new ModelBuilder(23);
  const x = b.input('x', ['batch', 2, 6, 6]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w', [6, 2, 3, 3]), b.weight('bias', [6])], conv3x3, 'conv')]);
  split(b, h);
  const p = b.node('Relu', [b.node('Conv', ['part0', b.weight('wa', [3, sizes[0], 3, 3])], conv3x3, 'convA')]);
  const q = b.node('Relu', [b.node('Conv', ['part1', b.weight('wb', [3, sizes[1], 3, 3])], conv3x3, 'convB')]);
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [b.node('Concat', [p, q], { axis: intAttr(1) })])], { axis: intAttr(1) });
  return withOutputs(b.model(b.node('Gemm', [z, b.weight('fc', [3, 6]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc')), 'split', ['part0', 'part1']);
}

test('Split along channels: each part carries its sub-range and the sizes shrink (input at opset 13, attribute at 11)', async () => {
  const asInput = channelSplit((b, h) => b.node('Split', [h, b.int64('sizes', [2, 4])], { axis: intAttr(1) }, 'split'), [2, 4]);
  const pruned = await prunedMatchesGated(asInput, { conv: [0, 3, 5] }, [2, 2, 6, 6]);
  assert.deepEqual(init(pruned, 'sizes'), [1, 2]);
  assert.deepEqual(init(pruned, 'wa'), [3, 1, 3, 3]);
  assert.deepEqual(init(pruned, 'wb'), [3, 2, 3, 3]);

  const asAttribute = atOpset(channelSplit((b, h) => b.node('Split', [h], { axis: intAttr(1), split: intsAttr([2, 4]) }, 'split'), [2, 4]), 11);
  const prunedAttr = await prunedMatchesGated(asAttribute, { conv: [1, 2, 3] }, [2, 2, 6, 6]);
  const node = prunedAttr.graph.nodes.find((n) => n.name === 'split');
  assert.deepEqual(node?.attributes.split, intsAttr([1, 2]));
});

test('Split along channels into equal parts: fine while the parts stay equal, refused otherwise; an emptied part is refused', async () => {
  const equal = channelSplit((b, h) => b.node('Split', [h], { axis: intAttr(1) }, 'split'), [3, 3]);
  await prunedMatchesGated(equal, { conv: [0, 2, 3, 4] }, [2, 2, 6, 6]);
  assertRefused(equal, { conv: [0, 3, 4] }, 'split', 'Split', /equal parts .* keep \[1, 2\] channels/);
  const sized = channelSplit((b, h) => b.node('Split', [h, b.int64('sizes', [2, 4])], { axis: intAttr(1) }, 'split'), [2, 4]);
  assertRefused(sized, { conv: [2, 3, 4] }, 'split', 'Split', /output 0 \('part0'\) holds channels 0 to 1 .* none of them is kept/);
});

test('Split along a spatial axis passes the channels to every part', async () => {
  const model = withOutputs(
    withTail((b, h) => {
      b.node('Split', [h, b.int64('sizes', [2, 4])], { axis: intAttr(2) }, 'split');
      return b.node('Add', [b.node('GlobalAveragePool', ['top']), b.node('GlobalAveragePool', ['bottom'])]);
    }, 6),
    'split',
    ['top', 'bottom'],
  );
  const pruned = await prunedMatchesGated(model, { conv: [1, 4] }, [2, 2, 6, 6]);
  assert.deepEqual(init(pruned, 'fc'), [3, 2]);
});

/** conv (6) → relu → Slice(starts, ends, axes [1], steps?) → convB (reads the slice) → … */
function channelSlice(starts: number, ends: number, step: number | undefined, channels: number): Model {
  return withTail((b, h) => {
    const inputs = [h, b.int64('starts', [starts]), b.int64('ends', [ends]), b.int64('axes', [1]), ...(step === undefined ? [] : [b.int64('steps', [step])])];
    const s = b.node('Slice', inputs, {}, 'slice');
    return b.node('Relu', [b.node('Conv', [s, b.weight('wb', [4, channels, 3, 3])], conv3x3, 'convB')]);
  }, 4);
}

test('Slice along channels: the output carries the sliced sub-range; starts, ends and steps move to the kept positions', async () => {
  const plain = await prunedMatchesGated(channelSlice(1, 5, undefined, 4), { conv: [0, 2, 3, 5] }, [2, 2, 6, 6]);
  assert.deepEqual([init(plain, 'starts'), init(plain, 'ends'), init(plain, 'wb')], [[1], [3], [4, 2, 3, 3]]);
  const reversed = await prunedMatchesGated(channelSlice(4, 0, -1, 4), { conv: [0, 1, 3, 4] }, [2, 2, 6, 6]);
  assert.deepEqual([init(reversed, 'starts'), init(reversed, 'ends'), init(reversed, 'steps')], [[3], [0], [-1]]);
  const reversedToFront = await prunedMatchesGated(channelSlice(-1, -100, -1, 6), { conv: [1, 2, 4] }, [2, 2, 6, 6]);
  assert.deepEqual([init(reversedToFront, 'starts'), init(reversedToFront, 'ends')], [[2], [-4]]);
  const strided = await prunedMatchesGated(channelSlice(0, 6, 2, 3), { conv: [1, 2, 3, 4] }, [2, 2, 6, 6]);
  assert.deepEqual([init(strided, 'starts'), init(strided, 'ends'), init(strided, 'steps'), init(strided, 'wb')], [[1], [5], [2], [4, 2, 3, 3]]);
  const oneLeft = await prunedMatchesGated(channelSlice(0, 6, 2, 3), { conv: [1, 2, 3] }, [2, 2, 6, 6]);
  assert.deepEqual([init(oneLeft, 'starts'), init(oneLeft, 'steps')], [[1], [1]]);
});

test('Slice along channels is refused when the kept channels are not evenly spaced or none is left', () => {
  assertRefused(channelSlice(0, 6, 2, 3), { conv: [0, 2, 3, 4] }, 'slice', 'Slice', /channels 0 to 4 in steps of 2 .* not evenly spaced/);
  assertRefused(channelSlice(1, 5, undefined, 4), { conv: [0, 5] }, 'slice', 'Slice', /takes channels 1 to 4 of 'Relu_0_out', which keeps 2 of 6 channels and none of those/);
});

test('Slice along a spatial axis passes the channels on', async () => {
  const model = withTail((b, h) => b.node('Slice', [h, b.int64('starts', [1, 0]), b.int64('ends', [5, -1]), b.int64('axes', [2, 3])], {}, 'slice'), 6);
  const pruned = await prunedMatchesGated(model, { conv: [0, 3, 4] }, [2, 2, 6, 6]);
  assert.deepEqual(init(pruned, 'fc'), [3, 3]);
});

test('Pad of spatial axes passes the channels on (zero fill, reflect, edge; pads as input, attribute, axes)', async () => {
  const variants: [string, number, (b: ModelBuilder, h: string) => string][] = [
    ['constant', 13, (b, h) => b.node('Pad', [h, b.int64('pads', [0, 0, 1, 2, 0, 0, 2, 1])], {}, 'pad')],
    ['reflect', 13, (b, h) => b.node('Pad', [h, b.int64('pads', [0, 0, 2, -1, 0, 0, 1, 3])], { mode: stringAttr('reflect') }, 'pad')],
    ['edge', 13, (b, h) => b.node('Pad', [h, b.int64('pads', [1, 0, 1, 1, 0, 0, 1, 1])], { mode: stringAttr('edge') }, 'pad')],
    ['attribute', 10, (b, h) => b.node('Pad', [h], { pads: intsAttr([0, 0, 1, 1, 0, 0, 1, 1]), mode: stringAttr('reflect') }, 'pad')],
    ['axes', 18, (b, h) => b.node('Pad', [h, b.int64('pads', [1, 2, 3, 0]), '', b.int64('axes', [2, -1])], { mode: stringAttr('edge') }, 'pad')],
  ];
  for (const [label, opset, tail] of variants) {
    const model = atOpset(withTail((b, h) => b.node('Relu', [b.node('Conv', [tail(b, h), b.weight('wb', [4, 6, 3, 3])], conv3x3, 'convB')]), 4), opset);
    const pruned = await prunedMatchesGated(model, { conv: [0, 2, 5] }, [2, 2, 6, 6]);
    assert.deepEqual(init(pruned, 'wb'), [4, 3, 3, 3], label);
  }
});

test('Pad is refused when it pads the pruned channel axis or fills the border with a non-zero value', () => {
  const channels = withTail((b, h) => b.node('Pad', [h, b.int64('pads', [0, 1, 0, 0, 0, 1, 0, 0])], {}, 'pad'), 8);
  assertRefused(channels, { conv: [0, 2] }, 'pad', 'Pad', /pads the channel axis 1 of 'Relu_0_out' \(pads \[0, 1, 0, 0, 0, 1, 0, 0\]\)/);
  const filled = withTail((b, h) => b.node('Pad', [h, b.int64('pads', [0, 0, 1, 1, 0, 0, 1, 1]), b.weight('fill', [], [0.5])], {}, 'pad'), 6);
  assertRefused(filled, { conv: [0, 2] }, 'pad', 'Pad', /with the value 0\.5/);
});
