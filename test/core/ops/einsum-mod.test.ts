/**
 * Einsum and Mod (what torchvision's MaxViT and Swin need): reference kernels against onnxruntime (Mod's sign
 * conventions for fmod 0 and 1, Einsum's implicit outputs, ellipses, diagonals and broadcasting), gradients
 * against float64 finite differences and onnxruntime (which also runs every backward Einsum emitted), the shape
 * rule's refusals, and the channel rules on small pruned models against the gated ones.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Model, Node, intAttr, intsAttr, stringAttr } from '../../../src/core/onnx/ir';
import { inferShapes, inferShapesAndValues } from '../../../src/core/onnx/shape-inference';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { opDefinition } from '../../../src/core/ops/registry';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { RefTensor, fromIrTensor } from '../../../src/core/ops/reference/tensor';
import { Discovery, discoverUnits } from '../../../src/core/units/discover';
import { PruneError, concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { GraphBuilder } from '../../support/graph-builder';
import { assertClose, backwardOps } from '../../support/gradcheck';
import { fromOrt, runOnnx } from '../../support/ort';
import { Rng, ValueGen, float32Values, magnitude, normal, seedFor, uniform } from '../../support/random';
import { randomBroadcastPair } from '../../support/random-ops';
import { GraphBuilder as PruneGraphBuilder } from '../prune/ir-builder';
import { gradCheckOps, refTest } from './elementwise-support';

const DRAWS = 4;

// ---------------------------------------------------------------------------------------------------- Mod

const fmod = (v: number) => ({ fmod: intAttr(v) });

refTest('Mod fmod=1 (float, the dividend\'s sign)', (rng, b) => {
  const [sa, sb] = randomBroadcastPair(rng);
  return { outputs: [b.op('Mod', [b.input('a', sa, uniform(-6, 6)), b.input('b', sb, magnitude(0.5, 2))], fmod(1))], describe: `[${sa}] fmod [${sb}]` };
});

test('reference Mod on int64 matches onnxruntime: fmod=0 takes the divisor\'s sign, fmod=1 the dividend\'s, with broadcasting', async () => {
  const a = [7, -7, 7, -7, 0, 6, -6, 13, -13, 5, 1, -1];
  const b = [3, 3, -3, -3, 4, 3, -3, 5, 5, -2, -7, 7];
  for (const f of [0, 1]) {
    for (const [aDims, bDims, bValues] of [
      [[12], [12], b],
      [[3, 4], [1, 4], b.slice(0, 4)],
      [[3, 4], [], [-4]],
    ] as const) {
      const g = new GraphBuilder(new Rng(1));
      const y = g.op('Mod', [g.ints('a', a, aDims), g.ints('b', [...bValues], bDims)], fmod(f));
      const built = g.build([], [y]);
      const ours = evaluate(built.graph, built.feeds).get(y)!;
      const theirs = fromOrt((await runOnnx(built.graph, {}))[y]);
      assert.deepEqual(ours.dims, theirs.dims);
      assert.deepEqual([...ours.data].map((v) => v + 0), [...theirs.data], `fmod=${f}, [${aDims}] mod [${bDims}]`);
    }
  }
});

test('Mod: integer values fold at load, and an integer modulo by zero is refused naming the node', () => {
  const g = new GraphBuilder(new Rng(1));
  const y = g.op('Mod', [g.ints('a', [-7, 9]), g.ints('b', [4, -4])]);
  const graph = g.unevaluated([y]);
  const { constants } = inferShapesAndValues(graph);
  assert.deepEqual(Array.from(constants.get(y)!.data as BigInt64Array, Number), [1, -3]);
  const z = new GraphBuilder(new Rng(1));
  const zy = z.op('Mod', [z.ints('a', [5]), z.ints('b', [0])]);
  assert.throws(() => inferShapesAndValues(z.unevaluated([zy])), /node 'Mod_0' \(Mod\).*int64.*NaN/);
});

/** Dividends whose quotient by the divisor stays ≥ 0.05 away from an integer: Mod jumps there. */
function awayFromJumps(divisor: number): ValueGen {
  return (rng, count) =>
    Array.from({ length: count }, () => {
      const q = rng.int(-3, 3) + rng.uniform(0.05, 0.95);
      return q * divisor;
    });
}

