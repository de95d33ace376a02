/**
 * Training feeds conv weights at run time, and onnxruntime only moves a Conv to its blocked NCHWc kernels (one
 * GEMM-like pass over channel blocks) when the weight is a constant it can reorder once at load; a fed weight
 * runs the NCHW kernel (im2col and one small GEMM per sample). Measured alone, batch 100, 2 threads
 * (bench/scale/nchwc-probe.ts): 128 channels on 4×4 maps 5.9 → 1.8 ms, 256 on 2×2 9.2 → 3.4 ms, 512 on 1×1
 * 10.1 → 1.2 ms, 64 on 8×8 6.7 → 6.4 ms. The NCHWc Conv kernel reads its weight every run, so this pass reorders
 * the fed weight in the graph and calls onnxruntime's internal NCHWc ops directly: ReorderInput →
 * com.microsoft.nchwc Conv → ReorderOutput, writing the replaced node's output name.
 *
 * - Conv: the weight is reordered by one GatherElements with constant indices (ResNet-18's training step: 2.1 ms
 *   of kernel time; Gathers 7.7, Transposes to the same order 14.1).
 * - ConvTranspose (the strided input gradient autodiff emits, Conv.ts): the same value as a stride-1 conv over dY
 *   with s − 1 zeros inserted after each value, padded, with the flipped, in/out-swapped weight; the GatherElements
 *   takes the flip and the swap too.
 *
 * Only for onnxruntime's cpu provider, after shape inference (our inference does not know these ops), with the
 * block size that provider uses (runtime/nchwc-block.ts asks it). A node qualifies when group is 1, 2-D, no
 * dilation, and both channel counts are multiples of the block (a Conv's input channels may also be fewer than one
 * block).
 */
import { Attribute, Graph, Node, attrInt, attrInts, attrString, int64Tensor, intAttr, intsAttr, makeTensor } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { NodeEmitter } from './node-emitter';
import { NodeReplacement, RewrittenGraph, replaceNodes } from './rewrite-nodes';

/** onnxruntime's domain of its blocked-layout cpu kernels (contrib ops of every cpu build). */
export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

/** Kernels up to 7×7. */
const MAX_TAPS = 49;

export function nchwcFedConvs(graph: Graph, shapes: ShapeMap, blockSize: number): RewrittenGraph {
  if (blockSize <= 0) return { graph, replaced: [] };
  return replaceNodes(graph, (node, index) => {
    const geometry = qualifying(graph, node, shapes, blockSize);
    if (!geometry) return undefined;
    const prefix = `nchwc${index}/${node.name}`;
    return node.opType === 'Conv' ? blockedConv(node, geometry, blockSize, prefix) : blockedTransposedConv(node, geometry, blockSize, prefix);
  });
}

interface Geometry {
  /** The input's dims. */
  readonly x: readonly number[];
  /** The weight's dims as the node reads it (Conv [O, C, kh, kw], ConvTranspose [C, O, kh, kw]). */
  readonly w: readonly number[];
  readonly strides: readonly number[];
  /** [top, left, bottom, right]. */
  readonly pads: readonly number[];
  readonly outputPadding: readonly number[];
}

