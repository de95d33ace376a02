import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { extremumGradient } from '../elementwise-gradients';
import { defineOp } from '../op';
import { variadic } from '../reference/elementwise';
import { variadicElementwise } from '../shape-rules';

/** The smallest of its inputs, elementwise with broadcasting (one or more inputs). */
export const Min = defineOp({
  opType: 'Min',
  scope: 'model',
  signature: { inputs: [1, Infinity] },
  shape: variadicElementwise,
  /** dY goes to the input that is the smallest, split evenly between tied inputs (see extremumGradient). */
  gradient: { build: extremumGradient },
  /** Broadcasting like Add: operands spanning the channel axis must agree; per-channel constants are sliced. */
  prune: elementwiseChannels('Min'),
  reference: variadic((values) => Math.min(...values)),
});
