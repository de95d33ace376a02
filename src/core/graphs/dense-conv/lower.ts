/** One Conv/ConvTranspose as Reshape → MatMul (→ Add bias) → Reshape, writing the node's own output name. */
import { Node, Tensor, makeTensor } from '../../onnx/ir';
import { NodeEmitter } from '../node-emitter';
import { DensePlan } from './plan';
import { denseConvMatrix, expandedBias } from './matrix';

export interface DenseOperands {
  /** Unique prefix for the new tensor and node names. */
  readonly prefix: string;
  readonly x: string;
  readonly weight: Tensor;
  /** The bias as a constant, or undefined when the node has none (a bias computed at run time is not lowered). */
  readonly bias: Tensor | undefined;
  readonly y: string;
}

export function lowerDenseConv(plan: DensePlan, ops: DenseOperands): { nodes: readonly Node[]; initializers: ReadonlyMap<string, Tensor> } {
  const { batch: n, inChannels: c, outChannels: m, inSize, outSize } = plan;
  const rows = c * inSize[0] * inSize[1];
  const positions = outSize[0] * outSize[1];
  const emit = new NodeEmitter(ops.prefix);
  const matrix = emit.constant('matrix', makeTensor('float32', [rows, m * positions], denseConvMatrix(plan, ops.weight.data as Float32Array)));
  const product = emit.op('MatMul', [emit.reshape(ops.x, [n, rows]), matrix]);
  const withBias = ops.bias ? emit.op('Add', [product, emit.constant('bias', makeTensor('float32', [m * positions], expandedBias(ops.bias.data as Float32Array, positions)))]) : product;
  emit.reshape(withBias, [n, m, outSize[0], outSize[1]], ops.y);
  return { nodes: emit.nodes, initializers: emit.initializers };
}
