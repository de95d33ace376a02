/**
 * Gradient checks (float64 finite differences + onnxruntime float32) for the elementwise rules: Add, Sub, Mul,
 * Div with numpy broadcasting, and the activations Relu, LeakyRelu, Sigmoid, Tanh, Clip, Identity, Dropout.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { floatAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { GradientError } from '../../../src/core/autodiff/rule';
import { GraphBuilder } from '../../support/graph-builder';
import { gradCheckDraws } from '../../support/gradcheck';
import { Rng, awayFrom, magnitude, normal, uniform } from '../../support/random';
import { randomBroadcastPair, randomShape } from '../../support/random-ops';

const DRAWS = 6;

for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
  test(`${op}: gradients of both operands under broadcasting`, async () => {
    await gradCheckDraws(op, DRAWS, (rng) => {
      const b = new GraphBuilder(rng);
      const [sa, sb] = randomBroadcastPair(rng);
      // Either operand may be a constant (initializer); divisors stay away from zero.
      const a = b.tensor('a', sa, rng.bool(0.3));
      const d = b.tensor('b', sb, rng.bool(0.3), op === 'Div' ? magnitude(0.5, 2) : normal());
      const y = b.op(op, [a, d]);
      return { built: b.build([y]), seeds: [y], targets: [a, d], describe: `[${sa}] ${op} [${sb}]` };
    });
  });
}

test('Mul: the same tensor on both sides gets both contributions', async () => {
  await gradCheckDraws('Mul square', 2, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', randomShape(rng, 3));
    const y = b.op('Mul', [x, x]);
    return { built: b.build([y]), seeds: [y], targets: [x] };
  });
});

test('Sub/Div: only the operand that needs a gradient gets one', async () => {
  for (const op of ['Sub', 'Div']) {
    await gradCheckDraws(`${op} one side`, 2, (rng) => {
      const b = new GraphBuilder(rng);
      const [sa, sb] = randomBroadcastPair(rng);
      const a = b.input('a', sa);
      const d = b.input('b', sb, magnitude(0.5, 2));
      const y = b.op(op, [a, d]);
      return { built: b.build([y]), seeds: [y], targets: [rng.bool() ? a : d] };
    });
  }
});

test('Relu: dY passes where the output is positive', async () => {
  await gradCheckDraws('Relu', DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', randomShape(rng, rng.int(1, 4)), awayFrom([0]));
    const y = b.op('Relu', [x]);
    return { built: b.build([y]), seeds: [y], targets: [x] };
  });
});

test('LeakyRelu: slope alpha (default, positive or negative) below zero', async () => {
  await gradCheckDraws('LeakyRelu', DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', randomShape(rng, rng.int(1, 4)), awayFrom([0]));
    const alpha = rng.bool(0.3) ? undefined : Math.fround(rng.uniform(-1, 1));
    const y = b.op('LeakyRelu', [x], alpha === undefined ? {} : { alpha: floatAttr(alpha) });
    return { built: b.build([y]), seeds: [y], targets: [x], describe: `alpha=${alpha ?? 'default'}` };
  });
});

for (const op of ['Sigmoid', 'Tanh']) {
  test(`${op}: gradient from the output`, async () => {
    await gradCheckDraws(op, DRAWS, (rng) => {
      const b = new GraphBuilder(rng);
      // |x| ≤ 3: deep in saturation the slope 1 − Y² (or Y·(1 − Y)) cancels in float32, for onnxruntime too.
      const x = b.input('x', randomShape(rng, rng.int(1, 4)), uniform(-3, 3));
      const y = b.op(op, [x]);
      return { built: b.build([y]), seeds: [y], targets: [x] };
    });
  });
}

test('Clip: gradient inside [min, max] with either bound optional', async () => {
  await gradCheckDraws('Clip', 8, (rng) => {
    const b = new GraphBuilder(rng);
    const lo = Math.fround(rng.uniform(-1, 0));
    const hi = Math.fround(rng.uniform(0.1, 1));
    const withMin = rng.bool(0.7);
    const withMax = rng.bool(0.7);
    const x = b.input('x', randomShape(rng, rng.int(1, 4)), awayFrom([lo, hi]));
    const inputs = [x, withMin ? b.weight('min', [], () => [lo]) : '', withMax ? b.weight('max', [], () => [hi]) : ''];
    const y = b.op('Clip', withMax ? inputs : inputs.slice(0, 2));
    return { built: b.build([y]), seeds: [y], targets: [x], describe: `min=${withMin ? lo : 'none'} max=${withMax ? hi : 'none'}` };
  });
});

test('Identity: gradient passes through', async () => {
  await gradCheckDraws('Identity', 2, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', randomShape(rng, rng.int(1, 4)));
    const y = b.op('Tanh', [b.op('Identity', [x])]);
    return { built: b.build([y]), seeds: [y], targets: [x] };
  });
});

test('Dropout (inference): identity on the data, with or without ratio / training_mode=false / mask output', async () => {
  await gradCheckDraws('Dropout', 4, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', randomShape(rng, rng.int(1, 4)));
    const variant = rng.int(0, 2);
    const inputs = [x, ...(variant >= 1 ? [b.weight('ratio', [], uniform(0.1, 0.9))] : []), ...(variant === 2 ? [b.bool('training_mode', false)] : [])];
    const [y] = b.node('Dropout', inputs, {}, rng.int(1, 2));
    const out = b.op('Sigmoid', [y]);
    return { built: b.build([out]), seeds: [out], targets: [x], describe: `inputs=${inputs.length}` };
  });
});

test('Dropout in training mode with a constant ratio 0 (torchvision 0.14 Swin export) is the identity', async () => {
  await gradCheckDraws('Dropout ratio 0', 2, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', randomShape(rng, rng.int(1, 4)));
    const [y] = b.node('Dropout', [x, b.weight('ratio', [], () => [0]), b.bool('training_mode', true)], {}, 2);
    const out = b.op('Sigmoid', [y]);
    return { built: b.build([out]), seeds: [out], targets: [x] };
  });
});

test('Dropout in training mode and Clip bound gradients are GradientErrors naming the node', () => {
  const b = new GraphBuilder(new Rng(5));
  const x = b.input('x', [2, 3]);
  const [dropped] = b.node('Dropout', [x, b.weight('ratio', [], () => [0.5]), b.bool('training_mode', true)], {}, 2);
  const graph = b.unevaluated([dropped]);
  assert.throws(
    () => buildBackward({ forward: graph, shapes: inferShapes(graph), seeds: [dropped], targets: [x] }),
    (e: unknown) => e instanceof GradientError && /'Dropout_0'.*training/.test(e.message),
  );
  const c = new GraphBuilder(new Rng(6));
  const input = c.input('x', [2, 3]);
  const lo = c.input('lo', []);
  const clipped = c.op('Clip', [input, lo]);
  const clipGraph = c.unevaluated([clipped]);
  assert.throws(
    () => buildBackward({ forward: clipGraph, shapes: inferShapes(clipGraph), seeds: [clipped], targets: [input, lo] }),
    (e: unknown) => e instanceof GradientError && /'Clip_0'.*bound/.test(e.message),
  );
});

test('Sqrt: dY / (2·Y) for positive inputs', async () => {
  await gradCheckDraws('Sqrt', DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', randomShape(rng, rng.int(1, 4)), uniform(0.2, 3));
    const y = b.op('Sqrt', [x]);
    return { built: b.build([y]), seeds: [y], targets: [x] };
  });
});
