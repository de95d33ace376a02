/**
 * Softmax cross-entropy with per-sample weights, averaged over the batch as the authors do:
 * L = mean_i(w_i · CE_i). Returns the loss and dL/dlogits. Logits are row-major [N, K].
 */

export interface LossAndGrad {
  readonly loss: number;
  readonly grad: Float32Array;
}

export function softmaxRows(logits: ArrayLike<number>, n: number, k: number): Float64Array {
  const p = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += p[i * k + j] = Math.exp(logits[i * k + j] - max);
    for (let j = 0; j < k; j++) p[i * k + j] /= sum;
  }
  return p;
}

export function weightedCrossEntropy(logits: ArrayLike<number>, labels: ArrayLike<number>, k: number, weights?: ArrayLike<number>): LossAndGrad {
  const n = labels.length;
  const p = softmaxRows(logits, n, k);
  const grad = new Float32Array(n * k);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    const y = labels[i];
    loss += -w * Math.log(Math.max(p[i * k + y], 1e-300));
    for (let j = 0; j < k; j++) grad[i * k + j] = (w * (p[i * k + j] - (j === y ? 1 : 0))) / n;
  }
  return { loss: loss / n, grad };
}

export function argmaxRows(values: ArrayLike<number>, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (values[i * k + j] > values[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}
