/**
 * The candidate forms of a strided conv's input gradient that bench/strided-dx.ts times against onnxruntime's
 * ConvTranspose and the per-channel matrices the engine uses for small depthwise convs
 * (src/core/ops/depthwise-input-grad.ts). They lost or tied on the shapes measured (docs/RESULTS.md), so they live
 * here, with the measurement, not in the engine. Each computes the ConvTranspose's sums exactly (zeros added):
 *
 * - zero insertion: dY with s − 1 zeros after every element, then a stride-1 Conv over the flipped,
 *   in/out-swapped weight with pads that place the window;
 * - pointwise (1×1 kernels): that Conv first, on the small map, then the zeros;
 * - polyphase: the s² output phases as one stride-1 Conv with sub-kernels, output channels (channel, phase),
 *   interleaved by DepthToSpace (CRD);
 * - depthwise products: the per-channel matrices as a broadcast Mul + ReduceSum, a broadcast MatMul, an Einsum.
 *
 * Per axis, with input size H, output size Ho, stride s, dilation d, kernel K, begin pad pb:
 * dX[i] = Σ_{o, k: o·s + k·d − pb = i} dY[o]·W[k].
 */
import { Tensor, int64Tensor, intAttr, intsAttr, makeTensor, stringAttr } from '../src/core/onnx/ir';
import { ConvShapes, GraphOps, depthwiseMatrix } from '../src/core/ops/depthwise-input-grad';
import { flipTransposeWeight } from '../src/core/ops/defs/Conv';

/** The conv's weight: its graph name, and its value when it is a constant (else it is flipped in the graph). */
export interface ConvWeight {
  readonly name: string;
  readonly value?: Tensor;
}

const spatial = (c: ConvShapes): number => c.x.length - 2;
const span = (c: ConvShapes, i: number): number => (c.geom.kernel[i] - 1) * c.geom.dilations[i] + 1;

/** ConvTranspose's output_padding that gives back x's size (negative or ≥ max(stride, dilation): not expressible). */
export function outputPadding(c: ConvShapes): number[] {
  const r = spatial(c);
  return c.x.slice(2).map((n, i) => n - (c.geom.strides[i] * (c.y[2 + i] - 1) + span(c, i) - c.geom.pads[i] - c.geom.pads[i + r]));
}

export function convTransposeExpressible(c: ConvShapes): boolean {
  return outputPadding(c).every((p, i) => p >= 0 && p < Math.max(c.geom.strides[i], c.geom.dilations[i]));
}

export function convTransposeForm(ops: GraphOps, c: ConvShapes, dy: string, weight: ConvWeight): string {
  return ops.op('ConvTranspose', [dy, weight.name], {
    group: intAttr(c.group),
    pads: intsAttr(c.geom.pads),
    dilations: intsAttr(c.geom.dilations),
    strides: intsAttr(c.geom.strides),
    output_padding: intsAttr(outputPadding(c)),
    kernel_shape: intsAttr(c.w.slice(2)),
  });
}

/**
 * dY [N, M, Ho…] with s − 1 zeros after every element along each spatial axis: [N, M, Ho·s…]. The last axis by a
 * product with the 0/1 matrix E [Wo, s·Wo] (E[o, s·o] = 1: exact), each other axis by a Pad of the contiguous
 * rows after it. Measured on [100, 144, 8, 8], 2 threads: a Pad of [N, M, Ho, 1, Wo, 1] to [.., s, .., s] copies
 * element by element and took ~2× as long.
 */
export function insertZeros(ops: GraphOps, t: string, dims: readonly number[], strides: readonly number[]): string {
  const sizes = dims.slice(2);
  const r = sizes.length;
  const last = sizes[r - 1];
  const sl = strides[r - 1];
  let out = t;
  if (sl > 1) {
    const spread = new Float32Array(last * last * sl);
    for (let o = 0; o < last; o++) spread[o * last * sl + o * sl] = 1;
    out = ops.op('MatMul', [out, ops.addConstant('spread_zeros', makeTensor('float32', [last, last * sl], spread))]);
  }
  const current = [...dims.slice(0, 2), ...sizes.slice(0, r - 1), last * sl];
  for (let a = r - 2; a >= 0; a--) {
    const s = strides[a];
    if (s === 1) continue;
    const outer = current.slice(0, 2 + a + 1).reduce((x, y) => x * y, 1);
    const inner = current.slice(2 + a + 1).reduce((x, y) => x * y, 1);
    const rows = ops.op('Reshape', [out, ops.addConstant('rows_shape', int64Tensor([3], [outer, 1, inner]))]);
    const padded = ops.op('Pad', [rows, ops.addConstant('zero_rows', int64Tensor([6], [0, 0, 0, 0, s - 1, 0]))]);
    current[2 + a] *= s;
    out = ops.op('Reshape', [padded, ops.addConstant('upsampled_shape', int64Tensor([current.length], current))]);
  }
  return out;
}

