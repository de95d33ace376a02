/** Per-feature z-scoring with statistics from the probe's training features (probes train faster and fairer). */
export interface Standardizer {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

export function fitStandardizer(x: Float32Array, n: number, d: number): Standardizer {
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) mean[f] += x[i * d + f] / n;
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) std[f] += (x[i * d + f] - mean[f]) ** 2 / n;
  for (let f = 0; f < d; f++) std[f] = Math.sqrt(std[f]) || 1;
  return { mean, std };
}

export function standardize(s: Standardizer, x: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) out[i * d + f] = (x[i * d + f] - s.mean[f]) / s.std[f];
  return out;
}
