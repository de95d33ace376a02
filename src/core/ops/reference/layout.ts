/** Reference kernels of the layout ops: flatten, permute, concatenate, split, slice, pad, scatter, constants. */
import { Node, attrFloat, attrInt, attrInts, attrString } from '../../onnx/ir';
import { intInputFromValues } from '../constant-inputs';
import { padGeometry, paddedShape, sourceIndex } from '../padding';
import { slicedAxes, slicedShape } from '../slicing';
import { splitSizes } from '../splitting';
import { OpImpl, RefTensor, fromIrTensor, normalizeAxis, refTensor, required, sizeOf, stridesOf } from './tensor';

export const flatten: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const raw = attrInt(node, 'axis', 1);
  const axis = raw < 0 ? raw + x.dims.length : raw;
  return [{ dims: [sizeOf(x.dims.slice(0, axis)), sizeOf(x.dims.slice(axis))], data: x.data.slice() }];
};

export function permute(x: RefTensor, perm: readonly number[]): RefTensor {
  const inStrides = stridesOf(x.dims);
  const dims = perm.map((p) => x.dims[p]);
  const out = refTensor(dims);
  const counter = new Array<number>(dims.length).fill(0);
  for (let flat = 0; flat < out.data.length; flat++) {
    let at = 0;
    for (let i = 0; i < dims.length; i++) at += counter[i] * inStrides[perm[i]];
    out.data[flat] = x.data[at];
    for (let i = dims.length - 1; i >= 0; i--) {
      if (++counter[i] < dims[i]) break;
      counter[i] = 0;
    }
  }
  return out;
}

export const transpose: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const rank = x.dims.length;
  return [permute(x, attrInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i))];
};

/** Split `x` along `axis` into `outer × len × inner` blocks; `len` is the only axis that changes. */
function blocks(dims: readonly number[], axis: number): { outer: number; inner: number } {
  return { outer: sizeOf(dims.slice(0, axis)), inner: sizeOf(dims.slice(axis + 1)) };
}

export const concat: OpImpl = (node, inputs) => {
  const parts = inputs.map((_, i) => required(node, inputs, i));
  const axis = normalizeAxis(attrInt(node, 'axis', 0), parts[0].dims.length);
  const dims = [...parts[0].dims];
  dims[axis] = parts.reduce((a, p) => a + p.dims[axis], 0);
  const out = refTensor(dims);
  const { outer, inner } = blocks(dims, axis);
  let offset = 0;
  for (const p of parts) {
    const len = p.dims[axis];
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < len * inner; j++) out.data[(o * dims[axis] + offset) * inner + j] = p.data[o * len * inner + j];
    }
    offset += len;
  }
  return [out];
};

export const split: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const axis = normalizeAxis(attrInt(node, 'axis', 0), x.dims.length);
  const sizes = splitSizes(node, x.dims[axis], intInputFromValues(inputs));
  const { outer, inner } = blocks(x.dims, axis);
  let offset = 0;
  return sizes.map((len) => {
    const dims = [...x.dims];
    dims[axis] = len;
    const out = refTensor(dims);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < len * inner; j++) out.data[o * len * inner + j] = x.data[(o * x.dims[axis] + offset) * inner + j];
    }
    offset += len;
    return out;
  });
};

/** ONNX Slice: negative starts/ends count from the end, out-of-range values clamp, steps may be negative. */
export const slice: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const rank = x.dims.length;
  const axes = slicedAxes(node, x.dims, intInputFromValues(inputs));
  const first = x.dims.map(() => 0);
  const step = x.dims.map(() => 1);
  for (const a of axes) {
    first[a.axis] = a.start;
    step[a.axis] = a.step;
  }
  const dims = slicedShape(x.dims, axes);
  const inStrides = stridesOf(x.dims);
  const out = refTensor(dims);
  const counter = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < out.data.length; flat++) {
    let at = 0;
    for (let i = 0; i < rank; i++) at += (first[i] + counter[i] * step[i]) * inStrides[i];
    out.data[flat] = x.data[at];
    for (let i = rank - 1; i >= 0; i--) {
      if (++counter[i] < dims[i]) break;
      counter[i] = 0;
    }
  }
  return [out];
};

/** Pad in constant, reflect or edge mode; negative pads crop first (see ../padding.ts). */
export const pad: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const geometry = padGeometry(node, x.dims, intInputFromValues(inputs));
  const fill = inputs[2] ? inputs[2].data[0] : attrFloat(node, 'value', 0);
  const dims = paddedShape(geometry);
  const rank = dims.length;
  const sources = geometry.axes.map((a, axis) => Array.from({ length: dims[axis] }, (_, j) => sourceIndex(geometry.mode, a, j)));
  const inStrides = stridesOf(x.dims);
  const out = refTensor(dims);
  const counter = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < out.data.length; flat++) {
    let at = 0;
    for (let i = 0; i < rank && at >= 0; i++) {
      const s = sources[i][counter[i]];
      at = s < 0 ? -1 : at + s * inStrides[i];
    }
    out.data[flat] = at < 0 ? fill : x.data[at];
    for (let i = rank - 1; i >= 0; i--) {
      if (++counter[i] < dims[i]) break;
      counter[i] = 0;
    }
  }
  return [out];
};

/** ScatterElements with reduction none / add / mul / max / min; negative indices count from the end. */
export const scatterElements: OpImpl = (node, inputs) => {
  const data = required(node, inputs, 0);
  const indices = required(node, inputs, 1);
  const updates = required(node, inputs, 2);
  const rank = data.dims.length;
  const axis = normalizeAxis(attrInt(node, 'axis', 0), rank);
  const reduction = attrString(node, 'reduction', 'none');
  const combine: Record<string, (a: number, b: number) => number> = {
    none: (_a, b) => b,
    add: (a, b) => a + b,
    mul: (a, b) => a * b,
    max: Math.max,
    min: Math.min,
  };
  const f = combine[reduction];
  if (!f) throw new Error(`reference interpreter: node '${node.name}' (ScatterElements): reduction '${reduction}'`);
  const out = { dims: [...data.dims], data: data.data.slice() };
  const dataStrides = stridesOf(data.dims);
  const counter = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < indices.data.length; flat++) {
    let target = indices.data[flat];
    if (target < 0) target += data.dims[axis];
    if (target < 0 || target >= data.dims[axis]) throw new Error(`reference interpreter: node '${node.name}' (ScatterElements): index ${indices.data[flat]} out of range`);
    let at = 0;
    for (let i = 0; i < rank; i++) at += (i === axis ? target : counter[i]) * dataStrides[i];
    out.data[at] = f(out.data[at], updates.data[flat]);
    for (let i = rank - 1; i >= 0; i--) {
      if (++counter[i] < indices.dims[i]) break;
      counter[i] = 0;
    }
  }
  return [out];
};

export function constantValue(node: Node): RefTensor {
  const a = node.attributes;
  if (a.value?.type === 'tensor') return fromIrTensor(a.value.value);
  if (a.value_float?.type === 'float') return refTensor([], [a.value_float.value]);
  if (a.value_floats?.type === 'floats') return refTensor([a.value_floats.value.length], a.value_floats.value);
  if (a.value_int?.type === 'int') return refTensor([], [a.value_int.value]);
  if (a.value_ints?.type === 'ints') return refTensor([a.value_ints.value.length], a.value_ints.value);
  throw new Error(`reference interpreter: node '${node.name}' (Constant) has no supported value attribute`);
}
