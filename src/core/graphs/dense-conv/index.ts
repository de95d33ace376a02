/**
 * Graph pass: compute Convs and ConvTransposes on small feature maps as one dense matrix product each (plan.ts
 * decides, matrix.ts builds the matrix, lower.ts emits). Plain ONNX ops, so any execution provider runs it; the
 * model a user gets back is never lowered.
 */
import { Graph } from '../../onnx/ir';
import { ShapeMap } from '../../onnx/shape-inference';
import { RewrittenGraph, replaceNodes } from '../rewrite-nodes';
import { lowerDenseConv } from './lower';
import { MAX_DENSE_GRAPH_BYTES, denseMatrixBytes, planDenseConv, worthDense } from './plan';

export interface DenseLoweringOptions {
  /** Lower a conv when the product's multiply-adds are at most this multiple of the conv's (tests force Infinity). */
  readonly costRatio?: number;
  /** Matrices of one graph together stay under this (default MAX_DENSE_GRAPH_BYTES); later convs stay direct. */
  readonly maxTotalBytes?: number;
}

export function lowerConvsToDense(graph: Graph, shapes: ShapeMap, options: DenseLoweringOptions = {}): RewrittenGraph {
  let budget = options.maxTotalBytes ?? MAX_DENSE_GRAPH_BYTES;
  return replaceNodes(graph, (node, index) => {
    if (node.opType !== 'Conv' && node.opType !== 'ConvTranspose') return undefined;
    const weight = graph.initializers.get(node.inputs[1]);
    const bias = node.inputs[2] ? graph.initializers.get(node.inputs[2]) : undefined;
    if (!weight || weight.dtype !== 'float32' || (node.inputs[2] && (!bias || bias.dtype !== 'float32'))) return undefined;
    const [x, y] = [shapes.get(node.inputs[0]), shapes.get(node.outputs[0])];
    const plan = x && y ? planDenseConv(node, x, weight.dims, y) : undefined;
    if (!plan || !worthDense(plan, options.costRatio) || (bias && bias.data.length !== plan.outChannels)) return undefined;
    if (denseMatrixBytes(plan) > budget) return undefined;
    budget -= denseMatrixBytes(plan);
    return lowerDenseConv(plan, { prefix: `dconv${index}/${node.name}`, x: node.inputs[0], weight, bias, y: node.outputs[0] });
  });
}
