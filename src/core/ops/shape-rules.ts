/** Building blocks shared by the ops' shape rules. */
import { Node, Tensor } from '../onnx/ir';
import { ShapeRule } from './op';

export function broadcastShapes(a: readonly number[], b: readonly number[], where: string): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`${where}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

export function need(s: readonly number[] | undefined, node: Node, i: number): readonly number[] {
  if (!s) throw new Error(`node '${node.name}' (${node.opType}): shape of input ${i} ('${node.inputs[i]}') is unknown`);
  return s;
}

/**
 * The value of input `i`, which the engine needs while it builds its graphs (a shape, axes, repeats, a range bound):
 * a constant, or computed from shapes by the shape folding. `what` names it in the error.
 */
export function knownInput(node: Node, constant: (name: string) => Tensor | undefined, i: number, what: string): Tensor {
  const t = constant(node.inputs[i]);
  if (!t) throw new Error(`node '${node.name}' (${node.opType}): its ${what} ('${node.inputs[i]}') must be known when the engine builds its graphs (a constant, or computed from shapes)`);
  return t;
}

export const same: ShapeRule = (n, s) => [[...need(s[0], n, 0)]];

export const elementwise: ShapeRule = (n, s) => [broadcastShapes(need(s[0], n, 0), need(s[1], n, 1), `node '${n.name}' (${n.opType})`)];

/** Every input broadcast together (Sum, Min, Max, Where). */
export const variadicElementwise: ShapeRule = (n, s) => {
  const shapes = n.inputs.map((_, i) => need(s[i], n, i));
  return [shapes.slice(1).reduce<number[]>((a, b) => broadcastShapes(a, b, `node '${n.name}' (${n.opType})`), [...shapes[0]])];
};

/** An axis attribute in [-rank, rank) as an index; a hostile value (2^31) must not become an array index. */
export function normAxis(axis: number, rank: number, node: Node, max = rank - 1): number {
  if (!Number.isInteger(axis) || axis < -rank || axis > max) {
    throw new Error(`node '${node.name}' (${node.opType}): axis ${axis} is out of range for a ${rank}-dimensional input`);
  }
  return axis < 0 ? axis + rank : axis;
}

export function int64Values(t: Tensor): number[] {
  return Array.from(t.data as BigInt64Array, (v) => Number(v));
}

