import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { booleanOutput } from '../elementwise-gradients';
import { defineOp } from '../op';
import { binary } from '../reference/elementwise';
import { elementwise } from '../shape-rules';

/** Boolean x < y with broadcasting (the engine's masked gradients emit it; exported models use it too). */
export const Less = defineOp({
  opType: 'Less',
  scope: 'model',
  signature: { inputs: [2, 2] },
  shape: elementwise,
  gradient: booleanOutput('Less'),
  /** Broadcasting like Add: operands spanning the channel axis must agree; per-channel constants are sliced. */
  prune: elementwiseChannels('Less'),
  reference: binary((a, b) => (a < b ? 1 : 0)),
});
