/**
 * Builds CNNs as ONNX IR in TypeScript (no Python needed): conv blocks (Conv + ReLU, optional stride) ->
 * GlobalAveragePool -> Flatten -> Gemm. Used for the bundled demo model and for tests. He-uniform init,
 * seeded, like PyTorch's default for Conv/Linear up to the constant.
 */
import { Model, Node, Tensor, floatTensor, intAttr, intsAttr } from '../onnx/ir';
import { createRng } from '../data/random';
import { classifierModel, uniformValues } from './classifier-model';

export interface ConvBlockSpec {
  readonly channels: number;
  readonly kernel: number;
  readonly stride: number;
}

export interface SmallCnnSpec {
  readonly inputChannels: number;
  readonly height: number;
  readonly width: number;
  readonly blocks: readonly ConvBlockSpec[];
  readonly classes: number;
  readonly seed: number;
}

/** The demo network: 4 conv 3×3 blocks 16/32/64/128, strides 1/2/2/1, GAP, linear -> 10 (28×28×3 input). */
export const DEMO_CNN: SmallCnnSpec = {
  inputChannels: 3,
  height: 28,
  width: 28,
  blocks: [
    { channels: 16, kernel: 3, stride: 1 },
    { channels: 32, kernel: 3, stride: 2 },
    { channels: 64, kernel: 3, stride: 2 },
    { channels: 128, kernel: 3, stride: 1 },
  ],
  classes: 10,
  seed: 0,
};

/** The paper's BiasedMNIST SimpleConvNet without BatchNorm: 4 conv 7×7 16/32/64/128, GAP, linear. */
export const SIMPLE_CONVNET: SmallCnnSpec = {
  ...DEMO_CNN,
  blocks: [16, 32, 64, 128].map((channels) => ({ channels, kernel: 7, stride: 1 })),
};

export function buildSmallCnn(spec: SmallCnnSpec): Model {
  const rng = createRng(spec.seed);
  const nodes: Node[] = [];
  const initializers = new Map<string, Tensor>();
  let x = 'input';
  let cin = spec.inputChannels;
  spec.blocks.forEach((b, i) => {
    const fanIn = cin * b.kernel * b.kernel;
    const w = `conv${i + 1}.weight`;
    const bias = `conv${i + 1}.bias`;
    initializers.set(w, floatTensor([b.channels, cin, b.kernel, b.kernel], uniformValues(rng, b.channels * fanIn, Math.sqrt(6 / fanIn))));
    initializers.set(bias, floatTensor([b.channels], uniformValues(rng, b.channels, 1 / Math.sqrt(fanIn))));
    const pad = Math.floor(b.kernel / 2);
    nodes.push({
      name: `conv${i + 1}`,
      opType: 'Conv',
      domain: '',
      inputs: [x, w, bias],
      outputs: [`conv${i + 1}.out`],
      attributes: { kernel_shape: intsAttr([b.kernel, b.kernel]), pads: intsAttr([pad, pad, pad, pad]), strides: intsAttr([b.stride, b.stride]) },
    });
    nodes.push({ name: `relu${i + 1}`, opType: 'Relu', domain: '', inputs: [`conv${i + 1}.out`], outputs: [`relu${i + 1}.out`], attributes: {} });
    x = `relu${i + 1}.out`;
    cin = b.channels;
  });
  nodes.push({ name: 'avgpool', opType: 'GlobalAveragePool', domain: '', inputs: [x], outputs: ['pooled'], attributes: {} });
  nodes.push({ name: 'flatten', opType: 'Flatten', domain: '', inputs: ['pooled'], outputs: ['features'], attributes: { axis: intAttr(1) } });
  const bound = 1 / Math.sqrt(cin);
  initializers.set('fc.weight', floatTensor([spec.classes, cin], uniformValues(rng, spec.classes * cin, bound)));
  initializers.set('fc.bias', floatTensor([spec.classes], uniformValues(rng, spec.classes, bound)));
  nodes.push({ name: 'fc', opType: 'Gemm', domain: '', inputs: ['features', 'fc.weight', 'fc.bias'], outputs: ['logits'], attributes: { transB: intAttr(1) } });
  return classifierModel('small_cnn', spec, nodes, initializers);
}
