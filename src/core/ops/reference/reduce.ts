/** ReduceSum / ReduceMean / ReduceMax with axes as an input (opset ≥ 13 for ReduceSum) or an attribute. */
import { Node, attrInt, attrInts } from '../../onnx/ir';
import { OpImpl, RefTensor, intValues, normalizeAxis, refTensor, required, stridesOf } from './tensor';

function reductionAxes(node: Node, inputs: ReadonlyArray<RefTensor | undefined>, rank: number): number[] {
  const given = inputs[1] ? intValues(inputs[1]) : [...(attrInts(node, 'axes') ?? [])];
  if (given.length === 0) return attrInt(node, 'noop_with_empty_axes', 0) === 1 ? [] : Array.from({ length: rank }, (_, i) => i);
  return given.map((a) => normalizeAxis(a, rank));
}

function reduce(combine: (acc: number, v: number) => number, initial: number, finish: (acc: number, count: number) => number): OpImpl {
  return (node, inputs) => {
    const x = required(node, inputs, 0);
    const rank = x.dims.length;
    const axes = new Set(reductionAxes(node, inputs, rank));
    const keepDims = x.dims.map((d, i) => (axes.has(i) ? 1 : d));
    const outStrides = stridesOf(keepDims);
    const acc = new Float64Array(keepDims.reduce((a, b) => a * b, 1)).fill(initial);
    const counter = new Array<number>(rank).fill(0);
    for (let flat = 0; flat < x.data.length; flat++) {
      let at = 0;
      for (let i = 0; i < rank; i++) if (!axes.has(i)) at += counter[i] * outStrides[i];
      acc[at] = combine(acc[at], x.data[flat]);
      for (let i = rank - 1; i >= 0; i--) {
        if (++counter[i] < x.dims[i]) break;
        counter[i] = 0;
      }
    }
    const count = x.data.length / acc.length;
    const keep = attrInt(node, 'keepdims', 1) === 1;
    const dims = keep ? keepDims : x.dims.filter((_, i) => !axes.has(i));
    return [refTensor(dims, acc.map((v) => finish(v, count)))];
  };
}

export const REDUCE_OPS: Readonly<Record<string, OpImpl>> = {
  ReduceSum: reduce((a, v) => a + v, 0, (a) => a),
  ReduceMean: reduce((a, v) => a + v, 0, (a, n) => a / n),
  ReduceMax: reduce((a, v) => Math.max(a, v), -Infinity, (a) => a),
};
