import { attrInt, int64Tensor, intAttr, intsAttr, makeTensor, Tensor } from '../../onnx/ir';
import { windowGeometry, windowOutputSize } from '../../onnx/conv-geometry';
import { GradientContext, GradientError } from '../../autodiff/rule';
import { sumAllBut } from '../../autodiff/helpers';
import { convPruneIn, convPruneOut } from '../../prune/conv-channels';
import { defineOp } from '../op';
import { conv } from '../reference/conv';
import { need } from '../shape-rules';
import { depthwiseDenseApplies, depthwiseInputGrad } from '../depthwise-input-grad';

export const Conv = defineOp({
  opType: 'Conv',
  scope: 'model',
  signature: {
    inputs: [2, 3],
    attributes: { group: 'int', kernel_shape: 'ints', strides: 'ints', pads: 'ints', dilations: 'ints', auto_pad: 'string' },
  },
  shape: (n, s) => {
    const x = need(s[0], n, 0);
    const w = need(s[1], n, 1);
    const group = attrInt(n, 'group', 1);
    if (x.length < 3 || w.length !== x.length || group < 1 || x[1] !== w[1] * group || w[0] % group !== 0) {
      throw new Error(`node '${n.name}' (Conv): weight [${w.join(', ')}] (group ${group}) does not fit input [${x.join(', ')}]`);
    }
    const bias = n.inputs[2] ? s[2] : undefined;
    if (bias && (bias.length !== 1 || bias[0] !== w[0])) throw new Error(`node '${n.name}' (Conv): bias [${bias.join(', ')}] should be [${w[0]}], one per output channel`);
    const geom = windowGeometry(n, x.slice(2), w.slice(2));
    return [[x[0], w[0], ...windowOutputSize(geom, x.slice(2))]];
  },
  /**
   * dX for stride 1 is a plain Conv over the spatially flipped, in/out-swapped weight (measured faster in ORT
   * than ConvTranspose: 831 vs 970 ms/step on SimpleConvNet), flipped once when the weight is a constant and in the
   * graph when it is fed (training). A strided depthwise conv with a constant weight on a small map multiplies dY by
   * one small matrix per channel (ops/depthwise-input-grad.ts: 2–12× faster than onnxruntime's ConvTranspose on
   * MobileNetV2's and EfficientNet's; their whole mask step at 32×32, batch 100, 2 threads, alternating in one
   * process: 162 → 136 and 265 → 236 CPU ms, bench/strided-dx-step.ts); other strided convs take a ConvTranspose
   * (the stride-1 path's Conv over zero-inserted dY, a polyphase Conv + DepthToSpace and, for 1×1 kernels, the Conv
   * on the small map then the zeros measured slower or mixed on ResNet-18's: bench/strided-dx.ts). dW is a Conv over batch-transposed tensors (group 1).
   * dB sums dY over all but channels.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      if (ctx.needsGrad(0)) ctx.setInputGrad(0, inputGrad(ctx, dy));
      if (ctx.needsGrad(1)) ctx.setInputGrad(1, weightGrad(ctx, dy));
      if (ctx.input(2) && ctx.needsGrad(2)) ctx.setInputGrad(2, sumAllBut(ctx, dy, ctx.shape(ctx.output(0)), 1));
    },
  },
  /** Input channels, output channels and grouped/depthwise convs: prune/conv-channels.ts. */
  prune: { pruneIn: convPruneIn, pruneOut: convPruneOut },
  reference: conv,
});

function geometry(ctx: GradientContext) {
  const x = ctx.shape(ctx.input(0));
  const w = ctx.shape(ctx.input(1));
  return { x, w, y: ctx.shape(ctx.output(0)), group: attrInt(ctx.node, 'group', 1), geom: windowGeometry(ctx.node, x.slice(2), w.slice(2)) };
}

function inputGrad(ctx: GradientContext, dy: string): string {
  const { x, w, y, group, geom } = geometry(ctx);
  const r = x.length - 2;
  const spans = geom.kernel.map((k, i) => (k - 1) * geom.dilations[i] + 1);
  const weight = ctx.constant(ctx.input(1));
  const flippedPads = [...spans.map((s, i) => s - 1 - geom.pads[i]), ...spans.map((s, i) => s - 1 - geom.pads[i + r])];
  const unitStride = geom.strides.every((s) => s === 1);
  if (unitStride && flippedPads.every((p) => p >= 0)) {
    const flipped = weight ? ctx.addConstant('flipped_weight', flipTransposeWeight(weight, group)) : flipTransposeInGraph(ctx, ctx.input(1), w, group);
    return ctx.op('Conv', [dy, flipped], {
      group: intAttr(group),
      pads: intsAttr(flippedPads),
      dilations: intsAttr(geom.dilations),
      strides: intsAttr(new Array<number>(r).fill(1)),
      kernel_shape: intsAttr(w.slice(2)),
    });
  }
  if (weight?.dtype === 'float32' && stridedFormsAllowed() && depthwiseDenseApplies({ x, w, y, group, geom })) {
    return depthwiseInputGrad(ctx, { x, w, y, group, geom }, dy, weight);
  }
  const outputPadding = x.slice(2).map((n, i) => n - (geom.strides[i] * (y[2 + i] - 1) + spans[i] - geom.pads[i] - geom.pads[i + r]));
  if (outputPadding.some((p, i) => p < 0 || p >= Math.max(geom.strides[i], geom.dilations[i]))) {
    throw new GradientError(ctx.node, `input gradient needs output_padding [${outputPadding.join(', ')}], which ConvTranspose cannot express`);
  }
  return ctx.op('ConvTranspose', [dy, ctx.input(1)], {
    group: intAttr(group),
    pads: intsAttr(geom.pads),
    dilations: intsAttr(geom.dilations),
    strides: intsAttr(geom.strides),
    output_padding: intsAttr(outputPadding),
    kernel_shape: intsAttr(w.slice(2)),
  });
}

