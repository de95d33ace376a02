import { isPruned } from '../channel-map';
import { PruneContext, PruneRule } from '../rule';

/** Pools each channel separately. Its Indices output counts over N·C·H·W, so it cannot follow a pruned input. */
export const MaxPool: PruneRule = {
  opType: 'MaxPool',
  pruneIn(ctx: PruneContext) {
    const map = ctx.inputMap(0);
    if (isPruned(map) && ctx.outputUsed(1)) ctx.fail('its Indices output is flattened over the channels, so it changes when channels are removed');
    return [map, map];
  },
};
