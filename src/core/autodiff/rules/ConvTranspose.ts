import { attrInt, attrInts, attrString, int64Tensor, intAttr, intsAttr } from '../../onnx/ir';
import { WindowGeometry, windowGeometry, windowOutputSize } from '../../onnx/conv-geometry';
import { GradientContext, GradientError, GradientRule } from '../rule';
import { sumAllBut } from '../helpers';

/**
 * ConvTranspose is the adjoint of a Conv with the same weight and geometry, so dX = Conv(dY, W) with the same
 * strides, pads, dilations and group (output_padding < stride, as onnxruntime requires). dW (group 1)
 * correlates dY with X: the Conv weight-gradient construction with input and output trading places. dB sums dY
 * over all axes but channels.
 */
export const ConvTranspose: GradientRule = {
  opType: 'ConvTranspose',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy) return;
    const setup = geometry(ctx);
    if (ctx.needsGrad(0)) ctx.setInputGrad(0, inputGrad(ctx, dy, setup));
    if (ctx.needsGrad(1)) ctx.setInputGrad(1, weightGrad(ctx, dy, setup));
    if (ctx.input(2) && ctx.needsGrad(2)) ctx.setInputGrad(2, sumAllBut(ctx, dy, setup.y, 1));
  },
};

interface Setup {
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly y: readonly number[];
  readonly group: number;
  readonly geom: WindowGeometry;
}

function geometry(ctx: GradientContext): Setup {
  const { node } = ctx;
  if (attrInts(node, 'output_shape')) throw new GradientError(node, 'the output_shape attribute is not supported; give explicit pads and output_padding');
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw new GradientError(node, `auto_pad '${autoPad}' is not supported; give explicit pads`);
  const x = ctx.shape(ctx.input(0));
  const w = ctx.shape(ctx.input(1));
  return { x, w, y: ctx.shape(ctx.output(0)), group: attrInt(node, 'group', 1), geom: windowGeometry(node, x.slice(2), w.slice(2)) };
}

function spatialAxes(r: number): number[] {
  return Array.from({ length: r }, (_, i) => i + 2);
}

/** Keep the first `sizes` entries of the spatial axes (the correlation may overshoot the kernel size). */
function cropSpatial(ctx: GradientContext, tensor: string, sizes: readonly number[]): string {
  const r = sizes.length;
  return ctx.op('Slice', [
    tensor,
    ctx.addConstant('starts', int64Tensor([r], new Array<number>(r).fill(0))),
    ctx.addConstant('ends', int64Tensor([r], sizes)),
    ctx.addConstant('axes', int64Tensor([r], spatialAxes(r))),
  ]);
}

function inputGrad(ctx: GradientContext, dy: string, { x, w, y, group, geom }: Setup): string {
  const convSpatial = windowOutputSize(geom, y.slice(2));
  if (convSpatial.some((n, i) => n !== x[2 + i])) {
    throw new GradientError(ctx.node, `output_padding must be smaller than the strides [${geom.strides.join(', ')}]`);
  }
  return ctx.op('Conv', [dy, ctx.input(1)], {
    group: intAttr(group),
    strides: intsAttr(geom.strides),
    dilations: intsAttr(geom.dilations),
    pads: intsAttr(geom.pads),
    kernel_shape: intsAttr(w.slice(2)),
  });
}

/** dW[ci, co, k] = Σ_{n, p} X[n, ci, p] · dY[n, co, p·stride + k·dilation − pad_begin]. */
function weightGrad(ctx: GradientContext, dy: string, { x, w, group, geom }: Setup): string {
  if (group !== 1) throw new GradientError(ctx.node, 'weight gradients of grouped transposed convolutions are not supported');
  const r = x.length - 2;
  const swap01 = intsAttr([1, 0, ...spatialAxes(r)]);
  const dyt = ctx.op('Transpose', [dy], { perm: swap01 });
  const xt = ctx.op('Transpose', [ctx.input(0)], { perm: swap01 });
  // Batch plays the channels; stride and dilation trade places. Yields [C_out, C_in, ≥k…].
  const corr = ctx.op('Conv', [dyt, xt], { strides: intsAttr(geom.dilations), dilations: intsAttr(geom.strides), pads: intsAttr(geom.pads) });
  return ctx.op('Transpose', [cropSpatial(ctx, corr, w.slice(2))], { perm: swap01 });
}
