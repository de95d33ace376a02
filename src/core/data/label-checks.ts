/** Checks on the label columns of user datasets: how many classes they span, and whether a bias varies at all. */
import { DatasetError } from './errors';

/** More classes than this is taken for a mistake (e.g. pixel values or ids in the label column), not a task. */
export const MAX_LABEL_CLASSES = 65536;

export interface LabelSource {
  readonly labels: Int32Array;
  /** The file (or file and column) the labels came from, for errors. */
  readonly file: string;
}

/**
 * The number of classes: `given` when set (every label must be below it), otherwise the largest label + 1
 * across all sources. Labels are already known to be ≥ 0.
 */
export function resolveClassCount(sources: readonly LabelSource[], given: number | undefined, what: string): number {
  if (given !== undefined && (!Number.isInteger(given) || given < 1 || given > MAX_LABEL_CLASSES)) {
    throw new DatasetError(sources[0]?.file ?? what, `${what}: expected an integer class count in [1, ${MAX_LABEL_CLASSES}], got ${given}`);
  }
  const limit = given ?? MAX_LABEL_CLASSES;
  let max = -1;
  for (const { labels, file } of sources) {
    for (let row = 0; row < labels.length; row++) {
      const label = labels[row];
      if (label >= limit) {
        const expected = given === undefined ? `class indices below ${MAX_LABEL_CLASSES}` : `a label in [0, ${given}) (${what} = ${given})`;
        throw new DatasetError(file, `${what}: expected ${expected}, got ${label}`, row);
      }
      if (label > max) max = label;
    }
  }
  return given ?? Math.max(max + 1, 1);
}

/** BISE contrasts bias groups; a bias that takes one value in the training data gives it nothing to contrast. */
export function requireVariation(labels: Int32Array, source: string, column: string, shown: (label: number) => string = String): void {
  if (labels.length === 0) return;
  const first = labels[0];
  if (labels.every((v) => v === first)) {
    throw new DatasetError(source, `bias ${column}: every training sample has the same value ${shown(first)}: BISE needs bias variation (at least two values in train)`);
  }
}
