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
    for (const i of n.inputs) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  return {
    producer,
    consumers,
    graphOutputs: new Set(graph.outputs.map((o) => o.name)),
    isConstant: (name) => constants.has(name),
  };
}
