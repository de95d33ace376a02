import { Node } from './ir';

/**
 * Kahn's algorithm, stable with respect to the given order (an already valid order is kept).
 * Inputs that no node produces count as available. Throws naming a node on a cycle.
 */
export function sortTopologically(nodes: readonly Node[]): Node[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const pending = nodes.map((n) => new Set(n.inputs.filter((x) => x !== '' && producer.has(x))));
  const consumers = new Map<string, number[]>();
  pending.forEach((deps, i) => deps.forEach((d) => consumers.set(d, [...(consumers.get(d) ?? []), i])));
  const done = new Array<boolean>(nodes.length).fill(false);
  const queued = new Array<boolean>(nodes.length).fill(false);
  const order: Node[] = [];
  const ready: number[] = [];
  const push = (i: number): void => {
    queued[i] = true;
    ready.push(i);
  };
  pending.forEach((deps, i) => deps.size === 0 && push(i));
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift() as number;
    done[i] = true;
    order.push(nodes[i]);
    for (const o of nodes[i].outputs) {
      for (const c of consumers.get(o) ?? []) {
        pending[c].delete(o);
        if (pending[c].size === 0 && !queued[c]) push(c);
      }
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((_, i) => !done[i]);
    throw new Error(`the graph has a cycle through node '${stuck?.name}' (${stuck?.opType})`);
  }
  return order;
}
