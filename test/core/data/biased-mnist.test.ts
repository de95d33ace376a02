import { test } from 'node:test';
import assert from 'node:assert/strict';
import { biasedMnistSplits, colourise } from '../../../src/core/data/biased-mnist';
import { colourChunking } from '../../../src/core/data/colour-assignment';
import { groupCounts } from '../../../src/core/data/dataset';
import { selectDigits } from '../../../src/core/data/gray-digits';
import { loadBundledDigits } from '../../../src/core/data/mnist-digits';
import { BIASED_MNIST_PALETTE, normaliseChannel } from '../../../src/core/data/palette';
import { createRng } from '../../../src/core/data/random';
import { stratifiedSplit } from '../../../src/core/data/stratified-split';
import { assertChunkRule, colourCountsByClass } from './colour-expectations';

const digits = loadBundledDigits();
const bytes = (a: Float32Array | Int32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test('the bundled digits: 10,000 real 28×28 digits, all classes', () => {
  assert.equal(digits.count, 10000);
  assert.equal(digits.height, 28);
  assert.equal(digits.width, 28);
  const perClass = colourCountsByClass(digits.labels, digits.labels).map((row, c) => row[c]);
  assert.deepEqual(perClass, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  // A digit covers the centre, not the border (checks the row-major 28×28 layout).
  let border = 0;
  let centre = 0;
  for (let i = 0; i < digits.count; i++) {
    border += digits.pixels[i * 784 + 0] + digits.pixels[i * 784 + 27 * 28 + 27];
    centre += digits.pixels[i * 784 + 14 * 28 + 14] > 0 ? 1 : 0;
  }
  assert.equal(border, 0);
  assert.ok(centre > 3000, `only ${centre} digits touch the centre pixel`);
});

test('chunk rule by hand: n = 1001, ρ = 0.99 → 990 aligned, chunks of 2', () => {
  assert.deepEqual(colourChunking(1001, 0.99, 10), { aligned: 990, chunk: 2 });
  // int(100 × 0.29) is 28 in the reference (float product 28.999…); floor of the same product agrees.
  assert.deepEqual(colourChunking(100, 0.29, 10), { aligned: 28, chunk: 8 });
});

test('per class: ⌊n·ρ⌋ samples in the class colour, the rest in chunks of ⌈(n − ⌊n·ρ⌋)/9⌉', () => {
  for (const rho of [0.99, 0.995, 0.997, 0.999, 0.9, 0.1, 0, 1]) {
    const ds = colourise(digits, digits.labels, rho, 123);
    assertChunkRule(ds.y, ds.biases[0], rho, `ρ=${rho}`);
  }
  // Hand-checked at ρ = 0.99 for class 0 (n = 1001): 990 red, and 2,2,2,2,2,1,0,0,0 over the other colours.
  const row0 = colourCountsByClass(digits.labels, colourise(digits, digits.labels, 0.99, 5).biases[0])[0];
  assert.equal(row0[0], 990);
  assert.deepEqual(row0.slice(1).sort((a, b) => b - a), [2, 2, 2, 2, 2, 1, 0, 0, 0]);
});

test('the other colours are taken in a shuffled order', () => {
  // At ρ = 0.99 three colours per class get no sample; with a fixed order they would always be c+7, c+8, c+9.
  const counts = colourCountsByClass(digits.labels, colourise(digits, digits.labels, 0.99, 77).biases[0]);
  const emptyOffsets = counts.map((row, c) => row.map((n, k) => (n === 0 ? (k - c + 10) % 10 : -1)).filter((o) => o >= 0).join(','));
  assert.ok(new Set(emptyOffsets).size > 1, `every class left out the same offsets: ${emptyOffsets[0]}`);
});

test('pixels: digit strokes white, background the palette colour, normalised to [−1, 1]', () => {
  const some = selectDigits(digits, Int32Array.from({ length: 300 }, (_, i) => i * 33));
  const ds = colourise(some, some.labels, 0.5, 9);
  assert.deepEqual(ds.dims, [3, 28, 28]);
  const norm = (v: number): number => Math.fround((v / 255 - 0.5) / 0.5);
  let digitPixels = 0;
  for (let n = 0; n < some.count; n++) {
    const colour = BIASED_MNIST_PALETTE[ds.biases[0][n]];
    for (let p = 0; p < 784; p++) {
      const isDigit = some.pixels[n * 784 + p] > 0;
      digitPixels += isDigit ? 1 : 0;
      for (let ch = 0; ch < 3; ch++) {
        const expected = isDigit ? 1 : norm(colour[ch]);
        const actual = ds.x[(n * 3 + ch) * 784 + p];
        if (actual !== expected) assert.fail(`sample ${n}, pixel ${p}, channel ${ch}: expected ${expected}, got ${actual}`);
      }
    }
  }
  assert.ok(digitPixels > 300 * 50, 'digits have strokes');
  let min = Infinity;
  let max = -Infinity;
  for (const v of ds.x) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.equal(min, -1);
  assert.equal(max, 1);
  // x/255 → (x − 0.5)/0.5 by hand: 0 → −1, 255 → 1, 128 → 1/255, 225 → 195/255.
  assert.ok([0, 255, 128, 225].every((v, k) => Math.abs(normaliseChannel(v) - [-1, 1, 1 / 255, 195 / 255][k]) < 1e-15));
});

test('deterministic: same seed → identical bytes, different seed → different', () => {
  const a = colourise(digits, digits.labels, 0.99, 2024);
  const b = colourise(digits, digits.labels, 0.99, 2024);
  const c = colourise(digits, digits.labels, 0.99, 2025);
  assert.ok(bytes(a.x).equals(bytes(b.x)));
  assert.ok(bytes(a.biases[0]).equals(bytes(b.biases[0])));
  assert.ok(!bytes(a.x).equals(bytes(c.x)));
  assert.ok(!bytes(a.biases[0]).equals(bytes(c.biases[0])));
});

test('stratified split: exact sizes, disjoint, class proportions kept', () => {
  const [train, val, test_] = stratifiedSplit(digits.labels, 10, [7000, 1000, 2000], createRng(4));
  assert.deepEqual([train.length, val.length, test_.length], [7000, 1000, 2000]);
  assert.equal(new Set([...train, ...val, ...test_]).size, 10000, 'disjoint and covering');
  const total = colourCountsByClass(digits.labels, digits.labels).map((row, c) => row[c]);
  for (const [rows, share] of [[train, 0.7], [val, 0.1], [test_, 0.2]] as const) {
    const perClass = new Array<number>(10).fill(0);
    rows.forEach((r) => perClass[digits.labels[r]]++);
    perClass.forEach((n, c) => assert.ok(Math.abs(n - total[c] * share) <= 1.5, `class ${c}: ${n} vs ${total[c] * share}`));
  }
  assert.throws(() => stratifiedSplit(digits.labels, 10, [9000, 2000], createRng(4)), /sum to at most the 10000/);
});

test('biasedMnistSplits: 7000/1000/2000, train at ρ, val/test at ρ = 0.1, deterministic', () => {
  const splits = biasedMnistSplits({ rho: 0.997, seed: 1, source: digits });
  assert.deepEqual([splits.train.y.length, splits.val.y.length, splits.test.y.length], [7000, 1000, 2000]);
  assertChunkRule(splits.train.y, splits.train.biases[0], 0.997, 'train');
  assertChunkRule(splits.val.y, splits.val.biases[0], 0.1, 'val');
  assertChunkRule(splits.test.y, splits.test.biases[0], 0.1, 'test');
  assert.equal(splits.train.numClasses, 10);
  assert.deepEqual(splits.train.biasClasses, [10]);
  assert.equal(splits.val.meta.split, 'val');
  // Unbiased test set: every (y, b) group occurs.
  assert.ok(Array.from(groupCounts(splits.test).counts).every((n) => n > 0));
  const again = biasedMnistSplits({ rho: 0.997, seed: 1, source: digits, trainSize: 500, valSize: 100, testSize: 100 });
  const other = biasedMnistSplits({ rho: 0.997, seed: 2, source: digits, trainSize: 500, valSize: 100, testSize: 100 });
  const small = biasedMnistSplits({ rho: 0.997, seed: 1, source: digits, trainSize: 500, valSize: 100, testSize: 100 });
  assert.ok(bytes(again.test.x).equals(bytes(small.test.x)));
  assert.ok(!bytes(again.test.x).equals(bytes(other.test.x)));
});
