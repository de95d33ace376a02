/**
 * Reference kernels of the shape-arithmetic ops: reading shapes (Shape, Size), making index ranges and filled
 * tensors (Range, ConstantOfShape), re-viewing and broadcasting (Reshape, Squeeze, Unsqueeze, Expand, Tile) and
 * indexing (Gather). The geometry (output dims) comes from the ops' shape rules, shared with shape inference.
 */
import { Node } from '../../onnx/ir';
import { OpImpl, RefTensor, broadcastIndex, fromIrTensor, intValues, refTensor, required, sizeOf, stridesOf } from './tensor';
import { expandedShape, gatherShape, rangeCount, reshapeTarget, shapeSlice, squeezedShape, tiledShape, unsqueezedShape } from '../shape-arith';

function viewAs(x: RefTensor, dims: readonly number[]): RefTensor {
  return { dims: [...dims], data: x.data.slice() };
}

export const shape: OpImpl = (node, inputs) => {
  const dims = shapeSlice(node, required(node, inputs, 0).dims);
  return [refTensor([dims.length], dims)];
};

export const size: OpImpl = (node, inputs) => [refTensor([], [sizeOf(required(node, inputs, 0).dims)])];

export const range: OpImpl = (node, inputs) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => required(node, inputs, i).data[0]);
  const count = rangeCount(node, start, limit, delta);
  return [refTensor([count], Array.from({ length: count }, (_, k) => start + k * delta))];
};

export const constantOfShape: OpImpl = (node, inputs) => {
  const dims = intValues(required(node, inputs, 0));
  const v = node.attributes.value;
  const fill = v?.type === 'tensor' ? fromIrTensor(v.value).data[0] : 0;
  return [{ dims, data: new Float64Array(sizeOf(dims)).fill(fill) }];
};

export const reshape: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  return [viewAs(x, reshapeTarget(node, x.dims, intValues(required(node, inputs, 1))))];
};

/** Axes from the `axes` input (opset ≥ 13) or attribute (older opsets); undefined when neither is given. */
export function axesOf(node: Node, inputs: ReadonlyArray<RefTensor | undefined>): readonly number[] | undefined {
  if (inputs[1]) return intValues(inputs[1]);
  const a = node.attributes.axes;
  return a?.type === 'ints' ? a.value : undefined;
}

export const squeeze: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  return [viewAs(x, squeezedShape(node, x.dims, axesOf(node, inputs)))];
};

export const unsqueeze: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  return [viewAs(x, unsqueezedShape(node, x.dims, axesOf(node, inputs) ?? []))];
};

export const expand: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const dims = expandedShape(node, x.dims, intValues(required(node, inputs, 1)));
  const index = broadcastIndex(x.dims, dims);
  return [refTensor(dims, Array.from(index, (i) => x.data[i]))];
};

export const tile: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const dims = tiledShape(node, x.dims, intValues(required(node, inputs, 1)));
  const inStrides = stridesOf(x.dims);
  const out = refTensor(dims);
  const counter = new Array<number>(dims.length).fill(0);
  for (let flat = 0; flat < out.data.length; flat++) {
    let at = 0;
    for (let i = 0; i < dims.length; i++) at += (counter[i] % x.dims[i]) * inStrides[i];
    out.data[flat] = x.data[at];
    for (let i = dims.length - 1; i >= 0; i--) {
      if (++counter[i] < dims[i]) break;
      counter[i] = 0;
    }
  }
  return [out];
};

/** Gather along `axis`: out[i…, j…, k…] = data[i…, indices[j…], k…]; negative indices count from the end. */
export const gather: OpImpl = (node, inputs) => {
  const data = required(node, inputs, 0);
  const indices = required(node, inputs, 1);
  const { axis, dims } = gatherShape(node, data.dims, indices.dims);
  const outer = sizeOf(data.dims.slice(0, axis));
  const inner = sizeOf(data.dims.slice(axis + 1));
  const len = data.dims[axis];
  const out = refTensor(dims);
  const k = indices.data.length;
  for (let j = 0; j < k; j++) {
    const raw = indices.data[j];
    const at = raw < 0 ? raw + len : raw;
    if (!Number.isInteger(at) || at < 0 || at >= len) {
      throw new Error(`node '${node.name}' (Gather): index ${raw} is out of range for axis ${axis} of size ${len}`);
    }
    for (let o = 0; o < outer; o++) {
      const from = (o * len + at) * inner;
      const to = (o * k + j) * inner;
      for (let i = 0; i < inner; i++) out.data[to + i] = data.data[from + i];
    }
  }
  return [out];
};
