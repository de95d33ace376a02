import { attrInt, attrInts, attrString, int64Tensor, intAttr, intsAttr } from '../../onnx/ir';
import { WindowGeometry, windowGeometry, windowOutputSize } from '../../onnx/conv-geometry';
import { GradientContext, GradientError } from '../../autodiff/rule';
import { sumAllBut } from '../../autodiff/helpers';
import { isPruned } from '../../prune/channel-map';
import { PruneContext } from '../../prune/rule';
import { takeAlongAxis } from '../../prune/tensor-ops';
import { identityFor, requireChannelAxis1 } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { convTranspose } from '../reference/conv';
import { need } from '../shape-rules';

export const ConvTranspose = defineOp({
  opType: 'ConvTranspose',
  scope: 'model',
  signature: {
    inputs: [2, 3],
    attributes: { group: 'int', kernel_shape: 'ints', strides: 'ints', pads: 'ints', dilations: 'ints', output_padding: 'ints', output_shape: 'ints', auto_pad: 'string' },
  },
  shape: (n, s) => {
    const x = need(s[0], n, 0);
    const w = need(s[1], n, 1);
    const group = attrInt(n, 'group', 1);
    if (x.length < 3 || w.length !== x.length || group < 1 || w[0] !== x[1] || x[1] % group !== 0) {
      throw new Error(`node '${n.name}' (ConvTranspose): weight [${w.join(', ')}] (group ${group}) does not fit input [${x.join(', ')}]; the weight is [C, M/group, k…]`);
    }
    const bias = n.inputs[2] ? s[2] : undefined;
    if (bias && (bias.length !== 1 || bias[0] !== w[1] * group)) throw new Error(`node '${n.name}' (ConvTranspose): bias [${bias.join(', ')}] should be [${w[1] * group}], one per output channel`);
    const autoPad = attrString(n, 'auto_pad', 'NOTSET');
    if (autoPad !== 'NOTSET' && autoPad !== 'VALID') {
      throw new Error(`node '${n.name}' (ConvTranspose): auto_pad '${autoPad}' is not supported; export it with explicit pads (and output_padding)`);
    }
    const r = x.length - 2;
    const strides = attrInts(n, 'strides') ?? new Array<number>(r).fill(1);
    const dil = attrInts(n, 'dilations') ?? new Array<number>(r).fill(1);
    const pads = autoPad === 'VALID' ? new Array<number>(2 * r).fill(0) : (attrInts(n, 'pads') ?? new Array<number>(2 * r).fill(0));
    const outPad = attrInts(n, 'output_padding') ?? new Array<number>(r).fill(0);
    if (strides.length !== r || dil.length !== r || pads.length !== 2 * r || outPad.length !== r) {
      throw new Error(`node '${n.name}' (ConvTranspose): strides/dilations/pads/output_padding do not match ${r} spatial dimensions`);
    }
    const explicit = attrInts(n, 'output_shape');
    if (explicit) return [[x[0], w[1] * group, ...explicit]];
    const spatial = x.slice(2).map((d, i) => strides[i] * (d - 1) + outPad[i] + (w[2 + i] - 1) * dil[i] + 1 - pads[i] - pads[i + r]);
    return [[x[0], w[1] * group, ...spatial]];
  },
  /**
   * ConvTranspose is the adjoint of a Conv with the same weight and geometry, so dX = Conv(dY, W) with the same
   * strides, pads, dilations and group (output_padding < stride, as onnxruntime requires). dW (group 1)
   * correlates dY with X: the Conv weight-gradient construction with input and output trading places. dB sums dY
   * over all axes but channels. Any number of spatial axes (1-d, 2-d, 3-d).
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      const setup = geometry(ctx);
      if (ctx.needsGrad(0)) ctx.setInputGrad(0, inputGrad(ctx, dy, setup));
      if (ctx.needsGrad(1)) ctx.setInputGrad(1, weightGrad(ctx, dy, setup));
      if (ctx.input(2) && ctx.needsGrad(2)) ctx.setInputGrad(2, sumAllBut(ctx, dy, setup.y, 1));
    },
  },
  /** W is [C, M/group, k…], B is [M]: input channels are W[i], output channels W[:, o] and B[o] (group 1 only). */
  prune: {
    pruneIn(ctx: PruneContext) {
      const map = ctx.inputMap(0);
      requireChannelAxis1(ctx);
      if (isPruned(map)) {
        const group = attrInt(ctx.node, 'group', 1);
        if (group !== 1) ctx.fail(`it is a grouped transposed convolution (group=${group}) and its input lost channels; keep every unit of the group that feeds it`);
        ctx.setConstant(1, takeAlongAxis(ctx.requireConstant(1, 'its weight'), 0, map.kept));
      }
      return [identityFor(ctx.outputShape(0))];
    },
    pruneOut(ctx: PruneContext, keep: readonly number[]) {
      const group = attrInt(ctx.node, 'group', 1);
      if (group !== 1) ctx.fail(`removing output channels of grouped transposed convolutions (group=${group}) is not supported`);
      if (ctx.node.attributes.output_shape !== undefined) ctx.fail('an explicit output_shape is not supported with pruned output channels');
      ctx.setConstant(1, takeAlongAxis(ctx.requireConstant(1, 'its weight'), 1, keep));
      if (ctx.node.inputs[2]) ctx.setConstant(2, takeAlongAxis(ctx.requireConstant(2, 'its bias'), 0, keep));
    },
  },
  reference: convTranspose,
});

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
