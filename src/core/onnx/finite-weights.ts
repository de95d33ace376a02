/**
 * Weights must be finite: a NaN or an infinity in a Conv or Gemm weight (a model exported from a diverged
 * training run, or a tampered file) turns every output into NaN, and BISE would learn masks from garbage. Clip
 * bounds are the exception: ONNX exporters write ±Infinity there for a one-sided clip.
 */
import { Graph, Tensor } from './ir';
import { OnnxModelError } from './errors';

/** Ops whose constant inputs may legitimately hold ±Infinity (but never NaN). */
const INFINITY_ALLOWED = new Set(['Clip', 'Max', 'Min']);

/** The first element of a float tensor that is NaN or ±Infinity (null if all are finite, or not a float). */
export function firstNonFinite(t: Tensor): { index: number; value: number } | null {
  if (t.dtype === 'float32' || t.dtype === 'float64') {
    const data = t.data as Float32Array | Float64Array;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return { index: i, value: data[i] };
    return null;
  }
  if (t.dtype === 'float16') {
    const bits = t.data as Uint16Array;
    for (let i = 0; i < bits.length; i++) {
      if ((bits[i] & 0x7c00) === 0x7c00) {
        const value = (bits[i] & 0x03ff) !== 0 ? Number.NaN : bits[i] & 0x8000 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
        return { index: i, value };
      }
    }
  }
  return null;
}

/** Throws naming the file, the consuming node and the initializer when a weight is not finite. */
export function checkFiniteWeights(graph: Pick<Graph, 'nodes' | 'initializers'>, label: string): void {
  for (const [name, t] of graph.initializers) {
    const bad = firstNonFinite(t);
    if (!bad) continue;
    const consumers = graph.nodes.filter((n) => n.inputs.includes(name));
    if (!Number.isNaN(bad.value) && consumers.length > 0 && consumers.every((n) => INFINITY_ALLOWED.has(n.opType))) continue;
    throw new OnnxModelError(
      label,
      `initializer '${name}' holds ${bad.value} at flat index ${bad.index}: weights must be finite numbers (was the model exported from a training run that diverged?)`,
      consumers[0]?.name,
    );
  }
}
