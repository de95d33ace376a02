/**
 * What ReduceSum, ReduceMean, ReduceMax and ReduceL2 share: which axes they reduce (the `axes` attribute up to
 * opset 17, an input from opset 18 and, for ReduceSum, from opset 13; absent or empty means every axis unless
 * noop_with_empty_axes = 1), their output shape (keepdims), their signature, and their channel rule. A noop
 * ReduceL2 still takes √(x²) elementwise, as onnxruntime computes it (|x|, where the spec says x).
 */
import { Node, attrInt, attrInts } from '../onnx/ir';
import { GradientContext } from '../autodiff/rule';
import { reshapeTo } from '../autodiff/helpers';
import { describeMap, isPruned } from '../prune/channel-map';
import { PruneContext } from '../prune/rule';
import { shifted } from '../prune/channel-rules';
import { IntInput, intInputFromConstants, intInputFromLookup } from './constant-inputs';
import { OpSignature, PruneFacet, ShapeRule } from './op';
import { need } from './shape-rules';

export const REDUCTION_SIGNATURE: OpSignature = {
  inputs: [1, 2],
  attributes: { axes: 'ints', keepdims: 'int', noop_with_empty_axes: 'int' },
  flags: ['keepdims', 'noop_with_empty_axes'],
};

const what = (): string => 'axes';

/** The reduced axes, ascending; empty when the node reduces nothing (noop_with_empty_axes with no axes). */
export function reducedAxes(node: Node, rank: number, ints: IntInput): number[] {
  const given = ints(1) ?? attrInts(node, 'axes') ?? [];
  if (given.length === 0) return attrInt(node, 'noop_with_empty_axes', 0) === 1 ? [] : Array.from({ length: rank }, (_, i) => i);
  const axes = given.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) throw new Error(`node '${node.name}' (${node.opType}): axis ${a} is out of range for a ${rank}-dimensional input`);
    return a < 0 ? a + rank : a;
  });
  if (new Set(axes).size !== axes.length) throw new Error(`node '${node.name}' (${node.opType}): axes [${given.join(', ')}] lists an axis twice`);
  return axes.sort((a, b) => a - b);
}

export function keepsDims(node: Node): boolean {
  return attrInt(node, 'keepdims', 1) === 1;
}

/** The input's shape with the reduced axes set to 1 (the output's shape under keepdims = 1). */
export function keptShape(dims: readonly number[], axes: readonly number[]): number[] {
  return dims.map((d, i) => (axes.includes(i) ? 1 : d));
}

export function reducedShape(node: Node, dims: readonly number[], axes: readonly number[]): number[] {
  return keepsDims(node) ? keptShape(dims, axes) : dims.filter((_, i) => !axes.includes(i));
}

export const reductionShape: ShapeRule = (n, s, constants) => {
  const x = need(s[0], n, 0);
  return [reducedShape(n, x, reducedAxes(n, x.length, intInputFromConstants(n, constants, what)))];
};

/** The reduced axes as a gradient rule sees them. */
export function gradientAxes(ctx: GradientContext): number[] {
  const ints = intInputFromLookup(ctx.node, (i) => ctx.constant(ctx.input(i)), what);
  return reducedAxes(ctx.node, ctx.shape(ctx.input(0)).length, ints);
}

/** A tensor of the output's shape (dY, or Y itself) viewed with the reduced axes kept as size 1, to broadcast against X. */
export function asKept(ctx: GradientContext, tensor: string, axes: readonly number[]): string {
  if (keepsDims(ctx.node) || axes.length === 0) return tensor;
  return reshapeTo(ctx, tensor, keptShape(ctx.shape(ctx.input(0)), axes));
}

/**
 * Channel rule. Over other axes the channels pass through (without keepdims they move back by the number of
 * reduced axes in front of them, but never onto the batch axis 0). Reducing over the pruned channel axis leaves
 * no channel axis (or one of size 1); it is exact when a pruned channel, which is 0 in the gated model, adds nothing (`zeroNeutral`: ReduceSum, ReduceL2)
 * and refused otherwise (ReduceMean divides by the original count, ReduceMax compares with the zeros).
 */
export function reductionPrune(zeroNeutral: boolean, whyNot = ''): PruneFacet {
  return {
    pruneIn(ctx: PruneContext) {
      const map = ctx.inputMap(0);
      const rank = ctx.inputShape(0).length;
      const axes = reducedAxes(ctx.node, rank, intInputFromLookup(ctx.node, (i) => ctx.constant(i), what));
      if (!isPruned(map)) return [undefined];
      const axesText = `axes [${axes.join(', ')}]`;
      if (axes.includes(map.axis)) {
        if (!zeroNeutral) {
          ctx.fail(
            `it reduces over ${axesText}, including the channel axis ${map.axis} of '${ctx.node.inputs[0]}', which ${describeMap(map)}; ${whyNot}, ` +
              'so keep every unit of the group that feeds it',
          );
        }
        return [undefined];
      }
      if (keepsDims(ctx.node)) return [map];
      if (axes.includes(0)) {
        ctx.fail(`it reduces over ${axesText} without keepdims, which moves the partly pruned channel axis ${map.axis} of '${ctx.node.inputs[0]}' towards axis 0; keep every unit of the group that feeds it`);
      }
      return [shifted(map, -axes.filter((a) => a < map.axis).length)];
    },
  };
}

