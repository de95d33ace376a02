/** Inference-form BatchNormalization (Softmax's kernel is in softmax.ts). */
import { attrFloat, attrInt } from '../../onnx/ir';
import { OpImpl, refTensor, required, sizeOf } from './tensor';

export const batchNormalization: OpImpl = (node, inputs) => {
  const [x, scale, bias, mean, variance] = [0, 1, 2, 3, 4].map((i) => required(node, inputs, i));
  const epsilon = attrFloat(node, 'epsilon', 1e-5);
  const [batch, channels] = x.dims;
  const area = sizeOf(x.dims.slice(2));
  const training = attrInt(node, 'training_mode', 0) === 1;
  // Training mode (opset 14+) normalises with the batch's mean and biased variance and returns the running
  // statistics moved towards them by momentum, as onnxruntime's kernel does (biased there too).
  const batchMean = refTensor([channels]);
  const batchVariance = refTensor([channels]);
  if (training) {
    const count = batch * area;
    for (let c = 0; c < channels; c++) {
      let m = 0;
      for (let n = 0; n < batch; n++) for (let p = 0; p < area; p++) m += x.data[(n * channels + c) * area + p];
      m /= count;
      let v = 0;
      for (let n = 0; n < batch; n++) for (let p = 0; p < area; p++) v += (x.data[(n * channels + c) * area + p] - m) ** 2;
      batchMean.data[c] = m;
      batchVariance.data[c] = v / count;
    }
  }
  const [useMean, useVariance] = training ? [batchMean, batchVariance] : [mean, variance];
  const y = refTensor(x.dims);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const factor = scale.data[c] / Math.sqrt(useVariance.data[c] + epsilon);
      for (let p = 0; p < area; p++) {
        const at = (n * channels + c) * area + p;
        y.data[at] = (x.data[at] - useMean.data[c]) * factor + bias.data[c];
      }
    }
  }
  if (!training) return [y];
  const momentum = attrFloat(node, 'momentum', 0.9);
  const running = (old: typeof mean, current: typeof mean) => {
    const out = refTensor([channels]);
    for (let c = 0; c < channels; c++) out.data[c] = old.data[c] * momentum + current.data[c] * (1 - momentum);
    return out;
  };
  return [y, running(mean, batchMean), running(variance, batchVariance)];
};
