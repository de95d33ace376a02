/**
 * Folds a graph's shape arithmetic into constants for concrete input shapes: every node whose value shape
 * inference could compute (folder.ts: Shape/Size of known shapes, Constant and integer values, and whatever is
 * computed from those alone) is replaced by an initializer holding that value, and the Constant nodes and
 * initializers only those nodes read are dropped. The engine builds its graphs per batch size, so its gated
 * forward, backward and training graphs see constants; the model itself keeps its dynamic batch.
 */
import { Graph, Node } from '../ir';
import { ShapeMap, inferShapesAndValues } from '../shape-inference';

export interface FoldedGraph {
  readonly graph: Graph;
  /** Every tensor's shape (the same for the folded graph as for the source). */
  readonly shapes: ShapeMap;
  /** How many nodes were replaced by initializers. */
  readonly foldedNodes: number;
}

export function foldShapes(graph: Graph, inputShapes: ReadonlyMap<string, readonly number[]>): FoldedGraph {
  const { shapes, constants, folded } = inferShapesAndValues(graph, inputShapes);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  // A node that produces a graph output stays: onnxruntime wants graph outputs computed, not stored.
  const removed = new Set<Node>(folded.filter((n) => !n.outputs.some((o) => graphOutputs.has(o))));
  if (removed.size === 0) return { graph, shapes, foldedNodes: 0 };

  const readBefore = new Set(graph.nodes.flatMap((n) => n.inputs));
  const initializers = new Map(graph.initializers);
  let nodes = graph.nodes.filter((n) => !removed.has(n));
  const readNow = (): Set<string> => new Set([...nodes.flatMap((n) => n.inputs), ...graphOutputs]);
  let read = readNow();
  for (const n of removed) {
    for (const o of n.outputs) {
      const value = o ? constants.get(o) : undefined;
      if (value && read.has(o)) initializers.set(o, value);
    }
  }
  // Constants that only folded nodes read are dead now (a Constant feeding a Constant-free chain, an axes tensor).
  nodes = nodes.filter((n) => !(n.opType === 'Constant' && n.outputs.every((o) => !read.has(o)) && n.outputs.some((o) => readBefore.has(o))));
  read = readNow();
  for (const name of graph.initializers.keys()) if (readBefore.has(name) && !read.has(name)) initializers.delete(name);

  const produced = new Set([...nodes.flatMap((n) => n.outputs), ...initializers.keys(), ...graph.inputs.map((v) => v.name)]);
  const valueInfo = new Map([...graph.valueInfo].filter(([name]) => produced.has(name)));
  return { graph: { ...graph, nodes, initializers, valueInfo }, shapes, foldedNodes: removed.size };
}
