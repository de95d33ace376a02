/**
 * Graphs for training weights (vanilla training, finetuning): the chosen initializers become graph inputs so
 * every step can feed the current values, and the backward graph returns their gradients from dL/dlogits.
 */
import { Graph, Model, defaultOpset } from '../onnx/ir';
import { ShapeMap, checkSupported, inferShapes } from '../onnx/shape-inference';
import { foldShapes } from '../onnx/shape-folding/fold-shapes';
import { buildBackward } from '../autodiff/backward';
import { DifferentiablePair } from '../runtime/differentiable-runner';
import { declaredInputs, fedInputs, shapeMap } from './model-inputs';
import { withMaxPoolIndices } from './prepare';
import { poolBeforeRelu } from './pool-before-relu';
import { producedDtype } from '../ops/output-dtypes';
import { BatchStatistics, withBatchStatistics } from './batchnorm-training';
import { denseConvsWithFedWeights } from './dense-conv/fed-weights';
import { frequencyConvsWithFedWeights } from './fed-frequency-conv';
import { weightGradientsAsGemms } from './weight-gradient-gemm';

/**
 * Weights and biases of Conv/ConvTranspose/Gemm/MatMul, BatchNormalization's and LayerNormalization's scale and
 * shift, embedding tables (Gather's float data) and the bias a torch-exported nn.Linear adds after its MatMul on 3-D
 * inputs (Add of a constant to the product of a trained MatMul weight). Other float constants (a GELU's 0.5, a
 * score's 1/√d, a mask's fill value) stay fixed.
 */
export function trainableParameters(graph: Graph): string[] {
  const out = new Set<string>();
  const isFloatConstant = (name: string | undefined): name is string => !!name && graph.initializers.get(name)?.dtype === 'float32';
  const producer = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  for (const n of graph.nodes) {
    const slots = ['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'BatchNormalization', 'LayerNormalization'].includes(n.opType) ? [1, 2] : n.opType === 'Gather' ? [0] : [];
    for (const s of slots) if (isFloatConstant(n.inputs[s])) out.add(n.inputs[s]);
    if (n.opType === 'Add') {
      const product = n.inputs.map((i) => producer.get(i)).find((p) => p?.opType === 'MatMul' && isFloatConstant(p.inputs[1]));
      const bias = n.inputs.find(isFloatConstant);
      if (product && bias && graph.initializers.get(bias)?.dims.length === 1) out.add(bias);
    }
  }
  return [...out];
}

export interface TrainingGraphs extends DifferentiablePair {
  /** The first data input (an image model's only one). */
  readonly input: string;
  readonly logits: string;
  readonly parameters: readonly string[];
  readonly shapes: ShapeMap;
  /** Batch-norm nodes run on batch statistics (empty when they are frozen or absent). */
  readonly batchStatistics: readonly BatchStatistics[];
}

/**
 * 'batch' normalises with each batch's statistics and keeps running ones, as PyTorch's train mode;
 * 'frozen' keeps the model's running statistics (an affine per channel).
 */
export type BatchNormMode = 'batch' | 'frozen';

export interface TrainingGraphOptions {
  /** Convs on small maps as dense products assembled from the fed weight (dense-conv/fed-weights.ts); default true. */
  readonly denseConvs?: boolean;
  /** Large stride-1 convs in the frequency domain, spectrum of the fed weight in the graph (fed-frequency-conv.ts); default true. */
  readonly frequencyConvs?: boolean;
  readonly frequencyCostRatio?: number;
  /** Conv weight gradients as one GEMM over the input's patches (weight-gradient-gemm.ts); default true. */
  readonly weightGradientGemms?: boolean;
  /** For token models (inputs with a dynamic axis 1): the sequence length the graphs are built for. */
  readonly sequenceLength?: number;
}

export function buildTrainingGraphs(model: Model, batchSize: number, parameters = trainableParameters(model.graph), batchNorm: BatchNormMode = 'batch', options: TrainingGraphOptions = {}): TrainingGraphs {
  checkSupported(model.graph);
  const fed = fedInputs(declaredInputs(model), { batchSize, sequenceLength: options.sequenceLength });
  const input = fed[0].name;
  const initializers = new Map(model.graph.initializers);
  for (const p of parameters) initializers.delete(p);
  const inputShapes = shapeMap(fed);
  // Built for this batch size: the shape arithmetic becomes constants. The parameters are graph inputs by then, so
  // a value computed from a trained weight is never folded.
  const asInputs: Graph = foldShapes(
    {
      ...model.graph,
      nodes: withMaxPoolIndices(poolBeforeRelu(model.graph).nodes),
      inputs: [...model.graph.inputs, ...parameters.map((p) => ({ name: p, dtype: 'float32' as const, shape: [...(model.graph.initializers.get(p)?.dims ?? [])] }))],
      initializers,
    },
    inputShapes,
  ).graph;
  const { graph: normalised, statistics } = batchNorm === 'batch' ? withBatchStatistics(asInputs, inferShapes(asInputs, inputShapes), defaultOpset(model)) : { graph: asInputs, statistics: [] };
  const dense = options.denseConvs === false ? normalised : denseConvsWithFedWeights(normalised, inferShapes(normalised, inputShapes)).graph;
  const forward = options.frequencyConvs === false ? dense : frequencyConvsWithFedWeights(dense, inferShapes(dense, inputShapes), options.frequencyCostRatio).graph;
  const shapes = inferShapes(forward, inputShapes);
  const logits = model.graph.outputs[0].name;
  const differentiated = buildBackward({ forward, shapes, seeds: [logits], targets: parameters, opset: defaultOpset(model) });
  const backwardShapes = inferShapes(differentiated.graph, new Map(differentiated.graph.inputs.map((v) => [v.name, v.shape as number[]])));
  const backward = options.weightGradientGemms === false ? differentiated : { ...differentiated, graph: weightGradientsAsGemms(differentiated.graph, backwardShapes).graph };
  const withSaved: Graph = {
    ...forward,
    outputs: [
      ...forward.outputs,
      ...backward.savedIntermediates
        .filter((name) => !forward.outputs.some((o) => o.name === name))
        .map((name) => ({ name, dtype: producedDtype(forward.nodes, name), shape: null })),
    ],
    valueInfo: new Map(),
  };
  const extras = statistics.flatMap((b) => [b.mean, b.variance]);
  return { forward: withSaved, forwardShapes: shapes, backward, seeds: [logits], extras, input, logits, parameters, shapes, batchStatistics: statistics };
}
