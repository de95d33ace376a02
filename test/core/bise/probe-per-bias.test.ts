/**
 * probeSummary on a dataset with several bias attributes: attribute 0 in the top-level fields as before, and the
 * probe on z for every further attribute, high for an attribute the features encode and near chance for one
 * they do not. Synthetic features (no model), so it runs in well under a second.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeSummary } from '../../../src/core/bise/assess';
import type { DatasetPass } from '../../../src/core/bise/gated-inference';
import type { InMemoryDataset } from '../../../src/core/data/dataset';
import { createRng, Rng } from '../../../src/core/data/random';
import { runBiasProbe } from '../../../src/core/probe/bias-probe';
import type { Discovery } from '../../../src/core/units/discover';

// Attribute 0 (4 values) and attribute 1 (5 values) are one-hot in z; attribute 2 (3 values) is not in z at all.
const CLASSES = [4, 5, 3];
const DIM = CLASSES[0] + CLASSES[1] + 2;
const OPTIONS = { seed: 7, epochs: 10 };

function split(n: number, rng: Rng): { data: InMemoryDataset; pass: DatasetPass } {
  const biases = CLASSES.map((k) => Int32Array.from({ length: n }, () => rng.nextInt(k)));
  const z = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < DIM; d++) z[i * DIM + d] = 0.3 * rng.nextNormal();
    z[i * DIM + biases[0][i]] += 1;
    z[i * DIM + CLASSES[0] + biases[1][i]] += 1;
  }
  const data: InMemoryDataset = { name: 'synthetic', x: new Float32Array(0), dims: [1, 1, 1], y: new Int32Array(n), biases, numClasses: 10, biasClasses: CLASSES, meta: {} };
  const pass: DatasetPass = { predictions: new Int32Array(n), logits: new Float32Array(0), z, zDim: DIM, pooledSites: new Map() };
  return { data, pass };
}

// No gate sites: only the probe on z is under test here.
const discovery = { sites: [], groups: [] } as unknown as Discovery;

test('every bias attribute gets the probe on z; attribute 0 stays in the top-level fields', () => {
  const rng = createRng(3);
  const [train, testSplit] = [split(400, rng), split(300, rng)];
  const s = probeSummary(discovery, train.pass, testSplit.pass, train.data, testSplit.data, OPTIONS);
  const direct = (k: number) =>
    runBiasProbe(
      { trainX: train.pass.z, trainB: train.data.biases[k], testX: testSplit.pass.z, testB: testSplit.data.biases[k], dim: DIM, classes: CLASSES[k] },
      { ...OPTIONS, mlp: true },
    );
  const { perLayer, perBias, ...first } = s;
  assert.deepEqual(first, direct(0), 'attribute 0 as before');
  assert.deepEqual(perLayer, []);
  assert.deepEqual(perBias?.map((b) => b.attribute), [1, 2]);
  const [encoded, absent] = perBias!;
  assert.deepEqual({ ...encoded, attribute: undefined }, { ...direct(1), attribute: undefined }, 'same seed and epochs as attribute 0');
  assert.ok(encoded.linearAccuracy > encoded.chance + 0.4, `attribute 1 is in z: linear ${encoded.linearAccuracy}, chance ${encoded.chance}`);
  assert.ok(encoded.mlpAccuracy > encoded.chance + 0.4, `attribute 1 is in z: MLP ${encoded.mlpAccuracy}`);
  assert.ok(encoded.mutualInformation > 0.3, `MI ${encoded.mutualInformation}`);
  assert.ok(absent.linearAccuracy < absent.chance + 0.12, `attribute 2 is not in z: linear ${absent.linearAccuracy}, chance ${absent.chance}`);
});

test('one bias attribute: no perBias field, so results read as before', () => {
  const rng = createRng(4);
  const one = (n: number) => {
    const s = split(n, rng);
    return { pass: s.pass, data: { ...s.data, biases: s.data.biases.slice(0, 1), biasClasses: CLASSES.slice(0, 1) } };
  };
  const [train, testSplit] = [one(200), one(100)];
  const s = probeSummary(discovery, train.pass, testSplit.pass, train.data, testSplit.data, OPTIONS);
  assert.ok(!('perBias' in s));
});
