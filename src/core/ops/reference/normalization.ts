/** Softmax (opset ≥ 13: along one axis) and inference-form BatchNormalization. */
import { attrFloat, attrInt } from '../../onnx/ir';
import { OpImpl, normalizeAxis, refTensor, required, sizeOf } from './tensor';

export const softmax: OpImpl = (node, inputs) => {
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
      for (let j = 0; j < len; j++) total += (y.data[at(j)] = Math.exp(x.data[at(j)] - max));
      for (let j = 0; j < len; j++) y.data[at(j)] /= total;
    }
  }
  return [y];
};

export const batchNormalization: OpImpl = (node, inputs) => {
  if (attrInt(node, 'training_mode', 0) === 1) throw new Error(`reference interpreter: node '${node.name}' (BatchNormalization): training_mode is not implemented`);
  const [x, scale, bias, mean, variance] = [0, 1, 2, 3, 4].map((i) => required(node, inputs, i));
  const epsilon = attrFloat(node, 'epsilon', 1e-5);
  const [batch, channels] = x.dims;
  const area = sizeOf(x.dims.slice(2));
  const y = refTensor(x.dims);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const factor = scale.data[c] / Math.sqrt(variance.data[c] + epsilon);
      for (let p = 0; p < area; p++) {
        const at = (n * channels + c) * area + p;
        y.data[at] = (x.data[at] - mean.data[c]) * factor + bias.data[c];
      }
    }
  }
  return [y];
};
