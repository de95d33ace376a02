/**
 * Resize (opsets 11–19, modes nearest and linear) as one map per axis: for every output index, the input indices
 * it reads and their weights. Resize is separable, so the shape rule, the reference kernel, the gradient (the
 * transposed maps) and the channel rule all work from this plan. Coordinates are computed as onnxruntime's CPU
 * kernel does, in float32 (Math.fround after every step), so nearest-neighbour choices on exact .5 boundaries
 * and linear weights agree with it bit for bit.
 */
import { Node, attrInt, attrInts, attrString } from '../onnx/ir';

/** Values of Resize's input i (roi, scales, sizes): undefined when omitted or empty; throws when not constant. */
export type ResizeInput = (i: number) => readonly number[] | undefined;

export interface AxisMap {
  readonly inSize: number;
  readonly outSize: number;
  /** Input indices read by each output index: taps[o·width + k] with `width` taps per output. */
  readonly taps: Int32Array;
  readonly weights: Float64Array;
  readonly width: number;
}

export interface ResizePlan {
  readonly mode: 'nearest' | 'linear';
  readonly outShape: readonly number[];
  /** Per axis: undefined where the output equals the input along it (scale 1), else its map. */
  readonly axes: readonly (AxisMap | undefined)[];
  /** Which input gave the output size: 2 (scales) or 3 (sizes); and the axes it lists (opset 18 `axes`). */
  readonly sizedBy: 2 | 3;
  readonly listedAxes: readonly number[];
}

const TRANSFORMS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

function fail(node: Node, detail: string): never {
  throw new Error(`node '${node.name}' (Resize): ${detail}`);
}

const f = Math.fround;

/** The input coordinate of output index `o`, as onnxruntime computes it (float32 unless it uses doubles). */
function originalCoordinate(transform: string, o: number, scale: number, outLen: number, inLen: number): number {
  switch (transform) {
    case 'asymmetric':
      return f(o / scale);
    case 'pytorch_half_pixel':
      return outLen > 1 ? f(f(f(o + 0.5) / scale) - 0.5) : 0;
    case 'tf_half_pixel_for_nn':
      return f(f(o + 0.5) / scale);
    case 'align_corners':
      return outLen === 1 ? 0 : f(f(o * (inLen - 1)) / (outLen - 1));
    case 'half_pixel_symmetric': {
      const adjustment = f(outLen / f(scale * inLen));
      const offset = f(f(inLen / 2) * f(1 - adjustment));
      return f(offset + (o + 0.5) / scale - 0.5); // onnxruntime mixes in doubles here
    }
    default:
      return f(f(f(o + 0.5) / scale) - 0.5);
  }
}

/** std::round: halves away from zero. */
const roundHalfAway = (v: number): number => (v >= 0 ? Math.floor(v + 0.5) : -Math.floor(-v + 0.5));

function nearestIndex(mode: string, coord: number): number {
  switch (mode) {
    case 'floor':
      return Math.floor(coord);
    case 'ceil':
      return Math.ceil(coord);
    case 'round_prefer_ceil':
      return roundHalfAway(coord);
    default:
      return coord === Math.trunc(coord) + 0.5 ? Math.floor(coord) : roundHalfAway(coord);
  }
}

function axisMap(mode: 'nearest' | 'linear', transform: string, nearestMode: string, inSize: number, outSize: number, scale: number): AxisMap {
  const width = mode === 'nearest' ? 1 : 2;
  const taps = new Int32Array(outSize * width);
  const weights = new Float64Array(outSize * width);
  for (let o = 0; o < outSize; o++) {
    const coord = originalCoordinate(transform, o, scale, outSize, inSize);
    if (mode === 'nearest') {
      taps[o] = Math.min(Math.max(nearestIndex(nearestMode, coord), 0), inSize - 1);
      weights[o] = 1;
      continue;
    }
    const c = Math.max(0, Math.min(coord, inSize - 1));
    const lo = Math.min(Math.trunc(c), inSize - 1);
    const hi = Math.min(lo + 1, inSize - 1);
    taps[2 * o] = lo;
    taps[2 * o + 1] = hi;
    // Each neighbour weighs the distance to the other one; a clamped edge reads one pixel twice, half each.
    weights[2 * o] = lo === hi ? 0.5 : f(Math.abs(c - hi));
    weights[2 * o + 1] = lo === hi ? 0.5 : f(Math.abs(c - lo));
  }
  return { inSize, outSize, taps, weights, width };
}

