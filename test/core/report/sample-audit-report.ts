/** A small, hand-checkable audit report (report kind 'audit'), shared by the report and host tests. */
import type { AuditReport } from '../../../src/core/report/audit-schema';

/** A binary target (classes 0, 1), one bias attribute with groups 0 and 1, 10 test samples. */
export function sampleAuditReport(): AuditReport {
  return {
    schema: 'bise-report',
    kind: 'audit',
    version: 3,
    createdAt: '2026-03-01T12:00:00.000Z',
    tool: { name: 'bise', version: '0.1.0', onnxruntime: '1.30.0', node: '20.0.0', executionProvider: 'cpu' },
    model: { path: '../model.onnx', sha256: 'a'.repeat(64), bottleneck: 'z', classifier: 'fc' },
    data: { name: 'toy | data', description: 'two groups', sha256: 'b'.repeat(64), trainSize: 0, valSize: 4, testSize: 10, biasAttributes: ['sex'] },
    config: { dataset: 'npy-folder', probe: true, probeEpochs: 3 },
    seed: 0,
    metrics: {
      unbiasedAccuracy: 0.7,
      alignedAccuracy: 0.8,
      conflictingAccuracy: 0.6,
      worstGroupAccuracy: 0.5,
      perClassAccuracy: [0.6, 0.8],
      samples: 10,
      perBias: [{ alignedAccuracy: 0.8, conflictingAccuracy: 0.6, worstGroupAccuracy: 0.5, alignedSamples: 5, conflictingSamples: 5 }],
    },
    fairness: [
      {
        attribute: 'sex',
        mode: 'binary',
        perClass: [
          {
            positiveClass: 1,
            groups: [
              { group: 0, samples: 4, positives: 2, negatives: 2, selectionRate: 0.5, truePositiveRate: 0.5, falsePositiveRate: 0.5 },
              { group: 1, samples: 6, positives: 3, negatives: 3, selectionRate: 0.5, truePositiveRate: 1, falsePositiveRate: 0 },
            ],
            demographicParityDifference: 0,
            demographicParityRatio: 1,
            equalizedOddsDifference: 0.5,
          },
        ],
        worst: { demographicParityDifference: 0, demographicParityRatio: 1, equalizedOddsDifference: 0.5 },
      },
    ],
    probe: { linearAccuracy: 0.9, mlpAccuracy: 0.95, mutualInformation: 0.4, chance: 0.5, perLayer: [{ site: 'relu1', label: 'conv1', accuracy: 0.85 }] },
    outputs: { figures: ['figures/accuracy.svg', 'figures/fairness.svg', 'figures/probe.svg'] },
    timings: { totalSeconds: 12.5 },
  };
}
