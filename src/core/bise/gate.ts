/**
 * BISE's gate: g = 1{σ(m/τ) ≥ 0.5} = 1{m ≥ 0} forward; straight-through backward, ∂g/∂m = σ'(m/τ)/τ, so masks
 * far from 0 stop moving as τ shrinks.
 */

export function gateValues(mask: Float32Array): Float32Array {
  const g = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) g[i] = isPruned(mask[i]) ? 0 : 1;
  return g;
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** dL/dm from dL/dg through the straight-through estimator. */
export function maskGradient(mask: Float32Array, tau: number, gateGrad: Float32Array): Float32Array {
  const out = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    const s = sigmoid(mask[i] / tau);
    out[i] = gateGrad[i] * ((s * (1 - s)) / tau);
  }
  return out;
}

/** A unit is pruned when its gate is closed: m < 0. */
export function isPruned(mask: number): boolean {
  return mask < 0;
}
