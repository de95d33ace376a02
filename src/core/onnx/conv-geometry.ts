/** Spatial geometry of Conv / ConvTranspose / pooling nodes, with auto_pad resolved to explicit pads. */
import { Node, attrInts, attrString, attrInt } from './ir';

export interface WindowGeometry {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** [begin_0, begin_1, ..., end_0, end_1, ...] as in ONNX. */
  readonly pads: readonly number[];
  readonly ceilMode: boolean;
}

/** `spatialIn` is the input's spatial dims; `kernel` comes from the weight for Conv, from kernel_shape for pools. */
export function windowGeometry(node: Node, spatialIn: readonly number[], kernel: readonly number[]): WindowGeometry {
  const r = spatialIn.length;
  const strides = attrInts(node, 'strides') ?? new Array<number>(r).fill(1);
  const dilations = attrInts(node, 'dilations') ?? new Array<number>(r).fill(1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let pads = attrInts(node, 'pads') ?? new Array<number>(2 * r).fill(0);
  if (autoPad === 'VALID') pads = new Array<number>(2 * r).fill(0);
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const begin: number[] = [];
    const end: number[] = [];
    for (let i = 0; i < r; i++) {
      const out = Math.ceil(spatialIn[i] / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatialIn[i]);
      const small = Math.floor(total / 2);
      begin.push(autoPad === 'SAME_UPPER' ? small : total - small);
      end.push(autoPad === 'SAME_UPPER' ? total - small : small);
    }
    pads = [...begin, ...end];
  } else if (autoPad !== 'NOTSET') {
    throw new Error(`node '${node.name}' (${node.opType}): auto_pad '${autoPad}' is not a valid value`);
  }
  if (strides.length !== r || dilations.length !== r || pads.length !== 2 * r || kernel.length !== r) {
    throw new Error(`node '${node.name}' (${node.opType}): strides/dilations/pads/kernel do not match ${r} spatial dimensions`);
  }
  return { kernel, strides, dilations, pads, ceilMode: attrInt(node, 'ceil_mode', 0) === 1 };
}

export function windowOutputSize(geom: WindowGeometry, spatialIn: readonly number[]): number[] {
  return spatialIn.map((n, i) => {
    const span = (geom.kernel[i] - 1) * geom.dilations[i] + 1;
    const padded = n + geom.pads[i] + geom.pads[i + spatialIn.length] - span;
    const q = padded / geom.strides[i];
    if (!geom.ceilMode) return Math.floor(q) + 1;
    const out = Math.ceil(q) + 1;
    // As ONNX and onnxruntime: a ceil_mode window may not start inside the end padding.
    return (out - 1) * geom.strides[i] >= n + geom.pads[i] ? out - 1 : out;
  });
}

/** A 2-D conv's sizes, as the engine's conv lowerings (graphs/dense-conv, graphs/frequency-conv) plan with them. */
export interface Conv2dSizes {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  /** Input [H, W] and output [Ho, Wo] spatial sizes. */
  readonly inSize: readonly [number, number];
  readonly outSize: readonly [number, number];
  readonly kernel: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** Padding before rows and columns (taps sit at u·dilation − padBegin). */
  readonly padBegin: readonly [number, number];
}
