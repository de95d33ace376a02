/** Per-bias accuracy and the joint aligned/conflicting cells, on a hand-counted example with two bias attributes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignmentCells, perBiasAccuracy } from '../../../src/core/metrics/per-bias-accuracy';
import { meanBreakdown, multiBiasBreakdown } from '../../../src/core/metrics/breakdown';
import { accuracyBreakdown } from '../../../src/core/metrics/group-accuracy';

const labels = [0, 1, 2, 0, 1, 2, 0, 1];
const left = [0, 1, 0, 1, 1, 0, 0, 2]; // aligned at 0, 1, 4, 6
const right = [0, 0, 2, 0, 2, 2, 1, 1]; // aligned at 0, 2, 3, 5, 7
const predicted = [0, 1, 1, 0, 0, 2, 0, 1]; // wrong at 2 and 4

test('per attribute: aligned and conflicting accuracy, their sizes, and the worst (y, b_k) group', () => {
  const [l, r] = perBiasAccuracy(predicted, labels, [left, right], 3, [3, 3]);
  assert.deepEqual(l, { alignedAccuracy: 3 / 4, conflictingAccuracy: 3 / 4, worstGroupAccuracy: 1 / 2, alignedSamples: 4, conflictingSamples: 4 });
  assert.deepEqual(r, { alignedAccuracy: 4 / 5, conflictingAccuracy: 2 / 3, worstGroupAccuracy: 0, alignedSamples: 5, conflictingSamples: 3 });
});

test('joint cells: left-major order, aligned first; an empty cell has 0 samples and accuracy 0', () => {
  assert.deepEqual(alignmentCells(predicted, labels, [left, right]), [
    { aligned: [true, true], accuracy: 1, samples: 1 },
    { aligned: [true, false], accuracy: 2 / 3, samples: 3 },
    { aligned: [false, true], accuracy: 3 / 4, samples: 4 },
    { aligned: [false, false], accuracy: 0, samples: 0 },
  ]);
  assert.deepEqual(alignmentCells(predicted, labels, [left]).map((c) => [c.aligned, c.samples]), [[[true], 4], [[false], 4]]);
});

test('multiBiasBreakdown keeps attribute 0 in the top-level fields; cells only with several attributes', () => {
  const two = multiBiasBreakdown(predicted, labels, [left, right], 3, [3, 3]);
  const first = accuracyBreakdown(predicted, labels, left, 3, 3);
  assert.equal(two.unbiasedAccuracy, 6 / 8);
  assert.equal(two.alignedAccuracy, first.alignedAccuracy);
  assert.equal(two.worstGroupAccuracy, 1 / 2);
  assert.equal(two.perBias?.length, 2);
  assert.equal(two.alignmentCells?.length, 4);
  const one = multiBiasBreakdown(predicted, labels, [right], 3, [3]);
  assert.equal(one.alignmentCells, undefined);
  assert.deepEqual(one.perBias, perBiasAccuracy(predicted, labels, [right], 3, [3]));
  assert.throws(() => multiBiasBreakdown(predicted, labels, [], 3, []), /at least one bias attribute/);
});

test('meanBreakdown averages the per-bias fields and the cells, keeping the sample counts', () => {
  const a = multiBiasBreakdown(predicted, labels, [left, right], 3, [3, 3]);
  const b = multiBiasBreakdown(labels, labels, [left, right], 3, [3, 3]); // every prediction right
  const m = meanBreakdown([a, b]);
  assert.equal(m.unbiasedAccuracy, (6 / 8 + 1) / 2);
  assert.equal(m.perBias![1].conflictingAccuracy, (2 / 3 + 1) / 2);
  assert.equal(m.perBias![1].conflictingSamples, 3);
  assert.equal(m.alignmentCells![1].accuracy, (2 / 3 + 1) / 2);
  assert.equal(m.alignmentCells![3].accuracy, 0);
  assert.equal(meanBreakdown([accuracyBreakdown(predicted, labels, left, 3, 3)]).perBias, undefined);
});
