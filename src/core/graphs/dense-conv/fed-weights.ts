/**
 * Training graphs feed the weights at run time, so onnxruntime cannot pre-pack them and runs convs on 2×2 and
 * 1×1 maps one sample at a time (ResNet-18 training: layer3 and layer4 took 45 of 63 forward conv ms). This
 * rewrite, applied before autodiff, computes such a conv as the same dense product as the constant-weight pass
 * (plan.ts, matrix.ts), with the matrix assembled in the graph from the fed weight:
 *
 *   A = reshape(W, [M·C, T]) · P  →  [M, C, H·W, Ho·Wo]  →  transpose to [C, H·W, M, Ho·Wo]  →  [C·H·W, M·Ho·Wo]
 *   y = reshape(reshape(x, [N, C·H·W]) · A, [N, M, Ho, Wo]) (+ bias)
 *
 * where P [T, H·W·Ho·Wo] holds, per kernel tap, which input position each output position reads (a constant).
 * Every op has a gradient rule, so autodiff derives dX, dW and dB from it: all of them GEMMs.
 */
import { Graph, Node, intsAttr, makeTensor } from '../../onnx/ir';
import { ShapeMap } from '../../onnx/shape-inference';
import { NodeEmitter } from '../node-emitter';
import { NodeReplacement, RewrittenGraph, replaceNodes } from '../rewrite-nodes';
import { DensePlan, MAX_DENSE_GRAPH_BYTES, denseMatrixBytes, planDenseConv, worthDense } from './plan';
import { denseConvMatrix } from './matrix';

/** Per tap t = (ky, kx): the 0/1 matrix [H·W, Ho·Wo] of the single-channel conv whose only weight is that tap. */
export function tapMatrices(plan: DensePlan): Float32Array {
  const [kh, kw] = plan.kernel;
  const single: DensePlan = { ...plan, inChannels: 1, outChannels: 1, group: 1 };
  const size = plan.inSize[0] * plan.inSize[1] * plan.outSize[0] * plan.outSize[1];
  const out = new Float32Array(kh * kw * size);
  for (let t = 0; t < kh * kw; t++) {
    const oneHot = new Float32Array(kh * kw);
    oneHot[t] = 1;
    out.set(denseConvMatrix(single, oneHot), t * size);
  }
  return out;
}

export function denseConvsWithFedWeights(graph: Graph, shapes: ShapeMap): RewrittenGraph {
  const fed = new Set(graph.inputs.map((v) => v.name));
  // The matrices are intermediates here, rebuilt every step; the same graph-wide budget bounds them.
  let budget = MAX_DENSE_GRAPH_BYTES;
  return replaceNodes(graph, (node, index) => {
    if (node.opType !== 'Conv' || !fed.has(node.inputs[1])) return undefined;
    const [x, w, y] = [shapes.get(node.inputs[0]), shapes.get(node.inputs[1]), shapes.get(node.outputs[0])];
    const plan = x && w && y ? planDenseConv(node, x, w, y) : undefined;
    if (!plan || plan.group !== 1 || !worthDense(plan) || denseMatrixBytes(plan) > budget) return undefined;
    budget -= denseMatrixBytes(plan);
    return lowerFedConv(plan, node, `dfconv${index}/${node.name}`);
  });
}

function lowerFedConv(plan: DensePlan, node: Node, prefix: string): NodeReplacement {
  const { batch: n, inChannels: c, outChannels: m, inSize, outSize, kernel } = plan;
  const taps = kernel[0] * kernel[1];
  const [hw, howo] = [inSize[0] * inSize[1], outSize[0] * outSize[1]];
  const emit = new NodeEmitter(prefix);
  const positions = emit.constant('taps', makeTensor('float32', [taps, hw * howo], tapMatrices(plan)));
  const perTap = emit.op('MatMul', [emit.reshape(node.inputs[1], [m * c, taps]), positions]);
  const swapped = emit.op('Transpose', [emit.reshape(perTap, [m, c * hw, howo])], { perm: intsAttr([1, 0, 2]) });
  const matrix = emit.reshape(swapped, [c * hw, m * howo]);
  const product = emit.op('MatMul', [emit.reshape(node.inputs[0], [n, c * hw]), matrix]);
  const nchw = node.inputs[2] ? emit.reshape(product, [n, m, outSize[0], outSize[1]]) : emit.reshape(product, [n, m, outSize[0], outSize[1]], node.outputs[0]);
  if (node.inputs[2]) emit.op('Add', [nchw, emit.reshape(node.inputs[2], [m, 1, 1])], {}, node.outputs[0]);
  return { nodes: emit.nodes, initializers: emit.initializers };
}
