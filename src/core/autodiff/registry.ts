/** Gradient rules by op type. A node without a rule is a hard error naming the op and the node. */
import { Node } from '../onnx/ir';
import { GradientError, GradientRule } from './rule';
import { ALL_RULES } from './rules';

const BY_OP: ReadonlyMap<string, GradientRule> = new Map(ALL_RULES.map((r) => [r.opType, r]));

export function ruleFor(node: Node): GradientRule {
  const rule = node.domain === '' ? BY_OP.get(node.opType) : undefined;
  if (!rule) throw new GradientError(node, `no gradient rule for op '${node.opType}' (rules exist for: ${differentiableOps().join(', ')})`);
  return rule;
}

export function differentiableOps(): string[] {
  return [...BY_OP.keys()].sort();
}
