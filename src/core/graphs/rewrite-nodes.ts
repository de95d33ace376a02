/**
 * Replaces chosen nodes of a graph by small subgraphs that write the same output names, so the rewritten graph
 * is a drop-in replacement for a session; initializers only the replaced nodes read are dropped.
 */
import { Graph, Node, Tensor } from '../onnx/ir';

export interface NodeReplacement {
  readonly nodes: readonly Node[];
  readonly initializers: ReadonlyMap<string, Tensor>;
}

export interface RewrittenGraph {
  readonly graph: Graph;
  /** Names of the replaced nodes. */
  readonly replaced: readonly string[];
}

export function replaceNodes(graph: Graph, replace: (node: Node, index: number) => NodeReplacement | undefined): RewrittenGraph {
  const nodes: Node[] = [];
  const initializers = new Map<string, Tensor>(graph.initializers);
  const replaced: string[] = [];
  graph.nodes.forEach((node, index) => {
    const replacement = replace(node, index);
    if (!replacement) {
      nodes.push(node);
      return;
    }
    nodes.push(...replacement.nodes);
    for (const [k, v] of replacement.initializers) initializers.set(k, v);
    replaced.push(node.name);
  });
  if (replaced.length === 0) return { graph, replaced };
  const used = new Set(nodes.flatMap((n) => n.inputs));
  for (const name of graph.initializers.keys()) if (!used.has(name)) initializers.delete(name);
  return { graph: { ...graph, nodes, initializers }, replaced };
}
