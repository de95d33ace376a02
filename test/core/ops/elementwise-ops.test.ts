/**
 * The elementwise ops new to the registry or newly accepted in models: Pow, Log, Reciprocal, Abs, Min/Max (ties),
 * Neg, Exp, Sum, Where, Cast, the comparisons and logic ops (no gradient: boolean outputs, where gradients stop),
 * and the engine-only Sign. Gradients against float64 finite differences and onnxruntime; reference kernels
 * against onnxruntime; and the MobileNetV2 failure: Clip's backward graph emits And, which must pass shape
 * inference.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { intAttr } from '../../../src/core/onnx/ir';
import { checkSupported, inferShapes } from '../../../src/core/onnx/shape-inference';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { ruleFor } from '../../../src/core/autodiff/registry';
import { GradientContext, GradientError } from '../../../src/core/autodiff/rule';
import { opDefinition } from '../../../src/core/ops/registry';
import { isUnsupported } from '../../../src/core/ops/op';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { RefTensor } from '../../../src/core/ops/reference/tensor';
import { GraphBuilder } from '../../support/graph-builder';
import { backwardOps } from '../../support/gradcheck';
import { fromOrt, runOnnx, toOrtFloat32 } from '../../support/ort';
import { Rng, ValueGen, awayFrom, distinct, magnitude, normal, uniform } from '../../support/random';
import { randomBroadcastPair, randomShape } from '../../support/random-ops';
import { gradCheckOps, refTest } from './elementwise-support';

const DRAWS = 5;

function unaryCase(op: string, values: ValueGen) {
  return (rng: Rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', randomShape(rng, rng.int(1, 4)), values);
    const y = b.op(op, [x]);
    return { built: b.build([y]), seeds: [y], targets: [x] };
  };
}

for (const [op, values] of [
  ['Log', uniform(0.3, 3)],
  ['Reciprocal', magnitude(0.5, 2)],
  ['Abs', awayFrom([0])],
  ['Neg', normal()],
  ['Exp', normal()],
] as const) {
  test(`${op}: gradient matches finite differences and onnxruntime`, async () => {
    await gradCheckOps(op, DRAWS, unaryCase(op, values));
  });
}

for (const op of ['Log', 'Reciprocal', 'Abs']) {
  refTest(op, (rng, b) => ({ outputs: [b.op(op, [b.input('x', randomShape(rng, rng.int(1, 4)), op === 'Log' ? uniform(0.1, 4) : normal())])] }));
}

refTest('Sign (engine only)', (_rng, b) => ({ outputs: [b.op('Sign', [b.input('x', [5], () => [-1.5, 0, 2, -0, 1e-30])])] }));

test('Pow with a constant exponent (scalar or per-channel, float or int64): dX = dY·E·X^(E−1)', async () => {
  const kinds = ['integer', 'fractional', 'per-channel', 'int64'];
  let draw = 0;
  await gradCheckOps('Pow constant exponent', 8, (rng) => {
    const b = new GraphBuilder(rng);
    const shape = [rng.int(1, 2), rng.int(1, 3), rng.int(1, 3)];
    const kind = kinds[draw++ % kinds.length];
    // Fractional powers need a positive base; integer ones take any sign.
    const x = b.input('x', shape, kind === 'integer' || kind === 'int64' ? awayFrom([0], 0.3) : uniform(0.3, 2));
    const e =
      kind === 'integer'
        ? b.weight('e', [], () => [rng.pick([2, 3, -1, 1])])
        : kind === 'fractional'
          ? b.weight('e', [], () => [rng.pick([0.5, -0.5, 1.5, 3.25])])
          : kind === 'int64'
            ? b.ints('e', [rng.pick([2, 3])], [])
            : b.weight('e', [shape[1], 1], uniform(-1, 3));
    const y = b.op('Pow', [x, e]);
    return { built: b.build([y]), seeds: [y], targets: [x], describe: kind };
  });
});

test('Pow with a fed exponent: gradients of the base and of the exponent (dE = dY·Y·ln X)', async () => {
  await gradCheckOps('Pow fed exponent', DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const [sa, sb] = randomBroadcastPair(rng);
    const x = b.input('x', sa, uniform(0.3, 2));
    const e = b.input('e', sb, uniform(-2, 3));
    const y = b.op('Pow', [x, e]);
    return { built: b.build([y]), seeds: [y], targets: rng.bool(0.3) ? [e] : [x, e], describe: `[${sa}] ^ [${sb}]` };
  });
});

/** The float64 gradient of `target` for dL/dseed = `upstream`, from the backward graph in the reference interpreter. */
function referenceGradient(b: GraphBuilder, seed: string, target: string, upstream: readonly number[]): Float64Array {
  const built = b.build([seed]);
  const shapes = inferShapes(built.graph, new Map([...built.feeds].map(([name, t]) => [name, t.dims])));
  const bwd = buildBackward({ forward: built.graph, shapes, seeds: [seed], targets: [target] });
  const forward = evaluate(built.graph, built.feeds);
  const feeds = new Map<string, RefTensor>([[bwd.seedInputs.get(seed)!, { dims: shapes.get(seed)!, data: Float64Array.from(upstream) }]]);
  for (const name of [...bwd.savedInputs, ...bwd.savedIntermediates]) feeds.set(name, forward.get(name)!);
  return evaluate(bwd.graph, feeds).get(bwd.gradOutputs.get(target)!)!.data;
}

