/** Slicing of IR tensors (any dtype; new data, the input is never touched). */
import { Tensor, TensorArray, makeTensor } from '../onnx/ir';

type ArrayCtor = { new (length: number): TensorArray };

/** The tensor restricted to `indices` along `axis` (indices may repeat or reorder). */
export function takeAlongAxis(t: Tensor, axis: number, indices: readonly number[]): Tensor {
  const dims = t.dims;
  if (axis < 0 || axis >= dims.length) throw new Error(`axis ${axis} is out of range for a tensor of rank ${dims.length}`);
  const size = dims[axis];
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= size) throw new Error(`index ${i} is out of range for axis ${axis} of size ${size}`);
  }
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const Ctor = t.data.constructor as ArrayCtor;
  const out = new Ctor(outer * indices.length * inner);
  const src = t.data;
  // The casts: every TensorArray indexes and copies alike; the union type does not say so.
  const dst = out as Float32Array;
  const from = src as Float32Array;
  if (inner < 16) {
    let to = 0;
    for (let o = 0; o < outer; o++) {
      for (const k of indices) {
        const start = (o * size + k) * inner;
        for (let j = 0; j < inner; j++) dst[to++] = from[start + j];
      }
    }
  } else {
    for (let o = 0; o < outer; o++) {
      indices.forEach((k, n) => {
        const start = (o * size + k) * inner;
        dst.set(from.subarray(start, start + inner), (o * indices.length + n) * inner);
      });
    }
  }
  const newDims = [...dims];
  newDims[axis] = indices.length;
  return makeTensor(t.dtype, newDims, out);
}
