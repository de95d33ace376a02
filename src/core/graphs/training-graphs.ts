/**
 * Graphs for training weights (vanilla training, finetuning): the chosen initializers become graph inputs so
 * every step can feed the current values, and the backward graph returns their gradients from dL/dlogits.
 */
import { Graph, Model, defaultOpset } from '../onnx/ir';
import { ShapeMap, checkSupported, inferShapes } from '../onnx/shape-inference';
import { foldShapes } from '../onnx/shape-folding/fold-shapes';
import { buildBackward } from '../autodiff/backward';
import { DifferentiablePair } from '../runtime/differentiable-runner';
import { batchShape } from './gate-gradient-graphs';
import { withMaxPoolIndices } from './prepare';
import { producedDtype } from '../ops/output-dtypes';
import { BatchStatistics, withBatchStatistics } from './batchnorm-training';
import { denseConvsWithFedWeights } from './dense-conv/fed-weights';

/** Weights and biases of Conv/ConvTranspose/Gemm/MatMul and BatchNormalization's scale and shift. */
export function trainableParameters(graph: Graph): string[] {
  const out = new Set<string>();
  for (const n of graph.nodes) {
    const slots = ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'].includes(n.opType) ? [1, 2] : n.opType === 'BatchNormalization' ? [1, 2] : [];
    for (const s of slots) {
      const name = n.inputs[s];
      const t = name ? graph.initializers.get(name) : undefined;
      if (t && t.dtype === 'float32') out.add(name);
    }
  }
  return [...out];
}

export interface TrainingGraphs extends DifferentiablePair {
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
}

export function buildTrainingGraphs(model: Model, batchSize: number, parameters = trainableParameters(model.graph), batchNorm: BatchNormMode = 'batch', options: TrainingGraphOptions = {}): TrainingGraphs {
  checkSupported(model.graph);
  const { input, dims } = batchShape(model, batchSize);
  const initializers = new Map(model.graph.initializers);
  for (const p of parameters) initializers.delete(p);
  const inputShapes = new Map([[input, dims]]);
  // Built for this batch size: the shape arithmetic becomes constants. The parameters are graph inputs by then, so
  // a value computed from a trained weight is never folded.
  const asInputs: Graph = foldShapes(
    {
      ...model.graph,
      nodes: withMaxPoolIndices(model.graph.nodes),
      inputs: [...model.graph.inputs, ...parameters.map((p) => ({ name: p, dtype: 'float32' as const, shape: [...(model.graph.initializers.get(p)?.dims ?? [])] }))],
      initializers,
    },
    inputShapes,
  ).graph;
  const { graph: normalised, statistics } = batchNorm === 'batch' ? withBatchStatistics(asInputs, inferShapes(asInputs, inputShapes)) : { graph: asInputs, statistics: [] };
  const forward = options.denseConvs === false ? normalised : denseConvsWithFedWeights(normalised, inferShapes(normalised, inputShapes)).graph;
  const shapes = inferShapes(forward, inputShapes);
  const logits = model.graph.outputs[0].name;
  const backward = buildBackward({ forward, shapes, seeds: [logits], targets: parameters, opset: defaultOpset(model) });
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