test('Mod fmod=1: dA = dY, dB = −trunc(A/B)·dY, under broadcasting, against finite differences and onnxruntime', async () => {
  await gradCheckOps('Mod fmod=1', 6, (rng) => {
    const b = new GraphBuilder(rng);
    const [sa, sb] = randomBroadcastPair(rng);
    // One divisor value for all elements keeps every quotient away from the jumps.
    const divisor = Math.fround((rng.bool() ? 1 : -1) * rng.uniform(0.5, 2));
    const a = b.tensor('a', sa, rng.bool(0.3), awayFromJumps(divisor));
    const d = b.tensor('b', sb, rng.bool(0.3), (_r, n) => new Array<number>(n).fill(divisor));
    const y = b.op('Mod', [a, d], fmod(1));
    return { built: b.build([y]), seeds: [y], targets: [a, d], describe: `[${sa}] fmod [${sb}], B = ${divisor}` };
  });
});

test('Mod fmod=0 on floats (onnxruntime only runs it on integers): dB = −floor(A/B)·dY in float64, against finite differences', () => {
  for (let draw = 0; draw < 4; draw++) {
    const rng = new Rng(seedFor('Mod fmod=0 float64', draw));
    const b = new GraphBuilder(rng);
    const divisor = Math.fround((rng.bool() ? 1 : -1) * rng.uniform(0.5, 2));
    const a = b.input('a', [2, 3], awayFromJumps(divisor));
    const d = b.input('b', [3], (_r, n) => new Array<number>(n).fill(divisor));
    const y = b.op('Mod', [a, d], fmod(0));
    const built = b.build([y]);
    const upstream = { dims: [2, 3], data: float32Values(rng, 6, normal()) };
    for (const target of [a, d]) {
      const analytic = referenceGradient(built, y, target, upstream);
      const numeric = finiteDifferences(built, y, target, upstream);
      assertClose(analytic, numeric, 1e-6, `draw ${draw}: dL/d${target}`);
    }
  }
});

/** The float64 gradient of `target` from the backward graph run in the reference interpreter. */
function referenceGradient(built: ReturnType<GraphBuilder['build']>, seed: string, target: string, upstream: RefTensor): Float64Array {
  const shapes = inferShapes(built.graph, new Map([...built.feeds].map(([name, t]) => [name, t.dims])));
  const bwd = buildBackward({ forward: built.graph, shapes, seeds: [seed], targets: [target] });
  const forward = evaluate(built.graph, built.feeds);
  const feeds = new Map<string, RefTensor>([[bwd.seedInputs.get(seed)!, upstream]]);
  for (const name of [...bwd.savedInputs, ...bwd.savedIntermediates]) feeds.set(name, forward.get(name)!);
  const grad = evaluate(bwd.graph, feeds).get(bwd.gradOutputs.get(target)!)!;
  // A gradient that broadcasts (smaller than its tensor) is expanded by the backward pass itself.
  assert.deepEqual(grad.dims, built.feeds.get(target)!.dims);
  return grad.data;
}

function finiteDifferences(built: ReturnType<GraphBuilder['build']>, seed: string, target: string, upstream: RefTensor, step = 1e-6): Float64Array {
  const base = built.feeds.get(target)!;
  const loss = (data: Float64Array): number => {
    const y = evaluate(built.graph, new Map(built.feeds).set(target, { dims: base.dims, data })).get(seed)!;
    return y.data.reduce((s, v, i) => s + v * upstream.data[i], 0);
  };
  return base.data.map((v, i) => {
    const up = base.data.slice();
    const down = base.data.slice();
    up[i] = v + step;
    down[i] = v - step;
    return (loss(up) - loss(down)) / (2 * step);
  });
}

// ------------------------------------------------------------------------------------------------- Einsum

interface EinsumCase {
  readonly equation: string;
  /** Operand shapes for one draw; `size(letter)` is that letter's random size, the same for every operand. */
  readonly shapes: (size: (letter: string) => number, rng: Rng) => number[][];
  /** Run in the gradient check with the same tensor as every operand (x·x-style reuse). */
  readonly shared?: boolean;
}

const dims = (size: (l: string) => number, letters: string): number[] => [...letters].map(size);

