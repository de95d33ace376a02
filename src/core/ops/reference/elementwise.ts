/**
 * Building blocks of the elementwise reference kernels (unary, binary and variadic with numpy broadcasting),
 * plus the float64 special functions the activations need. The kernels themselves live with their ops in
 * src/core/ops/defs.
 */
import { OpImpl, RefTensor, broadcastDims, broadcastIndex, refTensor, required } from './tensor';

export function mapValues(x: RefTensor, f: (v: number) => number): RefTensor {
  return { dims: [...x.dims], data: x.data.map(f) };
}

export const unary = (f: (v: number) => number): OpImpl => (node, inputs) => [mapValues(required(node, inputs, 0), f)];

/** Apply `f` elementwise over the numpy broadcast of all `operands`. */
export function broadcastMap(operands: readonly RefTensor[], f: (values: readonly number[]) => number): RefTensor {
  const dims = broadcastDims(operands.map((t) => t.dims));
  const maps = operands.map((t) => broadcastIndex(t.dims, dims));
  const out = refTensor(dims);
  const values = new Array<number>(operands.length);
  for (let i = 0; i < out.data.length; i++) {
    for (let k = 0; k < operands.length; k++) values[k] = operands[k].data[maps[k][i]];
    out.data[i] = f(values);
  }
  return out;
}

export const binary = (f: (a: number, b: number) => number): OpImpl => (node, inputs) => [
  broadcastMap([required(node, inputs, 0), required(node, inputs, 1)], ([a, b]) => f(a, b)),
];

/** Every input (at least one) broadcast together and folded by `f`. */
export const variadic = (f: (values: readonly number[]) => number): OpImpl => (node, inputs) => [
  broadcastMap(inputs.map((_, i) => required(node, inputs, i)), f),
];

export const sigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/**
 * erf to float64 precision: 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), a series of positive terms (no
 * cancellation) that converges for every x; beyond |x| = 6, erf is ±1 to within 1e-17.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x);
  let term = a;
  let sum = a;
  for (let n = 1; n < 200; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
}

/** ln(1 + eˣ) without overflow for large x. */
export const softplus = (v: number): number => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));