function qualifying(graph: Graph, node: Node, shapes: ShapeMap, block: number): Geometry | undefined {
  if ((node.opType !== 'Conv' && node.opType !== 'ConvTranspose') || node.domain !== '') return undefined;
  // onnxruntime takes a constant-weight Conv to NCHWc itself, and runs a constant-weight ConvTranspose about as fast
  // as this rewrite would (the mask step's; bench/scale/nchwc-spread-probe.ts with CONSTANT=1, idle machine:
  // [100, 128, 4, 4] → 64 × 8 × 8 6.7 ms native, 7.6 rewritten; [100, 256, 2, 2] → 128 × 4 × 4 5.7 and 5.5).
  if (graph.initializers.has(node.inputs[1])) return undefined;
  if (attrString(node, 'auto_pad', 'NOTSET') !== 'NOTSET' || attrInt(node, 'group', 1) !== 1) return undefined;
  const [x, w] = [shapes.get(node.inputs[0]), shapes.get(node.inputs[1])];
  if (!x || !w || x.length !== 4 || w.length !== 4 || x[1] !== w[node.opType === 'Conv' ? 1 : 0]) return undefined;
  // Input channels a multiple of the block, or fewer than one block for a Conv (an RGB stem: onnxruntime's NCHWc
  // conv then reads the input as NCHW).
  const fewInputs = node.opType === 'Conv' && w[1] < block;
  if (w[0] % block !== 0 || (w[1] % block !== 0 && !fewInputs) || (attrInts(node, 'dilations') ?? [1, 1]).some((d) => d !== 1)) return undefined;
  // A model's kernels; not the Conv rule's weight-gradient convs, whose kernel is a whole feature map (unmeasured).
  if (w[2] * w[3] > MAX_TAPS) return undefined;
  const geometry = { x, w, strides: attrInts(node, 'strides') ?? [1, 1], pads: attrInts(node, 'pads') ?? [0, 0, 0, 0], outputPadding: attrInts(node, 'output_padding') ?? [0, 0] };
  if (node.opType === 'ConvTranspose' && !worthSpreading(node, geometry)) return undefined;
  return geometry;
}

/**
 * A ConvTranspose is rewritten only where the kernel is wider than the stride: a 1×1 stride-2 one (a downsampling
 * shortcut's input gradient) is one small GEMM in onnxruntime (0.9 ms for [100, 128, 4, 4] → 64 × 8 × 8) and
 * 5.8 ms as a conv over four times the positions; 3×3 stride 2: 7.6 → 7.1 ms there, 8.7 → 3.8 ms for
 * [100, 256, 2, 2] → 128 × 4 × 4 (bench/scale/nchwc-spread-probe.ts, loaded machine).
 */
function worthSpreading(node: Node, g: Geometry): boolean {
  if ((attrInts(node, 'output_shape') ?? []).length > 0 || transposedPads(g).some((p) => p < 0)) return false;
  return g.w[2] > g.strides[0] && g.w[3] > g.strides[1];
}

/**
 * Pads of the stride-1 conv over the zero-inserted dY (each value followed by s − 1 zeros: length Ho·s), so that it
 * equals ConvTranspose: k − 1 − p before, and after k − 1 − p + output_padding less the s − 1 trailing zeros.
 */
function transposedPads({ w, strides, pads, outputPadding }: Geometry): number[] {
  const before = [0, 1].map((i) => w[2 + i] - 1 - pads[i]);
  return [...before, ...[0, 1].map((i) => before[i] + (pads[i] - pads[2 + i]) + outputPadding[i] - (strides[i] - 1))];
}

/**
 * Conv: W [O, C, kh, kw] in onnxruntime's OIHWBiBo order (MlasReorderFilterOIHWBiBo), or with fewer input channels
 * than a block in its OIHWBo order (MlasReorderFilterOIHWBo) and the input left NCHW: ResNet-18's RGB stem, batch
 * 100 at 32×32, 20.3 → 2.6 ms alone.
 */
function blockedConv(node: Node, g: Geometry, b: number, prefix: string): NodeReplacement {
  const e = new NodeEmitter(prefix);
  const [o, c, kh, kw] = g.w;
  const taps = kh * kw;
  const source = (oi: number, ci: number, t: number): number => (oi * c + ci) * taps + t;
  const few = c < b;
  const weight = gatheredWeight(e, node.inputs[1], g.w, few ? outputBlockedOrder(o, c, taps, b, source) : blockedOrder(o, c, taps, b, source));
  const input = few ? node.inputs[0] : e.op('ReorderInput', [node.inputs[0]], {}, undefined, NCHWC_DOMAIN);
  return blockedConvInto(e, node, input, weight, { kernel_shape: intsAttr([kh, kw]), pads: intsAttr(g.pads), strides: intsAttr(g.strides) }, o);
}