/** Per spatial axis, the stride-1 Conv pads that map the zero-inserted dY (length Ho·s) onto x's size. */
export function zeroInsertionPads(c: ConvShapes): { begin: number[]; end: number[] } {
  const r = spatial(c);
  const begin = Array.from({ length: r }, (_, i) => span(c, i) - 1 - c.geom.pads[i]);
  const end = Array.from({ length: r }, (_, i) => c.x[2 + i] + c.geom.pads[i] - c.y[2 + i] * c.geom.strides[i]);
  return { begin, end };
}

/** The flipped, in/out-swapped weight [C, M/G, k…]: computed once for a constant, in the graph for a fed one. */
export function flippedWeight(ops: GraphOps, c: ConvShapes, weight: ConvWeight): string {
  return weight.value ? ops.addConstant('flipped_weight', flipTransposeWeight(weight.value, c.group)) : flipTransposeInGraph(ops, weight.name, c.w, c.group);
}

/** Slices `t` [N, C, L…] to [start, end) per spatial axis (only where needed). */
function cropSpatial(ops: GraphOps, t: string, lengths: readonly number[], starts: readonly number[], ends: readonly number[]): string {
  const axes = lengths.map((_, i) => i).filter((i) => starts[i] > 0 || ends[i] < lengths[i]);
  if (axes.length === 0) return t;
  return ops.op('Slice', [
    t,
    ops.addConstant('crop_starts', int64Tensor([axes.length], axes.map((i) => starts[i]))),
    ops.addConstant('crop_ends', int64Tensor([axes.length], axes.map((i) => ends[i]))),
    ops.addConstant('crop_axes', int64Tensor([axes.length], axes.map((i) => i + 2))),
  ]);
}

export function zeroInsertionForm(ops: GraphOps, c: ConvShapes, dy: string, weight: ConvWeight): string {
  const r = spatial(c);
  const upsampled = insertZeros(ops, dy, c.y, c.geom.strides);
  const lengths = c.y.slice(2).map((h, i) => h * c.geom.strides[i]);
  const { begin, end } = zeroInsertionPads(c);
  // A negative pad (pads wider than the kernel's span, or the zeros after the last element unused) crops instead.
  const cropped = cropSpatial(ops, upsampled, lengths, begin.map((b) => Math.max(0, -b)), end.map((e, i) => lengths[i] + Math.min(0, e)));
  return ops.op('Conv', [cropped, flippedWeight(ops, c, weight)], {
    group: intAttr(c.group),
    pads: intsAttr([...begin.map((b) => Math.max(0, b)), ...end.map((e) => Math.max(0, e))]),
    dilations: intsAttr(c.geom.dilations),
    strides: intsAttr(new Array<number>(r).fill(1)),
    kernel_shape: intsAttr(c.w.slice(2)),
  });
}

export function pointwiseApplies(c: ConvShapes): boolean {
  return c.geom.kernel.every((k) => k === 1);
}

/** 1×1 kernel: dX[i] = u[i + pb], u = zeros inserted into (Wᵀ·dY); pads beyond u's ends are zeros. */
export function pointwiseForm(ops: GraphOps, c: ConvShapes, dy: string, weight: ConvWeight): string {
  const r = spatial(c);
  const mixed = ops.op('Conv', [dy, flippedWeight(ops, c, weight)], {
    group: intAttr(c.group),
    kernel_shape: intsAttr(new Array<number>(r).fill(1)),
  });
  const upsampled = insertZeros(ops, mixed, [c.y[0], c.x[1], ...c.y.slice(2)], c.geom.strides);
  const lengths = c.y.slice(2).map((h, i) => h * c.geom.strides[i]);
  const starts = lengths.map((_, i) => c.geom.pads[i]);
  const ends = lengths.map((_, i) => c.geom.pads[i] + c.x[2 + i]);
  const cropped = cropSpatial(ops, upsampled, lengths, starts.map((s, i) => Math.min(s, lengths[i])), ends.map((e, i) => Math.min(e, lengths[i])));
  const after = ends.map((e, i) => Math.max(0, e - lengths[i]));
  const before = starts.map((s, i) => Math.max(0, s - lengths[i]));
  if (after.every((p) => p === 0) && before.every((p) => p === 0)) return cropped;
  return ops.op('Pad', [cropped, ops.addConstant('tail_pads', int64Tensor([2 * (r + 2)], [0, 0, ...before, 0, 0, ...after]))]);
}

