/**
 * Whether a Conv or ConvTranspose on small feature maps is computed as one dense matrix product. On a map of a
 * few pixels a conv is a small linear map from C·H·W inputs to M·Ho·Wo outputs per sample: its matrix (the
 * weights laid out at every position, taps that only read padding left out) multiplies the whole batch as one
 * GEMM with the batch as rows, which onnxruntime's MLAS runs near peak and splits over threads, while its conv
 * kernels handle a 2×2 or 1×1 map one sample at a time. NCHW flattened per sample is already the (c, y, x) order
 * the matrix reads, so no transpose is needed.
 *
 * Only ungrouped-or-grouped 2-D convs with a constant weight and known shapes qualify (the mask-learning graphs'
 * convs, their input gradients, and dataset inference).
 */
import { Node, attrInt, attrString } from '../../onnx/ir';
import { Conv2dSizes, windowGeometry } from '../../onnx/conv-geometry';

export interface DensePlan extends Conv2dSizes {
  readonly kind: 'Conv' | 'ConvTranspose';
  readonly group: number;
  readonly strides: readonly [number, number];
  /** Multiply-adds of the matrix product and of the conv itself (every tap, padding included). */
  readonly denseCost: number;
  readonly directCost: number;
}

/**
 * Lower when the matrix product does at most as many multiply-adds as the conv. Measured on one thread, batch 100
 * (ResNet-18's 3×3 convs at 32×32 input): 256→256 on 2×2 (ratio 0.44) 2.6 → 1.0 ms, 512→512 on 1×1 (0.11)
 * 1.1 → 0.2 ms, 256→512 stride 2, 2×2 → 1×1 (0.44) 2.4 → 0.4 ms; but 128→128 on 4×4 (ratio 1.8) 2.1 → 4.2 ms.
 */
export const DENSE_COST_RATIO = 1;

/** The matrix of one conv; beyond this the conv is left as it is. */
export const MAX_DENSE_MATRIX_BYTES = 64 * 2 ** 20;

/** All matrices of one graph (a wide network on tiny maps could otherwise add gigabytes). ResNet-18: ~17 MiB. */
export const MAX_DENSE_GRAPH_BYTES = 512 * 2 ** 20;

export function planDenseConv(node: Node, x: readonly number[], w: readonly number[], y: readonly number[]): DensePlan | undefined {
  if ((node.opType !== 'Conv' && node.opType !== 'ConvTranspose') || node.domain !== '') return undefined;
  if (x.length !== 4 || w.length !== 4 || y.length !== 4) return undefined;
  // ConvTranspose's auto_pad places the output differently from Conv's; the engine's own graphs never set it.
  if (node.opType === 'ConvTranspose' && attrString(node, 'auto_pad', 'NOTSET') !== 'NOTSET') return undefined;
  const group = attrInt(node, 'group', 1);
  const geom = windowGeometry(node, x.slice(2), w.slice(2));
  const [n, c, h, wd] = x;
  const [m, ho, wo] = [y[1], y[2], y[3]];
  const [kh, kw] = [w[2], w[3]];
  const taps = (node.opType === 'Conv' ? c : m) / group;
  const positions = node.opType === 'Conv' ? ho * wo : h * wd;
  const perSample = node.opType === 'Conv' ? m * taps * kh * kw * positions : c * taps * kh * kw * positions;
  return {
    kind: node.opType,
    batch: n,
    inChannels: c,
    outChannels: m,
    group,
    inSize: [h, wd],
    outSize: [ho, wo],
    kernel: [kh, kw],
    strides: [geom.strides[0], geom.strides[1]],
    dilations: [geom.dilations[0], geom.dilations[1]],
    padBegin: [geom.pads[0], geom.pads[1]],
    denseCost: n * c * h * wd * m * ho * wo,
    directCost: n * perSample,
  };
}

export function denseMatrixBytes(plan: DensePlan): number {
  return plan.inChannels * plan.inSize[0] * plan.inSize[1] * plan.outChannels * plan.outSize[0] * plan.outSize[1] * 4;
}

export function worthDense(plan: DensePlan, costRatio = DENSE_COST_RATIO): boolean {
  return plan.denseCost <= costRatio * plan.directCost && denseMatrixBytes(plan) <= MAX_DENSE_MATRIX_BYTES;
}