/** Speed work: BISE_STRIDED_DX=conv-transpose keeps every strided input gradient a ConvTranspose (the rule before). */
function stridedFormsAllowed(): boolean {
  // Read through globalThis: the webview's type check reaches this file and knows no Node globals.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.BISE_STRIDED_DX !== 'conv-transpose';
}

/**
 * flipTransposeWeight as graph ops, for a weight fed at run time (training), where onnxruntime runs this stride-1
 * Conv faster than the ConvTranspose it replaces (training step, batch 100: ResNet-18 212–223 → 205–207 ms,
 * SimpleConvNet 999–1037 → 950–978 ms, alternating runs). Reversing every
 * spatial axis reverses the flattened taps, done as a product with the anti-identity: ~2× faster than a Slice with
 * step −1 on a [512, 512, 3, 3] weight, and exact (each output is one weight times 1 plus zeros).
 */
function flipTransposeInGraph(ctx: GradientContext, weight: string, dims: readonly number[], group: number): string {
  const [m, cg, ...k] = dims;
  const taps = k.reduce((a, b) => a * b, 1);
  const grouped = ctx.op('Reshape', [weight, ctx.addConstant('grouped_shape', int64Tensor([4], [group, m / group, cg, taps]))]);
  const swapped = ctx.op('Transpose', [grouped], { perm: intsAttr([0, 2, 1, 3]) });
  const rows = ctx.op('Reshape', [swapped, ctx.addConstant('rows_shape', int64Tensor([2], [cg * m, taps]))]);
  const reverse = new Float32Array(taps * taps);
  for (let t = 0; t < taps; t++) reverse[t * taps + (taps - 1 - t)] = 1;
  const flipped = ctx.op('MatMul', [rows, ctx.addConstant('reverse_taps', makeTensor('float32', [taps, taps], reverse))]);
  return ctx.op('Reshape', [flipped, ctx.addConstant('flipped_shape', int64Tensor([2 + k.length], [cg * group, m / group, ...k]))]);
}

/** W [M, C/G, k…] -> W' [C, M/G, k…] with W'[g·Cg + c, m] = flip(W[g·Mg + m, c]). */
export function flipTransposeWeight(w: Tensor, group: number): Tensor {
  const [m, cg, ...k] = w.dims;
  const kk = k.reduce((a, b) => a * b, 1);
  const mg = m / group;
  const src = w.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let g = 0; g < group; g++) {
    for (let mi = 0; mi < mg; mi++) {
      for (let c = 0; c < cg; c++) {
        const from = ((g * mg + mi) * cg + c) * kk;
        const to = ((g * cg + c) * mg + mi) * kk;
        // Reversing every spatial coordinate of a row-major block reverses its flat order.
        for (let s = 0; s < kk; s++) out[to + s] = src[from + kk - 1 - s];
      }
    }
  }
  return makeTensor('float32', [cg * group, mg, ...k], out);
}

function weightGrad(ctx: GradientContext, dy: string): string {
  const { x, w, group, geom } = geometry(ctx);
  if (group !== 1) throw new GradientError(ctx.node, 'weight gradients of grouped convolutions are not supported yet');
  const r = x.length - 2;
  const swap01 = intsAttr([1, 0, ...Array.from({ length: r }, (_, i) => i + 2)]);
  const xt = ctx.op('Transpose', [ctx.input(0)], { perm: swap01 });
  const dyt = ctx.op('Transpose', [dy], { perm: swap01 });
  // Sum over batch as the conv's input channels: stride and dilation trade places.
  const corr = ctx.op('Conv', [xt, dyt], { strides: intsAttr(geom.dilations), dilations: intsAttr(geom.strides), pads: intsAttr(geom.pads) });
  const k = w.slice(2);
  const axes = Array.from({ length: r }, (_, i) => i + 2);
  const cropped = ctx.op('Slice', [
    corr,
    ctx.addConstant('starts', int64Tensor([r], new Array<number>(r).fill(0))),
    ctx.addConstant('ends', int64Tensor([r], k)),
    ctx.addConstant('axes', int64Tensor([r], axes)),
  ]);
  return ctx.op('Transpose', [cropped], { perm: swap01 });
}