/** onnxruntime's CPU kernel runs linear Resize only on these layouts (it refuses the rest at session creation). */
function checkLinearLayout(node: Node, scales: readonly number[]): void {
  const r = scales.length;
  const one = (i: number): boolean => scales[i] === 1;
  const ok = r === 2 || r === 3 || (r === 4 && one(0) && (one(1) || one(3))) || (r === 5 && one(0) && one(1));
  if (!ok) {
    fail(
      node,
      `linear mode with scales [${scales.join(', ')}] is not supported (as in onnxruntime: 2-D and 3-D inputs, 4-D inputs that keep the batch and ` +
        'channel (or batch and last) axes, 5-D inputs that keep batch and channel)',
    );
  }
}

export function resizePlan(node: Node, x: readonly number[], value: ResizeInput): ResizePlan {
  const r = x.length;
  if (node.inputs.length < 3) fail(node, 'it has fewer than 3 inputs; the opset-10 form Resize(X, scales) is not supported, re-export the model at opset 11 or later');
  const mode = attrString(node, 'mode', 'nearest');
  if (mode !== 'nearest' && mode !== 'linear') fail(node, `mode '${mode}' is not supported (nearest and linear are)`);
  const transform = attrString(node, 'coordinate_transformation_mode', 'half_pixel');
  if (!TRANSFORMS.includes(transform)) fail(node, `coordinate_transformation_mode '${transform}' is not supported (supported: ${TRANSFORMS.join(', ')})`);
  const nearestMode = attrString(node, 'nearest_mode', 'round_prefer_floor');
  if (mode === 'nearest' && !NEAREST_MODES.includes(nearestMode)) fail(node, `nearest_mode '${nearestMode}' is not supported (supported: ${NEAREST_MODES.join(', ')})`);
  if (mode === 'linear' && attrInt(node, 'antialias', 0) !== 0) fail(node, 'antialias 1 is not supported with linear mode');
  const policy = attrString(node, 'keep_aspect_ratio_policy', 'stretch');
  if (policy !== 'stretch') fail(node, `keep_aspect_ratio_policy '${policy}' is not supported; only 'stretch' is`);

  const listedAxes = (attrInts(node, 'axes') ?? x.map((_, i) => i)).map((a) => {
    if (!Number.isInteger(a) || a < -r || a >= r) fail(node, `axis ${a} in 'axes' is out of range for a ${r}-dimensional input`);
    return a < 0 ? a + r : a;
  });
  if (new Set(listedAxes).size !== listedAxes.length) fail(node, `'axes' [${listedAxes.join(', ')}] repeats an axis`);
  const scalesIn = value(2);
  const sizesIn = value(3);
  if ((scalesIn === undefined) === (sizesIn === undefined)) fail(node, 'exactly one of scales (input 2) and sizes (input 3) must be given and non-empty');
  const given = (scalesIn ?? sizesIn) as readonly number[];
  if (given.length !== listedAxes.length) fail(node, `${scalesIn ? 'scales' : 'sizes'} has ${given.length} values for ${listedAxes.length} axes`);

  const scales = x.map(() => 1);
  const outShape = [...x];
  listedAxes.forEach((axis, k) => {
    if (scalesIn) {
      const s = f(given[k]);
      if (!(s > 0)) fail(node, `scale ${given[k]} for axis ${axis} should be positive`);
      scales[axis] = s;
      outShape[axis] = Math.floor(f(x[axis] * s));
    } else {
      if (!Number.isInteger(given[k]) || given[k] < 1) fail(node, `size ${given[k]} for axis ${axis} should be a positive integer`);
      outShape[axis] = given[k];
      scales[axis] = f(given[k] / x[axis]);
    }
    if (outShape[axis] < 1) fail(node, `axis ${axis} of size ${x[axis]} would resize to ${outShape[axis]}`);
  });
  if (mode === 'linear') checkLinearLayout(node, scales);
  // onnxruntime maps an axis of scale 1 straight through, whatever the transform says.
  const axes = x.map((size, axis) => (scales[axis] === 1 ? undefined : axisMap(mode, transform, nearestMode, size, outShape[axis], scales[axis])));
  return { mode, outShape, axes, sizedBy: scalesIn ? 2 : 3, listedAxes };
}
