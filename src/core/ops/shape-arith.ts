/**
 * Geometry of the shape-arithmetic ops (Shape, Range, Reshape, Squeeze, Unsqueeze, Expand, Tile, Gather), shared by
 * their shape rules and reference kernels. Every value read from the file is checked (integers, signs, ranks), so a
 * hostile one is refused with the node named instead of becoming an array length or index.
 */
import { Node, attrInt } from '../onnx/ir';
import { normAxis } from './shape-rules';

function where(node: Node): string {
  return `node '${node.name}' (${node.opType})`;
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function list(values: readonly number[]): string {
  return `[${values.join(', ')}]`;
}

/** Shape (opset 15): the dims from `start` to `end`, negative values counting from the end, both clamped to [0, rank]. */
export function shapeSlice(node: Node, dims: readonly number[]): number[] {
  const rank = dims.length;
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  return dims.slice(clamp(attrInt(node, 'start', 0)), clamp(attrInt(node, 'end', rank)));
}

/** How many values Range(start, limit, delta) yields: max(ceil((limit − start) / delta), 0). */
export function rangeCount(node: Node, start: number, limit: number, delta: number): number {
  if (![start, limit, delta].every(Number.isFinite)) throw new Error(`${where(node)}: start ${start}, limit ${limit} and delta ${delta} must be finite`);
  if (delta === 0) throw new Error(`${where(node)}: delta is 0, so the range from ${start} to ${limit} never ends`);
  return Math.max(Math.ceil((limit - start) / delta), 0);
}

/** Reshape's output dims: 0 copies the input's dim (unless allowzero), one -1 is inferred, the element count must match. */
export function reshapeTarget(node: Node, x: readonly number[], target: readonly number[]): number[] {
  const allowZero = attrInt(node, 'allowzero', 0) === 1;
  const fail = (why: string): never => {
    throw new Error(`${where(node)}: cannot reshape ${list(x)} to ${list(target)}: ${why}`);
  };
  let inferred = -1;
  const out = target.map((d, i) => {
    if (!Number.isInteger(d) || d < -1) fail(`entry ${i} is ${d}; entries are sizes ≥ 0, 0 to copy the input's size or -1 to infer one`);
    if (d === -1) {
      if (inferred >= 0) fail('more than one entry is -1');
      inferred = i;
    }
    if (d === 0 && !allowZero) {
      if (i >= x.length) fail(`entry ${i} is 0 (copy the input's size ${i}) but the input has ${x.length} dimensions`);
      return x[i];
    }
    return d;
  });
  if (allowZero && inferred >= 0 && target.includes(0)) fail('with allowzero=1 a target cannot hold both 0 and -1');
  const total = product(x);
  if (inferred >= 0) {
    const known = product(out.filter((_, i) => i !== inferred));
    if (known === 0 || total % known !== 0) fail(`the -1 cannot be inferred (${total} elements, ${known} in the other entries)`);
    out[inferred] = total / known;
  }
  if (product(out) !== total) fail(`${total} elements cannot take ${product(out)} places`);
  return out;
}

/** Squeeze: the listed axes (each of size 1) removed, or every axis of size 1 when none is listed. */
export function squeezedShape(node: Node, dims: readonly number[], axes: readonly number[] | undefined): number[] {
  if (!axes) return dims.filter((d) => d !== 1);
  const drop = new Set<number>();
  for (const raw of axes) {
    const a = normAxis(raw, dims.length, node);
    if (drop.has(a)) throw new Error(`${where(node)}: axis ${raw} is listed twice in axes ${list(axes)}`);
    if (dims[a] !== 1) throw new Error(`${where(node)}: axis ${raw} of input ${list(dims)} has size ${dims[a]}, not 1, so it cannot be squeezed`);
    drop.add(a);
  }
  return dims.filter((_, i) => !drop.has(i));
}

/** Unsqueeze: a size-1 axis inserted at each listed position of the output. */
export function unsqueezedShape(node: Node, dims: readonly number[], axes: readonly number[]): number[] {
  if (axes.length === 0) throw new Error(`${where(node)}: no axes are given (the 'axes' input from opset 13, the attribute before)`);
  const rank = dims.length + axes.length;
  const insert = new Set<number>();
  for (const raw of axes) {
    const a = normAxis(raw, rank, node);
    if (insert.has(a)) throw new Error(`${where(node)}: axis ${raw} is listed twice in axes ${list(axes)}`);
    insert.add(a);
  }
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) out.push(insert.has(i) ? 1 : dims[next++]);
  return out;
}

function checkSizes(node: Node, values: readonly number[], what: string): void {
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${where(node)}: ${what} ${list(values)} has entry ${i} = ${v}; sizes are integers ≥ 0`);
  });
}

/** Expand: the input broadcast with `shape` (numpy rules, both ways: a 1 in `shape` keeps the input's size). */
export function expandedShape(node: Node, dims: readonly number[], shape: readonly number[]): number[] {
  checkSizes(node, shape, 'shape');
  const rank = Math.max(dims.length, shape.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = dims[i - (rank - dims.length)] ?? 1;
    const s = shape[i - (rank - shape.length)] ?? 1;
    if (x !== s && x !== 1 && s !== 1) throw new Error(`${where(node)}: input ${list(dims)} cannot be expanded to ${list(shape)} (axis ${i}: ${x} vs ${s})`);
    return x === 1 ? s : x;
  });
}

/** Tile: each axis repeated `repeats[i]` times. */
export function tiledShape(node: Node, dims: readonly number[], repeats: readonly number[]): number[] {
  if (repeats.length !== dims.length) throw new Error(`${where(node)}: repeats ${list(repeats)} should have one entry per axis of input ${list(dims)}`);
  checkSizes(node, repeats, 'repeats');
  return dims.map((d, i) => d * repeats[i]);
}

/** Gather: the output dims data[:axis] ++ indices ++ data[axis+1:], and the axis as an index. */
export function gatherShape(node: Node, data: readonly number[], indices: readonly number[]): { axis: number; dims: number[] } {
  if (data.length === 0) throw new Error(`${where(node)}: a scalar cannot be indexed`);
  const axis = normAxis(attrInt(node, 'axis', 0), data.length, node);
  return { axis, dims: [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)] };
}
