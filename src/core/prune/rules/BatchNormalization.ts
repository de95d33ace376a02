import { isPruned } from '../channel-map';
import { PruneContext, PruneRule } from '../rule';
import { takeAlongAxis } from '../tensor-ops';

const PARAMS = ['scale', 'B', 'input_mean', 'input_var'];

/** Per-channel affine: scale, B, mean and var are sliced to the input's channels. */
export const BatchNormalization: PruneRule = {
  opType: 'BatchNormalization',
  pruneIn(ctx: PruneContext) {
    const map = ctx.inputMap(0);
    if (isPruned(map)) {
      for (let i = 1; i <= 4; i++) {
        const t = ctx.requireConstant(i, `its ${PARAMS[i - 1]}`);
        ctx.setConstant(i, takeAlongAxis(t, 0, map.kept));
      }
      for (let k = 1; k < ctx.node.outputs.length; k++) {
        if (ctx.outputUsed(k)) ctx.fail('its training-mode running statistics outputs are not supported with pruned channels');
      }
    }
    return ctx.node.outputs.map((_, k) => (k === 0 ? map : undefined));
  },
};
