/**
 * The accuracy breakdown over every bias attribute of a dataset: attribute 0's aligned/conflicting/worst group in
 * the top-level fields (as before), each attribute's in `perBias`, and with several attributes the joint
 * aligned/conflicting cells.
 */
import { AccuracyBreakdown, accuracyBreakdown } from './group-accuracy';
import { alignmentCells, perBiasAccuracy } from './per-bias-accuracy';

export function multiBiasBreakdown(predicted: ArrayLike<number>, labels: ArrayLike<number>, biases: readonly ArrayLike<number>[], numClasses: number, biasClasses: readonly number[]): AccuracyBreakdown {
  if (biases.length === 0 || biases.length !== biasClasses.length) {
    throw new Error(`expected at least one bias attribute and one class count per attribute, got ${biases.length} and ${biasClasses.length}`);
  }
  const first = accuracyBreakdown(predicted, labels, biases[0], numClasses, biasClasses[0]);
  const perBias = perBiasAccuracy(predicted, labels, biases, numClasses, biasClasses);
  return biases.length > 1 ? { ...first, perBias, alignmentCells: alignmentCells(predicted, labels, biases) } : { ...first, perBias };
}

/** The mean of breakdowns over the same samples (e.g. random pruning over seeds), per-bias fields included. */
export function meanBreakdown(all: readonly AccuracyBreakdown[]): AccuracyBreakdown {
  if (all.length === 0) throw new Error('expected at least one breakdown to average');
  const avg = (f: (a: AccuracyBreakdown) => number): number => all.reduce((s, a) => s + f(a), 0) / all.length;
  const { perBias, alignmentCells: cells } = all[0];
  const mean: AccuracyBreakdown = {
    unbiasedAccuracy: avg((a) => a.unbiasedAccuracy),
    alignedAccuracy: avg((a) => a.alignedAccuracy),
    conflictingAccuracy: avg((a) => a.conflictingAccuracy),
    worstGroupAccuracy: avg((a) => a.worstGroupAccuracy),
    perClassAccuracy: all[0].perClassAccuracy.map((_, k) => avg((a) => a.perClassAccuracy[k])),
    samples: all[0].samples,
  };
  return {
    ...mean,
    ...(perBias && {
      perBias: perBias.map((b, k) => ({
        ...b,
        alignedAccuracy: avg((a) => a.perBias![k].alignedAccuracy),
        conflictingAccuracy: avg((a) => a.perBias![k].conflictingAccuracy),
        worstGroupAccuracy: avg((a) => a.perBias![k].worstGroupAccuracy),
      })),
    }),
    ...(cells && { alignmentCells: cells.map((c, i) => ({ ...c, aligned: [...c.aligned], accuracy: avg((a) => a.alignmentCells![i].accuracy) })) }),
  };
}
