/**
 * Integer inputs that configure an op (Slice's starts/ends, Pad's pads, Split's sizes, a reduction's axes) must
 * be known when the engine builds its graphs. Each consumer (shape rule, gradient, channel rule, reference
 * kernel) finds constants its own way; `IntInput` hides that, so one geometry function serves all four.
 */
import { Node, Tensor } from '../onnx/ir';
import { RefTensor } from './reference/tensor';

/** Values of integer input `i`, or undefined when the input is omitted. Throws when it is present but not constant. */
export type IntInput = (i: number) => readonly number[] | undefined;

function valuesOf(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

function notConstant(node: Node, i: number, what: string): Error {
  return new Error(`node '${node.name}' (${node.opType}): its ${what} (input ${i}, '${node.inputs[i]}') must be a constant; the engine builds its graphs for known ${what}`);
}

/** For shape rules: constants are initializers and Constant outputs. */
export function intInputFromConstants(node: Node, constants: ReadonlyMap<string, Tensor>, what: (i: number) => string): IntInput {
  return (i) => {
    const name = node.inputs[i];
    if (!name) return undefined;
    const t = constants.get(name);
    if (!t) throw notConstant(node, i, what(i));
    return valuesOf(t);
  };
}

/** For gradient and channel rules, which look constants up by input index or name. */
export function intInputFromLookup(node: Node, lookup: (i: number) => Tensor | undefined, what: (i: number) => string): IntInput {
  return (i) => {
    if (!node.inputs[i]) return undefined;
    const t = lookup(i);
    if (!t) throw notConstant(node, i, what(i));
    return valuesOf(t);
  };
}

/** For reference kernels: every input has a value. */
export function intInputFromValues(inputs: ReadonlyArray<RefTensor | undefined>): IntInput {
  return (i) => {
    const t = inputs[i];
    return t ? Array.from(t.data) : undefined;
  };
}
