import { Node, Tensor, attrFloat, int64Tensor, intAttr } from '../../onnx/ir';
import { GradientContext } from '../../autodiff/rule';
import { reshapeTo } from '../../autodiff/helpers';
import { describeMap, isPruned } from '../../prune/channel-map';
import { identityFor } from '../../prune/channel-rules';
import { intInputFromConstants, intInputFromLookup } from '../constant-inputs';
import { defineOp } from '../op';
import { PAD_INPUTS, PadGeometry, PaddedAxis, padGeometry, paddedShape } from '../padding';
import { pad } from '../reference/layout';
import { need } from '../shape-rules';

const what = (i: number): string => PAD_INPUTS[i];

export const Pad = defineOp({
  opType: 'Pad',
  scope: 'model',
  signature: { inputs: [1, 4], attributes: { mode: 'string', pads: 'ints', value: 'float' } },
  shape: (n, s, constants) => [paddedShape(padGeometry(n, need(s[0], n, 0), intInputFromConstants(n, constants, what)))],
  /**
   * Constant mode: dX is the part of dY that came from X, a Slice (or, when the pads also crop, a Pad with the
   * pads negated, which crops what was padded and puts zeros where X was cropped). Reflect and edge modes also
   * send the border's gradient to the elements it copied, axis by axis: reflect adds the border, reversed, next
   * to the edge; edge adds its sum to the edge element. The fill value's gradient is what dY has outside X.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      const geometry = padGeometry(ctx.node, ctx.shape(ctx.input(0)), intInputFromLookup(ctx.node, (i) => ctx.constant(ctx.input(i)), what));
      const dx = geometry.mode === 'constant' ? constantModeGrad(ctx, dy, geometry) : copyModeGrad(ctx, dy, geometry);
      if (ctx.needsGrad(0)) ctx.setInputGrad(0, dx);
      if (ctx.input(2) && ctx.needsGrad(2)) {
        const total = (t: string): string => ctx.op('ReduceSum', [t], { keepdims: intAttr(0) });
        ctx.setInputGrad(2, reshapeTo(ctx, ctx.op('Sub', [total(dy), total(dx)]), ctx.shape(ctx.input(2))));
      }
    },
  },
  /**
   * Padding other axes keeps the channels where they are. Padding (or cropping) the channel axis of a pruned
   * tensor is refused; so is a non-zero fill value, which would make the pruned channels non-zero in the gated model.
   */
  prune: {
    pruneIn(ctx) {
      const map = ctx.inputMap(0);
      if (!isPruned(map)) return [identityFor(ctx.outputShape(0))];
      const geometry = padGeometry(ctx.node, ctx.inputShape(0), intInputFromLookup(ctx.node, (i) => ctx.constant(i), what));
      const c = geometry.axes[map.axis];
      if (c.begin || c.end || c.cropBegin || c.cropEnd) {
        ctx.fail(
          `it pads the channel axis ${map.axis} of '${ctx.node.inputs[0]}' (pads [${geometry.pads.join(', ')}]), which ${describeMap(map)}; ` +
            'padding or cropping pruned channels is not supported, so keep every unit of the group that feeds it',
        );
      }
      const pads = geometry.axes.some((a) => a.begin > 0 || a.end > 0);
      const fill = geometry.mode === 'constant' && pads ? fillValue(ctx.node, ctx.constant(2), () => ctx.requireConstant(2, 'its constant_value')) : 0;
      if (fill !== 0) {
        ctx.fail(
          `it pads '${ctx.node.inputs[0]}' (which ${describeMap(map)}) with the value ${fill}; the removed channels would hold ${fill} on the border in the ` +
            'model this one must equal, so keep every unit of the group that feeds it',
        );
      }
      return [map];
    },
  },
  reference: pad,
});

function fillValue(node: Node, given: Tensor | undefined, require: () => Tensor): number {
  if (!node.inputs[2]) return attrFloat(node, 'value', 0);
  return Number((given ?? require()).data[0]);
}

function constantModeGrad(ctx: GradientContext, dy: string, geometry: PadGeometry): string {
  const axes = geometry.axes;
  if (axes.every((a) => a.cropBegin === 0 && a.cropEnd === 0)) {
    const padded = axes.map((a, i) => ({ a, i })).filter(({ a }) => a.begin > 0 || a.end > 0);
    if (padded.length === 0) return dy;
    return ctx.op('Slice', [
      dy,
      ctx.addConstant('starts', int64Tensor([padded.length], padded.map(({ a }) => a.begin))),
      ctx.addConstant('ends', int64Tensor([padded.length], padded.map(({ a }) => a.begin + a.kept))),
      ctx.addConstant('axes', int64Tensor([padded.length], padded.map(({ i }) => i))),
    ]);
  }
  const negated = [...axes.map((a) => a.cropBegin - a.begin), ...axes.map((a) => a.cropEnd - a.end)];
  return ctx.op('Pad', [dy, ctx.addConstant('pads', int64Tensor([negated.length], negated))]);
}

function copyModeGrad(ctx: GradientContext, dy: string, geometry: PadGeometry): string {
  let g = dy;
  geometry.axes.forEach((a, axis) => {
    if (a.begin > 0 || a.end > 0) g = foldBorder(ctx, g, axis, a, geometry.mode === 'reflect');
  });
  const axes = geometry.axes;
  if (axes.every((a) => a.cropBegin === 0 && a.cropEnd === 0)) return g;
  const zeros = [...axes.map((a) => a.cropBegin), ...axes.map((a) => a.cropEnd)];
  return ctx.op('Pad', [g, ctx.addConstant('pads', int64Tensor([zeros.length], zeros))]);
}

/** Along `axis`: from length begin + kept + end back to kept, each border position's gradient added to its source. */
function foldBorder(ctx: GradientContext, g: string, axis: number, a: PaddedAxis, reflect: boolean): string {
  const ints = (hint: string, values: readonly number[]): string => ctx.addConstant(hint, int64Tensor([values.length], values));
  const along = ints('axes', [axis]);
  const slice = (start: number, end: number, step = 1): string => ctx.op('Slice', [g, ints('starts', [start]), ints('ends', [end]), along, ints('steps', [step])]);
  const placed = (t: string, before: number, after: number): string => {
    const pads = new Array<number>(2 * ctx.shape(ctx.input(0)).length).fill(0);
    pads[axis] = before;
    pads[pads.length / 2 + axis] = after;
    return ctx.op('Pad', [t, ctx.addConstant('pads', int64Tensor([pads.length], pads))]);
  };
  const m = a.kept;
  const parts = [slice(a.begin, a.begin + m)];
  if (reflect) {
    // Border position begin − 1 − i copied element i + 1; after the data, position begin + m + i copied m − 2 − i.
    if (a.begin > 0) parts.push(placed(slice(a.begin - 1, -(a.begin + m + a.end + 1), -1), 1, m - 1 - a.begin));
    if (a.end > 0) parts.push(placed(slice(a.begin + m + a.end - 1, a.begin + m - 1, -1), m - 1 - a.end, 1));
  } else {
    const sum = (t: string): string => ctx.op('ReduceSum', [t, along], { keepdims: intAttr(1) });
    if (a.begin > 0) parts.push(placed(sum(slice(0, a.begin)), 0, m - 1));
    if (a.end > 0) parts.push(placed(sum(slice(a.begin + m, a.begin + m + a.end)), m - 1, 0));
  }
  return parts.length === 1 ? parts[0] : ctx.op('Sum', parts);
}
