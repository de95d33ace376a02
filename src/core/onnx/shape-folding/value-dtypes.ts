/**
 * Element types for folded values. The reference kernels compute everything in float64; the folding keeps each
 * value in the type onnxruntime would give it, so that integer arithmetic behaves as there (int64 Div truncates
 * toward zero, a Cast to int64 drops the fraction) and a folded initializer has the right data type.
 */
import { DType, Node, Tensor, makeTensor } from '../ir';
import { fixedOutputDtype } from '../../ops/output-dtypes';
import { RefTensor } from '../../ops/reference/tensor';

const INTEGER_DTYPES: ReadonlySet<DType> = new Set(['int64', 'int32', 'int8', 'uint8']);

/** The type of output `i` of `node`, given its inputs' types; undefined when the folding cannot tell. */
export function outputDtype(node: Node, i: number, inputs: readonly (DType | undefined)[]): DType | undefined {
  const fixed = fixedOutputDtype(node, i);
  if (fixed) return fixed;
  const value = node.attributes.value;
  switch (node.opType) {
    case 'Constant':
      if (value?.type === 'tensor') return value.value.dtype;
      if (node.attributes.value_int || node.attributes.value_ints) return 'int64';
      return node.attributes.value_float || node.attributes.value_floats ? 'float32' : undefined;
    case 'ConstantOfShape':
      return value?.type === 'tensor' ? value.value.dtype : 'float32';
    case 'Where':
      return inputs[1];
    default:
      return inputs[0];
  }
}

/** Whether an initializer of this type is an integer or boolean tensor (shapes, axes, indices, masks). */
export function isIntegerOrBool(dtype: DType): boolean {
  return INTEGER_DTYPES.has(dtype) || dtype === 'bool';
}

/**
 * A float64 result as a tensor of `dtype`: integers truncate toward zero (C++ semantics, as onnxruntime), booleans
 * are 0/1, float32 rounds. A non-finite value where an integer is due (a division by zero) is refused, naming the
 * node. Returns undefined for a type the folding does not produce (float16).
 */
export function toTypedTensor(value: RefTensor, dtype: DType, node: Node, output: number): Tensor | undefined {
  const { dims, data } = value;
  if (INTEGER_DTYPES.has(dtype)) {
    for (const v of data) {
      if (!Number.isFinite(v)) throw new Error(`node '${node.name}' (${node.opType}): output ${output} is ${dtype} but evaluates to ${v} (an integer division by zero?)`);
    }
    const ints = Array.from(data, Math.trunc);
    if (dtype === 'int64') return makeTensor(dtype, dims, BigInt64Array.from(ints, (v) => BigInt(v)));
    if (dtype === 'int32') return makeTensor(dtype, dims, Int32Array.from(ints));
    if (dtype === 'int8') return makeTensor(dtype, dims, Int8Array.from(ints));
    return makeTensor(dtype, dims, Uint8Array.from(ints));
  }
  if (dtype === 'bool') return makeTensor(dtype, dims, Uint8Array.from(data, (v) => (v !== 0 ? 1 : 0)));
  if (dtype === 'float32') return makeTensor(dtype, dims, Float32Array.from(data));
  if (dtype === 'float64') return makeTensor(dtype, dims, Float64Array.from(data));
  return undefined;
}
