import { Tensor, TensorArray, int64Tensor, makeTensor } from '../../onnx/ir';
import { GradientContext } from '../../autodiff/rule';
import { reshapeTo } from '../../autodiff/helpers';
import { ChannelMap, describeMap, isPruned } from '../../prune/channel-map';
import { PruneContext } from '../../prune/rule';
import { identityFor } from '../../prune/channel-rules';
import { intInputFromConstants, intInputFromLookup } from '../constant-inputs';
import { defineOp } from '../op';
import { slice } from '../reference/layout';
import { need } from '../shape-rules';
import { SLICE_INPUTS, SlicedAxis, slicedAxes, slicedShape } from '../slicing';

const what = (i: number): string => SLICE_INPUTS[i];

export const Slice = defineOp({
  opType: 'Slice',
  scope: 'model',
  signature: { inputs: [3, 5] },
  shape: (n, s, constants) => {
    const x = need(s[0], n, 0);
    return [slicedShape(x, slicedAxes(n, x, intInputFromConstants(n, constants, what)))];
  },
  /**
   * dX is dY put back in place with zeros around it: a Pad (negative pads crop where a strided slice's last
   * window overhangs). Strided axes are first spread out (each element followed by step − 1 zeros: a size-1 axis
   * padded to `step` and merged), reversed axes are reversed back. One Pad beats ScatterElements into zeros,
   * which needs an index tensor as large as dY and ran 2–4× slower in onnxruntime ([32, 32, 56, 56] into
   * [32, 64, 56, 56], 2 threads: 16–47 vs 45–107 ms on a shared machine); a Concat with zero blocks ran as fast as
   * the Pad but needs a zeros tensor per padded side and axis.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      ctx.setInputGrad(0, sliceGradient(ctx, dy));
    },
  },
  /**
   * Along the channel axis (axis 1, or wherever the input's pruned channels are) the output carries the sliced
   * sub-range of the input's map (output channel j is input channel start + j·step), and the node's start, end and
   * step for that axis are rewritten to the kept channels' positions in the pruned tensor (refused when those are
   * not evenly spaced, which only happens with |step| > 1). Starts and ends computed from the input's shape
   * (ShuffleNet's x.chunk(2, dim=1)) are replaced by constants. Along other axes the channels pass through.
   */
  prune: {
    pruneIn(ctx) {
      const map = ctx.inputMap(0);
      if (!isPruned(map)) return [identityFor(ctx.outputShape(0))];
      const axes = slicedAxes(ctx.node, ctx.inputShape(0), intInputFromLookup(ctx.node, (i) => ctx.constant(i) ?? ctx.batchFreeConstant(i), what));
      const k = axes.findIndex((a) => a.axis === map.axis);
      return k < 0 ? [map] : [pruneChannelSlice(ctx, map, axes[k], k)];
    },
  },
  reference: slice,
});

