import { int64Tensor, intAttr, stringAttr } from '../../onnx/ir';
import { GradientContext, GradientError } from '../../autodiff/rule';
import { reshapeTo } from '../../autodiff/helpers';
import { isPruned } from '../../prune/channel-map';
import { PruneContext } from '../../prune/rule';
import { requireChannelAxis1 } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { poolInput, pooledShape } from '../pool-shape';
import { maxPool } from '../reference/pool';

export const MaxPool = defineOp({
  opType: 'MaxPool',
  scope: 'model',
  signature: {
    inputs: [1, 1],
    outputs: 2,
    attributes: { kernel_shape: 'ints', strides: 'ints', pads: 'ints', dilations: 'ints', auto_pad: 'string', ceil_mode: 'int', storage_order: 'int' },
    flags: ['ceil_mode', 'storage_order'],
  },
  shape: (n, s) => {
    const out = pooledShape(n, poolInput(n, s));
    return [out, [...out]];
  },
  /**
   * Scatter-add dY into the positions MaxPool picked. Needs the Indices output, which the forward-graph builder
   * adds to every MaxPool (see withMaxPoolIndices in src/core/graphs/prepare.ts).
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const indices = ctx.output(1);
      if (!indices) throw new GradientError(ctx.node, 'the Indices output is missing; the forward graph must be prepared with prepareForGradients');
      if (ctx.node.attributes.storage_order && ctx.node.attributes.storage_order.type === 'int' && ctx.node.attributes.storage_order.value !== 0) {
        throw new GradientError(ctx.node, 'storage_order 1 is not supported');
      }
      ctx.setInputGrad(0, scatterToIndices(ctx, dy, indices, ctx.shape(ctx.input(0))));
    },
  },
  /** Pools each channel separately. Its Indices output counts over N·C·H·W, so it cannot follow a pruned input. */
  prune: {
    pruneIn(ctx: PruneContext) {
      const map = ctx.inputMap(0);
      requireChannelAxis1(ctx);
      if (isPruned(map) && ctx.outputUsed(1)) ctx.fail('its Indices output is flattened over the channels, so it changes when channels are removed');
      return [map, map];
    },
  },
  reference: maxPool,
});

/** dX: zeros of X's shape with dY added at the flat positions `indices` (MaxPool's Indices, storage order 0). */
export function scatterToIndices(ctx: GradientContext, dy: string, indices: string, xShape: readonly number[]): string {
  const total = xShape.reduce((a, b) => a * b, 1);
  const flat = (t: string): string => ctx.op('Reshape', [t, ctx.addConstant('flat', int64Tensor([1], [-1]))]);
  const zeros = ctx.op('ConstantOfShape', [ctx.addConstant('size', int64Tensor([1], [total]))]);
  const scattered = ctx.op('ScatterElements', [zeros, flat(indices), flat(dy)], { axis: intAttr(0), reduction: stringAttr('add') });
  return reshapeTo(ctx, scattered, xShape);
}
