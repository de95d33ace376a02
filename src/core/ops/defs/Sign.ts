import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { same } from '../shape-rules';

/** −1, 0 or 1 by the sign of X (Sign(0) = 0, as PyTorch's and ONNX's). */
export const Sign = defineOp({
  opType: 'Sign',
  scope: 'engine',
  signature: { inputs: [1, 1] },
  shape: same,
  gradient: {
    unsupported: 'Sign is piecewise constant and only the engine emits it (in backward graphs, which are never differentiated again)',
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Sign'),
  reference: unary((v) => (v > 0 ? 1 : v < 0 ? -1 : 0)),
});
