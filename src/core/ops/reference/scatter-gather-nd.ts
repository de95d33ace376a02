/**
 * ScatterND and GatherND (batch_dims 0) reference kernels. Both read `indices` [..., k] as a list of k-tuples,
 * each naming a slice data[i0, …, ik−1] of shape data.shape[k:]; ScatterND writes updates[j] there, GatherND reads
 * it into output[j]. Negative indices count from the end (as onnxruntime); out-of-range ones are errors.
 */
import { Node, attrInt, attrString } from '../../onnx/ir';
import { OpImpl, RefTensor, required, sizeOf, stridesOf } from './tensor';

/** For each index tuple, the flat offset of its slice in `data`; and the slice's size. */
export function sliceOffsets(node: Node, dataDims: readonly number[], indices: RefTensor): { offsets: number[]; sliceSize: number } {
  const k = indices.dims[indices.dims.length - 1];
  if (indices.dims.length === 0 || k > dataDims.length) {
    throw new Error(`node '${node.name}' (${node.opType}): indices [${indices.dims.join(', ')}] do not index a [${dataDims.join(', ')}] tensor (their last axis must be at most its rank)`);
  }
  const strides = stridesOf(dataDims);
  const offsets: number[] = [];
  const tuples = sizeOf(indices.dims.slice(0, -1));
  for (let t = 0; t < tuples; t++) {
    let at = 0;
    for (let a = 0; a < k; a++) {
      const raw = indices.data[t * k + a];
      const i = raw < 0 ? raw + dataDims[a] : raw;
      if (!Number.isInteger(i) || i < 0 || i >= dataDims[a]) {
        throw new Error(`node '${node.name}' (${node.opType}): index ${raw} is out of range for axis ${a} of size ${dataDims[a]}`);
      }
      at += i * strides[a];
    }
    offsets.push(at);
  }
  return { offsets, sliceSize: sizeOf(dataDims.slice(k)) };
}

const COMBINE: Readonly<Record<string, (a: number, b: number) => number>> = {
  none: (_a, b) => b,
  add: (a, b) => a + b,
  mul: (a, b) => a * b,
  max: Math.max,
  min: Math.min,
};

export function scatterReduction(node: Node): (a: number, b: number) => number {
  const reduction = attrString(node, 'reduction', 'none');
  const f = COMBINE[reduction];
  if (!f) throw new Error(`node '${node.name}' (${node.opType}): reduction '${reduction}' is not one of ${Object.keys(COMBINE).join(', ')}`);
  return f;
}

export const scatterND: OpImpl = (node, inputs) => {
  const data = required(node, inputs, 0);
  const updates = required(node, inputs, 2);
  const { offsets, sliceSize } = sliceOffsets(node, data.dims, required(node, inputs, 1));
  const combine = scatterReduction(node);
  const out = { dims: [...data.dims], data: data.data.slice() };
  offsets.forEach((at, j) => {
    for (let e = 0; e < sliceSize; e++) out.data[at + e] = combine(out.data[at + e], updates.data[j * sliceSize + e]);
  });
  return [out];
};

export const gatherND: OpImpl = (node, inputs) => {
  if (attrInt(node, 'batch_dims', 0) !== 0) throw new Error(`node '${node.name}' (GatherND): only batch_dims = 0 is supported`);
  const data = required(node, inputs, 0);
  const indices = required(node, inputs, 1);
  const { offsets, sliceSize } = sliceOffsets(node, data.dims, indices);
  const k = indices.dims[indices.dims.length - 1];
  const dims = [...indices.dims.slice(0, -1), ...data.dims.slice(k)];
  const out = new Float64Array(offsets.length * sliceSize);
  offsets.forEach((at, j) => out.set(data.data.subarray(at, at + sliceSize), j * sliceSize));
  return [{ dims, data: out }];
};
