/** Substitute-vs-true bias label agreement and conflicting-sample precision/recall, on a hand-counted example. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { biasLabelQuality } from '../../../src/core/metrics/bias-label-quality';

test('agreement, and the truly conflicting samples the substitute labels flag', () => {
  const labels = [0, 1, 2, 0, 1, 2, 0, 1];
  const trueBias = [0, 1, 2, 1, 1, 0, 0, 1]; // conflicting at 3, 5
  const usedBias = [0, 1, 1, 1, 1, 2, 2, 1]; // conflicting at 2, 3, 6; agrees at 0, 1, 3, 4, 7
  assert.deepEqual(biasLabelQuality(labels, trueBias, usedBias), {
    samples: 8,
    agreement: 5 / 8,
    trueConflicting: 2,
    flaggedConflicting: 3,
    conflictingRecall: 1 / 2,
    conflictingPrecision: 1 / 3,
  });
});

test('identical labels agree fully; no conflicting samples gives 0, not NaN', () => {
  const q = biasLabelQuality([0, 1], [0, 1], [0, 1]);
  assert.equal(q.agreement, 1);
  assert.equal(q.conflictingRecall, 0);
  assert.equal(q.conflictingPrecision, 0);
});

test('mismatched lengths name both counts', () => {
  assert.throws(() => biasLabelQuality([0, 1], [0], [0, 1]), /per sample \(2\), got 1 and 2/);
});
