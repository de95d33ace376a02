import { passThrough } from '../../prune/channel-rules';
import { booleanOutput } from '../elementwise-gradients';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { same } from '../shape-rules';

/** Boolean negation (the engine's gradients emit it, e.g. Where's for its second branch). */
export const Not = defineOp({
  opType: 'Not',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  gradient: booleanOutput('Not'),
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Not'),
  reference: unary((v) => (v ? 0 : 1)),
});
