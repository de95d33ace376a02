/**
 * Per-sample weights of BISE's reweighted cross-entropy (BISE.md "Objective"), and the bias-aligned /
 * bias-conflicting split used for MI and for reporting.
 *
 * General form: weight(y, b) = 1 / (G · p(y, b)), with p the group's frequency in the training set and G the
 * number of groups present there. With K balanced classes, all K² groups present and the conflicting samples
 * spread evenly, this is exactly the alignment form: aligned 1/(K·ρ), conflicting (K−1)/(K·(1−ρ)). Several bias
 * attributes: the product of one such factor per attribute, each from p(y, b_k).
 */
import { DatasetError } from './errors';
import { DatasetLabels, GroupCounts, LabelledRows, countGroups } from './dataset';

export interface GroupWeights {
  readonly numClasses: number;
  readonly biasClasses: readonly number[];
  /** Per bias attribute k: numClasses × biasClasses[k] factors, row-major by y; 0 for groups absent from training. */
  readonly factors: readonly Float64Array[];
  /** Per bias attribute: G, the number of (y, b_k) groups present in training. */
  readonly groupsPresent: readonly number[];
}

/** 1/(G·p) for each group present in the counts, 0 for absent groups. */
export function groupWeightFactors(groups: GroupCounts): { factors: Float64Array; groupsPresent: number } {
  const groupsPresent = groups.counts.reduce((present, c) => present + (c > 0 ? 1 : 0), 0);
  // 1/(G · count/total) = total/(G · count), computed this way to avoid a rounding step.
  const factors = Float64Array.from(groups.counts, (c) => (c > 0 ? groups.total / (groupsPresent * c) : 0));
  return { factors, groupsPresent };
}

/** Fits the per-group factors on training labels. */
export function fitGroupWeights(y: Int32Array, biases: readonly Int32Array[], numClasses: number, biasClasses: readonly number[], source = 'training labels'): GroupWeights {
  if (biases.length !== biasClasses.length) throw new DatasetError(source, `expected one biasClasses entry per bias attribute, got ${biases.length} and ${biasClasses.length}`);
  if (y.length === 0) throw new DatasetError(source, 'expected at least one training sample to fit group weights on');
  const fitted = biases.map((b, k) => groupWeightFactors(countGroups(y, b, numClasses, biasClasses[k], source)));
  return { numClasses, biasClasses, factors: fitted.map((f) => f.factors), groupsPresent: fitted.map((f) => f.groupsPresent) };
}

/** Weight of each sample: the product over bias attributes of its group's factor. */
export function sampleWeights(weights: GroupWeights, y: Int32Array, biases: readonly Int32Array[], source = 'samples'): Float32Array {
  if (biases.length !== weights.factors.length) throw new DatasetError(source, `expected ${weights.factors.length} bias attribute(s) as in training, got ${biases.length}`);
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    let weight = 1;
    for (let k = 0; k < biases.length; k++) {
      const b = biases[k][i];
      const classes = weights.biasClasses[k];
      if (y[i] < 0 || y[i] >= weights.numClasses || b < 0 || b >= classes) {
        throw new DatasetError(source, `bias attribute ${k}: expected y in [0, ${weights.numClasses}) and b in [0, ${classes}), got y=${y[i]}, b=${b}`, i);
      }
      const factor = weights.factors[k][y[i] * classes + b];
      if (factor === 0) throw new DatasetError(source, `bias attribute ${k}: group (y=${y[i]}, b=${b}) never occurs in training, so it has no weight`, i);
      weight *= factor;
    }
    out[i] = weight;
  }
  return out;
}

/** Reweighting weights of every training sample, fitted on that same training set (with one bias attribute their mean is 1). */
export function trainingSampleWeights(train: LabelledRows): Float32Array {
  const weights = fitGroupWeights(train.y, train.biases, train.numClasses, train.biasClasses, train.name);
  return sampleWeights(weights, train.y, train.biases, train.name);
}

/** BISE's alignment form for K classes and alignment rate ρ. */
export function alignmentWeights(numClasses: number, rho: number): { aligned: number; conflicting: number } {
  return { aligned: 1 / (numClasses * rho), conflicting: (numClasses - 1) / (numClasses * (1 - rho)) };
}

export interface AlignmentSplit {
  /** Rows with b = y. */
  readonly aligned: Int32Array;
  /** Rows with b ≠ y. */
  readonly conflicting: Int32Array;
}

/** 1 where the sample is bias-aligned (b = y), else 0. Meaningful when bias classes are the target classes. */
export function alignedMask(y: Int32Array, b: Int32Array, source = 'labels'): Uint8Array {
  if (b.length !== y.length) throw new DatasetError(source, `expected as many bias labels as targets, got ${b.length} and ${y.length}`);
  return Uint8Array.from(y, (target, i) => (target === b[i] ? 1 : 0));
}

/** Aligned and conflicting rows for one bias attribute whose classes are the target classes (BiasedMNIST-style). */
export function alignmentSplit(dataset: DatasetLabels, biasIndex = 0): AlignmentSplit {
  const b = dataset.biases[biasIndex];
  if (b === undefined) throw new DatasetError(dataset.name, `bias attribute ${biasIndex}: the dataset has ${dataset.biases.length} bias attribute(s)`);
  if (dataset.biasClasses[biasIndex] !== dataset.numClasses) {
    throw new DatasetError(dataset.name, `bias attribute ${biasIndex}: aligned/conflicting needs bias classes = target classes (${dataset.numClasses}), got ${dataset.biasClasses[biasIndex]}`);
  }
  const mask = alignedMask(dataset.y, b, dataset.name);
  const aligned: number[] = [];
  const conflicting: number[] = [];
  mask.forEach((isAligned, row) => (isAligned ? aligned : conflicting).push(row));
  return { aligned: Int32Array.from(aligned), conflicting: Int32Array.from(conflicting) };
}
