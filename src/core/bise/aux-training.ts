/** Training the auxiliary heads on cached, detached bottleneck features (cheap: a linear layer in TypeScript). */
import { AuxHead } from './aux-head';
import { argmaxRows } from './cross-entropy';
import { batchIndices } from '../data/dataset';
import { deriveSeed } from '../data/random';

/** `epochs` passes of mini-batch SGD over (z, b); returns the last epoch's mean loss. */
export function trainAuxHead(head: AuxHead, z: Float32Array, zDim: number, labels: Int32Array, epochs: number, batchSize: number, seed: number): number {
  head.resetOptimizer();
  let last = 0;
  for (let e = 0; e < epochs; e++) {
    let total = 0;
    const batches = batchIndices(labels.length, { batchSize, seed: deriveSeed(seed, 'aux-epoch', e) });
    for (const idx of batches) {
      const zb = new Float32Array(idx.length * zDim);
      const yb = new Int32Array(idx.length);
      idx.forEach((i, r) => {
        zb.set(z.subarray(i * zDim, (i + 1) * zDim), r * zDim);
        yb[r] = labels[i];
      });
      total += head.trainStep(zb, yb);
    }
    last = total / batches.length;
  }
  return last;
}

export function headAccuracy(head: AuxHead, z: Float32Array, labels: Int32Array): number {
  const n = labels.length;
  const pred = argmaxRows(head.logits(z, n), n, head.classes);
  let ok = 0;
  for (let i = 0; i < n; i++) ok += pred[i] === labels[i] ? 1 : 0;
  return n > 0 ? ok / n : 0;
}
