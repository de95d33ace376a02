/** Several bias attributes: one auxiliary head and one MI term per attribute, summed, each on its own conflicting samples. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuxHead } from '../../../src/core/bise/aux-head';
import { biasTerms } from '../../../src/core/bise/bias-terms';
import { mutualInformation } from '../../../src/core/bise/mutual-information';
import { createRng } from '../../../src/core/data/random';

const N = 40;
const D = 6;
const rng = createRng(11);
const z = Float32Array.from({ length: N * D }, () => rng.nextFloat() * 2 - 1);
const y = Int32Array.from({ length: N }, () => rng.nextInt(3));
// Attribute 0 agrees with y 70% of the time, attribute 1 (4 values) 50%.
const b0 = Int32Array.from(y, (v) => (rng.nextFloat() < 0.7 ? v : rng.nextInt(3)));
const b1 = Int32Array.from(y, (v) => (rng.nextFloat() < 0.5 ? v : rng.nextInt(4)));
const config = { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 };
const heads = [new AuxHead(D, 3, createRng(1), config), new AuxHead(D, 4, createRng(2), config)];
const conflicting = (b: Int32Array): boolean[] => Array.from(b, (v, i) => v !== y[i]);

test('ΣMI is the sum of one MI per head, each on the samples conflicting with its own attribute', () => {
  const r = biasTerms(heads, z, y, [b0, b1], { gamma: 1, miSamples: 'conflicting' });
  const mi0 = mutualInformation(heads[0].logits(z, N), b0, 3, conflicting(b0)).loss;
  const mi1 = mutualInformation(heads[1].logits(z, N), b1, 4, conflicting(b1)).loss;
  assert.ok(mi0 > 0 && mi1 > 0);
  assert.ok(Math.abs(r.perHead[0].mutualInformation - mi0) < 1e-12);
  assert.ok(Math.abs(r.perHead[1].mutualInformation - mi1) < 1e-12);
  assert.ok(Math.abs(r.mutualInformation - (mi0 + mi1)) < 1e-12);
  const all = biasTerms(heads, z, y, [b0, b1], { gamma: 1, miSamples: 'all' });
  assert.ok(Math.abs(all.mutualInformation - (mutualInformation(heads[0].logits(z, N), b0, 3).loss + mutualInformation(heads[1].logits(z, N), b1, 4).loss)) < 1e-12);
  // Each head's accuracy counts against its own attribute.
  const pred1 = heads[1].logits(z, N);
  let correct1 = 0;
  for (let i = 0; i < N; i++) correct1 += pred1.slice(i * 4, i * 4 + 4).indexOf(Math.max(...pred1.slice(i * 4, i * 4 + 4))) === b1[i] ? 1 : 0;
  assert.equal(r.perHead[1].correct, correct1);
});

test('dz is γ · dΣMI/dz (central finite differences), and zero when γ = 0', () => {
  const gamma = 2.5;
  const { dZ } = biasTerms(heads, z, y, [b0, b1], { gamma, miSamples: 'conflicting' });
  const total = (x: Float32Array): number => biasTerms(heads, x, y, [b0, b1], { gamma: 0, miSamples: 'conflicting' }).mutualInformation;
  const x = Float32Array.from(z);
  for (let i = 0; i < x.length; i += 7) {
    const h = 1e-2;
    const saved = x[i];
    x[i] = saved + h;
    const up = total(x);
    x[i] = saved - h;
    const down = total(x);
    x[i] = saved;
    const numeric = (gamma * (up - down)) / (2 * h);
    assert.ok(Math.abs(numeric - dZ[i]) < 2e-3 + 1e-2 * Math.abs(numeric), `entry ${i}: ${numeric} vs ${dZ[i]}`);
  }
  assert.ok(dZ.some((v) => v !== 0));
  const off = biasTerms(heads, z, y, [b0, b1], { gamma: 0, miSamples: 'conflicting' });
  assert.ok(off.dZ.every((v) => v === 0));
  // Dropping the second head removes its share of the gradient.
  const one = biasTerms([heads[0]], z, y, [b0], { gamma, miSamples: 'conflicting' });
  assert.ok(one.dZ.some((v, i) => Math.abs(v - dZ[i]) > 1e-6));
});

test('heads and bias attributes must pair up', () => {
  assert.throws(() => biasTerms(heads, z, y, [b0], { gamma: 1, miSamples: 'all' }), /one auxiliary head per bias attribute, got 2 heads and 1 attributes/);
});
