/**
 * The element type of a node output where the op alone fixes it (comparisons give booleans, Shape gives int64,
 * Cast gives its `to`), so the backward pass can stop gradients at boolean and integer tensors and declare the
 * right type for a saved non-float tensor. Other outputs follow their inputs: float in the engine's graphs.
 */
import { DType, Node, attrInt } from '../onnx/ir';

const BOOLEAN_OUTPUTS = new Set(['And', 'Equal', 'Greater', 'GreaterOrEqual', 'IsInf', 'IsNaN', 'Less', 'LessOrEqual', 'Not', 'Or', 'Xor']);
const INT64_OUTPUTS = new Set(['ArgMax', 'ArgMin', 'NonZero', 'Shape', 'Size']);

/** ONNX TensorProto element types the IR has a name for. */
const IR_DTYPES: Readonly<Record<number, DType>> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64' };
/** float, float16, double, bfloat16. */
const FLOAT_CODES = new Set([1, 10, 11, 16]);

/** The dtype of output `i` when the op fixes it; undefined when it follows the inputs (or has no IR name). */
export function fixedOutputDtype(node: Node, i: number): DType | undefined {
  if (node.domain !== '') return undefined;
  if (BOOLEAN_OUTPUTS.has(node.opType)) return 'bool';
  if (INT64_OUTPUTS.has(node.opType) || (node.opType === 'MaxPool' && i === 1)) return 'int64';
  if (node.opType === 'Cast') return IR_DTYPES[attrInt(node, 'to', 1)];
  return undefined;
}

/** Whether output `i` can carry a gradient: false for boolean and integer outputs, which are piecewise constant. */
export function carriesGradient(node: Node, i: number): boolean {
  if (node.domain === '' && node.opType === 'Cast') return FLOAT_CODES.has(attrInt(node, 'to', 1));
  const dtype = fixedOutputDtype(node, i);
  return dtype === undefined || dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}

/** The dtype of forward tensor `name` (a node output) as a graph output or saved tensor: fixed by its op, else float32. */
export function producedDtype(nodes: readonly Node[], name: string): DType {
  const producer = nodes.find((n) => n.outputs.includes(name));
  return (producer && fixedOutputDtype(producer, producer.outputs.indexOf(name))) ?? 'float32';
}