const CASES: readonly EinsumCase[] = [
  { equation: 'ij,jk->ik', shapes: (s) => [dims(s, 'ij'), dims(s, 'jk')] },
  { equation: 'B G H I D, B G H J D -> B G H I J', shapes: (s) => [dims(s, 'BGHID'), dims(s, 'BGHJD')] },
  { equation: 'B G H I J, B G H J D -> B G H I D', shapes: (s) => [dims(s, 'BGHIJ'), dims(s, 'BGHJD')] },
  { equation: 'ij->ji', shapes: (s) => [dims(s, 'ij')] },
  { equation: 'ij,jk', shapes: (s) => [dims(s, 'ij'), dims(s, 'jk')] },
  { equation: 'kji', shapes: (s) => [dims(s, 'kji')] },
  { equation: 'ii->i', shapes: (s) => [dims(s, 'ii')] },
  { equation: 'ii', shapes: (s) => [dims(s, 'ii')] },
  { equation: 'iij->ji', shapes: (s) => [dims(s, 'iij')] },
  { equation: 'ij,jj->ij', shapes: (s) => [dims(s, 'ij'), dims(s, 'jj')] },
  { equation: 'ij->i', shapes: (s) => [dims(s, 'ij')] },
  { equation: 'ij->', shapes: (s) => [dims(s, 'ij')] },
  { equation: 'i,j->ij', shapes: (s) => [dims(s, 'i'), dims(s, 'j')] },
  { equation: 'ij,jk,kl->il', shapes: (s) => [dims(s, 'ij'), dims(s, 'jk'), dims(s, 'kl')] },
  { equation: 'bij,bjk->bik', shapes: (s) => [dims(s, 'bij'), dims(s, 'bjk')] },
  { equation: 'ij,ij->i', shapes: (s) => [dims(s, 'ij'), dims(s, 'ij')], shared: true },
  { equation: 'ijk,ik->j', shapes: (s) => [dims(s, 'ijk'), dims(s, 'ik')] },
  // Size-1 axes broadcast against the label's size elsewhere (onnxruntime allows it).
  { equation: 'ij,ij->ij', shapes: (s) => [[1, s('j')], dims(s, 'ij')] },
  { equation: 'ij,jk->ik', shapes: (s) => [[s('i'), 1], dims(s, 'jk')] },
  // Ellipses: leading, trailing and in the middle; broadcast, of rank 0, implicit.
  { equation: '...ij,...jk->...ik', shapes: (s, r) => { const e = r.int(1, 3); return [[e, ...dims(s, 'ij')], [r.bool() ? e : 1, ...dims(s, 'jk')]]; } },
  { equation: '... i j, ... j k -> ... i k', shapes: (s, r) => [[r.int(2, 3), 1, ...dims(s, 'ij')], [1, r.int(2, 3), ...dims(s, 'jk')]] },
  { equation: '...ij,jk->...ik', shapes: (s, r) => [[r.int(1, 3), ...dims(s, 'ij')], dims(s, 'jk')] },
  { equation: 'i...,j...->ij...', shapes: (s, r) => { const e = r.int(1, 3); return [[s('i'), e, 2], [s('j'), r.bool() ? e : 1, 2]]; } },
  { equation: 'i...i', shapes: (s, r) => [[s('i'), r.int(1, 3), s('i')]] },
  { equation: '...ij', shapes: (s, r) => [[r.int(1, 3), ...dims(s, 'ij')]] },
  { equation: 'ij...,jk->ik...', shapes: (s) => [dims(s, 'ij'), dims(s, 'jk')] },
  { equation: 'i,->i', shapes: (s) => [dims(s, 'i'), []] },
];

function drawShapes(c: EinsumCase, rng: Rng): number[][] {
  const sizes = new Map<string, number>();
  const size = (l: string): number => {
    if (!sizes.has(l)) sizes.set(l, rng.int(2, 3));
    return sizes.get(l)!;
  };
  return c.shapes(size, rng);
}

const describeShapes = (shapes: readonly (readonly number[])[]): string => shapes.map((s) => `[${s.join(', ')}]`).join(' ');

for (const c of CASES) {
  refTest(`Einsum '${c.equation}'`, (rng, b) => {
    const shapes = drawShapes(c, rng);
    const inputs = shapes.map((s, i) => b.input(`x${i}`, s));
    return { outputs: [b.op('Einsum', inputs, { equation: stringAttr(c.equation) })], describe: describeShapes(shapes) };
  }, { draws: 3 });

  test(`Einsum '${c.equation}': gradient of every operand, against finite differences and onnxruntime`, async () => {
    await gradCheckOps(`Einsum '${c.equation}'`, DRAWS, (rng) => {
      const b = new GraphBuilder(rng);
      const shapes = drawShapes(c, rng);
      const shared = c.shared ? b.input('x', shapes[0]) : undefined;
      const inputs = shapes.map((s, i) => shared ?? b.tensor(`x${i}`, s, rng.bool(0.3)));
      const y = b.op('Einsum', inputs, { equation: stringAttr(c.equation) });
      return { built: b.build([y]), seeds: [y], targets: [...new Set(inputs)], describe: describeShapes(shapes) };
    });
  });
}