/** dY [N, C, P] times A [C, P, Q] per channel, as a broadcast product summed over P (P = 1: the product alone). */
export function depthwiseProductForm(ops: GraphOps, c: ConvShapes, dy: string, w: Tensor): string {
  const [n, channels] = c.x;
  const p = c.y.slice(2).reduce((a, b) => a * b, 1);
  const q = c.x.slice(2).reduce((a, b) => a * b, 1);
  const shape = (hint: string, dims: readonly number[]): string => ops.addConstant(hint, int64Tensor([dims.length], dims));
  const matrix = ops.addConstant('depthwise_matrix', makeTensor('float32', [channels, p, q], depthwiseMatrix(c, w)));
  const columns = ops.op('Reshape', [dy, shape('columns_shape', [n, channels, p, 1])]);
  const products = ops.op('Mul', [columns, matrix]);
  const summed = p === 1 ? products : ops.op('ReduceSum', [products, ops.addConstant('positions_axis', int64Tensor([1], [2]))], { keepdims: intAttr(0) });
  return ops.op('Reshape', [summed, shape('dx_shape', c.x)]);
}

/** The same as a batched MatMul: dY [N, C, 1, P] · A [C, P, Q]. */
export function depthwiseMatMulForm(ops: GraphOps, c: ConvShapes, dy: string, w: Tensor): string {
  const [n, channels] = c.x;
  const p = c.y.slice(2).reduce((a, b) => a * b, 1);
  const q = c.x.slice(2).reduce((a, b) => a * b, 1);
  const shape = (hint: string, dims: readonly number[]): string => ops.addConstant(hint, int64Tensor([dims.length], dims));
  const matrix = ops.addConstant('depthwise_matrix', makeTensor('float32', [channels, p, q], depthwiseMatrix(c, w)));
  const rows = ops.op('Reshape', [dy, shape('rows_shape', [n, channels, 1, p])]);
  return ops.op('Reshape', [ops.op('MatMul', [rows, matrix]), shape('dx_shape', c.x)]);
}

/** The same as an Einsum over channels (onnxruntime batches it as one GEMM per channel). */
export function depthwiseEinsumForm(ops: GraphOps, c: ConvShapes, dy: string, w: Tensor): string {
  const [n, channels] = c.x;
  const p = c.y.slice(2).reduce((a, b) => a * b, 1);
  const q = c.x.slice(2).reduce((a, b) => a * b, 1);
  const shape = (hint: string, dims: readonly number[]): string => ops.addConstant(hint, int64Tensor([dims.length], dims));
  const matrix = ops.addConstant('depthwise_matrix', makeTensor('float32', [channels, p, q], depthwiseMatrix(c, w)));
  const rows = ops.op('Reshape', [dy, shape('rows_shape', [n, channels, p])]);
  return ops.op('Reshape', [ops.op('Einsum', [rows, matrix], { equation: stringAttr('ncp,cpq->ncq') }), shape('dx_shape', c.x)]);
}

/**
 * Polyphase plan of one spatial axis: phase p of the output (i = s·a + p) reads dY[a + off] with weight tap k
 * for every k with (p + pb − k·d) divisible by s, off = (p + pb − k·d)/s. All phases share one window of dY
 * [a + lo, a + hi]; `taps[p][t]` is the weight tap at window position t (−1: none).
 */
export interface PhaseAxis {
  readonly lo: number;
  readonly length: number;
  readonly taps: readonly (readonly number[])[];
}

export function phaseAxis(stride: number, dilation: number, kernel: number, padBegin: number): PhaseAxis | undefined {
  const reads: { p: number; k: number; off: number }[] = [];
  for (let p = 0; p < stride; p++) {
    for (let k = 0; k < kernel; k++) {
      const r = p + padBegin - k * dilation;
      if (((r % stride) + stride) % stride === 0) reads.push({ p, k, off: r / stride });
    }
  }
  if (reads.length === 0) return undefined;
  const lo = Math.min(...reads.map((e) => e.off));
  const length = Math.max(...reads.map((e) => e.off)) - lo + 1;
  const taps = Array.from({ length: stride }, () => new Array<number>(length).fill(-1));
  for (const e of reads) taps[e.p][e.off - lo] = e.k;
  return { lo, length, taps };
}

/** Polyphase needs 2-D, sizes divisible by the stride, and a window that lies within dY plus non-negative pads. */
export function polyphasePlan(c: ConvShapes): PhaseAxis[] | undefined {
  if (spatial(c) !== 2) return undefined;
  const axes = [0, 1].map((i) => phaseAxis(c.geom.strides[i], c.geom.dilations[i], c.geom.kernel[i], c.geom.pads[i]));
  if (axes.some((a) => !a)) return undefined;
  const plan = axes as PhaseAxis[];
  const ok = plan.every((a, i) => {
    const s = c.geom.strides[i];
    const rows = c.x[2 + i] / s;
    return Number.isInteger(rows) && a.lo <= 0 && rows - 1 + a.lo + a.length - 1 - (c.y[2 + i] - 1) >= 0;
  });
  return ok ? plan : undefined;
}

