/** The Model around a built-in network's graph: its inputs (an image [batch, C, H, W], or token ids), one logits output [batch, K]. */
import { Model, Node, Tensor, ValueInfo } from '../onnx/ir';
import { Rng } from '../data/random';

export interface ClassifierShape {
  readonly inputChannels: number;
  readonly height: number;
  readonly width: number;
  readonly classes: number;
}

export function classifierModel(name: string, shape: ClassifierShape, nodes: readonly Node[], initializers: ReadonlyMap<string, Tensor>): Model {
  const input: ValueInfo = { name: 'input', dtype: 'float32', shape: ['batch', shape.inputChannels, shape.height, shape.width] };
  return builtinModel(name, [input], shape.classes, nodes, initializers);
}

export function builtinModel(name: string, inputs: readonly ValueInfo[], classes: number, nodes: readonly Node[], initializers: ReadonlyMap<string, Tensor>): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'bise-vscode',
    producerVersion: '0.1.0',
    graph: {
      name,
      nodes,
      inputs,
      outputs: [{ name: 'logits', dtype: 'float32', shape: ['batch', classes] }],
      initializers,
      valueInfo: new Map(),
    },
    metadata: {},
  };
}

/** Values uniform in [−bound, bound] (PyTorch's default Linear/Conv init family). */
export function uniformValues(rng: Rng, n: number, bound: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng.nextFloat() * 2 - 1) * bound;
  return out;
}
