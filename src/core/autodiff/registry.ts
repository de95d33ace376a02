/**
 * Gradient rules by op type, from the op registry (src/core/ops) and, until every op has moved there, the
 * legacy rules folder. A node without a rule is a hard error naming the op and the node; an op whose definition
 * says it has no gradient gives that reason.
 */
import { Node } from '../onnx/ir';
import { isUnsupported } from '../ops/op';
import { ALL_OPS } from '../ops/index';
import { opDefinition } from '../ops/registry';
import { GradientError, GradientRule } from './rule';
import { ALL_RULES } from './rules';

const LEGACY: ReadonlyMap<string, GradientRule> = new Map(ALL_RULES.map((r) => [r.opType, r]));

export function ruleFor(node: Node): GradientRule {
  const def = opDefinition(node.opType, node.domain);
  if (def) {
    if (isUnsupported(def.gradient)) throw new GradientError(node, def.gradient.unsupported);
    return { opType: def.opType, ...def.gradient };
  }
  const rule = node.domain === '' ? LEGACY.get(node.opType) : undefined;
  if (!rule) throw new GradientError(node, `no gradient rule for op '${node.opType}' (rules exist for: ${differentiableOps().join(', ')})`);
  return rule;
}

export function differentiableOps(): string[] {
  const fromOps = ALL_OPS.filter((op) => !isUnsupported(op.gradient)).map((op) => op.opType);
  return [...new Set([...LEGACY.keys(), ...fromOps])].sort();
}
