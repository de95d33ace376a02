/** Producer/consumer lookups over an IR graph (built once, read many times). */
import { Graph, Node } from '../onnx/ir';

export interface GraphIndex {
  readonly producer: ReadonlyMap<string, Node>;
  readonly consumers: ReadonlyMap<string, readonly Node[]>;
  readonly graphOutputs: ReadonlySet<string>;
  isConstant(name: string): boolean;
}

export function indexGraph(graph: Graph): GraphIndex {
  const producer = new Map<string, Node>();
  const consumers = new Map<string, Node[]>();
  const constants = new Set(graph.initializers.keys());
  for (const n of graph.nodes) {
    n.outputs.forEach((o) => o && producer.set(o, n));
    if (n.opType === 'Constant') constants.add(n.outputs[0]);
    // PyTorch's exporter reads de-duplicated initializers through Identity nodes (see prune/cost.ts constantsOf).
    if (n.opType === 'Identity' && n.domain === '' && constants.has(n.inputs[0])) constants.add(n.outputs[0]);
    // Shape and Size read only the dims, which a gate never changes: not consumers of the values, so the graph the
    // engine folds (no Shape left) and the model as exported (view(x.size(0), -1)) give the same units and sites.
    if (n.domain === '' && (n.opType === 'Shape' || n.opType === 'Size')) continue;
    for (const i of n.inputs) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  return {
    producer,
    consumers,
    graphOutputs: new Set(graph.outputs.map((o) => o.name)),
    isConstant: (name) => constants.has(name),
  };
}
