/** ReduceSum / ReduceMean / ReduceMax / ReduceL2 with axes as an input or an attribute (see ../reductions.ts). */
import { intInputFromValues } from '../constant-inputs';
import { reducedAxes, reducedShape } from '../reductions';
import { OpImpl, refTensor, required, stridesOf } from './tensor';

function reduce(combine: (acc: number, v: number) => number, initial: number, finish: (acc: number, count: number) => number): OpImpl {
  return (node, inputs) => {
    const x = required(node, inputs, 0);
    const rank = x.dims.length;
    const axes = new Set(reducedAxes(node, rank, intInputFromValues(inputs)));
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
    const count = acc.length === 0 ? 0 : x.data.length / acc.length;
    return [refTensor(reducedShape(node, x.dims, [...axes]), acc.map((v) => finish(v, count)))];
  };
}

export const reduceSum = reduce((a, v) => a + v, 0, (a) => a);
export const reduceMean = reduce((a, v) => a + v, 0, (a, n) => a / n);
export const reduceMax = reduce((a, v) => Math.max(a, v), -Infinity, (a) => a);
export const reduceL2 = reduce((a, v) => a + v * v, 0, (a) => Math.sqrt(a));