test('Pow at X = 0: a zero exponent (constant or fed) has a zero base gradient (not 0·0⁻¹), the exponent gets 0 (PyTorch); a negative base NaN', () => {
  const base = (b: GraphBuilder): string => b.input('x', [4], () => [0, 1.5, -2, 0]);
  const b = new GraphBuilder(new Rng(3));
  const x = base(b);
  assert.deepEqual([...referenceGradient(b, b.op('Pow', [x, b.weight('zero', [], () => [0])]), x, [1, 1, 1, 1])], [0, 0, 0, 0]);
  const c = new GraphBuilder(new Rng(3));
  const e = c.input('e', [4], () => [0, 2, 2, 1.5]);
  const dE = referenceGradient(c, c.op('Pow', [base(c), e]), e, [1, 1, 1, 1]);
  assert.deepEqual([dE[0], dE[3]], [0, 0]);
  assert.ok(Math.abs(dE[1] - 1.5 ** 2 * Math.log(1.5)) < 1e-12, `dE at X = 1.5: ${dE[1]}`);
  assert.ok(Number.isNaN(dE[2]), 'ln of a negative base');
  // A fed exponent of 0 at X = 0 too: its base gradient is 0, not 0·0⁻¹ = NaN.
  const d = new GraphBuilder(new Rng(3));
  const xd = base(d);
  const fed = d.input('e', [4], () => [0, 2, 0, 1]);
  assert.deepEqual([...referenceGradient(d, d.op('Pow', [xd, fed]), xd, [1, 1, 1, 1])], [0, 3, 0, 1]);
});

refTest('Pow', (rng, b) => {
  const [sa, sb] = randomBroadcastPair(rng);
  return { outputs: [b.op('Pow', [b.input('x', sa, uniform(0.1, 3)), b.input('e', sb, uniform(-2, 3))])], describe: `[${sa}] ^ [${sb}]` };
});

