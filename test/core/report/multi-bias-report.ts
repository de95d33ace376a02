/**
 * A version-2 report over two bias attributes (Multi-Color MNIST-like): per-bias metrics, the 4 joint cells, and the
 * probe on z for the second attribute.
 */
import type { BiseReport, EvalMetrics } from '../../../src/core/report/schema';
import { sampleReport } from './sample-report';

/** Cells (A,A), (A,C), (C,A), (C,C) of 10 / 90 / 90 / 810 samples with the given accuracies; perBias follows from them. */
export function twoBiasMetrics(base: EvalMetrics, cells: readonly [number, number, number, number]): EvalMetrics {
  const sizes = [10, 90, 90, 810];
  const samples = sizes.reduce((a, b) => a + b, 0);
  const acc = (idx: number[]): number => idx.reduce((s, i) => s + cells[i] * sizes[i], 0) / idx.reduce((s, i) => s + sizes[i], 0);
  const side = (alignedCells: number[], conflictingCells: number[]) => ({
    alignedAccuracy: acc(alignedCells),
    conflictingAccuracy: acc(conflictingCells),
    worstGroupAccuracy: Math.min(...cells) / 2,
    alignedSamples: alignedCells.reduce((s, i) => s + sizes[i], 0),
    conflictingSamples: conflictingCells.reduce((s, i) => s + sizes[i], 0),
  });
  const left = side([0, 1], [2, 3]);
  return {
    ...base,
    unbiasedAccuracy: acc([0, 1, 2, 3]),
    alignedAccuracy: left.alignedAccuracy,
    conflictingAccuracy: left.conflictingAccuracy,
    worstGroupAccuracy: left.worstGroupAccuracy,
    samples,
    perBias: [left, side([0, 2], [1, 3])],
    alignmentCells: [
      [true, true],
      [true, false],
      [false, true],
      [false, false],
    ].map((aligned, i) => ({ aligned, accuracy: cells[i], samples: sizes[i] })),
  };
}

export function multiBiasReport(): BiseReport {
  const r = sampleReport();
  r.version = 2;
  r.data = { ...r.data, name: 'Multi-Color MNIST ρL=0.99 ρR=0.95', biasAttributes: ['left background colour', 'right background colour'] };
  r.metrics = {
    vanilla: twoBiasMetrics(r.metrics.vanilla, [1, 0.9, 0.3, 0.1]),
    subnetwork: twoBiasMetrics(r.metrics.subnetwork, [0.95, 0.85, 0.5, 0.3]),
    baselines: r.metrics.baselines.map((b) => ({ ...b, metrics: twoBiasMetrics(b.metrics, [0.9, 0.7, 0.2, 0.1]) })),
  };
  r.probe!.vanilla.perBias = [{ attribute: 1, linearAccuracy: 0.962, mlpAccuracy: 0.977, mutualInformation: 0.801, chance: 0.104 }];
  r.probe!.subnetwork.perBias = [{ attribute: 1, linearAccuracy: 0.514, mlpAccuracy: 0.603, mutualInformation: 0.233, chance: 0.104 }];
  return r;
}
