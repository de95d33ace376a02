/**
 * The BISE/IRENE mutual-information estimate between the true bias b and the auxiliary head's prediction b̂ on
 * (a subset of) a batch, with its gradient w.r.t. the head's logits:
 *   J = clamp(onehot(b)ᵀ·softmax(a), 1e-15) / N,  M = clamp(rowsum(J)·colsum(J), 1e-15),
 *   MI = Σ J·log(J / M) / log K.
 * Clamps pass no gradient where they bite, as in PyTorch.
 */
import { LossAndGrad, softmaxRows } from './cross-entropy';

const FLOOR = 1e-15;

/**
 * `logits` [N, K] row-major, `bias` labels in [0, K); only rows with `select[i]` count (all when undefined).
 * Returns MI and dMI/dlogits (zero rows for unselected samples). With no selected sample, MI = 0.
 */
export function mutualInformation(logits: ArrayLike<number>, bias: ArrayLike<number>, k: number, select?: ArrayLike<boolean>): LossAndGrad {
  const n = bias.length;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (!select || select[i]) rows.push(i);
  const grad = new Float32Array(n * k);
  if (rows.length === 0) return { loss: 0, grad };
  const count = rows.length;
  const s = softmaxRows(logits, n, k);
  const raw = new Float64Array(k * k);
  for (const i of rows) for (let l = 0; l < k; l++) raw[bias[i] * k + l] += s[i * k + l];
  const joint = raw.map((v) => Math.max(v, FLOOR) / count);
  const r = new Float64Array(k);
  const c = new Float64Array(k);
  for (let a = 0; a < k; a++) for (let l = 0; l < k; l++) {
    r[a] += joint[a * k + l];
    c[l] += joint[a * k + l];
  }
  const scale = 1 / Math.log(k);
  let mi = 0;
  // dMI/dJ with the marginals' dependence on J.
  const dJ = new Float64Array(k * k);
  const dr = new Float64Array(k);
  const dc = new Float64Array(k);
  for (let a = 0; a < k; a++) for (let l = 0; l < k; l++) {
    const j = joint[a * k + l];
    const product = r[a] * c[l];
    const m = Math.max(product, FLOOR);
    mi += j * Math.log(j / m);
    dJ[a * k + l] += Math.log(j / m) + 1;
    if (product >= FLOOR) {
      dr[a] -= (j / m) * c[l];
      dc[l] -= (j / m) * r[a];
    }
  }
  for (let a = 0; a < k; a++) for (let l = 0; l < k; l++) dJ[a * k + l] += dr[a] + dc[l];
  // Through the clamp and the division by N, to the softmax outputs, then through the softmax.
  for (const i of rows) {
    const b = bias[i];
    let dot = 0;
    const ds = new Float64Array(k);
    for (let l = 0; l < k; l++) {
      ds[l] = raw[b * k + l] >= FLOOR ? (dJ[b * k + l] / count) * scale : 0;
      dot += ds[l] * s[i * k + l];
    }
    for (let l = 0; l < k; l++) grad[i * k + l] = s[i * k + l] * (ds[l] - dot);
  }
  return { loss: mi * scale, grad };
}
