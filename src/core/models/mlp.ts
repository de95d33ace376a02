/**
 * Builds multi-layer perceptrons as ONNX IR: Flatten -> (Gemm + ReLU) × hidden layers -> Gemm. The paper's
 * Multi-Color MNIST model is 3 hidden layers of 100 units (BISE.md), with masks after each hidden ReLU. Same
 * seeded He-uniform init as the small CNNs.
 */
import { Model, Node, Tensor, floatTensor, intAttr } from '../onnx/ir';
import { createRng } from '../data/random';
import { classifierModel, uniformValues } from './classifier-model';

export interface MlpSpec {
  readonly inputChannels: number;
  readonly height: number;
  readonly width: number;
  /** Units of each hidden layer, input side first. */
  readonly hidden: readonly number[];
  readonly classes: number;
  readonly seed: number;
}

/** Multi-Color MNIST's MLP: 28×28×3 input, 3 hidden layers of 100, 10 classes. */
export const MLP_3X100: MlpSpec = { inputChannels: 3, height: 28, width: 28, hidden: [100, 100, 100], classes: 10, seed: 0 };

export function buildMlp(spec: MlpSpec): Model {
  if (spec.hidden.length === 0 || !spec.hidden.every((h) => Number.isInteger(h) && h > 0)) {
    throw new Error(`an MLP needs at least one hidden layer of a positive integer width, got [${spec.hidden.join(', ')}]`);
  }
  const rng = createRng(spec.seed);
  const nodes: Node[] = [];
  const initializers = new Map<string, Tensor>();
  nodes.push({ name: 'flatten', opType: 'Flatten', domain: '', inputs: ['input'], outputs: ['flat'], attributes: { axis: intAttr(1) } });
  let x = 'flat';
  let fanIn = spec.inputChannels * spec.height * spec.width;
  const linear = (name: string, out: number, bound: number, output: string): void => {
    initializers.set(`${name}.weight`, floatTensor([out, fanIn], uniformValues(rng, out * fanIn, bound)));
    initializers.set(`${name}.bias`, floatTensor([out], uniformValues(rng, out, 1 / Math.sqrt(fanIn))));
    nodes.push({ name, opType: 'Gemm', domain: '', inputs: [x, `${name}.weight`, `${name}.bias`], outputs: [output], attributes: { transB: intAttr(1) } });
  };
  spec.hidden.forEach((units, i) => {
    const name = `fc${i + 1}`;
    linear(name, units, Math.sqrt(6 / fanIn), `${name}.out`);
    nodes.push({ name: `relu${i + 1}`, opType: 'Relu', domain: '', inputs: [`${name}.out`], outputs: [`relu${i + 1}.out`], attributes: {} });
    x = `relu${i + 1}.out`;
    fanIn = units;
  });
  linear('classifier', spec.classes, 1 / Math.sqrt(fanIn), 'logits');
  return classifierModel('mlp', spec, nodes, initializers);
}
