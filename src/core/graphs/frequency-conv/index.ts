/**
 * Graph pass: compute qualifying Convs in the frequency domain (plan.ts decides, lower.ts emits). Names of every
 * pre-existing tensor are kept, so a lowered graph is a drop-in replacement for the session that runs it; the
 * model a user gets back is never lowered (only the sessions of the engine's mask-learning steps run lowered graphs).
 */
import { Graph, Model, Node, Tensor } from '../../onnx/ir';
import { ShapeMap } from '../../onnx/shape-inference';
import { RewrittenGraph, replaceNodes } from '../rewrite-nodes';
import { MICROSOFT_DOMAIN, lowerConv } from './lower';
import { FrequencyPlan, planFrequencyConv, workspaceBytes, worthLowering } from './plan';

export interface LoweringOptions {
  /** Lower a conv when its estimated cost is at most this fraction of the direct one (tests force it with Infinity). */
  readonly costRatio?: number;
  /** Lower a conv only when its activation spectra take at most this many bytes (plan.ts workspaceBytes; memory-budget.ts). */
  readonly maxWorkspaceBytes?: number;
}

export function lowerConvsToFrequencyDomain(graph: Graph, shapes: ShapeMap, options: LoweringOptions = {}): RewrittenGraph {
  return replaceNodes(graph, (node, index) => {
    const plan = chosenPlan(graph, shapes, node, options);
    if (!plan) return undefined;
    const weight = graph.initializers.get(node.inputs[1]) as Tensor;
    return lowerConv(plan, { prefix: `fconv${index}/${node.name}`, x: node.inputs[0], weight, bias: node.inputs[2] ?? '', y: node.outputs[0] });
  });
}

/** The plans of the convs lowerConvsToFrequencyDomain would lower, by node index, without building their spectra. */
export function frequencyPlans(graph: Graph, shapes: ShapeMap, options: LoweringOptions = {}): Map<number, FrequencyPlan> {
  return new Map(graph.nodes.flatMap((node, i) => {
    const plan = chosenPlan(graph, shapes, node, options);
    return plan ? [[i, plan] as const] : [];
  }));
}

function chosenPlan(graph: Graph, shapes: ShapeMap, node: Node, options: LoweringOptions): FrequencyPlan | undefined {
  const weight = node.opType === 'Conv' && node.domain === '' ? graph.initializers.get(node.inputs[1]) : undefined;
  const [x, w, y] = [shapes.get(node.inputs[0]), weight?.dims, shapes.get(node.outputs[0])];
  const plan = weight && weight.dtype === 'float32' && x && w && y ? planFrequencyConv(node, x, w, y) : undefined;
  if (!plan || !worthLowering(plan, options.costRatio)) return undefined;
  return options.maxWorkspaceBytes === undefined || workspaceBytes(plan) <= options.maxWorkspaceBytes ? plan : undefined;
}

/** A model's opset imports plus onnxruntime's contrib domain, which the lowered convs' FusedMatMul needs. */
export function withContribOpset(imports: Model['opsetImports']): Model['opsetImports'] {
  return [...imports.filter((o) => o.domain !== MICROSOFT_DOMAIN), { domain: MICROSOFT_DOMAIN, version: 1 }];
}
