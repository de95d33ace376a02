/**
 * Group-fairness metrics exactly as Fairlearn defines them (fairlearn.metrics, method='between_groups',
 * agg='worst_case'), with the bias attribute as the sensitive feature:
 *
 * - selection rate of group a: P(ŷ = pos | A = a)                                  (selection_rate)
 * - true positive rate: P(ŷ = pos | y = pos, A = a); 0 for a group without positives (true_positive_rate: sklearn's
 *   confusion_matrix(normalize='true') turns the 0/0 into 0)
 * - false positive rate: P(ŷ = pos | y ≠ pos, A = a); 0 for a group without negatives   (false_positive_rate)
 * - demographic parity difference: max_a − min_a of the selection rate               (demographic_parity_difference)
 * - demographic parity ratio: min_a / max_a of the selection rate; undefined (Fairlearn: NaN, here null) when no
 *   group selects anything                                                          (demographic_parity_ratio)
 * - equalized odds difference: the larger of the TPR difference and the FPR difference, each max_a − min_a
 *                                                                                    (equalized_odds_difference)
 *
 * Groups are the attribute values that occur in the data, as Fairlearn's MetricFrame groups by the values present.
 * Fairlearn's rates are for binary targets; a target with two classes uses class 1 as the positive class (Fairlearn's
 * default pos_label), and a multi-class target is measured one-vs-rest: for each class c, y = c and ŷ = c are the
 * positives, and the worst class is reported alongside.
 */

/** One group's rates for one positive class. */
export interface GroupRates {
  /** The bias attribute's value. */
  readonly group: number;
  readonly samples: number;
  /** Samples of the group whose target is the positive class. */
  readonly positives: number;
  readonly negatives: number;
  readonly selectionRate: number;
  readonly truePositiveRate: number;
  readonly falsePositiveRate: number;
}

/** The metrics of one positive class (the binary target's class 1, or one class of a one-vs-rest measurement). */
export interface ClassFairness {
  readonly positiveClass: number;
  /** Ordered by group value. */
  readonly groups: GroupRates[];
  readonly demographicParityDifference: number;
  /** Null where every group's selection rate is 0 (0/0; Fairlearn returns NaN). */
  readonly demographicParityRatio: number | null;
  readonly equalizedOddsDifference: number;
}

/** The least fair value of each metric over the classes measured (largest differences, smallest defined ratio). */
export interface WorstFairness {
  readonly demographicParityDifference: number;
  readonly demographicParityRatio: number | null;
  readonly equalizedOddsDifference: number;
}

export type FairnessMode = 'binary' | 'one-vs-rest';

/** Every fairness metric of one bias attribute. */
export interface AttributeFairness {
  readonly mode: FairnessMode;
  /** Binary: one entry, positive class 1. One-vs-rest: one entry per class, in class order. */
  readonly perClass: ClassFairness[];
  readonly worst: WorstFairness;
}

/** Fairlearn's positive label for a binary target. */
export const BINARY_POSITIVE_CLASS = 1;

const rate = (hits: number, total: number): number => (total > 0 ? hits / total : 0);

/** The per-group rates and the between-groups metrics of one positive class. */
export function classFairness(predicted: ArrayLike<number>, labels: ArrayLike<number>, groupOf: ArrayLike<number>, positiveClass: number): ClassFairness {
  const n = labels.length;
  if (predicted.length !== n || groupOf.length !== n) {
    throw new Error(`expected one prediction and one group value per sample (${n}), got ${predicted.length} and ${groupOf.length}`);
  }
  if (n === 0) throw new Error('fairness metrics need at least one sample (Fairlearn refuses an empty y_pred too)');
  const counts = new Map<number, { samples: number; selected: number; positives: number; truePositives: number; falsePositives: number }>();
  for (let i = 0; i < n; i++) {
    const g = groupOf[i];
    let c = counts.get(g);
    if (!c) counts.set(g, (c = { samples: 0, selected: 0, positives: 0, truePositives: 0, falsePositives: 0 }));
    const selected = predicted[i] === positiveClass;
    const positive = labels[i] === positiveClass;
    c.samples++;
    if (selected) c.selected++;
    if (positive) c.positives++;
    if (selected && positive) c.truePositives++;
    if (selected && !positive) c.falsePositives++;
  }
  const groups: GroupRates[] = [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([group, c]) => ({
      group,
      samples: c.samples,
      positives: c.positives,
      negatives: c.samples - c.positives,
      selectionRate: rate(c.selected, c.samples),
      truePositiveRate: rate(c.truePositives, c.positives),
      falsePositiveRate: rate(c.falsePositives, c.samples - c.positives),
    }));
  const spread = (pick: (g: GroupRates) => number): { min: number; max: number } => {
    const values = groups.map(pick);
    return { min: Math.min(...values), max: Math.max(...values) };
  };
  const selection = spread((g) => g.selectionRate);
  const tpr = spread((g) => g.truePositiveRate);
  const fpr = spread((g) => g.falsePositiveRate);
  return {
    positiveClass,
    groups,
    demographicParityDifference: selection.max - selection.min,
    demographicParityRatio: selection.max > 0 ? selection.min / selection.max : null,
    equalizedOddsDifference: Math.max(tpr.max - tpr.min, fpr.max - fpr.min),
  };
}

/**
 * Fairness of the predictions with respect to one bias attribute (`groupOf[i]`: sample i's value of it). Two
 * classes: positive class 1. More: one-vs-rest over every class.
 */
export function attributeFairness(predicted: ArrayLike<number>, labels: ArrayLike<number>, groupOf: ArrayLike<number>, numClasses: number): AttributeFairness {
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new Error(`fairness metrics need a target with at least 2 classes, got ${numClasses}`);
  const mode: FairnessMode = numClasses === 2 ? 'binary' : 'one-vs-rest';
  const classes = mode === 'binary' ? [BINARY_POSITIVE_CLASS] : Array.from({ length: numClasses }, (_, c) => c);
  const perClass = classes.map((c) => classFairness(predicted, labels, groupOf, c));
  const ratios = perClass.map((c) => c.demographicParityRatio).filter((r): r is number => r !== null);
  return {
    mode,
    perClass,
    worst: {
      demographicParityDifference: Math.max(...perClass.map((c) => c.demographicParityDifference)),
      demographicParityRatio: ratios.length > 0 ? Math.min(...ratios) : null,
      equalizedOddsDifference: Math.max(...perClass.map((c) => c.equalizedOddsDifference)),
    },
  };
}
