/**
 * Relu → MaxPool becomes MaxPool → Relu in the weight-training graphs: max and Relu commute (Relu is monotone), so
 * the output is the same, bit for bit, and so are the gradients (where the window's maximum is positive both send
 * dY to the same first arg-max; where it is not, both send 0). The Relu and its gradient (compare, cast, multiply)
 * then run on the pooled map: ResNet's stem, 4× fewer values (3×3 stride-2 pool).
 */
import { Graph, Node } from '../onnx/ir';

export function poolBeforeRelu(graph: Graph): Graph {
  const readers = new Map<string, Node[]>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i) readers.set(i, [...(readers.get(i) ?? []), n]);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const swapped = new Map<Node, Node[]>();
  const dropped = new Set<Node>();
  for (const relu of graph.nodes) {
    if (relu.opType !== 'Relu' || relu.domain !== '' || outputs.has(relu.outputs[0])) continue;
    const next = readers.get(relu.outputs[0]) ?? [];
    const pool = next[0];
    // Only a Relu read by nothing but one MaxPool without an indices output: where a window is ≤ 0 everywhere the
    // arg-max differs (Relu's ties at 0), which changes no gradient but would change indices that a model reads.
    if (next.length !== 1 || pool.opType !== 'MaxPool' || pool.domain !== '' || pool.inputs[0] !== relu.outputs[0] || pool.outputs[1]) continue;
    const pooled = `${pool.outputs[0]}::before_relu`;
    swapped.set(pool, [
      { ...pool, inputs: [relu.inputs[0]], outputs: [pooled] },
      { ...relu, name: `${relu.name}::after_pool`, inputs: [pooled], outputs: [pool.outputs[0]] },
    ]);
    dropped.add(relu);
  }
  if (swapped.size === 0) return graph;
  return { ...graph, nodes: graph.nodes.flatMap((n) => (dropped.has(n) ? [] : (swapped.get(n) ?? [n]))) };
}
