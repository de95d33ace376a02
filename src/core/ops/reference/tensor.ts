/**
 * The reference interpreter's value type: every tensor (float, int64 or bool) is a Float64Array plus dims.
 * Integer and boolean values are small in these tests, so float64 holds them exactly.
 */
import { Node, Tensor } from '../../onnx/ir';

export interface RefTensor {
  readonly dims: readonly number[];
  readonly data: Float64Array;
}

export type OpImpl = (node: Node, inputs: ReadonlyArray<RefTensor | undefined>) => RefTensor[];

export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function refTensor(dims: readonly number[], data?: ArrayLike<number>): RefTensor {
  const n = sizeOf(dims);
  const values = data ? Float64Array.from(data) : new Float64Array(n);
  if (values.length !== n) throw new Error(`reference tensor: ${values.length} values for dims [${dims.join(', ')}]`);
  return { dims: [...dims], data: values };
}

export function fromIrTensor(t: Tensor): RefTensor {
  if (t.dtype === 'float16') throw new Error('reference interpreter: float16 tensors are not supported');
  return refTensor(t.dims, Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v)));
}

export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`reference interpreter: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The input operand `i` of `node`, which must be present. */
export function required(node: Node, inputs: ReadonlyArray<RefTensor | undefined>, i: number): RefTensor {
  const t = inputs[i];
  if (!t) throw new Error(`reference interpreter: node '${node.name}' (${node.opType}) is missing input ${i}`);
  return t;
}

/** Integer values of an int64-like tensor (shape, axes, indices...). */
export function intValues(t: RefTensor): number[] {
  return Array.from(t.data);
}

/**
 * For every flat index of `outDims`, the flat index of the element of a tensor of `inDims` that numpy-style
 * broadcasting reads there.
 */
export function broadcastIndex(inDims: readonly number[], outDims: readonly number[]): Int32Array {
  const offset = outDims.length - inDims.length;
  if (offset < 0) throw new Error(`reference interpreter: cannot broadcast [${inDims.join(', ')}] to [${outDims.join(', ')}]`);
  const inStrides = stridesOf(inDims);
  const stepFor = outDims.map((d, i) => {
    if (i < offset) return 0;
    const inDim = inDims[i - offset];
    if (inDim !== d && inDim !== 1) throw new Error(`reference interpreter: cannot broadcast [${inDims.join(', ')}] to [${outDims.join(', ')}]`);
    return inDim === 1 ? 0 : inStrides[i - offset];
  });
  const n = sizeOf(outDims);
  const out = new Int32Array(n);
  const counter = new Array<number>(outDims.length).fill(0);
  let at = 0;
  for (let flat = 0; flat < n; flat++) {
    out[flat] = at;
    for (let axis = outDims.length - 1; axis >= 0; axis--) {
      counter[axis]++;
      at += stepFor[axis];
      if (counter[axis] < outDims[axis]) break;
      at -= stepFor[axis] * counter[axis];
      counter[axis] = 0;
    }
  }
  return out;
}

/** Numpy-style broadcast of several shapes. */
export function broadcastDims(shapes: ReadonlyArray<readonly number[]>): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v !== 1 && d !== 1 && v !== d) throw new Error(`reference interpreter: shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(', ')} do not broadcast`);
      if (v !== 1) d = v;
    }
    out.push(d);
  }
  return out;
}
