import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { booleanOutput } from '../elementwise-gradients';
import { defineOp } from '../op';
import { binary } from '../reference/elementwise';
import { elementwise } from '../shape-rules';

/** Boolean x and y with broadcasting (the engine's masked gradients emit it, e.g. Clip's; models may use it too). */
export const And = defineOp({
  opType: 'And',
  scope: 'model',
  signature: { inputs: [2, 2] },
  shape: elementwise,
  gradient: booleanOutput('And'),
  /** Broadcasting like Add: operands spanning the channel axis must agree; per-channel constants are sliced. */
  prune: elementwiseChannels('And'),
  reference: binary((a, b) => (a && b ? 1 : 0)),
});
