/** Softmax and LogSoftmax along one axis (opset ≥ 13 semantics; the default axis is −1). */
import { attrInt } from '../../onnx/ir';
import { OpImpl, normalizeAxis, refTensor, required, sizeOf } from './tensor';

function alongAxis(log: boolean): OpImpl {
  return (node, inputs) => {
    const x = required(node, inputs, 0);
    const axis = normalizeAxis(attrInt(node, 'axis', -1), x.dims.length);
    const outer = sizeOf(x.dims.slice(0, axis));
    const len = x.dims[axis];
    const inner = sizeOf(x.dims.slice(axis + 1));
    const y = refTensor(x.dims);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = (j: number): number => (o * len + j) * inner + i;
        let max = -Infinity;
        for (let j = 0; j < len; j++) max = Math.max(max, x.data[at(j)]);
        let total = 0;
        for (let j = 0; j < len; j++) total += Math.exp(x.data[at(j)] - max);
        const logTotal = Math.log(total);
        for (let j = 0; j < len; j++) {
          const shifted = x.data[at(j)] - max;
          y.data[at(j)] = log ? shifted - logTotal : Math.exp(shifted) / total;
        }
      }
    }
    return [y];
  };
}

export const softmax = alongAxis(false);
export const logSoftmax = alongAxis(true);
