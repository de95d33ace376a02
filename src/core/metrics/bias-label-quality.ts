/**
 * How good the bias labels BISE trained with were, against the dataset's own (when it has them): in the
 * unsupervised ('identify') and noisy settings the reweighting and the MI term see substitute labels, and what
 * decides the result is whether the truly bias-conflicting samples are still the ones singled out.
 */

export interface BiasLabelQuality {
  /** Training samples compared. */
  readonly samples: number;
  /** Fraction whose substitute bias label equals the dataset's. */
  readonly agreement: number;
  /** Samples that conflict with the dataset's bias label (b ≠ y) and with the substitute one. */
  readonly trueConflicting: number;
  readonly flaggedConflicting: number;
  /** Of the truly conflicting samples, the fraction the substitute labels also flag (0 when there are none). */
  readonly conflictingRecall: number;
  /** Of the flagged samples, the fraction that truly conflict (0 when none is flagged). */
  readonly conflictingPrecision: number;
}

export interface BiasLabelQualityRecord extends BiasLabelQuality {
  /** The dataset's bias attribute the substitute labels were compared with. */
  readonly attribute: string;
}

/**
 * Compare substitute bias labels with the true ones for one attribute whose classes are the target classes
 * (conflicting = bias label ≠ target class).
 */
export function biasLabelQuality(labels: ArrayLike<number>, trueBias: ArrayLike<number>, usedBias: ArrayLike<number>): BiasLabelQuality {
  const n = labels.length;
  if (trueBias.length !== n || usedBias.length !== n) {
    throw new Error(`expected one true and one substitute bias label per sample (${n}), got ${trueBias.length} and ${usedBias.length}`);
  }
  let agree = 0;
  let trueConflicting = 0;
  let flaggedConflicting = 0;
  let both = 0;
  for (let i = 0; i < n; i++) {
    const isTrue = trueBias[i] !== labels[i];
    const isFlagged = usedBias[i] !== labels[i];
    if (trueBias[i] === usedBias[i]) agree++;
    if (isTrue) trueConflicting++;
    if (isFlagged) flaggedConflicting++;
    if (isTrue && isFlagged) both++;
  }
  return {
    samples: n,
    agreement: n > 0 ? agree / n : 0,
    trueConflicting,
    flaggedConflicting,
    conflictingRecall: trueConflicting > 0 ? both / trueConflicting : 0,
    conflictingPrecision: flaggedConflicting > 0 ? both / flaggedConflicting : 0,
  };
}
