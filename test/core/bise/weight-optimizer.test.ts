/**
 * The weight-training optimiser (bise/weight-optimizer.ts): SGD on WebAssembly SIMD holds the parameters it hands
 * out and follows sgd.ts's update (float32 per operation against double rounded once), learning-rate changes
 * included; the JavaScript SGD and Adam paths are sgd.ts's and adam.ts's exactly; the caller's arrays stay as they were.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWeightOptimizer } from '../../../src/core/bise/weight-optimizer';
import { Sgd } from '../../../src/core/bise/sgd';
import { Adam } from '../../../src/core/bise/adam';
import { Rng } from '../../support/random';

const names = ['conv.weight', 'conv.bias', 'fc.weight'];
const lengths = [4099, 3, 130];

function setup(seed: number): { initial: Map<string, Float32Array>; grads: Float32Array[][] } {
  const rng = new Rng(seed);
  const initial = new Map(names.map((n, i) => [n, Float32Array.from({ length: lengths[i] }, () => rng.normal())]));
  const grads = Array.from({ length: 5 }, () => lengths.map((n) => Float32Array.from({ length: n }, () => rng.normal())));
  return { initial, grads };
}

test('SGD on WebAssembly SIMD follows the JavaScript update, learning-rate changes included', () => {
  const { initial, grads } = setup(1);
  const before = new Map([...initial].map(([k, v]) => [k, Float32Array.from(v)]));
  const config = { kind: 'sgd' as const, lr: 0.1, momentum: 0.9, weightDecay: 1e-4 };
  const wasm = createWeightOptimizer(names, (n) => initial.get(n) as Float32Array, config);
  const js = createWeightOptimizer(names, (n) => initial.get(n) as Float32Array, config, false);
  assert.equal(wasm.implementation, 'wasm-simd-sgd');
  assert.equal(js.implementation, 'sgd');
  const held = names.map((n) => wasm.parameters.get(n));
  grads.forEach((g, step) => {
    if (step === 3) [wasm, js].forEach((o) => o.setLearningRate(0.02));
    wasm.step(g);
    js.step(g);
  });
  for (const n of names) {
    const [a, b] = [wasm.parameters.get(n) as Float32Array, js.parameters.get(n) as Float32Array];
    const err = Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(1, Math.abs(b[i]))));
    assert.ok(err < 2e-6, `${n}: ${err}`);
    assert.notDeepEqual(a, before.get(n), `${n} did not move`);
    assert.deepEqual(initial.get(n), before.get(n), `${n}: the caller's array changed`);
  }
  // The arrays handed out are updated in place (the trainer feeds them to onnxruntime every step).
  names.forEach((n, i) => assert.equal(wasm.parameters.get(n), held[i]));
});

test('the JavaScript paths are sgd.ts and adam.ts exactly', () => {
  const { initial, grads } = setup(2);
  const sgd = createWeightOptimizer(names, (n) => initial.get(n) as Float32Array, { kind: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 1e-3 }, false);
  const adam = createWeightOptimizer(names, (n) => initial.get(n) as Float32Array, { kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true });
  const refSgd = new Sgd({ lr: 0.05, momentum: 0.9, weightDecay: 1e-3 });
  const refAdam = new Adam({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true });
  const [p1, p2] = [names.map((n) => Float32Array.from(initial.get(n) as Float32Array)), names.map((n) => Float32Array.from(initial.get(n) as Float32Array))];
  for (const g of grads) {
    sgd.step(g);
    adam.step(g);
    g.forEach((gi, i) => {
      refSgd.step(p1[i], gi);
      refAdam.step(p2[i], gi);
    });
  }
  names.forEach((n, i) => {
    assert.deepEqual(sgd.parameters.get(n), p1[i]);
    assert.deepEqual(adam.parameters.get(n), p2[i]);
  });
});
