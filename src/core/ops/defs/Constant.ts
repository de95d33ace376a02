import { Node } from '../../onnx/ir';
import { identityFor } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { constantValue } from '../reference/layout';

/** The value's dims: a tensor, or the scalar / list forms (value_float, value_ints, …). */
function constantDims(n: Node): number[] {
  const a = n.attributes;
  if (a.value?.type === 'tensor') return [...a.value.value.dims];
  if (a.value_float?.type === 'float' || a.value_int?.type === 'int') return [];
  if (a.value_floats?.type === 'floats') return [a.value_floats.value.length];
  if (a.value_ints?.type === 'ints') return [a.value_ints.value.length];
  throw new Error(`node '${n.name}' (Constant): only the 'value' tensor and the value_float(s) / value_int(s) attributes are supported`);
}

export const Constant = defineOp({
  opType: 'Constant',
  scope: 'model',
  signature: {
    inputs: [0, 0],
    attributes: { value: 'tensor', value_float: 'float', value_floats: 'floats', value_int: 'int', value_ints: 'ints' },
  },
  shape: (n) => [constantDims(n)],
  /** No inputs: nothing flows back through it (the autodiff never reaches it, as it depends on no target). */
  gradient: { build() {} },
  /** No inputs, so no pruned channels can reach it; its value is sliced by the rules of the nodes that read it. */
  prune: { pruneIn: (ctx) => [identityFor(ctx.outputShape(0))] },
  reference: (node) => [constantValue(node)],
});
