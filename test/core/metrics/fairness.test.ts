/**
 * Fairlearn's group-fairness metrics on hand-counted examples. Each case writes out the counting; the definitions
 * are fairlearn.metrics' (selection_rate, true_positive_rate, false_positive_rate, demographic_parity_difference /
 * _ratio and equalized_odds_difference with method='between_groups', agg='worst_case').
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeFairness, classFairness, GroupRates } from '../../../src/core/metrics/fairness';

function close(actual: number | null, expected: number | null, what: string): void {
  if (expected === null || actual === null) return assert.equal(actual, expected, what);
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: expected ${expected}, got ${actual}`);
}

function closeGroups(actual: readonly GroupRates[], expected: readonly GroupRates[]): void {
  assert.deepEqual(actual.map((g) => [g.group, g.samples, g.positives, g.negatives]), expected.map((g) => [g.group, g.samples, g.positives, g.negatives]));
  actual.forEach((g, i) => {
    close(g.selectionRate, expected[i].selectionRate, `group ${g.group} selection rate`);
    close(g.truePositiveRate, expected[i].truePositiveRate, `group ${g.group} TPR`);
    close(g.falsePositiveRate, expected[i].falsePositiveRate, `group ${g.group} FPR`);
  });
}

test('binary target: rates per group, demographic parity difference and ratio, equalized odds difference', () => {
  //        i: 0  1  2  3  4  5  6  7  8
  const y = [1, 1, 0, 0, 1, 1, 0, 0, 0];
  const yHat = [1, 0, 1, 0, 1, 1, 0, 0, 1];
  const a = [0, 0, 0, 0, 1, 1, 1, 1, 1];
  // Group 0 (i = 0..3): ŷ = 1 at 0, 2 → selection 2/4. Positives 0, 1; ŷ = 1 at 0 → TPR 1/2. Negatives 2, 3; ŷ = 1 at 2 → FPR 1/2.
  // Group 1 (i = 4..8): ŷ = 1 at 4, 5, 8 → selection 3/5. Positives 4, 5, both selected → TPR 1. Negatives 6, 7, 8; 8 selected → FPR 1/3.
  // DP difference 3/5 − 2/4 = 0.1; DP ratio (2/4)/(3/5) = 5/6; TPR difference 1/2, FPR difference 1/2 − 1/3 = 1/6 → EO difference 1/2.
  const f = attributeFairness(yHat, y, a, 2);
  assert.equal(f.mode, 'binary');
  assert.equal(f.perClass.length, 1);
  const c = f.perClass[0];
  assert.equal(c.positiveClass, 1);
  closeGroups(c.groups, [
    { group: 0, samples: 4, positives: 2, negatives: 2, selectionRate: 2 / 4, truePositiveRate: 1 / 2, falsePositiveRate: 1 / 2 },
    { group: 1, samples: 5, positives: 2, negatives: 3, selectionRate: 3 / 5, truePositiveRate: 1, falsePositiveRate: 1 / 3 },
  ]);
  close(c.demographicParityDifference, 3 / 5 - 2 / 4, 'DP difference');
  close(c.demographicParityRatio, 2 / 4 / (3 / 5), 'DP ratio');
  close(c.equalizedOddsDifference, 1 / 2, 'EO difference');
  // With one class measured, the worst case is that class.
  close(f.worst.demographicParityDifference, c.demographicParityDifference, 'worst DP difference');
  close(f.worst.demographicParityRatio, c.demographicParityRatio, 'worst DP ratio');
  close(f.worst.equalizedOddsDifference, c.equalizedOddsDifference, 'worst EO difference');
});

test('multi-class target: one-vs-rest per class, and the worst class', () => {
  //        i: 0  1  2  3  4  5
  const y = [0, 1, 2, 0, 1, 2];
  const yHat = [0, 1, 1, 1, 1, 2];
  const a = [0, 0, 0, 1, 1, 1];
  const f = attributeFairness(yHat, y, a, 3);
  assert.equal(f.mode, 'one-vs-rest');
  assert.deepEqual(f.perClass.map((c) => c.positiveClass), [0, 1, 2]);
  const [c0, c1, c2] = f.perClass;
  // Class 0. Group 0: ŷ = 0 at 0 → selection 1/3; positive 0 selected → TPR 1; negatives 1, 2 not selected → FPR 0.
  //          Group 1: nothing selected → selection 0; positive 3 missed → TPR 0; negatives 4, 5 → FPR 0.
  //          DP difference 1/3, ratio 0/(1/3) = 0, EO difference max(1 − 0, 0 − 0) = 1.
  closeGroups(c0.groups, [
    { group: 0, samples: 3, positives: 1, negatives: 2, selectionRate: 1 / 3, truePositiveRate: 1, falsePositiveRate: 0 },
    { group: 1, samples: 3, positives: 1, negatives: 2, selectionRate: 0, truePositiveRate: 0, falsePositiveRate: 0 },
  ]);
  close(c0.demographicParityDifference, 1 / 3, 'class 0 DP difference');
  close(c0.demographicParityRatio, 0, 'class 0 DP ratio');
  close(c0.equalizedOddsDifference, 1, 'class 0 EO difference');
  // Class 1. Group 0: ŷ = 1 at 1, 2 → 2/3; positive 1 selected → TPR 1; negatives 0, 2, 2 selected → FPR 1/2.
  //          Group 1: ŷ = 1 at 3, 4 → 2/3; positive 4 selected → TPR 1; negatives 3, 5, 3 selected → FPR 1/2.
  //          Equal rates: DP difference 0, ratio 1, EO difference 0.
  closeGroups(c1.groups, [
    { group: 0, samples: 3, positives: 1, negatives: 2, selectionRate: 2 / 3, truePositiveRate: 1, falsePositiveRate: 1 / 2 },
    { group: 1, samples: 3, positives: 1, negatives: 2, selectionRate: 2 / 3, truePositiveRate: 1, falsePositiveRate: 1 / 2 },
  ]);
  close(c1.demographicParityDifference, 0, 'class 1 DP difference');
  close(c1.demographicParityRatio, 1, 'class 1 DP ratio');
  close(c1.equalizedOddsDifference, 0, 'class 1 EO difference');
  // Class 2. Group 0: nothing selected → 0; positive 2 missed → TPR 0; FPR 0.
  //          Group 1: ŷ = 2 at 5 → 1/3; positive 5 selected → TPR 1; FPR 0. DP difference 1/3, ratio 0, EO difference 1.
  close(c2.demographicParityDifference, 1 / 3, 'class 2 DP difference');
  close(c2.demographicParityRatio, 0, 'class 2 DP ratio');
  close(c2.equalizedOddsDifference, 1, 'class 2 EO difference');
  // Worst class: the largest differences (1/3, 1) and the smallest ratio (0).
  close(f.worst.demographicParityDifference, 1 / 3, 'worst DP difference');
  close(f.worst.demographicParityRatio, 0, 'worst DP ratio');
  close(f.worst.equalizedOddsDifference, 1, 'worst EO difference');
});

test("Fairlearn's edge cases: a group without positives has TPR 0, no selection at all leaves the ratio undefined", () => {
  // Group 0 (i = 0, 1) has no positive: sklearn's confusion_matrix(normalize='true') makes its TPR 0/0 → 0.
  // Group 0: ŷ = 1 at 0 → selection 1/2, FPR 1/2. Group 1 (i = 2, 3): both positive and selected → selection 1, TPR 1, no negatives → FPR 0.
  // DP difference 1/2, ratio 1/2; TPR difference 1 − 0 = 1, FPR difference 1/2 → EO difference 1.
  const c = classFairness([1, 0, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1], 1);
  closeGroups(c.groups, [
    { group: 0, samples: 2, positives: 0, negatives: 2, selectionRate: 1 / 2, truePositiveRate: 0, falsePositiveRate: 1 / 2 },
    { group: 1, samples: 2, positives: 2, negatives: 0, selectionRate: 1, truePositiveRate: 1, falsePositiveRate: 0 },
  ]);
  close(c.demographicParityDifference, 1 / 2, 'DP difference');
  close(c.demographicParityRatio, 1 / 2, 'DP ratio');
  close(c.equalizedOddsDifference, 1, 'EO difference');
  // Nobody selected: selection rates 0 and 0 → difference 0, ratio 0/0 (Fairlearn: NaN, here null); every TPR/FPR 0 → EO 0.
  const none = classFairness([0, 0, 0], [1, 0, 1], [0, 1, 1], 1);
  close(none.demographicParityDifference, 0, 'DP difference without selection');
  assert.equal(none.demographicParityRatio, null);
  close(none.equalizedOddsDifference, 0, 'EO difference without selection');
  // The worst ratio over classes skips undefined ones, and is null only when every class's is.
  const allNone = attributeFairness([0, 0, 0], [1, 0, 1], [0, 1, 1], 2);
  assert.equal(allNone.worst.demographicParityRatio, null);
});

test('groups are the attribute values present, in order; one group has no disparity', () => {
  const c = classFairness([1, 0, 1, 1], [1, 1, 0, 1], [5, 2, 5, 2], 1);
  assert.deepEqual(c.groups.map((g) => g.group), [2, 5]);
  const single = classFairness([1, 0, 1], [1, 1, 0], [3, 3, 3], 1);
  assert.equal(single.groups.length, 1);
  assert.equal(single.demographicParityDifference, 0);
  assert.equal(single.demographicParityRatio, 1);
  assert.equal(single.equalizedOddsDifference, 0);
});

test('mismatched lengths, empty data and a one-class target are refused', () => {
  assert.throws(() => classFairness([1, 0], [1], [0, 0], 1), /one prediction and one group value per sample \(1\), got 2 and 2/);
  assert.throws(() => classFairness([], [], [], 1), /at least one sample/);
  assert.throws(() => attributeFairness([0], [0], [0], 1), /at least 2 classes, got 1/);
});
