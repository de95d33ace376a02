/** Gradient checks for Gemm (transA/transB, alpha, beta, every C broadcast form) and MatMul (batch broadcasting). */
import { test } from 'node:test';
import { Attribute, floatAttr, intAttr } from '../../../src/core/onnx/ir';
import { GraphBuilder } from '../../support/graph-builder';
import { gradCheckDraws } from '../../support/gradcheck';
import { randomBatchPair, randomShape } from '../../support/random-ops';

test('Gemm: dA, dB, dC for every transpose flag, alpha/beta and C shape', async () => {
  await gradCheckDraws('Gemm', 12, (rng) => {
    const b = new GraphBuilder(rng);
    const [m, k, n] = randomShape(rng, 3);
    const transA = rng.int(0, 1);
    const transB = rng.int(0, 1);
    const attrs: Record<string, Attribute> = { transA: intAttr(transA), transB: intAttr(transB) };
    if (rng.bool()) attrs.alpha = floatAttr(Math.fround(rng.uniform(-2, 2)));
    if (rng.bool()) attrs.beta = floatAttr(Math.fround(rng.uniform(-2, 2)));
    const cShape = rng.pick([undefined, [n], [m, n], [1, n], [m, 1], []]);
    const a = b.input('a', transA ? [k, m] : [m, k]);
    const w = b.tensor('b', transB ? [n, k] : [k, n], rng.bool());
    const c = cShape === undefined ? undefined : b.tensor('c', cShape, rng.bool());
    const y = b.op('Gemm', [a, w, ...(c ? [c] : [])], attrs);
    return { built: b.build([y]), seeds: [y], targets: [a, w, ...(c ? [c] : [])], describe: `m=${m} k=${k} n=${n} transA=${transA} transB=${transB} c=${cShape ? `[${cShape}]` : 'none'}` };
  });
});

test('MatMul: dA, dB with broadcast batch axes (2-D operands included)', async () => {
  await gradCheckDraws('MatMul', 12, (rng) => {
    const b = new GraphBuilder(rng);
    const [batchA, batchB] = randomBatchPair(rng);
    const [m, k, n] = randomShape(rng, 3);
    const a = b.tensor('a', [...batchA, m, k], rng.bool(0.3));
    const w = b.tensor('b', [...batchB, k, n], rng.bool(0.3));
    const y = b.op('MatMul', [a, w]);
    return { built: b.build([y]), seeds: [y], targets: [a, w], describe: `a=[${batchA},${m},${k}] b=[${batchB},${k},${n}]` };
  });
});
