/** The test-accuracy lines `bise train` and `bise finetune` print: attribute 0's split, then each attribute's when there are several. */
import { TrainJobResult } from '../../core/jobs/train-job';
import { percent } from './shared-flags';

export function testAccuracyLines(result: Pick<TrainJobResult, 'test' | 'biasAttributes'>): string[] {
  const t = result.test;
  const names = result.biasAttributes;
  return [
    `unbiased test accuracy ${percent(t.unbiasedAccuracy)} (aligned ${percent(t.alignedAccuracy)}, conflicting ${percent(t.conflictingAccuracy)})`,
    ...(names.length > 1 && t.perBias ? t.perBias.map((b, k) => `${names[k]}: aligned ${percent(b.alignedAccuracy)} (${b.alignedSamples})  conflicting ${percent(b.conflictingAccuracy)} (${b.conflictingSamples})`) : []),
  ];
}
