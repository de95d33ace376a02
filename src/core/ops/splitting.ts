/**
 * Split's part sizes: the `split` input (opset ≥ 13) or attribute (below 13); without them, `num_outputs`
 * (opset 18: parts of ⌈n / k⌉, the last one smaller) or equal parts, one per output.
 */
import { Node, attrInt, attrInts } from '../onnx/ir';
import { IntInput } from './constant-inputs';

export function splitSizes(node: Node, length: number, ints: IntInput): number[] {
  const where = `node '${node.name}' (Split)`;
  const outputs = node.outputs.length;
  const given = ints(1) ?? attrInts(node, 'split');
  if (given && given.length > 0) {
    if (given.length !== outputs) throw new Error(`${where}: split [${given.join(', ')}] has ${given.length} sizes for ${outputs} outputs`);
    if (given.some((s) => !Number.isInteger(s) || s < 0) || given.reduce((a, b) => a + b, 0) !== length) {
      throw new Error(`${where}: split [${given.join(', ')}] should be sizes ≥ 0 that add up to ${length}, the length of the split axis`);
    }
    return [...given];
  }
  const count = attrInt(node, 'num_outputs');
  if (count !== undefined) {
    if (count !== outputs) throw new Error(`${where}: num_outputs is ${count} but the node has ${outputs} outputs`);
    const chunk = Math.ceil(length / count);
    const sizes = Array.from({ length: count }, (_, i) => Math.min(chunk, length - i * chunk));
    if (sizes.some((s) => s <= 0)) throw new Error(`${where}: an axis of length ${length} cannot be split into ${count} parts of ${chunk}`);
    return sizes;
  }
  if (length % outputs !== 0) throw new Error(`${where}: an axis of length ${length} cannot be split into ${outputs} equal parts; give the split sizes`);
  return new Array<number>(outputs).fill(length / outputs);
}
