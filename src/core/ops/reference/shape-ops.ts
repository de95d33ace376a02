/** Ops that move data without arithmetic: reshapes, permutations, slicing, concatenation, scatter, constants. */
import { Node, attrInt, attrInts, attrString } from '../../onnx/ir';
import { OpImpl, RefTensor, broadcastDims, broadcastIndex, fromIrTensor, intValues, normalizeAxis, refTensor, required, sizeOf, stridesOf } from './tensor';

function withDims(x: RefTensor, dims: readonly number[]): RefTensor {
  if (sizeOf(dims) !== x.data.length) throw new Error(`reference interpreter: cannot view [${x.dims.join(', ')}] as [${dims.join(', ')}]`);
  return { dims: [...dims], data: x.data.slice() };
}

const reshape: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const allowZero = attrInt(node, 'allowzero', 0) === 1;
  const target = intValues(required(node, inputs, 1)).map((d, i) => (d === 0 && !allowZero ? x.dims[i] : d));
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return [withDims(x, target.map((d) => (d === -1 ? x.data.length / known : d)))];
};

const flatten: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const raw = attrInt(node, 'axis', 1);
  const axis = raw < 0 ? raw + x.dims.length : raw;
  return [withDims(x, [sizeOf(x.dims.slice(0, axis)), sizeOf(x.dims.slice(axis))])];
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

const transpose: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const rank = x.dims.length;
  return [permute(x, attrInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i))];
};

const expand: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const dims = broadcastDims([x.dims, intValues(required(node, inputs, 1))]);
  const index = broadcastIndex(x.dims, dims);
  return [refTensor(dims, Array.from(index, (i) => x.data[i]))];
};

/** Split `x` along `axis` into `outer × len × inner` blocks; `len` is the only axis that changes. */
function blocks(dims: readonly number[], axis: number): { outer: number; inner: number } {
  return { outer: sizeOf(dims.slice(0, axis)), inner: sizeOf(dims.slice(axis + 1)) };
}

const concat: OpImpl = (node, inputs) => {
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

const split: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const axis = normalizeAxis(attrInt(node, 'axis', 0), x.dims.length);
  const count = node.outputs.length;
  // Without explicit sizes: equal chunks, the last one smaller when the axis does not divide (opset 18).
  const chunk = Math.ceil(x.dims[axis] / count);
  const sizes = inputs[1] ? intValues(inputs[1]) : (attrInts(node, 'split') ?? Array.from({ length: count }, (_, i) => Math.min(chunk, x.dims[axis] - i * chunk)));
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
const slice: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const rank = x.dims.length;
  const starts = intValues(required(node, inputs, 1));
  const ends = intValues(required(node, inputs, 2));
  const axes = inputs[3] ? intValues(inputs[3]).map((a) => normalizeAxis(a, rank)) : starts.map((_, i) => i);
  const steps = inputs[4] ? intValues(inputs[4]) : starts.map(() => 1);
  const first = x.dims.map(() => 0);
  const step = x.dims.map(() => 1);
  const dims = [...x.dims];
  axes.forEach((axis, i) => {
    const d = x.dims[axis];
    const s = steps[i];
    if (s === 0) throw new Error(`reference interpreter: node '${node.name}' (Slice): step 0`);
    let b = starts[i] < 0 ? starts[i] + d : starts[i];
    let e = ends[i] < 0 ? ends[i] + d : ends[i];
    if (s > 0) {
      b = Math.min(Math.max(b, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      b = Math.min(Math.max(b, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    first[axis] = b;
    step[axis] = s;
    dims[axis] = Math.max(0, Math.ceil((e - b) / s));
  });
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

/** ScatterElements with reduction none / add / mul / max / min; negative indices count from the end. */
const scatterElements: OpImpl = (node, inputs) => {
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

function constantValue(node: Node): RefTensor {
  const a = node.attributes;
  if (a.value?.type === 'tensor') return fromIrTensor(a.value.value);
  if (a.value_float?.type === 'float') return refTensor([], [a.value_float.value]);
  if (a.value_floats?.type === 'floats') return refTensor([a.value_floats.value.length], a.value_floats.value);
  if (a.value_int?.type === 'int') return refTensor([], [a.value_int.value]);
  if (a.value_ints?.type === 'ints') return refTensor([a.value_ints.value.length], a.value_ints.value);
  throw new Error(`reference interpreter: node '${node.name}' (Constant) has no supported value attribute`);
}

const constantOfShape: OpImpl = (node, inputs) => {
  const dims = intValues(required(node, inputs, 0));
  const v = node.attributes.value;
  const fill = v?.type === 'tensor' ? fromIrTensor(v.value).data[0] : 0;
  return [refTensor(dims, new Float64Array(sizeOf(dims)).fill(fill))];
};

const unsqueeze: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const rank = x.dims.length + (inputs[1] ? inputs[1].data.length : (attrInts(node, 'axes') ?? []).length);
  const axes = new Set((inputs[1] ? intValues(inputs[1]) : [...(attrInts(node, 'axes') ?? [])]).map((a) => normalizeAxis(a, rank)));
  const dims: number[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) dims.push(axes.has(i) ? 1 : x.dims[next++]);
  return [withDims(x, dims)];
};

const squeeze: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const given = inputs[1] ? intValues(inputs[1]) : attrInts(node, 'axes');
  const axes = new Set(given ? given.map((a) => normalizeAxis(a, x.dims.length)) : x.dims.flatMap((d, i) => (d === 1 ? [i] : [])));
  return [withDims(x, x.dims.filter((_, i) => !axes.has(i)))];
};

export const SHAPE_OPS: Readonly<Record<string, OpImpl>> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Expand: expand,
  Concat: concat,
  Split: split,
  Slice: slice,
  ScatterElements: scatterElements,
  Constant: (node) => [constantValue(node)],
  ConstantOfShape: constantOfShape,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Shape: (node, inputs) => {
    const x = required(node, inputs, 0);
    return [refTensor([x.dims.length], x.dims)];
  },
};
