/** Unary, binary (broadcasting) and variadic elementwise ops, plus Cast, Clip, LeakyRelu, Where, Dropout. */
import { attrFloat, attrInt } from '../../onnx/ir';
import { OpImpl, RefTensor, broadcastDims, broadcastIndex, refTensor, required } from './tensor';

function map(x: RefTensor, f: (v: number) => number): RefTensor {
  return { dims: [...x.dims], data: x.data.map(f) };
}

export const unary = (f: (v: number) => number): OpImpl => (node, inputs) => [map(required(node, inputs, 0), f)];

const sigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

export const UNARY_OPS: Readonly<Record<string, OpImpl>> = {
  Identity: unary((v) => v),
  Neg: unary((v) => -v),
  Abs: unary(Math.abs),
  Sigmoid: unary(sigmoid),
  Tanh: unary(Math.tanh),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Sqrt: unary(Math.sqrt),
  Reciprocal: unary((v) => 1 / v),
  Not: unary((v) => (v ? 0 : 1)),
  LeakyRelu: (node, inputs) => {
    const alpha = attrFloat(node, 'alpha', 0.01);
    return [map(required(node, inputs, 0), (v) => (v > 0 ? v : alpha * v))];
  },
  // Booleans are 0/1 here; float targets keep the value, integer ones truncate, bool tests for non-zero.
  Cast: (node, inputs) => {
    const to = attrInt(node, 'to', 1);
    const convert = to === 1 || to === 10 || to === 11 ? (v: number) => v : to === 9 ? (v: number) => (v !== 0 ? 1 : 0) : Math.trunc;
    return [map(required(node, inputs, 0), convert)];
  },
};

/** Apply `f` elementwise over the numpy broadcast of all `operands`. */
export function broadcastMap(operands: readonly RefTensor[], f: (values: readonly number[]) => number): RefTensor {
  const dims = broadcastDims(operands.map((t) => t.dims));
  const maps = operands.map((t) => broadcastIndex(t.dims, dims));
  const out = refTensor(dims);
  const values = new Array<number>(operands.length);
  for (let i = 0; i < out.data.length; i++) {
    for (let k = 0; k < operands.length; k++) values[k] = operands[k].data[maps[k][i]];
    out.data[i] = f(values);
  }
  return out;
}

const binary = (f: (a: number, b: number) => number): OpImpl => (node, inputs) => [
  broadcastMap([required(node, inputs, 0), required(node, inputs, 1)], ([a, b]) => f(a, b)),
];

export const BINARY_OPS: Readonly<Record<string, OpImpl>> = {
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary((a, b) => a / b),
  Pow: binary(Math.pow),
  Greater: binary((a, b) => (a > b ? 1 : 0)),
  Less: binary((a, b) => (a < b ? 1 : 0)),
  Equal: binary((a, b) => (a === b ? 1 : 0)),
  And: binary((a, b) => (a && b ? 1 : 0)),
  Or: binary((a, b) => (a || b ? 1 : 0)),
};

export const OTHER_ELEMENTWISE_OPS: Readonly<Record<string, OpImpl>> = {
  Sum: (node, inputs) => [broadcastMap(inputs.map((_, i) => required(node, inputs, i)), (vs) => vs.reduce((a, b) => a + b, 0))],
  Where: (node, inputs) => [
    broadcastMap([required(node, inputs, 0), required(node, inputs, 1), required(node, inputs, 2)], ([c, a, b]) => (c ? a : b)),
  ],
  /** Bounds are optional inputs (opset ≥ 11). */
  Clip: (node, inputs) => {
    const lo = inputs[1] ? inputs[1].data[0] : -Infinity;
    const hi = inputs[2] ? inputs[2].data[0] : Infinity;
    return [map(required(node, inputs, 0), (v) => Math.min(Math.max(v, lo), hi))];
  },
  /** Inference mode only: the data passes through and the mask is all true. */
  Dropout: (node, inputs) => {
    const training = inputs[2] && inputs[2].data[0] !== 0;
    if (training) throw new Error(`reference interpreter: node '${node.name}' (Dropout) in training mode is not supported`);
    const x = required(node, inputs, 0);
    return [map(x, (v) => v), map(x, () => 1)];
  },
};