/**
 * The polyphase weight [C·s², M/G, Lh, Lw] from W [M, C/G, kh, kw]: output channel c·s² + py·s + px is phase
 * (py, px) of input channel c, taps that reach no dY position stay zero.
 */
export function polyphaseWeight(w: Tensor, group: number, plan: readonly PhaseAxis[]): Tensor {
  const [m, cg, kh, kw] = w.dims;
  const [ah, aw] = plan;
  const [sh, sw] = [ah.taps.length, aw.taps.length];
  const mg = m / group;
  const src = w.data as Float32Array;
  const out = new Float32Array(cg * group * sh * sw * mg * ah.length * aw.length);
  for (let g = 0; g < group; g++) {
    for (let c = 0; c < cg; c++) {
      for (let py = 0; py < sh; py++) {
        for (let px = 0; px < sw; px++) {
          const oc = ((g * cg + c) * sh + py) * sw + px;
          for (let mi = 0; mi < mg; mi++) {
            for (let ty = 0; ty < ah.length; ty++) {
              const ky = ah.taps[py][ty];
              if (ky < 0) continue;
              for (let tx = 0; tx < aw.length; tx++) {
                const kx = aw.taps[px][tx];
                if (kx < 0) continue;
                out[((oc * mg + mi) * ah.length + ty) * aw.length + tx] = src[(((g * mg + mi) * cg + c) * kh + ky) * kw + kx];
              }
            }
          }
        }
      }
    }
  }
  return makeTensor('float32', [cg * group * sh * sw, mg, ah.length, aw.length], out);
}

/** Constant weights only (the weight is rearranged once, here). */
export function polyphaseForm(ops: GraphOps, c: ConvShapes, dy: string, weight: Tensor, plan: readonly PhaseAxis[]): string {
  const [s0, s1] = c.geom.strides;
  const rows = [c.x[2] / s0, c.x[3] / s1];
  const end = plan.map((a, i) => rows[i] - 1 + a.lo + a.length - 1 - (c.y[2 + i] - 1));
  const phases = ops.op('Conv', [dy, ops.addConstant('polyphase_weight', polyphaseWeight(weight, c.group, plan))], {
    group: intAttr(c.group),
    pads: intsAttr([-plan[0].lo, -plan[1].lo, ...end]),
    kernel_shape: intsAttr([plan[0].length, plan[1].length]),
  });
  if (s0 !== s1) throw new Error('polyphase form: DepthToSpace needs equal strides');
  return ops.op('DepthToSpace', [phases], { blocksize: intAttr(s0), mode: stringAttr('CRD') });
}

/**
 * flipTransposeWeight as graph ops, for a weight fed at run time (training), where onnxruntime runs this stride-1
 * Conv faster than the ConvTranspose it replaces (training step, batch 100: ResNet-18 212–223 → 205–207 ms,
 * SimpleConvNet 999–1037 → 950–978 ms, alternating runs). Reversing every
 * spatial axis reverses the flattened taps, done as a product with the anti-identity: ~2× faster than a Slice with
 * step −1 on a [512, 512, 3, 3] weight, and exact (each output is one weight times 1 plus zeros).
 */
export function flipTransposeInGraph(ops: GraphOps, weight: string, dims: readonly number[], group: number): string {
  const [m, cg, ...k] = dims;
  const taps = k.reduce((a, b) => a * b, 1);
  const grouped = ops.op('Reshape', [weight, ops.addConstant('grouped_shape', int64Tensor([4], [group, m / group, cg, taps]))]);
  const swapped = ops.op('Transpose', [grouped], { perm: intsAttr([0, 2, 1, 3]) });
  const rows = ops.op('Reshape', [swapped, ops.addConstant('rows_shape', int64Tensor([2], [cg * m, taps]))]);
  if (taps === 1) return ops.op('Reshape', [rows, ops.addConstant('flipped_shape', int64Tensor([2 + k.length], [cg * group, m / group, ...k]))]);
  const reverse = new Float32Array(taps * taps);
  for (let t = 0; t < taps; t++) reverse[t * taps + (taps - 1 - t)] = 1;
  const flipped = ops.op('MatMul', [rows, ops.addConstant('reverse_taps', makeTensor('float32', [taps, taps], reverse))]);
  return ops.op('Reshape', [flipped, ops.addConstant('flipped_shape', int64Tensor([2 + k.length], [cg * group, m / group, ...k]))]);
}