for (const op of ['Min', 'Max']) {
  test(`${op}: 1 to 3 broadcasting inputs without ties, any of them constant`, async () => {
    await gradCheckOps(op, 8, (rng) => {
      const b = new GraphBuilder(rng);
      const [sa, sb] = randomBroadcastPair(rng);
      const shapes = [sa, sb, sa].slice(0, rng.int(1, 3));
      // One pool of well-separated values shared by all operands, so no two elements ever tie.
      const pool = distinct()(rng, 64);
      let next = 0;
      const values: ValueGen = (_, count) => pool.slice(next, (next += count));
      const inputs = shapes.map((s, i) => b.tensor(`x${i}`, s, i > 0 && rng.bool(0.3), values));
      const y = b.op(op, inputs);
      return { built: b.build([y]), seeds: [y], targets: inputs, describe: shapes.map((s) => `[${s}]`).join(' ') };
    });
  });

  refTest(op, (rng, b) => {
    const [sa, sb] = randomBroadcastPair(rng);
    const inputs = [sa, sb, sb].slice(0, rng.int(1, 3)).map((s, i) => b.input(`x${i}`, s));
    return { outputs: [b.op(op, inputs)], describe: `${inputs.length} inputs` };
  });
}

test('Max/Min ties: dY is split evenly (½ each for two, as PyTorch and central differences give; ⅓ each for three)', async () => {
  // Two-way ties, as finite differences see them: the same tensor twice, and equal values in two tensors.
  await gradCheckOps('Max two-way tie', 2, (rng) => {
    const b = new GraphBuilder(rng);
    const shape = randomShape(rng, 2);
    const values: ValueGen = (_, count) => Array.from({ length: count }, (_v, i) => (i * 7) % 5);
    const [x, w] = [b.input('x', shape, values), b.input('w', shape, values)];
    const y = b.op(rng.bool() ? 'Max' : 'Min', [x, w]);
    const square = b.op('Max', [x, x]);
    return { built: b.build([y, square]), seeds: [y, square], targets: [x, w] };
  });
  // A three-way tie (finite differences would say ½ there): each input gets dY/3, in float64 and in onnxruntime.
  const b = new GraphBuilder(new Rng(4));
  const inputs = ['a', 'b', 'c'].map((n) => b.input(n, [3], () => [1, 2, 3]));
  const y = b.op('Max', inputs);
  const built = b.build([y]);
  const bwd = buildBackward({ forward: built.graph, shapes: inferShapes(built.graph), seeds: [y], targets: inputs });
  const feeds = new Map<string, RefTensor>([[bwd.seedInputs.get(y)!, { dims: [3], data: Float64Array.of(3, 6, -9) }]]);
  const forward = evaluate(built.graph, built.feeds);
  for (const name of [...bwd.savedInputs, ...bwd.savedIntermediates]) feeds.set(name, forward.get(name)!);
  const ours = evaluate(bwd.graph, feeds);
  const theirs = await runOnnx(bwd.graph, Object.fromEntries([...feeds].map(([k, v]) => [k, toOrtFloat32(v)])));
  for (const t of inputs) {
    const out = bwd.gradOutputs.get(t)!;
    assert.deepEqual([...ours.get(out)!.data], [1, 2, -3], `reference dL/d${t}`);
    assert.deepEqual([...fromOrt(theirs[out]).data], [1, 2, -3], `onnxruntime dL/d${t}`);
  }
});

test('Sum: every operand gets dY, reduced to its broadcast shape', async () => {
  await gradCheckOps('Sum', DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const [sa, sb] = randomBroadcastPair(rng);
    const inputs = [sa, sb, sb].slice(0, rng.int(1, 3)).map((s, i) => b.tensor(`x${i}`, s, i > 0 && rng.bool(0.3)));
    const y = b.op('Sum', inputs);
    return { built: b.build([y]), seeds: [y], targets: inputs, describe: `${inputs.length} inputs` };
  });
});

