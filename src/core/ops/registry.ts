/**
 * The op registry: every op the engine knows, read from this folder's definitions (`index.ts`). Shape
 * inference, autodiff, pruning and the reference interpreter all look ops up here.
 */
import { OpDefinition } from './op';
import { ALL_OPS } from './index';

const BY_OP: ReadonlyMap<string, OpDefinition> = new Map(ALL_OPS.map((op) => [op.opType, op]));

/** The definition of a default-domain op, or undefined when the engine does not know it. */
export function opDefinition(opType: string, domain = ''): OpDefinition | undefined {
  return domain === '' ? BY_OP.get(opType) : undefined;
}

/** Ops a user's model may contain, sorted. */
export function modelOps(): string[] {
  return ALL_OPS.filter((op) => op.scope === 'model').map((op) => op.opType).sort();
}
