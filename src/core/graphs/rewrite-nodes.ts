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

/** The graph without the nodes none of whose outputs are read (by a later node or as a graph output), nor the initializers only they read. */
export function withoutDeadNodes(graph: Graph): Graph {
  const kept: Node[] = [];
  const needed = new Set(graph.outputs.map((o) => o.name));
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i];
    if (!n.outputs.some((o) => o && needed.has(o))) continue;
    kept.push(n);
    n.inputs.forEach((x) => x && needed.add(x));
  }
  const nodes = kept.reverse();
  const used = new Set(nodes.flatMap((n) => n.inputs));
  return { ...graph, nodes, initializers: new Map([...graph.initializers].filter(([name]) => used.has(name))) };
}
