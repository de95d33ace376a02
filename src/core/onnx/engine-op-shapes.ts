/**
 * Shape rules for ops that only the engine emits (backward graphs, specialisations). Kept apart from the
 * user-facing op list so that importing a model with these ops still names them as unsupported.
 */
import { Node, Tensor, attrInt } from './ir';

type Rule = (node: Node, inShapes: ReadonlyArray<readonly number[] | undefined>, constants: ReadonlyMap<string, Tensor>) => number[][];

function known(node: Node, s: readonly number[] | undefined, i: number): readonly number[] {
  if (!s) throw new Error(`node '${node.name}' (${node.opType}): shape of input ${i} is unknown`);
  return s;
}

function ints(node: Node, constants: ReadonlyMap<string, Tensor>, i: number): number[] {
  const t = constants.get(node.inputs[i]);
  if (!t) throw new Error(`node '${node.name}' (${node.opType}): input ${i} must be a constant`);
  return Array.from(t.data as BigInt64Array, (v) => Number(v));
}

function broadcast(shapes: readonly (readonly number[])[]): number[] {
  const r = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: r }, (_, i) => Math.max(...shapes.map((s) => s[s.length - r + i] ?? 1)));
}

const elementwise: Rule = (n, s) => [broadcast(n.inputs.map((_, i) => known(n, s[i], i)))];
const unary: Rule = (n, s) => [[...known(n, s[0], 0)]];

export const ENGINE_OP_SHAPES: Readonly<Record<string, Rule>> = {
  Greater: elementwise,
  Less: elementwise,
  Equal: elementwise,
  Where: elementwise,
  Sum: elementwise,
  Neg: unary,
  Sign: unary,
  Exp: unary,
  Sqrt: unary,
  Cast: unary,
  Expand: (n, s, c) => [broadcast([known(n, s[0], 0), ints(n, c, 1)])],
  ReduceSum: (n, s, c) => {
    const x = known(n, s[0], 0);
    const axes = n.inputs[1] ? ints(n, c, 1).map((a) => (a < 0 ? a + x.length : a)) : x.map((_, i) => i);
    const keep = attrInt(n, 'keepdims', 1) === 1;
    return [keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i))];
  },
  ConstantOfShape: (n, _s, c) => [ints(n, c, 0)],
  ScatterElements: (n, s) => [[...known(n, s[0], 0)]],
  Gather: (n, s) => {
    const x = known(n, s[0], 0);
    const idx = known(n, s[1], 1);
    const axis = attrInt(n, 'axis', 0);
    return [[...x.slice(0, axis), ...idx, ...x.slice(axis + 1)]];
  },
  Slice: (n, s, c) => {
    const x = [...known(n, s[0], 0)];
    const [starts, ends] = [ints(n, c, 1), ints(n, c, 2)];
    const axes = n.inputs[3] ? ints(n, c, 3) : starts.map((_, i) => i);
    const steps = n.inputs[4] ? ints(n, c, 4) : starts.map(() => 1);
    axes.forEach((axis, k) => {
      const a = axis < 0 ? axis + x.length : axis;
      const d = x[a];
      const step = steps[k];
      // As the ONNX spec: indices count from the end when negative; a negative step clamps start to [0, d−1]
      // and end to [−1, d−1] (an end below −d means "through the first element").
      const [lo, hiStart, hiEnd] = step > 0 ? [0, d, d] : [-1, d - 1, d - 1];
      const at = (v: number, hi: number): number => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
      const start = step > 0 ? at(starts[k], hiStart) : Math.max(at(starts[k], hiStart), 0);
      x[a] = Math.max(0, Math.ceil((at(ends[k], hiEnd) - start) / step));
    });
    return [x];
  },
};
