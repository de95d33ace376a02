/**
 * The latent bias-predictability probe: fresh classifiers trained to predict the bias b from features (the
 * bottleneck z, or a layer's pooled activations) on one unbiased split and scored on another. Lower accuracy /
 * MI means less bias information left in the representation.
 */
import { AuxHead } from '../bise/aux-head';
import { trainAuxHead } from '../bise/aux-training';
import { argmaxRows } from '../bise/cross-entropy';
import { mutualInformation } from '../bise/mutual-information';
import { createRng, deriveSeed } from '../data/random';
import { MlpProbe } from './mlp-probe';
import { fitStandardizer, standardize } from './standardize';

export interface ProbeData {
  readonly trainX: Float32Array;
  readonly trainB: Int32Array;
  readonly testX: Float32Array;
  readonly testB: Int32Array;
  readonly dim: number;
  readonly classes: number;
}

export interface ProbeScores {
  readonly linearAccuracy: number;
  readonly mlpAccuracy: number;
  /** MI(b̂, b) of the linear probe's predictions on the test split, normalised by log K (in [0, 1]). */
  readonly mutualInformation: number;
  /** Accuracy of always predicting the most frequent bias value of the test split. */
  readonly chance: number;
}

export interface ProbeOptions {
  readonly seed: number;
  readonly epochs: number;
  readonly mlp: boolean;
}

export function accuracy(pred: ArrayLike<number>, labels: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) ok += pred[i] === labels[i] ? 1 : 0;
  return labels.length > 0 ? ok / labels.length : 0;
}

export function majorityRate(labels: Int32Array, classes: number): number {
  const counts = new Float64Array(classes);
  labels.forEach((b) => counts[b]++);
  return labels.length > 0 ? Math.max(...counts) / labels.length : 0;
}

export function linearProbe(data: ProbeData, options: ProbeOptions): { accuracy: number; mutualInformation: number } {
  const { dim: d, classes: k } = data;
  const nTrain = data.trainB.length;
  const nTest = data.testB.length;
  const s = fitStandardizer(data.trainX, nTrain, d);
  const xTrain = standardize(s, data.trainX, nTrain, d);
  const xTest = standardize(s, data.testX, nTest, d);
  const head = new AuxHead(d, k, createRng(deriveSeed(options.seed, 'linear-probe')), { lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
  trainAuxHead(head, xTrain, d, data.trainB, options.epochs, 100, deriveSeed(options.seed, 'linear-probe-batches'));
  const logits = head.logits(xTest, nTest);
  return { accuracy: accuracy(argmaxRows(logits, nTest, k), data.testB), mutualInformation: mutualInformation(logits, data.testB, k).loss };
}

export function runBiasProbe(data: ProbeData, options: ProbeOptions): ProbeScores {
  const linear = linearProbe(data, options);
  let mlpAccuracy = Number.NaN;
  if (options.mlp) {
    const { dim: d, classes: k } = data;
    const s = fitStandardizer(data.trainX, data.trainB.length, d);
    const mlp = new MlpProbe(d, 64, k, createRng(deriveSeed(options.seed, 'mlp-probe-init')));
    mlp.train(standardize(s, data.trainX, data.trainB.length, d), data.trainB, options.epochs, 100, options.seed);
    const nTest = data.testB.length;
    mlpAccuracy = accuracy(argmaxRows(mlp.logits(standardize(s, data.testX, nTest, d), nTest), nTest, k), data.testB);
  }
  return { linearAccuracy: linear.accuracy, mlpAccuracy, mutualInformation: linear.mutualInformation, chance: majorityRate(data.testB, data.classes) };
}
