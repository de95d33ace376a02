/** Slice's geometry (ONNX semantics, opset ≥ 10: starts, ends, axes, steps as inputs), shared by all its facets. */
import { Node } from '../onnx/ir';
import { IntInput } from './constant-inputs';

/** One sliced axis: element k of the output is element `start + k·step` of the input. */
export interface SlicedAxis {
  readonly axis: number;
  readonly start: number;
  readonly step: number;
  readonly count: number;
}

export const SLICE_INPUTS = ['data', 'starts', 'ends', 'axes', 'steps'];

/** The sliced axes of an input of `dims` (axes not listed are taken whole). */
export function slicedAxes(node: Node, dims: readonly number[], ints: IntInput): SlicedAxis[] {
  const where = `node '${node.name}' (Slice)`;
  const starts = ints(1);
  const ends = ints(2);
  if (!starts || !ends) throw new Error(`${where}: starts and ends are required`);
  const rank = dims.length;
  const axes = ints(3) ?? starts.map((_, i) => i);
  const steps = ints(4) ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new Error(`${where}: starts [${starts.join(', ')}], ends [${ends.join(', ')}], axes [${axes.join(', ')}] and steps [${steps.join(', ')}] should have the same length`);
  }
  const seen = new Set<number>();
  return axes.map((raw, k) => {
    if (!Number.isInteger(raw) || raw < -rank || raw >= rank) throw new Error(`${where}: axis ${raw} is out of range for a ${rank}-dimensional input`);
    const axis = raw < 0 ? raw + rank : raw;
    if (seen.has(axis)) throw new Error(`${where}: axis ${axis} is listed twice in axes [${axes.join(', ')}]`);
    seen.add(axis);
    const step = steps[k];
    if (!Number.isInteger(step) || step === 0) throw new Error(`${where}: step ${step} along axis ${axis} should be a non-zero integer`);
    const d = dims[axis];
    // As the ONNX spec: indices count from the end when negative; a positive step clamps both to [0, d], a
    // negative one clamps start to [0, d − 1] and end to [−1, d − 1] (an end below −d means "through the first").
    const at = (v: number, lo: number, hi: number): number => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    const start = step > 0 ? at(starts[k], 0, d) : at(starts[k], 0, d - 1);
    // onnxruntime reads an end of INT32_MAX or INT64_MAX as "to the far end in the step's direction" (numpy's
    // None), so x[::-1] exported with end = INT_MAX is the whole axis reversed, not empty.
    const open = ends[k] === 2 ** 31 - 1 || ends[k] >= 2 ** 63 - 1;
    const end = step > 0 ? at(ends[k], 0, d) : open ? -1 : at(ends[k], -1, d - 1);
    return { axis, start, step, count: Math.max(0, Math.ceil((end - start) / step)) };
  });
}

export function slicedShape(dims: readonly number[], axes: readonly SlicedAxis[]): number[] {
  const out = [...dims];
  for (const a of axes) out[a.axis] = a.count;
  return out;
}
