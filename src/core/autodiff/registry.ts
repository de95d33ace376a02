/**
 * Gradient rules by op type, from the op registry (src/core/ops/defs). A node without a rule is a hard error naming
 * the op and the node; an op whose definition says it has no gradient gives that reason.
 */
import { Node } from '../onnx/ir';
import { isUnsupported } from '../ops/op';
import { ALL_OPS } from '../ops/index';
import { opDefinition } from '../ops/registry';
import { GradientError, GradientRule } from './rule';

export function ruleFor(node: Node): GradientRule {
  const def = opDefinition(node.opType, node.domain);
  if (!def) throw new GradientError(node, `no gradient rule for op '${node.domain ? node.domain + '.' : ''}${node.opType}' (rules exist for: ${differentiableOps().join(', ')})`);
  if (isUnsupported(def.gradient)) throw new GradientError(node, def.gradient.unsupported);
  return { opType: def.opType, ...def.gradient };
}

export function differentiableOps(): string[] {
  return ALL_OPS.filter((op) => !isUnsupported(op.gradient)).map((op) => op.opType).sort();
}
