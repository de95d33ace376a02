import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { extremumGradient } from '../elementwise-gradients';
import { defineOp } from '../op';
import { variadic } from '../reference/elementwise';
import { variadicElementwise } from '../shape-rules';

/** The largest of its inputs, elementwise with broadcasting (one or more inputs). */
export const Max = defineOp({
  opType: 'Max',
  scope: 'model',
  signature: { inputs: [1, Infinity] },
  shape: variadicElementwise,
  /** dY goes to the input that is the largest, split evenly between tied inputs (see extremumGradient). */
  gradient: { build: extremumGradient },
  /** Broadcasting like Add: operands spanning the channel axis must agree; per-channel constants are sliced. */
  prune: elementwiseChannels('Max'),
  reference: variadic((values) => Math.max(...values)),
});