test('Einsum gradients: a repeated label ties its copies with an identity operand, a broadcast axis is reshaped away', async () => {
  const [diagonal] = await gradCheckOps('Einsum diagonal ops', 1, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', [3, 3]);
    const y = b.op('Einsum', [x], { equation: stringAttr('ii->i') });
    return { built: b.build([y]), seeds: [y], targets: [x] };
  });
  const einsum = diagonal.backward.graph.nodes.find((n) => n.opType === 'Einsum')!;
  assert.equal(einsum.attributes.equation.type === 'string' && einsum.attributes.equation.value, 'i,ia->ia');
  const [broadcast] = await gradCheckOps('Einsum broadcast ops', 1, (rng) => {
    const b = new GraphBuilder(rng);
    const [p, q] = [b.input('p', [1, 3]), b.input('q', [2, 3])];
    const y = b.op('Einsum', [p, q], { equation: stringAttr('ij,ij->ij') });
    return { built: b.build([y]), seeds: [y], targets: [p, q] };
  });
  assert.ok(backwardOps(broadcast).includes('Reshape'), backwardOps(broadcast).join(', '));
});

function einsumNode(equation: string, inputs: number): Node {
  return { name: 'e', opType: 'Einsum', domain: '', inputs: Array.from({ length: inputs }, (_, i) => `x${i}`), outputs: ['y'], attributes: { equation: stringAttr(equation) } };
}

test('Einsum shape rule: output shapes, and clear refusals naming node, op and equation', () => {
  const shape = (equation: string, shapes: number[][]) => opDefinition('Einsum')!.shape(einsumNode(equation, shapes.length), shapes, new Map());
  assert.deepEqual(shape('B G H I D, B G H J D -> B G H I J', [[2, 3, 2, 4, 5], [2, 3, 2, 6, 5]]), [[2, 3, 2, 4, 6]]);
  assert.deepEqual(shape('ji...', [[4, 2, 3]]), [[3, 2, 4]]);
  assert.deepEqual(shape('ii', [[3, 3]]), [[]]);
  assert.deepEqual(shape('...ij,...jk->...ik', [[1, 2, 3], [4, 3, 2]]), [[4, 2, 2]]);
  const refused: [string, number[][], RegExp][] = [
    ['ij,jk->ik', [[2, 3], [4, 2]], /label 'j' has size 3 in one input and 4 in input 1/],
    ['ij->ik', [[2, 3]], /output label 'k' appears in no input/],
    ['ij->ii', [[2, 3]], /names a label more than once/],
    ['ij,jk->ik', [[2, 3]], /2 input term\(s\) but the node has 1 input/],
    ['ijk->i', [[2, 3]], /input 0 has rank 2 but its term names 3 axes/],
    ['...ij,...jk->...ik', [[4, 2, 3], [3, 2]], /'\.\.\.' covers 1 axes in one input and 0 in input 1/],
    ['...ij->ij', [[4, 2, 3]], /output has no '\.\.\.'/],
    ['AB,BC', [[2, 3], [3, 2]], /upper-case labels and no '->'/],
    ['a.b', [[2, 3]], /has '\.'/],
    ['ii', [[1, 3]], /repeats label 'i' on axes of sizes 1 and 3/],
    ['i->i->i', [[2]], /'->' appears more than once/],
  ];
  for (const [equation, shapes, why] of refused) {
    assert.throws(() => shape(equation, shapes), (e: unknown) => {
      assert.match(String(e), new RegExp(`node 'e' \\(Einsum\\): equation '${equation.replace(/[.>]/g, '\\$&')}'`));
      assert.match(String(e), why);
      return true;
    });
  }
});

// ------------------------------------------------------------------------------------------- channel rules

const conv3 = { kernel_shape: intsAttr([3, 3]), pads: intsAttr([1, 1, 1, 1]), strides: intsAttr([1, 1]) };

