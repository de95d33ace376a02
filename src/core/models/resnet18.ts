/**
 * torchvision's ResNet-18 as ONNX IR (no Python needed): 7×7/2 stem conv + BN + ReLU + 3×3/2 max-pool, four
 * stages of two BasicBlocks (64, 128, 256, 512 channels; stages 2–4 start with stride 2 and a 1×1 conv + BN
 * shortcut), global average pool, linear classifier. BatchNormalization in inference form with fresh running
 * statistics (mean 0, variance 1): `bise train` normalises with batch statistics and fills them in.
 * Initialisation as torchvision: Kaiming-normal (fan-out) convs, BN scale 1 / shift 0, uniform linear layer.
 */
import { Model, Node, Tensor, floatAttr, floatTensor, intAttr, intsAttr } from '../onnx/ir';
import { Rng, createRng, fillNormal } from '../data/random';
import { classifierModel, uniformValues } from './classifier-model';

export interface ResNet18Spec {
  readonly inputChannels: number;
  readonly height: number;
  readonly width: number;
  readonly classes: number;
  /** Channels of the four stages (torchvision: 64, 128, 256, 512; smaller for quick tests). */
  readonly widths: readonly [number, number, number, number];
  readonly seed: number;
}

/** ResNet-18 for 32×32 RGB inputs (e.g. Corrupted Fashion-MNIST), 10 classes. */
export const RESNET18_32: ResNet18Spec = { inputChannels: 3, height: 32, width: 32, classes: 10, widths: [64, 128, 256, 512], seed: 0 };

class Builder {
  readonly nodes: Node[] = [];
  readonly initializers = new Map<string, Tensor>();
  constructor(private readonly rng: Rng) {}

  conv(name: string, x: string, cin: number, cout: number, kernel: number, stride: number): string {
    const w = `${name}.weight`;
    // Kaiming normal, fan-out mode, ReLU gain (torchvision's ResNet init).
    const std = Math.sqrt(2 / (cout * kernel * kernel));
    this.initializers.set(w, floatTensor([cout, cin, kernel, kernel], fillNormal(new Float32Array(cout * cin * kernel * kernel), this.rng, 0, std)));
    const pad = Math.floor(kernel / 2);
    return this.node(name, 'Conv', [x, w], { kernel_shape: intsAttr([kernel, kernel]), pads: intsAttr([pad, pad, pad, pad]), strides: intsAttr([stride, stride]) });
  }

  batchNorm(name: string, x: string, channels: number): string {
    const param = (suffix: string, value: number): string => {
      this.initializers.set(`${name}.${suffix}`, floatTensor([channels], new Float32Array(channels).fill(value)));
      return `${name}.${suffix}`;
    };
    const inputs = [x, param('weight', 1), param('bias', 0), param('running_mean', 0), param('running_var', 1)];
    return this.node(name, 'BatchNormalization', inputs, { epsilon: floatAttr(1e-5), momentum: floatAttr(0.9) });
  }

  node(name: string, opType: string, inputs: readonly string[], attributes: Node['attributes'] = {}): string {
    const out = `${name}.out`;
    this.nodes.push({ name, opType, domain: '', inputs: [...inputs], outputs: [out], attributes });
    return out;
  }

  relu(name: string, x: string): string {
    return this.node(name, 'Relu', [x]);
  }

  basicBlock(name: string, x: string, cin: number, cout: number, stride: number): string {
    const a = this.relu(`${name}.relu1`, this.batchNorm(`${name}.bn1`, this.conv(`${name}.conv1`, x, cin, cout, 3, stride), cout));
    const b = this.batchNorm(`${name}.bn2`, this.conv(`${name}.conv2`, a, cout, cout, 3, 1), cout);
    const shortcut = stride !== 1 || cin !== cout ? this.batchNorm(`${name}.downsample.1`, this.conv(`${name}.downsample.0`, x, cin, cout, 1, stride), cout) : x;
    return this.relu(`${name}.relu2`, this.node(`${name}.add`, 'Add', [b, shortcut]));
  }
}

export function buildResNet18(spec: ResNet18Spec): Model {
  const rng = createRng(spec.seed);
  const b = new Builder(rng);
  const [w1] = spec.widths;
  let x = b.relu('relu', b.batchNorm('bn1', b.conv('conv1', 'input', spec.inputChannels, w1, 7, 2), w1));
  x = b.node('maxpool', 'MaxPool', [x], { kernel_shape: intsAttr([3, 3]), pads: intsAttr([1, 1, 1, 1]), strides: intsAttr([2, 2]) });
  let cin = w1;
  spec.widths.forEach((cout, stage) => {
    x = b.basicBlock(`layer${stage + 1}.0`, x, cin, cout, stage === 0 ? 1 : 2);
    x = b.basicBlock(`layer${stage + 1}.1`, x, cout, cout, 1);
    cin = cout;
  });
  x = b.node('avgpool', 'GlobalAveragePool', [x]);
  const features = b.node('flatten', 'Flatten', [x], { axis: intAttr(1) });
  const bound = 1 / Math.sqrt(cin);
  b.initializers.set('fc.weight', floatTensor([spec.classes, cin], uniformValues(rng, spec.classes * cin, bound)));
  b.initializers.set('fc.bias', floatTensor([spec.classes], uniformValues(rng, spec.classes, bound)));
  b.nodes.push({ name: 'fc', opType: 'Gemm', domain: '', inputs: [features, 'fc.weight', 'fc.bias'], outputs: ['logits'], attributes: { transB: intAttr(1) } });
  return classifierModel('resnet18', spec, b.nodes, b.initializers);
}
