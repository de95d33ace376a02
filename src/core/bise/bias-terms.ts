/**
 * The bias part of BISE's objective on one batch (BISE.md "Objective"): one auxiliary head per bias attribute,
 * one MI term per head, summed, γ·ΣMI. With `miSamples: 'conflicting'` each head's MI uses the samples that
 * conflict with its own attribute (b_k ≠ y). Returns the summed MI, each head's MI and accuracy, and γ·dΣMI/dz.
 */
import { AuxHead } from './aux-head';
import { argmaxRows } from './cross-entropy';
import { mutualInformation } from './mutual-information';

export interface BiasTerms {
  /** Σ_k MI(b̂_k, b_k), unweighted by γ. */
  readonly mutualInformation: number;
  readonly perHead: readonly { mutualInformation: number; correct: number }[];
  /** γ · dΣMI/dz, [n, zDim]; all zeros when γ = 0. */
  readonly dZ: Float32Array;
}

export function biasTerms(
  heads: readonly AuxHead[],
  z: Float32Array,
  y: ArrayLike<number>,
  biases: readonly ArrayLike<number>[],
  o: { readonly gamma: number; readonly miSamples: 'conflicting' | 'all' },
): BiasTerms {
  if (heads.length !== biases.length) throw new Error(`expected one auxiliary head per bias attribute, got ${heads.length} heads and ${biases.length} attributes`);
  const n = y.length;
  const dZ = new Float32Array(z.length);
  let total = 0;
  const perHead = heads.map((head, k) => {
    const bias = biases[k];
    const select = o.miSamples === 'conflicting' ? Array.from(bias, (v, i) => v !== y[i]) : undefined;
    const logits = head.logits(z, n);
    const mi = mutualInformation(logits, bias, head.classes, select);
    total += mi.loss;
    if (o.gamma > 0) {
      const back = head.inputGrad(mi.grad, n);
      for (let i = 0; i < dZ.length; i++) dZ[i] += o.gamma * back[i];
    }
    const pred = argmaxRows(logits, n, head.classes);
    let correct = 0;
    for (let i = 0; i < n; i++) correct += pred[i] === bias[i] ? 1 : 0;
    return { mutualInformation: mi.loss, correct };
  });
  return { mutualInformation: total, perHead, dZ };
}
