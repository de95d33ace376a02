/**
 * The input gradient of a strided depthwise conv (one input and one output channel per group: MobileNet's and
 * EfficientNet's downsampling convs) on a small map, as one small matrix per channel instead of onnxruntime's
 * ConvTranspose, which runs one tiny GEMM and a col2im per sample and channel (57,600 of them for MobileNetV2's
 * 576-channel conv at batch 100), ~2.5–6.5 ms whatever the map size.
 *
 * Per channel c, dX[n, c, :] = dY[n, c, :] · A_c with A_c [P, Q] (P = dY's positions, Q = dX's): A_c[o, i] is the
 * weight of the tap with which output o reads input i (taps that only read padding left out; exact for any
 * stride, dilation, pads and output size). The graph moves the channels first (Transpose), multiplies each
 * channel's [N, P] rows by A_c as one batched MatMul (onnxruntime fuses the Transposes into a FusedMatMul), and
 * moves them back.
 */
import { Attribute, Tensor, int64Tensor, intsAttr, makeTensor } from '../onnx/ir';
import { WindowGeometry } from '../onnx/conv-geometry';

/** What the form emits with: a gradient rule's context (op, addConstant), or a test's graph builder. */
export interface GraphOps {
  op(opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>): string;
  addConstant(hint: string, value: Tensor): string;
}

/** The forward Conv: input x [N, C, …], weight w [M, C/G, k…], output y [N, M, …], its group and window. */
export interface ConvShapes {
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly y: readonly number[];
  readonly group: number;
  readonly geom: WindowGeometry;
}

/**
 * Lower when dX has at most this many positions per channel. Kernel CPU ms (min of 20 runs, 2 threads, batch 100
 * unless noted; bench/strided-dx.ts), ConvTranspose → per-channel matrices: 3×3 on 16×16 with 96 channels 3.74 →
 * 1.87 and 144 channels 5.56 → 2.60, on 8×8 (144) 2.49 → 0.45, 4×4 (192) 2.57 → 0.32, 2×2 (576) 5.32 → 0.50;
 * 5×5 on 8×8 (144) 4.48 → 0.46, 2×2 (672) 6.39 → 0.56; 3×3 on 14×14 (576, batch 32) 6.38 → 3.36; but 3×3 on
 * 32×32 (32 channels) 3.89 → 7.08: the product's multiply-adds grow with the square of the map.
 */
export const MAX_DEPTHWISE_DENSE_POSITIONS = 256;

/** The matrices of one conv; beyond this the ConvTranspose stays. MobileNetV2 at 32×32: 7 MiB in all. */
export const MAX_DEPTHWISE_MATRIX_BYTES = 32 * 2 ** 20;

const count = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

export function isDepthwise(c: ConvShapes): boolean {
  return c.group > 1 && c.group === c.x[1] && c.w[0] === c.group && c.w[1] === 1;
}

export function depthwiseDenseApplies(c: ConvShapes): boolean {
  const [p, q] = [count(c.y.slice(2)), count(c.x.slice(2))];
  return isDepthwise(c) && q <= MAX_DEPTHWISE_DENSE_POSITIONS && c.group * p * q * 4 <= MAX_DEPTHWISE_MATRIX_BYTES;
}

/** A [C, P, Q] (row-major), A[c, o, i] = Σ of W[c, 0, k] over taps k with which output o reads input i. */
export function depthwiseMatrix(c: ConvShapes, w: Tensor): Float32Array {
  const channels = c.group;
  const inSizes = c.x.slice(2);
  const outSizes = c.y.slice(2);
  const kernel = c.w.slice(2);
  const [p, q, taps] = [count(outSizes), count(inSizes), count(kernel)];
  const unravel = (flat: number, dims: readonly number[]): number[] => {
    const idx = new Array<number>(dims.length);
    for (let a = dims.length - 1; a >= 0; a--) {
      idx[a] = flat % dims[a];
      flat = Math.floor(flat / dims[a]);
    }
    return idx;
  };
  const src = w.data as Float32Array;
  const out = new Float32Array(channels * p * q);
  for (let o = 0; o < p; o++) {
    const oi = unravel(o, outSizes);
    for (let k = 0; k < taps; k++) {
      const ki = unravel(k, kernel);
      let i = 0;
      let inside = true;
      for (let a = 0; a < inSizes.length && inside; a++) {
        const at = oi[a] * c.geom.strides[a] + ki[a] * c.geom.dilations[a] - c.geom.pads[a];
        inside = at >= 0 && at < inSizes[a];
        i = i * inSizes[a] + at;
      }
      if (!inside) continue;
      for (let ch = 0; ch < channels; ch++) out[(ch * p + o) * q + i] += src[ch * taps + k];
    }
  }
  return out;
}

/** dX [N, C, …] from dY [N, C, …] and the conv's constant weight. */
export function depthwiseInputGrad(ops: GraphOps, c: ConvShapes, dy: string, w: Tensor): string {
  const [n, channels] = c.x;
  const [p, q] = [count(c.y.slice(2)), count(c.x.slice(2))];
  const shape = (hint: string, dims: readonly number[]): string => ops.addConstant(hint, int64Tensor([dims.length], dims));
  const matrices = ops.addConstant('depthwise_matrices', makeTensor('float32', [channels, p, q], depthwiseMatrix(c, w)));
  const rows = ops.op('Reshape', [dy, shape('rows_shape', [n, channels, p])]);
  const byChannel = ops.op('Transpose', [rows], { perm: intsAttr([1, 0, 2]) });
  const product = ops.op('MatMul', [byChannel, matrices]);
  const byBatch = ops.op('Transpose', [product], { perm: intsAttr([1, 0, 2]) });
  return ops.op('Reshape', [byBatch, shape('dx_shape', c.x)]);
}
