/**
 * Accuracy views that matter for bias: overall (on an unbiased test set this is the "unbiased accuracy"),
 * bias-aligned (b = y) vs bias-conflicting (b ≠ y) samples, the worst (y, b) group, and per class.
 */
import type { AlignmentCell, BiasAccuracy } from './per-bias-accuracy';

export interface AccuracyBreakdown {
  readonly unbiasedAccuracy: number;
  readonly alignedAccuracy: number;
  readonly conflictingAccuracy: number;
  readonly worstGroupAccuracy: number;
  readonly perClassAccuracy: number[];
  readonly samples: number;
  /** Aligned/conflicting/worst group per bias attribute (the fields above are attribute 0's), when computed. */
  readonly perBias?: BiasAccuracy[];
  /** With several bias attributes: accuracy per aligned/conflicting combination (2^B cells). */
  readonly alignmentCells?: AlignmentCell[];
}

/** `bias` may have other classes than `labels`; aligned/conflicting then compare raw indices (b = y). */
export function accuracyBreakdown(predicted: ArrayLike<number>, labels: ArrayLike<number>, bias: ArrayLike<number>, numClasses: number, biasClasses: number): AccuracyBreakdown {
  const n = labels.length;
  let correct = 0;
  const hits = { aligned: 0, alignedN: 0, conflicting: 0, conflictingN: 0 };
  const group = new Float64Array(numClasses * biasClasses);
  const groupN = new Float64Array(numClasses * biasClasses);
  const cls = new Float64Array(numClasses);
  const clsN = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) {
    const ok = predicted[i] === labels[i] ? 1 : 0;
    correct += ok;
    if (bias[i] === labels[i]) {
      hits.aligned += ok;
      hits.alignedN++;
    } else {
      hits.conflicting += ok;
      hits.conflictingN++;
    }
    const g = labels[i] * biasClasses + bias[i];
    group[g] += ok;
    groupN[g]++;
    cls[labels[i]] += ok;
    clsN[labels[i]]++;
  }
  let worst = 1;
  for (let g = 0; g < group.length; g++) if (groupN[g] > 0) worst = Math.min(worst, group[g] / groupN[g]);
  const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);
  return {
    unbiasedAccuracy: ratio(correct, n),
    alignedAccuracy: ratio(hits.aligned, hits.alignedN),
    conflictingAccuracy: ratio(hits.conflicting, hits.conflictingN),
    worstGroupAccuracy: n > 0 ? worst : 0,
    perClassAccuracy: Array.from(cls, (c, k) => ratio(c, clsN[k])),
    samples: n,
  };
}
