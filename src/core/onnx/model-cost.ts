/**
 * What one sample costs a model as it declares its inputs: parameters and FLOPs for `bise info` and the model view.
 * The counting is the pruning report's (prune/cost.ts), so a model's FLOPs read the same before it is pruned, in the
 * report's "before" column and here: FLOPs are 2 × the multiply-adds of Conv, ConvTranspose, Gemm and MatMul; bias
 * additions, activations, normalisation, pooling and attention's softmax are not counted.
 */
import { DeclaredInput, FedInput, fedInputs, shapeMap } from '../graphs/model-inputs';
import { COUNTED_OPS, graphCost } from '../prune/cost';
import { formatCount, formatFlops } from '../report/format';
import { Graph } from './ir';
import { inferShapes } from './shape-inference';

export interface ModelCost {
  /** Initializer elements, every dtype (as the pruning report counts them). */
  readonly parameters: number;
  /** 2 × multiply-adds of the counted ops, for one sample. */
  readonly flops: number;
  readonly multiplyAdds: number;
  /** The op types whose multiply-adds are counted. */
  readonly counted: readonly string[];
  /** The data inputs at batch 1, as the FLOPs were counted. */
  readonly inputs: readonly Pick<FedInput, 'name' | 'dims'>[];
  /** The length a dynamic sequence axis was given (FLOPs grow with it); absent when no input has one. */
  readonly sequenceLength?: number;
}

/** Parameters and per-sample FLOPs at batch 1 (and `sequenceLength` tokens for an input with a dynamic axis 1). */
export function modelCost(graph: Graph, inputs: readonly DeclaredInput[], sequenceLength?: number): ModelCost {
  const fed = fedInputs(inputs, { batchSize: 1, sequenceLength });
  const cost = graphCost(graph, inferShapes(graph, shapeMap(fed)));
  const sequence = inputs.some((v) => v.sequenceAxis) ? sequenceLength : undefined;
  return {
    parameters: cost.params,
    flops: cost.flops,
    multiplyAdds: cost.flops / 2,
    counted: COUNTED_OPS,
    inputs: fed.map((v) => ({ name: v.name, dims: v.dims })),
    ...(sequence !== undefined && { sequenceLength: sequence }),
  };
}

/** One line for `bise info`: the FLOPs, what they count and at which input shape. */
export function describeCost(cost: ModelCost): string {
  const at = cost.inputs.map((v) => `${v.name} [${v.dims.join(', ')}]`).join(', ');
  const ops = cost.counted.length > 1 ? `${cost.counted.slice(0, -1).join(', ')} and ${cost.counted[cost.counted.length - 1]}` : cost.counted.join('');
  const tokens = cost.sequenceLength !== undefined ? ` of ${cost.sequenceLength} tokens (more for longer sequences)` : '';
  return `${formatFlops(cost.flops)} FLOPs per sample${tokens}: 2 × ${formatCount(cost.multiplyAdds)} multiply-adds of ${ops} at ${at}; other ops are not counted`;
}