test('Where: dY goes to X where the condition holds and to Y elsewhere; the condition (computed or constant) gets none', async () => {
  let draw = 0;
  await gradCheckOps('Where', 8, (rng) => {
    const b = new GraphBuilder(rng);
    const [sa, sb] = randomBroadcastPair(rng);
    const [sc] = randomBroadcastPair(rng).filter((s) => s.length <= Math.max(sa.length, sb.length));
    const c = b.input('c', sc ?? [], awayFrom([0]));
    // The condition is computed in the forward graph either from c or from constants only; the backward graph
    // reads it as a saved bool tensor.
    const fromInput = draw++ % 2 === 0;
    const cond = b.op(fromInput ? 'Greater' : 'Less', [fromInput ? c : b.weight('k', sc ?? [], normal()), b.weight('zero', [], () => [0])]);
    const a = b.tensor('a', sa, rng.bool(0.2));
    const d = b.tensor('d', sb, rng.bool(0.2));
    const y = b.op('Where', [cond, a, d]);
    // c is a target too: gradients stop at the boolean condition, so its gradient is zero, as finite differences say.
    return { built: b.build([y]), seeds: [y], targets: [a, d, c], describe: `cond [${sc}] from ${fromInput ? 'c' : 'constants'}, a [${sa}], d [${sb}]` };
  });
});

refTest('Where Greater Less Equal And Or Not', (rng, b) => {
  const [sa, sb] = randomBroadcastPair(rng);
  // Small integers, so that Equal holds somewhere.
  const ints: ValueGen = (r, count) => Array.from({ length: count }, () => r.int(-2, 2));
  const [p, q] = [b.input('p', sa, ints), b.input('q', sb, ints)];
  const either = b.op('Or', [b.op('Equal', [p, q]), b.op('Not', [b.op('Less', [p, q])])]);
  const cond = b.op('And', [either, b.op('Greater', [p, b.weight('lo', [], () => [-2])])]);
  return { outputs: [b.op('Where', [cond, p, b.op('Neg', [q])])], describe: `[${sa}] vs [${sb}]` };
});

test('comparisons and logic ops: no gradient (boolean outputs), and they do not block a gradient around them', async () => {
  for (const op of ['Greater', 'Less', 'Equal', 'And', 'Or', 'Not']) {
    const def = opDefinition(op)!;
    assert.equal(def.scope, 'model', `${op} is accepted in models`);
    assert.ok(isUnsupported(def.gradient) && /boolean/.test(def.gradient.unsupported), `${op}: says why it has no gradient`);
    const node = { name: `n_${op}`, opType: op, domain: '', inputs: [], outputs: [], attributes: {} };
    assert.throws(() => ruleFor(node), (e: unknown) => e instanceof GradientError && e.message.includes(`n_${op}`) && /boolean/.test(e.message));
  }
  // relu(x) written with a mask: y = x · float(x > 0 and not (x < −5)); dy/dx = the mask, through the Mul only.
  await gradCheckOps('masked by comparisons', DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', randomShape(rng, rng.int(1, 3)), awayFrom([0, -5]));
    const keep = b.op('And', [b.op('Greater', [x, b.weight('zero', [], () => [0])]), b.op('Not', [b.op('Less', [x, b.weight('floor', [], () => [-5])])])]);
    const y = b.op('Mul', [x, b.op('Cast', [keep], { to: intAttr(1) })]);
    return { built: b.build([y]), seeds: [y], targets: [x] };
  });
});

test('Cast: float → float passes dY; a round trip through int64 is piecewise constant, so only the other path carries a gradient', async () => {
  await gradCheckOps('Cast', DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', randomShape(rng, rng.int(1, 3)), awayFrom([-2, -1, 0, 1, 2], 0.05, 1.5));
    const floats = b.op('Cast', [x], { to: intAttr(1) });
    const truncated = b.op('Cast', [b.op('Cast', [x], { to: intAttr(7) })], { to: intAttr(1) });
    const y = b.op('Mul', [floats, truncated]);
    return { built: b.build([y]), seeds: [y], targets: [x] };
  });
  // Asked directly (the backward pass never does: it stops at the int64 output), a cast to int says why not.
  const node = { name: 'to_int', opType: 'Cast', domain: '', inputs: ['x'], outputs: ['y'], attributes: { to: intAttr(7) } };
  const ctx = { node, outputGrad: () => 'dy', needsGrad: () => true } as unknown as GradientContext;
  assert.throws(() => ruleFor(node).build(ctx), (e: unknown) => e instanceof GradientError && /'to_int'.*non-float element type 7.*piecewise constant/.test(e.message));
});

