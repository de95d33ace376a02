import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectDigits } from '../../../src/core/data/gray-digits';
import { loadBundledDigits } from '../../../src/core/data/mnist-digits';
import { colouriseMultiColor, multiColorMnistSplits } from '../../../src/core/data/multi-color-mnist';
import { BIASED_MNIST_PALETTE, normaliseChannel } from '../../../src/core/data/palette';
import { assertChunkRule } from './colour-expectations';

const digits = loadBundledDigits();
const bytes = (a: Float32Array | Int32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test('each side follows the chunk rule with its own ρ', () => {
  const ds = colouriseMultiColor(digits, digits.labels, 0.99, 0.95, 31);
  assert.deepEqual(ds.biasClasses, [10, 10]);
  assertChunkRule(ds.y, ds.biases[0], 0.99, 'left');
  assertChunkRule(ds.y, ds.biases[1], 0.95, 'right');
});

test('the two sides are shuffled independently', () => {
  // Same ρ on both sides: with one shared shuffle the two colour arrays would be identical.
  const ds = colouriseMultiColor(digits, digits.labels, 0.5, 0.5, 8);
  assertChunkRule(ds.y, ds.biases[0], 0.5, 'left');
  assertChunkRule(ds.y, ds.biases[1], 0.5, 'right');
  let same = 0;
  ds.biases[0].forEach((c, i) => (same += c === ds.biases[1][i] ? 1 : 0));
  assert.ok(same < 0.5 * ds.y.length, `${same} of ${ds.y.length} samples have the same colour on both sides`);
});

test('pixels: columns 0–13 in the left colour, 14–27 in the right colour, strokes white', () => {
  const some = selectDigits(digits, Int32Array.from({ length: 200 }, (_, i) => i * 47));
  const ds = colouriseMultiColor(some, some.labels, 0.3, 0.3, 5);
  for (let n = 0; n < some.count; n++) {
    for (let p = 0; p < 784; p++) {
      const column = p % 28;
      const palette = BIASED_MNIST_PALETTE[ds.biases[column < 14 ? 0 : 1][n]];
      const isDigit = some.pixels[n * 784 + p] > 0;
      for (let ch = 0; ch < 3; ch++) {
        const expected = isDigit ? 1 : Math.fround(normaliseChannel(palette[ch]));
        const actual = ds.x[(n * 3 + ch) * 784 + p];
        if (actual !== expected) assert.fail(`sample ${n}, pixel ${p} (column ${column}), channel ${ch}: expected ${expected}, got ${actual}`);
      }
    }
  }
});

test('splits: train at (0.99, 0.95), val/test at 0.1 on both sides, deterministic', () => {
  const splits = multiColorMnistSplits({ seed: 3, source: digits });
  assert.deepEqual([splits.train.y.length, splits.val.y.length, splits.test.y.length], [7000, 1000, 2000]);
  assertChunkRule(splits.train.y, splits.train.biases[0], 0.99, 'train left');
  assertChunkRule(splits.train.y, splits.train.biases[1], 0.95, 'train right');
  for (const part of [splits.val, splits.test]) {
    assertChunkRule(part.y, part.biases[0], 0.1, `${part.name} left`);
    assertChunkRule(part.y, part.biases[1], 0.1, `${part.name} right`);
  }
  const a = multiColorMnistSplits({ seed: 3, source: digits, trainSize: 300, valSize: 50, testSize: 50 });
  const b = multiColorMnistSplits({ seed: 3, source: digits, trainSize: 300, valSize: 50, testSize: 50 });
  const c = multiColorMnistSplits({ seed: 4, source: digits, trainSize: 300, valSize: 50, testSize: 50 });
  assert.ok(bytes(a.train.x).equals(bytes(b.train.x)));
  assert.ok(!bytes(a.train.x).equals(bytes(c.train.x)));
});
