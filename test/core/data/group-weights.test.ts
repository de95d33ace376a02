import { test } from 'node:test';
import assert from 'node:assert/strict';
import { biasedMnistSplits } from '../../../src/core/data/biased-mnist';
import { InMemoryDataset } from '../../../src/core/data/dataset';
import { alignedMask, alignmentSplit, alignmentWeights, fitGroupWeights, sampleWeights, trainingSampleWeights } from '../../../src/core/data/group-weights';
import { selectDigits } from '../../../src/core/data/gray-digits';
import { loadBundledDigits } from '../../../src/core/data/mnist-digits';

const i32 = (values: number[]): Int32Array => Int32Array.from(values);
const close = (actual: ArrayLike<number>, expected: number[], what: string): void => {
  assert.equal(actual.length, expected.length, what);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) <= 1e-6 * Math.abs(e), `${what}[${i}]: expected ${e}, got ${actual[i]}`));
};

test('1/(G·p) by hand, with a group absent', () => {
  // Groups (y, b): (0,0)×2, (0,1)×1, (1,1)×1, (1,0) absent → G = 3, N = 4.
  const y = i32([0, 0, 0, 1]);
  const b = i32([0, 0, 1, 1]);
  const fitted = fitGroupWeights(y, [b], 2, [2]);
  assert.deepEqual(fitted.groupsPresent, [3]);
  close(fitted.factors[0], [4 / 6, 4 / 3, 0, 4 / 3], 'factors');
  const w = sampleWeights(fitted, y, [b]);
  close(w, [2 / 3, 2 / 3, 4 / 3, 4 / 3], 'weights');
  assert.ok(Math.abs(w.reduce((s, v) => s + v, 0) / w.length - 1) < 1e-6, 'mean weight 1');
  assert.throws(() => sampleWeights(fitted, i32([1]), [i32([0])], 'val'), /val: row 0: bias attribute 0: group \(y=1, b=0\) never occurs in training/);
});

test('several bias attributes: the product of per-bias factors', () => {
  const y = i32([0, 0, 0, 1]);
  const left = i32([0, 0, 1, 1]); // factors (0,0) 2/3, (0,1) 4/3, (1,1) 4/3
  const right = i32([0, 1, 1, 1]); // factors (0,0) 4/3, (0,1) 2/3, (1,1) 4/3
  const w = sampleWeights(fitGroupWeights(y, [left, right], 2, [2, 2]), y, [left, right]);
  close(w, [(2 / 3) * (4 / 3), (2 / 3) * (2 / 3), (4 / 3) * (2 / 3), (4 / 3) * (4 / 3)], 'weights');
});

test('all groups present, K = 10, ρ = 0.99: 1/(G·p) is BISE\'s 1/(K·ρ) and (K−1)/(K·(1−ρ))', () => {
  // 900 per class: 891 aligned, one sample of each of the 9 other colours → p(aligned) = ρ/K, p(conflict) = (1−ρ)/(K(K−1)).
  const y: number[] = [];
  const b: number[] = [];
  for (let c = 0; c < 10; c++) {
    for (let i = 0; i < 891; i++) {
      y.push(c);
      b.push(c);
    }
    for (let k = 1; k < 10; k++) {
      y.push(c);
      b.push((c + k) % 10);
    }
  }
  const fitted = fitGroupWeights(i32(y), [i32(b)], 10, [10]);
  assert.deepEqual(fitted.groupsPresent, [100]);
  const expected = alignmentWeights(10, 0.99);
  close([expected.aligned, expected.conflicting], [1 / 9.9, 9 / 0.1], 'alignment form by hand');
  const w = sampleWeights(fitted, i32(y), [i32(b)]);
  y.forEach((target, i) => {
    const e = target === b[i] ? expected.aligned : expected.conflicting;
    if (Math.abs(w[i] - e) > 1e-5 * e) assert.fail(`row ${i}: expected ${e}, got ${w[i]}`);
  });
});

test('aligned / conflicting split', () => {
  assert.deepEqual(Array.from(alignedMask(i32([0, 1, 2]), i32([0, 2, 2]))), [1, 0, 1]);
  const digits = loadBundledDigits();
  const small = selectDigits(digits, Int32Array.from({ length: 2000 }, (_, i) => i * 5));
  const { train } = biasedMnistSplits({ rho: 0.99, seed: 6, source: small, trainSize: 1400, valSize: 200, testSize: 400 });
  const split = alignmentSplit(train);
  assert.equal(split.aligned.length + split.conflicting.length, 1400);
  split.aligned.forEach((r) => assert.equal(train.biases[0][r], train.y[r]));
  split.conflicting.forEach((r) => assert.notEqual(train.biases[0][r], train.y[r]));
  // ⌊n·0.99⌋ aligned per class → at most 1% + 10 rounding conflicts.
  assert.ok(split.conflicting.length >= 10 && split.conflicting.length <= 24, `${split.conflicting.length} conflicting`);
  const weights = trainingSampleWeights(train);
  assert.ok(Math.abs(weights.reduce((s, v) => s + v, 0) / weights.length - 1) < 1e-4);
  assert.ok(weights[split.conflicting[0]] > 10 * weights[split.aligned[0]], 'conflicting samples weigh much more');
  const mismatched: InMemoryDataset = { ...train, biasClasses: [2] };
  assert.throws(() => alignmentSplit(mismatched), /bias classes = target classes \(10\), got 2/);
});