/** ConvTranspose(dY, W [C, O, kh, kw]) as a stride-1 NCHWc conv over zero-inserted dY with W'[o, c] = flip(W[c, o]). */
function blockedTransposedConv(node: Node, g: Geometry, b: number, prefix: string): NodeReplacement {
  const e = new NodeEmitter(prefix);
  const [c, o, kh, kw] = g.w;
  const [n, , ho, wo] = g.x;
  const [sh, sw] = g.strides;
  const taps = kh * kw;
  const flipped = (oi: number, ci: number, t: number): number => (ci * o + oi) * taps + (taps - 1 - t);
  const weight = gatheredWeight(e, node.inputs[1], [o, c, kh, kw], blockedOrder(o, c, taps, b, flipped));
  // Zeros go in after the reorder, between blocks of B contiguous values ([N][C/B][Ho][Wo][B]): onnxruntime's Pad
  // on the NCHW tensor moved one float at a time (5 ms for [100, 128, 4, 4] → 8×8).
  let input = e.op('ReorderInput', [node.inputs[0]], {}, undefined, NCHWC_DOMAIN);
  if (sh > 1 || sw > 1) {
    const cells = e.reshape(input, [(n * c * ho) / b, 1, wo, 1, b]);
    const padded = e.op('Pad', [cells, e.constant('spread_pads', int64Tensor([10], [0, 0, 0, 0, 0, 0, sh - 1, 0, sw - 1, 0]))]);
    input = e.reshape(padded, [n, c, ho * sh, wo * sw]);
  }
  return blockedConvInto(e, node, input, weight, { kernel_shape: intsAttr([kh, kw]), pads: intsAttr(transposedPads(g)), strides: intsAttr([1, 1]) }, o);
}

/** The NCHWc Conv of `input` (blocked, or NCHW below one block of channels) with the node's bias, reordered back into the node's output. */
function blockedConvInto(e: NodeEmitter, node: Node, input: string, weight: string, attributes: Record<string, Attribute>, outChannels: number): NodeReplacement {
  const blocked = e.op('Conv', [input, weight, ...node.inputs.slice(2, 3).filter(Boolean)], attributes, undefined, NCHWC_DOMAIN);
  e.op('ReorderOutput', [blocked], { channels: intAttr(outChannels) }, node.outputs[0], NCHWC_DOMAIN);
  return { nodes: e.nodes, initializers: e.initializers };
}

/**
 * The weight in the order `order` names, by GatherElements: onnxruntime's Gather copies one value at a time
 * (~13 ns each in the step); its GatherElements on the same 1-D operands ran 4–6× faster (20 copies of a
 * 128×128×3×3 reorder in one graph: 0.15 against 0.04 ms each, 256×256×3×3: 0.51 against 0.11).
 */
function gatheredWeight(e: NodeEmitter, weight: string, dims: readonly number[], order: Int32Array): string {
  const flat = e.reshape(weight, [order.length]);
  return e.reshape(e.op('GatherElements', [flat, e.constant('blocked_order', makeTensor('int32', [order.length], order))], { axis: intAttr(0) }), dims);
}

/**
 * For each element of a blocked [O, C, taps] weight, [O/B][C/B][taps][B in][B out], the index of the source
 * element that `source(o, c, tap)` names.
 */
export function blockedOrder(o: number, c: number, taps: number, b: number, source: (o: number, c: number, tap: number) => number): Int32Array {
  const order = new Int32Array(o * c * taps);
  let d = 0;
  for (let ob = 0; ob < o / b; ob++)
    for (let cb = 0; cb < c / b; cb++)
      for (let t = 0; t < taps; t++)
        for (let bi = 0; bi < b; bi++) for (let bo = 0; bo < b; bo++) order[d++] = source(ob * b + bo, cb * b + bi, t);
  return order;
}

/** For each element of an [O, C, taps] weight in [O/B][C][taps][B out] order, the index of its source element. */
export function outputBlockedOrder(o: number, c: number, taps: number, b: number, source: (o: number, c: number, tap: number) => number): Int32Array {
  const order = new Int32Array(o * c * taps);
  let d = 0;
  for (let ob = 0; ob < o / b; ob++) for (let ci = 0; ci < c; ci++) for (let t = 0; t < taps; t++) for (let bo = 0; bo < b; bo++) order[d++] = source(ob * b + bo, ci, t);
  return order;
}
