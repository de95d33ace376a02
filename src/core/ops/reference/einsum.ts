/**
 * Einsum's float64 reference kernel: one pass over every combination of label values, adding the product of the
 * operands' elements there into the output element. Plain and slow, which suits the small tensors it checks.
 */
import { parseEinsum } from '../einsum-equation';
import { OpImpl, RefTensor, refTensor, required, sizeOf, stridesOf } from './tensor';

export const einsum: OpImpl = (node, inputs) => {
  const operands = node.inputs.map((_, i) => required(node, inputs, i));
  const spec = parseEinsum(node, operands.map((t) => t.dims));
  // Output labels first, then the summed ones, so that the output's flat index steps in odometer order.
  const summed = [...spec.sizes.keys()].filter((l) => !spec.output.includes(l));
  const labels = [...spec.output, ...summed];
  const extents = labels.map((l) => spec.sizes.get(l) as number);
  const out = refTensor(spec.outShape);
  if (sizeOf(extents) === 0) return [out];
  const outStrides = stridesOf(spec.outShape);
  // An operand's step per label: the sum of its axes' strides there (a repeated label walks the diagonal); 0 along
  // a size-1 axis, which broadcasts.
  const steps = operands.map((t, i) => stepsPerLabel(t, spec.operands[i], labels));
  const outSteps = labels.map((_, k) => (k < spec.output.length ? outStrides[k] : 0));
  const counter = new Array<number>(labels.length).fill(0);
  const at = new Array<number>(operands.length).fill(0);
  let outAt = 0;
  for (;;) {
    let product = 1;
    for (let i = 0; i < operands.length; i++) product *= operands[i].data[at[i]];
    out.data[outAt] += product;
    let k = labels.length - 1;
    for (; k >= 0; k--) {
      counter[k]++;
      outAt += outSteps[k];
      for (let i = 0; i < operands.length; i++) at[i] += steps[i][k];
      if (counter[k] < extents[k]) break;
      outAt -= outSteps[k] * extents[k];
      for (let i = 0; i < operands.length; i++) at[i] -= steps[i][k] * extents[k];
      counter[k] = 0;
    }
    if (k < 0) return [out];
  }
};

function stepsPerLabel(t: RefTensor, axisLabels: readonly string[], labels: readonly string[]): number[] {
  const strides = stridesOf(t.dims);
  return labels.map((l) => axisLabels.reduce((sum, own, axis) => (own === l && t.dims[axis] !== 1 ? sum + strides[axis] : sum), 0));
}
