/**
 * The weight gradient of a conv as one GEMM over the input's patches, in the weight-training backward graphs. The
 * Conv gradient rule (ops/defs/Conv.ts) emits dW as a conv over batch-transposed tensors,
 *
 *   dW = Transpose(Slice(Conv(Transpose(X), Transpose(dY))))      (batch as channels, dY's map as the kernel)
 *
 * which onnxruntime runs one "image" (input channel) at a time with thin products. Here, instead:
 *
 *   patches [N·Ho·Wo, (kh, kw, C)] = Gather of Pad(X as NHWC)'s C-long rows at each (position, tap)
 *   dW = reshape(Transpose(dY) as [M, N·Ho·Wo] · patches) → [M, C, kh, kw]
 *
 * one GEMM with the batch and positions as its long inner axis. ResNet-18's 3×3 weight gradients at batch 100, one
 * thread, process CPU time: 64→64 on 8×8 11.1 → 8.5 ms, 128→128 on 4×4 10.3 → 7.4 ms, 64→64 on 16×16 57 → 37 ms.
 * The patches were kh·kw strided Slices and a Concat before; one Gather of rows took ResNet-18's training step from
 * 136.3 / 136.9 to 134.1 / 110.4 ms of kernel time (two profiles each, idle machine).
 * Same sums in another order: equal up to float32 rounding.
 */
import { Graph, attrInt, attrInts, intAttr, int64Tensor, intsAttr } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { NodeEmitter } from './node-emitter';
import { NodeReplacement, RewrittenGraph, replaceNodes, withoutDeadNodes } from './rewrite-nodes';

/** Beyond this the patches (kh·kw copies of the input) are not built and the conv stays. */
export const MAX_PATCH_BYTES = 256 * 2 ** 20;

/**
 * Below this many input channels the conv stays: a patch row is kh·kw runs of C values, and with C = 3 (an RGB
 * stem) the Concat that builds them moves 12-byte pieces (SimpleConvNet's 7×7 stem: 15 → 37+ ms).
 */
export const MIN_CHANNELS = 16;

const SWAP01 = [1, 0, 2, 3];

export function weightGradientsAsGemms(backward: Graph, shapes: ShapeMap): RewrittenGraph {
  const producer = new Map(backward.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const readers = new Map<string, number>();
  for (const n of backward.nodes) for (const i of n.inputs) if (i) readers.set(i, (readers.get(i) ?? 0) + 1);
  const onlyReader = (tensor: string): boolean => readers.get(tensor) === 1 && !backward.outputs.some((o) => o.name === tensor);
  const swapped = (tensor: string): string | undefined => {
    const t = producer.get(tensor);
    return t && t.opType === 'Transpose' && sameInts(attrInts(t, 'perm'), SWAP01) ? t.inputs[0] : undefined;
  };
  const rewritten = replaceNodes(backward, (node, index) => {
    // The last Transpose of the pattern, reading a Slice of the batch-transposed Conv.
    if (node.opType !== 'Transpose' || !sameInts(attrInts(node, 'perm'), SWAP01)) return undefined;
    const slice = producer.get(node.inputs[0]);
    const conv = slice?.opType === 'Slice' ? producer.get(slice.inputs[0]) : undefined;
    if (!slice || !conv || conv.opType !== 'Conv' || conv.domain !== '' || !onlyReader(slice.outputs[0]) || !onlyReader(conv.outputs[0])) return undefined;
    const [x, dy] = [swapped(conv.inputs[0]), swapped(conv.inputs[1])];
    const [xDims, dyDims, dwDims] = [x && shapes.get(x), dy && shapes.get(dy), shapes.get(node.outputs[0])];
    if (!x || !dy || conv.inputs[2] || !xDims || !dyDims || !dwDims || xDims.length !== 4 || attrInt(conv, 'group', 1) !== 1) return undefined;
    // The rule's crop keeps the first kh × kw correlations: starts at 0, no steps.
    const starts = backward.initializers.get(slice.inputs[1]);
    if (!starts || slice.inputs.length > 4 || Array.from(starts.data as BigInt64Array | Int32Array, Number).some((v) => v !== 0)) return undefined;
    // In the pattern the conv's dilations are the forward strides, its strides the forward dilations (1 here).
    const strides = attrInts(conv, 'dilations') ?? [1, 1];
    const pads = attrInts(conv, 'pads') ?? [0, 0, 0, 0];
    if ((attrInts(conv, 'strides') ?? [1, 1]).some((s) => s !== 1) || conv.attributes.auto_pad) return undefined;
    const [n, c] = xDims;
    const [, m, ho, wo] = dyDims;
    const [kh, kw] = dwDims.slice(2);
    if (c < MIN_CHANNELS || n * ho * wo * kh * kw * c * 4 > MAX_PATCH_BYTES) return undefined;
    return patchGemm({ x, dy, dw: node.outputs[0], n, c, m, ho, wo, kh, kw, strides, pads, paddedHeight: xDims[2] + pads[0] + pads[2], paddedWidth: xDims[3] + pads[1] + pads[3] }, `wgrad${index}`);
  });
  return rewritten.replaced.length === 0 ? rewritten : { ...rewritten, graph: withoutDeadNodes(rewritten.graph) };
}

interface PatchGemm {
  readonly x: string;
  readonly dy: string;
  readonly dw: string;
  readonly n: number;
  readonly c: number;
  readonly m: number;
  readonly ho: number;
  readonly wo: number;
  readonly kh: number;
  readonly kw: number;
  readonly strides: readonly number[];
  readonly pads: readonly number[];
  /** The input's height and width once padded. */
  readonly paddedHeight: number;
  readonly paddedWidth: number;
}

function patchGemm(p: PatchGemm, prefix: string): NodeReplacement {
  const emit = new NodeEmitter(prefix);
  const ints = (what: string, values: readonly number[]): string => emit.constant(what, int64Tensor([values.length], values));
  const [sh, sw] = p.strides;
  const [top, left, bottom, right] = p.pads;
  const padded = emit.op('Pad', [emit.op('Transpose', [p.x], { perm: intsAttr([0, 2, 3, 1]) }), ints('pads', [0, top, left, 0, 0, bottom, right, 0])]);
  const positions: number[] = [];
  for (let yo = 0; yo < p.ho; yo++)
    for (let xo = 0; xo < p.wo; xo++)
      for (let u = 0; u < p.kh; u++) for (let v = 0; v < p.kw; v++) positions.push((yo * sh + u) * p.paddedWidth + xo * sw + v);
  // Row (position, tap) of the patches is row (yo·sh + u, xo·sw + v) of the padded input, flattened to [N, H·W, C].
  const rowsOf = emit.reshape(padded, [p.n, p.paddedHeight * p.paddedWidth, p.c]);
  const patches = emit.reshape(emit.op('Gather', [rowsOf, emit.constant('patch_positions', int64Tensor([positions.length], positions))], { axis: intAttr(1) }), [p.n * p.ho * p.wo, p.kh * p.kw * p.c]);
  const rows = emit.reshape(emit.op('Transpose', [p.dy], { perm: intsAttr(SWAP01) }), [p.m, p.n * p.ho * p.wo]);
  const perTap = emit.reshape(emit.op('MatMul', [rows, patches]), [p.m, p.kh * p.kw, p.c]);
  emit.reshape(emit.op('Transpose', [perTap], { perm: intsAttr([0, 2, 1]) }), [p.m, p.c, p.kh, p.kw], p.dw);
  return { nodes: emit.nodes, initializers: emit.initializers };
}

function sameInts(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return !!a && a.length === b.length && a.every((v, i) => v === b[i]);
}
