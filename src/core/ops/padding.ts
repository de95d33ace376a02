/**
 * Pad's geometry, shared by its facets. Pads come as an input (opset ≥ 11) or the `pads` attribute (below), for
 * every axis or, from opset 18, for the axes listed in the `axes` input. A negative pad crops. As onnxruntime
 * does, cropping happens first and the positive pads are then filled relative to the cropped data (reflect
 * [−1, 2] of 1 2 3 4 is 2 3 4 3 2), so an axis is: crop `cropBegin`/`cropEnd`, then pad `begin`/`end`.
 */
import { Node, attrInts, attrString } from '../onnx/ir';
import { IntInput } from './constant-inputs';

export type PadMode = 'constant' | 'reflect' | 'edge';

export interface PaddedAxis {
  /** Elements removed at each end (from negative pads), ≥ 0. */
  readonly cropBegin: number;
  readonly cropEnd: number;
  /** Elements added at each end (from positive pads), ≥ 0. */
  readonly begin: number;
  readonly end: number;
  /** Length after cropping (what the padding reflects or repeats). */
  readonly kept: number;
}

export interface PadGeometry {
  readonly mode: PadMode;
  /** One entry per input axis. */
  readonly axes: readonly PaddedAxis[];
  /** The pads as the model gives them, for error messages. */
  readonly pads: readonly number[];
}

export const PAD_INPUTS = ['data', 'pads', 'constant_value', 'axes'];

export function padMode(node: Node): PadMode {
  const mode = attrString(node, 'mode', 'constant');
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') {
    throw new Error(`node '${node.name}' (Pad): mode '${mode}' is not supported; the engine handles 'constant', 'reflect' and 'edge'`);
  }
  return mode;
}

export function padGeometry(node: Node, dims: readonly number[], ints: IntInput): PadGeometry {
  const where = `node '${node.name}' (Pad)`;
  const rank = dims.length;
  const mode = padMode(node);
  const pads = ints(1) ?? attrInts(node, 'pads');
  if (!pads) throw new Error(`${where}: no pads are given (neither the 'pads' input nor the 'pads' attribute)`);
  const listed = ints(3);
  const axes = (listed ?? dims.map((_, i) => i)).map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) throw new Error(`${where}: axis ${a} in axes is out of range for a ${rank}-dimensional input`);
    return a < 0 ? a + rank : a;
  });
  if (new Set(axes).size !== axes.length) throw new Error(`${where}: axes [${listed?.join(', ')}] lists an axis twice`);
  if (pads.length !== 2 * axes.length) {
    throw new Error(`${where}: pads [${pads.join(', ')}] should have ${2 * axes.length} values (begin and end for each of ${axes.length} axes)`);
  }
  const perAxis: PaddedAxis[] = dims.map((d) => ({ cropBegin: 0, cropEnd: 0, begin: 0, end: 0, kept: d }));
  axes.forEach((a, k) => {
    const [b, e] = [pads[k], pads[k + axes.length]];
    if (!Number.isInteger(b) || !Number.isInteger(e)) throw new Error(`${where}: pads [${pads.join(', ')}] should be integers`);
    const kept = dims[a] + Math.min(b, 0) + Math.min(e, 0);
    if (kept < 0) throw new Error(`${where}: pads [${pads.join(', ')}] crop more than the ${dims[a]} elements of axis ${a}`);
    const begin = Math.max(b, 0);
    const end = Math.max(e, 0);
    if (mode === 'reflect' && (begin > 0 || end > 0) && (kept < 2 || begin > kept - 1 || end > kept - 1)) {
      throw new Error(`${where}: reflect padding of axis ${a} by pads [${pads.join(', ')}] needs at most ${Math.max(kept - 1, 0)} per side (the axis has ${kept} elements after cropping)`);
    }
    // onnxruntime refuses these modes on an empty (cropped-away) axis even where nothing is padded.
    if (mode !== 'constant' && kept === 0) throw new Error(`${where}: ${mode} padding leaves axis ${a} with no element to repeat (pads [${pads.join(', ')}])`);
    perAxis[a] = { cropBegin: -Math.min(b, 0), cropEnd: -Math.min(e, 0), begin, end, kept };
  });
  return { mode, axes: perAxis, pads };
}

export function paddedShape(geometry: PadGeometry): number[] {
  return geometry.axes.map((a) => a.begin + a.kept + a.end);
}

/** The input index (along one axis) that output position `j` reads, or −1 for a constant-filled position. */
export function sourceIndex(mode: PadMode, a: PaddedAxis, j: number): number {
  let p = j - a.begin;
  if (p < 0 || p >= a.kept) {
    if (mode === 'constant') return -1;
    if (mode === 'edge') p = p < 0 ? 0 : a.kept - 1;
    else p = p < 0 ? -p : 2 * (a.kept - 1) - p;
  }
  return p + a.cropBegin;
}