test('Cast / Equal on int64 tensors (shape arithmetic) run in the reference interpreter as in onnxruntime', async () => {
  const b = new GraphBuilder(new Rng(6));
  const shape = b.ints('shape', [2, -1, 3]);
  const minus = b.ints('minus', [-1], []);
  const isFree = b.op('Equal', [shape, minus]);
  const filled = b.op('Where', [isFree, b.ints('one', [1], []), shape]);
  const y = b.op('Cast', [filled], { to: intAttr(1) });
  const built = b.build([y]);
  assert.deepEqual([...evaluate(built.graph, built.feeds).get(y)!.data], [2, 1, 3]);
  assert.deepEqual([...fromOrt((await runOnnx(built.graph, {}))[y]).data], [2, 1, 3]);
});

test("MobileNetV2's ReLU6: Clip's backward graph (Greater, Less, And, Cast) passes the engine's shape inference", async () => {
  const [result] = await gradCheckOps('Clip min and max', 1, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', [2, 3, 4, 4], awayFrom([0, 6], 0.05, 4));
    const y = b.op('Clip', [x, b.weight('min', [], () => [0]), b.weight('max', [], () => [6])]);
    return { built: b.build([y]), seeds: [y], targets: [x] };
  });
  assert.ok(backwardOps(result).includes('And'));
  const g = result.backward.graph;
  const shapes = inferShapes(g, new Map(g.inputs.map((v) => [v.name, v.shape as number[]])));
  const and = g.nodes.find((n) => n.opType === 'And')!;
  assert.deepEqual(shapes.get(and.outputs[0]), [2, 3, 4, 4]);
});

test('engine-only Sign is refused in a model, naming the node; the newly accepted ops load', () => {
  const b = new GraphBuilder(new Rng(7));
  const y = b.op('Sign', [b.input('x', [2])]);
  assert.throws(() => checkSupported(b.unevaluated([y])), /node 'Sign_0' uses op 'Sign', which is not supported/);
  const c = new GraphBuilder(new Rng(7));
  const x = c.input('x', [2]);
  const ops = ['Neg', 'Exp', 'Sqrt', 'Cast', 'Not', 'Abs', 'Log', 'Reciprocal', 'Erf', 'HardSwish', 'HardSigmoid', 'Elu', 'Selu', 'Softplus', 'Gelu'];
  const outs = ops.map((op) => c.op(op, [x], op === 'Cast' ? { to: intAttr(1) } : {}));
  const binary = ['Pow', 'Min', 'Max', 'Sum', 'Equal', 'Greater', 'Less', 'PRelu'].map((op) => c.op(op, [x, x]));
  outs.push(...binary, c.op('And', [binary[4], binary[5]]), c.op('Or', [binary[4], binary[6]]), c.op('Where', [binary[4], x, x]));
  checkSupported(c.unevaluated(outs));
});

test('ops that accept a broadcast dY (after GlobalAveragePool) get it right: HardSwish, HardSigmoid, Abs, Neg, Cast, Sum, Identity', async () => {
  for (const op of ['HardSwish', 'HardSigmoid', 'Abs', 'Neg', 'Cast', 'Sum', 'Identity']) {
    // The rule receives dY as [N, C, 1, 1] (not expanded): the ops that keep it small leave the expansion to the end.
    await gradCheckOps(`${op} broadcast dY`, 2, (rng) => {
      const b = new GraphBuilder(rng);
      const x = b.input('x', [2, 3, rng.int(2, 3), 2], awayFrom([-3, 0, 3], 0.05, 3));
      const y = b.op(op, [x], op === 'Cast' ? { to: intAttr(1) } : {});
      const pooled = b.op('GlobalAveragePool', [y]);
      return { built: b.build([pooled]), seeds: [pooled], targets: [x] };
    });
  }
});