function sliceGradient(ctx: GradientContext, dy: string): string {
  const x = ctx.shape(ctx.input(0));
  const ints = intInputFromLookup(ctx.node, (i) => ctx.constant(ctx.input(i)), what);
  const axes = slicedAxes(ctx.node, x, ints);
  if (axes.some((a) => a.count === 0)) {
    // Nothing was read: the gradient is zero everywhere.
    const zero = { type: 'tensor' as const, value: makeTensor('float32', [1], Float32Array.of(0)) };
    return ctx.op('ConstantOfShape', [ctx.addConstant('zeros_shape', int64Tensor([x.length], x))], { value: zero });
  }
  let g = dy;
  let dims = ctx.shape(ctx.output(0));
  // A reversed axis reads start, start − s, …: reversed back it is a forward slice from its last element.
  const reversed = axes.filter((a) => a.step < 0);
  if (reversed.length > 0) {
    const ends = reversed.map((a) => -(a.count + 1));
    g = ctx.op('Slice', [
      g,
      ctx.addConstant('starts', int64Tensor([reversed.length], reversed.map(() => -1))),
      ctx.addConstant('ends', int64Tensor([reversed.length], ends)),
      ctx.addConstant('axes', int64Tensor([reversed.length], reversed.map((a) => a.axis))),
      ctx.addConstant('steps', int64Tensor([reversed.length], reversed.map(() => -1))),
    ]);
  }
  const forward = axes.map((a) => (a.step > 0 ? a : { ...a, start: a.start + (a.count - 1) * a.step, step: -a.step }));
  const strided = forward.filter((a) => a.step > 1);
  if (strided.length > 0) {
    // [.., m, ..] -> [.., m, 1, ..] -> pad to [.., m, step, ..] -> [.., m·step, ..]: element j lands at j·step.
    const split = dims.flatMap((d, i) => (strided.some((a) => a.axis === i) ? [d, 1] : [d]));
    const pads = new Array<number>(2 * split.length).fill(0);
    let at = 0;
    dims.forEach((_, i) => {
      const a = strided.find((s) => s.axis === i);
      if (a) pads[split.length + at + 1] = a.step - 1;
      at += a ? 2 : 1;
    });
    const spread = ctx.op('Pad', [reshapeTo(ctx, g, split), ctx.addConstant('pads', int64Tensor([pads.length], pads))]);
    dims = dims.map((d, i) => d * (strided.find((a) => a.axis === i)?.step ?? 1));
    g = reshapeTo(ctx, spread, dims);
  }
  const begin = x.map((_, i) => forward.find((a) => a.axis === i)?.start ?? 0);
  const end = x.map((d, i) => d - begin[i] - dims[i]);
  return ctx.op('Pad', [g, ctx.addConstant('pads', int64Tensor([2 * x.length], [...begin, ...end]))]);
}

/** Slice along a pruned channel axis: the output's map, with the node's entry k of starts/ends/steps rewritten. */
function pruneChannelSlice(ctx: PruneContext, map: ChannelMap, a: SlicedAxis, k: number): ChannelMap {
  const position = new Map(map.kept.map((c, p) => [c, p]));
  const kept: number[] = [];
  const positions: number[] = [];
  for (let j = 0; j < a.count; j++) {
    const p = position.get(a.start + j * a.step);
    if (p === undefined) continue;
    kept.push(j);
    positions.push(p);
  }
  const channels = `channels ${a.start} to ${a.start + (a.count - 1) * a.step}${a.step !== 1 ? ` in steps of ${a.step}` : ''}`;
  if (positions.length === 0 && a.count > 0) {
    ctx.fail(`it takes ${channels} of '${ctx.node.inputs[0]}', which ${describeMap(map)} and none of those; keep at least one unit there`);
  }
  const step = positions.length > 1 ? positions[1] - positions[0] : Math.sign(a.step);
  if (positions.some((p, i) => i > 0 && p - positions[i - 1] !== step)) {
    ctx.fail(`it takes ${channels} of '${ctx.node.inputs[0]}', and the kept ones among them are not evenly spaced after pruning, which a Slice cannot express; keep every unit of the group that feeds it`);
  }
  if (a.count > 0) {
    const last = positions[positions.length - 1] + step;
    // A negative end counts from the back: below −size it means "through the first element".
    const end = last < 0 ? -(map.kept.length + 1) : last;
    ctx.setConstant(1, withEntry(ctx.constant(1) ?? ctx.batchFreeConstant(1) ?? ctx.requireConstant(1, 'its starts'), k, positions[0]));
    ctx.setConstant(2, withEntry(ctx.constant(2) ?? ctx.batchFreeConstant(2) ?? ctx.requireConstant(2, 'its ends'), k, end));
    if (step !== a.step) {
      if (!ctx.node.inputs[4]) ctx.fail('it needs a new step along the channel axis, but has no steps input to hold it');
      ctx.setConstant(4, withEntry(ctx.constant(4) ?? ctx.batchFreeConstant(4) ?? ctx.requireConstant(4, 'its steps'), k, step));
    }
  }
  return { size: a.count, kept, axis: map.axis };
}

/** A copy of an int32 / int64 vector with entry k replaced. */
function withEntry(t: Tensor, k: number, value: number): Tensor {
  const data = t.data.slice() as TensorArray;
  if (data instanceof BigInt64Array) data[k] = BigInt(value);
  else (data as Int32Array)[k] = value;
  return makeTensor(t.dtype, t.dims, data);
}
