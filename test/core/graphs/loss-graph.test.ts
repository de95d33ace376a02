/**
 * The loss graph (graphs/loss-graph.ts) evaluated in float64 by the reference interpreter equals the TypeScript
 * loss extract computed before it: weighted CE's gradient times α, and γ·dΣMI/dz through each auxiliary head.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLossGraph, lossFeeds, LossValues } from '../../../src/core/graphs/loss-graph';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { refTensor } from '../../../src/core/ops/reference/tensor';
import { AuxHead } from '../../../src/core/bise/aux-head';
import { biasTerms } from '../../../src/core/bise/bias-terms';
import { weightedCrossEntropy } from '../../../src/core/bise/cross-entropy';
import { createRng } from '../../../src/core/data/random';
import { relativeError } from '../../support/relative-error';

const N = 24;
const K = 3;
// z as a conv bottleneck [N, C, 1, 1]: the graph flattens it for the heads and gives dZ back in its dims.
const Z_DIMS = [N, 5, 1, 1];
const D = 5;
const rng = createRng(7);
const logits = Float32Array.from({ length: N * K }, () => rng.nextFloat() * 4 - 2);
const z = Float32Array.from({ length: N * D }, () => rng.nextFloat() * 2 - 1);
const y = Int32Array.from({ length: N }, () => rng.nextInt(K));
const b0 = Int32Array.from(y, (v) => (rng.nextFloat() < 0.6 ? v : rng.nextInt(K)));
const b1 = Int32Array.from(y, (v) => (rng.nextFloat() < 0.5 ? v : rng.nextInt(4)));
const groupWeights = Float32Array.from({ length: N }, () => 0.5 + rng.nextFloat());
const aux = { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 };
const heads = [new AuxHead(D, K, createRng(1), aux), new AuxHead(D, 4, createRng(2), aux)];

/** The graph's dLogits and dZ for these loss values, in float64. */
function graphGradients(gamma: number, headCount: number, v: LossValues): { dLogits: Float64Array; dZ: Float64Array } {
  const loss = buildLossGraph({ logits: 'logits', logitsDims: [N, K], bottleneck: 'z', bottleneckDims: Z_DIMS, dLogits: 'grad_in::logits', dZ: 'grad_in::z', headClasses: heads.slice(0, headCount).map((h) => h.classes), gamma });
  const feeds = new Map(Object.entries(lossFeeds(loss, v)).map(([name, data]) => [name, refTensor(loss.graph.inputs.find((i) => i.name === name)?.shape as number[], data)]));
  feeds.set('logits', refTensor([N, K], logits));
  feeds.set('z', refTensor(Z_DIMS, z));
  const values = evaluate(loss.graph, feeds);
  const out = (name: string): Float64Array => Float64Array.from(values.get(name)?.data ?? []);
  assert.deepEqual(values.get('grad_in::z')?.dims, Z_DIMS);
  return { dLogits: out('grad_in::logits'), dZ: out('grad_in::z') };
}

const cases: { name: string; gamma: number; heads: number; miSamples: 'conflicting' | 'all'; weights: boolean; biases?: Int32Array[] }[] = [
  { name: 'one head, conflicting rows, group weights', gamma: 2, heads: 1, miSamples: 'conflicting', weights: true },
  { name: 'two heads, conflicting rows', gamma: 0.7, heads: 2, miSamples: 'conflicting', weights: false },
  { name: 'two heads, all rows, group weights', gamma: 1.5, heads: 2, miSamples: 'all', weights: true },
];

for (const c of cases) {
  test(`dLogits and dZ equal extract's TypeScript loss: ${c.name}`, () => {
    const alpha = 0.8;
    const biases = [b0, b1].slice(0, c.heads);
    const used = heads.slice(0, c.heads);
    const sampleWeights = c.weights ? groupWeights : undefined;
    const got = graphGradients(c.gamma, c.heads, { y, alpha, sampleWeights, biases, heads: used, miSamples: c.miSamples });
    const ce = weightedCrossEntropy(logits, y, K, sampleWeights);
    assert.ok(relativeError(got.dLogits, ce.grad.map((g) => g * alpha)) < 1e-6);
    const expected = biasTerms(used, z, y, biases, { gamma: c.gamma, miSamples: c.miSamples }).dZ;
    assert.ok(relativeError(got.dZ, expected) < 1e-5, `dZ off by ${relativeError(got.dZ, expected)}`);
  });
}

test('a head with no conflicting row adds nothing to dZ (MI = 0), and γ = 0 gives zeros', () => {
  const agreeing = Int32Array.from(y);
  const v: LossValues = { y, alpha: 1, biases: [agreeing, b1], heads, miSamples: 'conflicting' };
  const both = graphGradients(1, 2, v);
  const onlySecond = biasTerms([heads[1]], z, y, [b1], { gamma: 1, miSamples: 'conflicting' }).dZ;
  assert.ok(relativeError(both.dZ, onlySecond) < 1e-5);
  assert.ok(both.dZ.every(Number.isFinite));
  const none = graphGradients(0, 2, { ...v, biases: [b0, b1] });
  assert.ok(none.dZ.every((g) => g === 0));
  assert.ok(relativeError(none.dLogits, weightedCrossEntropy(logits, y, K).grad) < 1e-6);
});

test('the loss feeds refuse a label outside its classes, naming the row', () => {
  const loss = buildLossGraph({ logits: 'l', logitsDims: [N, K], bottleneck: 'z', bottleneckDims: [N, D], dLogits: 'dl', dZ: 'dz', headClasses: [K], gamma: 1 });
  const bad = Int32Array.from(y);
  bad[3] = K;
  assert.throws(() => lossFeeds(loss, { y: bad, alpha: 1, biases: [b0], heads: [heads[0]], miSamples: 'all' }), /class label 3 of row 3 is not in \[0, 3\)/);
});
