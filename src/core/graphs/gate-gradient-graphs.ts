/**
 * Assembles the two graphs of a mask-learning step for a fixed batch size (and, for token models, a fixed sequence
 * length): the gated forward (outputs logits, z and what the backward needs) and the backward graph (upstream grads
 * of logits and z -> dL/dgate).
 */
import { Graph, Model, defaultOpset } from '../onnx/ir';
import { ShapeMap, checkSupported, inferShapes } from '../onnx/shape-inference';
import { foldShapes } from '../onnx/shape-folding/fold-shapes';
import { BackwardGraph, buildBackward } from '../autodiff/backward';
import { maxPoolGateGather } from './maxpool-gate-gather';
import { DiscoverOptions, Discovery, discoverUnits } from '../units/discover';
import { GateInput, GateSharing, buildGatedForward, gateInputsFor } from './gated-forward';
import { FedInput, declaredInputs, fedInputs, shapeMap } from './model-inputs';

export interface GateGradientOptions extends DiscoverOptions {
  readonly batchSize: number;
  /** For inputs with a dynamic axis 1 (token ids, attention masks): the sequence length the graphs are built for. */
  readonly sequenceLength?: number;
  readonly sharing?: GateSharing;
  /** Also return gradients of these initializers (weights), e.g. for finetuning. */
  readonly weightTargets?: readonly string[];
}

export interface GateGradientGraphs {
  readonly discovery: Discovery;
  readonly gates: readonly GateInput[];
  /** Every data input at the built batch size and sequence length, in the model's order. */
  readonly inputs: readonly FedInput[];
  /** The first data input (an image model's only one) and its dims: what single-input callers feed. */
  readonly input: string;
  readonly inputDims: readonly number[];
  readonly forward: Graph;
  readonly backward: BackwardGraph;
  readonly logits: string;
  readonly bottleneck: string;
  readonly logitsDims: readonly number[];
  /** Static shapes of every tensor of the gated forward graph. */
  readonly forwardShapes: ShapeMap;
  readonly bottleneckDims: readonly number[];
}

/** The single data input of an image model at `batchSize`; refuses models with several inputs or other dynamic axes. */
export function batchShape(model: Model, batchSize: number): { input: string; dims: number[] } {
  const inputs = model.graph.inputs;
  if (inputs.length !== 1) throw new Error(`the model has ${inputs.length} data inputs (${inputs.map((v) => v.name).join(', ')}); exactly one is supported`);
  const v = inputs[0];
  if (!v.shape || v.shape.length === 0) throw new Error(`graph input '${v.name}' declares no shape`);
  const rest = v.shape.slice(1);
  if (rest.some((d) => typeof d !== 'number')) throw new Error(`graph input '${v.name}' has non-batch dimensions that are not fixed: [${v.shape.join(', ')}]`);
  return { input: v.name, dims: [batchSize, ...(rest as number[])] };
}

export function buildGateGradientGraphs(model: Model, options: GateGradientOptions): GateGradientGraphs {
  checkSupported(model.graph);
  const inputs = fedInputs(declaredInputs(model), options);
  const inputShapes = shapeMap(inputs);
  // Built for this batch size (and sequence length): the model's shape arithmetic (view(x.size(0), -1), x.size()[:-1]
  // + (heads, head_size), …) becomes constants.
  const { graph, shapes: modelShapes } = foldShapes(model.graph, inputShapes);
  // The pruning trial (units/prunable-groups.ts) prunes the model as the pruner will: unfolded, at this batch size.
  const pruneTarget = options.pruneTarget ?? (graph === model.graph ? undefined : { graph: model.graph, shapes: inferShapes(model.graph, inputShapes) });
  const discovery = discoverUnits(graph, modelShapes, { opset: defaultOpset(model), ...options, ...(pruneTarget && { pruneTarget }) });
  const gates = gateInputsFor(discovery, options.sharing ?? 'group');
  const gated = buildGatedForward(graph, discovery, gates);
  const shapes = inferShapes(gated.graph, inputShapes);
  const backward = buildBackward({
    forward: gated.graph,
    shapes,
    seeds: [gated.logits, gated.bottleneck],
    targets: [...gates.map((g) => g.name), ...(options.weightTargets ?? [])],
    opset: defaultOpset(model),
  });
  const backwardGraph = maxPoolGateGather(backward.graph, (name) => shapes.get(name));
  const forward = buildGatedForward(graph, discovery, gates, backward.savedIntermediates).graph;
  return {
    discovery,
    gates,
    inputs,
    input: inputs[0].name,
    inputDims: inputs[0].dims,
    forward,
    backward: backwardGraph === backward.graph ? backward : { ...backward, graph: backwardGraph },
    logits: gated.logits,
    bottleneck: gated.bottleneck,
    logitsDims: shapes.get(gated.logits) ?? [],
    forwardShapes: shapes,
    bottleneckDims: shapes.get(gated.bottleneck) ?? [],
  };
}