/** x → conv (4 channels, the pruned units) → relu → `tail` → conv → GlobalAveragePool → Flatten → Gemm. */
function modelWithTail(tail: (b: PruneGraphBuilder, h: string) => string): { model: Model; d: Discovery; b: PruneGraphBuilder } {
  const b = new PruneGraphBuilder(3);
  const x = b.input('x', ['batch', 2, 4, 4]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w', [4, 2, 3, 3]), b.weight('bias', [4])], conv3, 'conv')]);
  const t = b.node('Conv', [tail(b, h), b.weight('w2', [3, 4, 3, 3]), b.weight('bias2', [3])], conv3, 'conv2');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [t])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [2, 3]), b.weight('fcb', [2])], { transB: intAttr(1) }, 'fc'));
  // Without the pruning trial: the refusals below are the pruner's own.
  return { model, d: discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)), { checkPruning: false }), b };
}

function keep(channels: number, kept: readonly number[]): Uint8Array {
  const m = new Uint8Array(channels);
  for (const k of kept) m[k] = 1;
  return m;
}

async function assertPrunesLikeGated(model: Model, d: Discovery, b: PruneGraphBuilder): Promise<Model> {
  const masks = d.groups.map((g) => keep(g.channels, [0, 2]));
  const { model: pruned } = pruneModel(model, d, masks);
  const r = await verifyPruning(model, d, masks, b.batch([2, 2, 4, 4]), { pruned, session: { threads: 1 } });
  assert.ok(r.maxAbsDiff <= 1e-5, `pruned vs gated logits differ by ${r.maxAbsDiff}`);
  return pruned;
}

test('Mod channel rule: a per-channel divisor is sliced with the channels (pruned equals gated)', async () => {
  const { model, d, b } = modelWithTail((g, h) => g.node('Mod', [h, g.weight('divisor', [1, 4, 1, 1], [0.7, 1.3, 0.9, 1.1])], { fmod: intAttr(1) }, 'mod'));
  assert.deepEqual(d.groups.map((g) => g.channels), [4, 3]);
  const pruned = await assertPrunesLikeGated(model, d, b);
  const divisor = pruned.graph.initializers.get('divisor')!;
  assert.deepEqual(divisor.dims, [1, 2, 1, 1]);
  assert.deepEqual([...fromIrTensor(divisor).data].map(Math.fround), [0.7, 0.9].map(Math.fround));
});

test('Einsum channel rule: axis 1 copied from one operand passes its channels through (pruned equals gated)', async () => {
  const { model, d, b } = modelWithTail((g, h) => g.node('Einsum', [h, g.weight('spatial', [4, 4])], { equation: stringAttr('nchw,hw->nchw') }, 'einsum'));
  const pruned = await assertPrunesLikeGated(model, d, b);
  // Both convs keep channels 0 and 2; conv2's input channels followed conv's through the Einsum.
  assert.deepEqual(pruned.graph.initializers.get('w2')!.dims, [2, 2, 3, 3]);
});

for (const [equation, operands, why] of [
  ['nchw,nchw->nchw', 2, /label 'c'\) comes from 2 inputs/],
  ['nchw,c->nchw', 2, /label 'c'\) comes from 2 inputs/],
  ['nchw->nhcw', 1, /label 'h'\) is not a plain copy of input 0's axis 1/],
] as const) {
  test(`Einsum channel rule refuses '${equation}' when pruned channels enter, naming node, op and equation`, () => {
    const { model, d } = modelWithTail((g, h) => {
      const inputs = operands === 1 ? [h] : equation.startsWith('nchw,c') ? [h, g.weight('per_channel', [4])] : [h, h];
      const e = g.node('Einsum', inputs, { equation: stringAttr(equation) }, 'einsum');
      // Back to [N, C, H, W] for the next conv where the equation moved axes.
      return equation === 'nchw->nhcw' ? g.node('Transpose', [e], { perm: intsAttr([0, 2, 1, 3]) }) : e;
    });
    assert.throws(
      () => pruneModel(model, d, d.groups.map((g) => keep(g.channels, [0, 2]))),
      (e: unknown) => {
        assert.ok(e instanceof PruneError, String(e));
        assert.match(e.message, new RegExp(`node 'einsum' \\(Einsum\\).*equation '${equation}'`));
        assert.match(e.message, why);
        return true;
      },
    );
  });
}
