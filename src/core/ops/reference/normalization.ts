/** Inference-form BatchNormalization (Softmax's kernel is in softmax.ts). */
import { attrFloat, attrInt } from '../../onnx/ir';
import { OpImpl, refTensor, required, sizeOf } from './tensor';

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
