/**
 * Accuracy views for datasets with several bias attributes (Multi-Color MNIST: left and right background colour).
 * Per attribute k: accuracy on samples aligned with it (b_k = y) and conflicting with it (b_k ≠ y), and its worst
 * (y, b_k) group. Jointly: one cell per combination of aligned/conflicting over all attributes (2^B cells), the
 * table the Multi-Color MNIST literature reports (left aligned/conflicting × right aligned/conflicting).
 */

export interface BiasAccuracy {
  readonly alignedAccuracy: number;
  readonly conflictingAccuracy: number;
  readonly worstGroupAccuracy: number;
  readonly alignedSamples: number;
  readonly conflictingSamples: number;
}

export interface AlignmentCell {
  /** One flag per bias attribute: true where the cell's samples are aligned with it (b_k = y). */
  readonly aligned: boolean[];
  /** 0 when the cell holds no sample (see `samples`). */
  readonly accuracy: number;
  readonly samples: number;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

/** One entry per bias attribute; `biasClasses[k]` values of attribute k (aligned compares raw indices, b = y). */
export function perBiasAccuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>, biases: readonly ArrayLike<number>[], numClasses: number, biasClasses: readonly number[]): BiasAccuracy[] {
  return biases.map((bias, k) => {
    const classes = biasClasses[k];
    const hits = [0, 0];
    const totals = [0, 0];
    const group = new Float64Array(numClasses * classes);
    const groupN = new Float64Array(numClasses * classes);
    for (let i = 0; i < labels.length; i++) {
      const ok = predicted[i] === labels[i] ? 1 : 0;
      const side = bias[i] === labels[i] ? 0 : 1;
      hits[side] += ok;
      totals[side]++;
      const g = labels[i] * classes + bias[i];
      group[g] += ok;
      groupN[g]++;
    }
    let worst = labels.length > 0 ? 1 : 0;
    for (let g = 0; g < group.length; g++) if (groupN[g] > 0) worst = Math.min(worst, group[g] / groupN[g]);
    return {
      alignedAccuracy: ratio(hits[0], totals[0]),
      conflictingAccuracy: ratio(hits[1], totals[1]),
      worstGroupAccuracy: worst,
      alignedSamples: totals[0],
      conflictingSamples: totals[1],
    };
  });
}

/**
 * The 2^B cells over B bias attributes, every cell listed (empty ones with 0 samples). Order: attribute 0 varies
 * slowest, aligned before conflicting; with two attributes: (A, A), (A, C), (C, A), (C, C).
 */
export function alignmentCells(predicted: ArrayLike<number>, labels: ArrayLike<number>, biases: readonly ArrayLike<number>[]): AlignmentCell[] {
  const b = biases.length;
  if (b > 16) throw new Error(`alignment cells over ${b} bias attributes would be 2^${b} cells; at most 16 attributes`);
  const cells = 1 << b;
  const hits = new Float64Array(cells);
  const totals = new Float64Array(cells);
  for (let i = 0; i < labels.length; i++) {
    let cell = 0;
    for (let k = 0; k < b; k++) cell = (cell << 1) | (biases[k][i] === labels[i] ? 0 : 1);
    hits[cell] += predicted[i] === labels[i] ? 1 : 0;
    totals[cell]++;
  }
  return Array.from({ length: cells }, (_, cell) => ({
    aligned: Array.from({ length: b }, (_, k) => ((cell >> (b - 1 - k)) & 1) === 0),
    accuracy: ratio(hits[cell], totals[cell]),
    samples: totals[cell],
  }));
}
