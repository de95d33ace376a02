import { attrInt } from '../../onnx/ir';
import { flattenMap, isPruned } from '../channel-map';
import { PruneContext, PruneRule } from '../rule';
import { identityFor, normalizeAxis } from './helpers';

/** Flatten(axis=1) of [N, C, *S]: channel c becomes features c·|S| … c·|S| + |S| − 1. Other axes mix channels. */
export const Flatten: PruneRule = {
  opType: 'Flatten',
  pruneIn(ctx: PruneContext) {
    const map = ctx.inputMap(0);
    const x = ctx.inputShape(0);
    if (!isPruned(map)) return [identityFor(ctx.outputShape(0))];
    const axis = normalizeAxis(attrInt(ctx.node, 'axis', 1), x.length);
    if (axis !== 1) ctx.fail(`it flattens from axis ${axis}, which moves the partly pruned channel axis 1; only axis=1 is supported`);
    return [flattenMap(map, x.slice(2).reduce((a, b) => a * b, 1))];
  },
};
