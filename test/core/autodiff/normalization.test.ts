/**
 * Gradient checks for inference-form BatchNormalization (dX, dScale, dB; scale constant or not; rank 2–4) and
 * Softmax along any axis.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Attribute, floatAttr, intAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { GradientError } from '../../../src/core/autodiff/rule';
import { GraphBuilder } from '../../support/graph-builder';
import { gradCheckDraws } from '../../support/gradcheck';
import { Rng, normal, uniform } from '../../support/random';
import { randomShape } from '../../support/random-ops';

test('BatchNormalization: dX, dScale, dB with constant mean/var', async () => {
  await gradCheckDraws('BatchNormalization', 10, (rng) => {
    const b = new GraphBuilder(rng);
    const dims = randomShape(rng, rng.int(2, 4));
    const c = [dims[1]];
    const x = b.input('x', dims);
    const scaleIsConstant = rng.bool();
    const scale = b.tensor('scale', c, scaleIsConstant, uniform(0.5, 1.5));
    const bias = b.tensor('bias', c, rng.bool());
    const mean = b.weight('mean', c, normal(0.5));
    const variance = b.weight('var', c, uniform(0.5, 1.5));
    const epsilon: Record<string, Attribute> = rng.bool() ? { epsilon: floatAttr(Math.fround(rng.uniform(1e-5, 1e-2))) } : {};
    const y = b.op('BatchNormalization', [x, scale, bias, mean, variance], epsilon);
    const targets = [x, ...(rng.bool(0.7) ? [scale] : []), ...(rng.bool(0.7) ? [bias] : [])];
    return { built: b.build([y]), seeds: [y], targets, describe: `x=[${dims}] constantScale=${scaleIsConstant} targets=${targets.join(',')}` };
  });
});

test('BatchNormalization: training mode and gradients of the statistics are GradientErrors', () => {
  for (const [attrs, target] of [[{ training_mode: intAttr(1) }, 'x'], [{}, 'mean']] as const) {
    const b = new GraphBuilder(new Rng(3));
    const x = b.input('x', [2, 3]);
    const mean = b.input('mean', [3]);
    const y = b.op('BatchNormalization', [x, b.weight('s', [3]), b.weight('b', [3]), mean, b.weight('v', [3], uniform(0.5, 1))], attrs);
    const graph = b.unevaluated([y]);
    assert.throws(
      () => buildBackward({ forward: graph, shapes: inferShapes(graph), seeds: [y], targets: [target] }),
      (e: unknown) => e instanceof GradientError && e.message.includes('BatchNormalization_0'),
    );
  }
});

test('Softmax: gradient along any axis (default −1)', async () => {
  await gradCheckDraws('Softmax', 10, (rng) => {
    const b = new GraphBuilder(rng);
    const rank = rng.int(1, 4);
    const axis = rng.bool(0.2) ? undefined : rng.int(-rank, rank - 1);
    const x = b.input('x', randomShape(rng, rank), normal(2));
    const y = b.op('Softmax', [x], axis === undefined ? {} : { axis: intAttr(axis) });
    return { built: b.build([y]), seeds: [y], targets: [x], describe: `rank=${rank} axis=${axis ?? 'default'}` };
  });
});
