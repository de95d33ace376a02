/**
 * Pruning a model that computes its Reshape targets from the batch size (view(x.size(0), -1), flatten(2),
 * view(x.size(0), 64)): the exported model must keep its dynamic batch, so a target is never baked at the
 * analysis batch. Where a target must change (a literal channel count such as the 64 above, which pruning
 * shrinks), the Reshape rule replaces the computed target by a batch-free constant: the target evaluated at two
 * batch sizes, where an entry that equals the input's own size at that position at both becomes 0 (Reshape
 * copies it: the batch, or a channel count that then follows the pruning), one that is the same at both is a
 * constant, and a single other batch-dependent entry becomes -1 (Reshape infers it). Targets that cannot be
 * written so (two batch-dependent entries that are not copies) stay computed, and the rule refuses them when they
 * would have to change. A computed target that follows the pruned tensor by itself (its channel entry a copy or
 * -1) is left as it is, shape subgraph and all.
 */
import { Graph, Node, Tensor, attrInt, int64Tensor } from '../onnx/ir';
import { InferredGraph, inferShapesAndValues } from '../onnx/shape-inference';
import { int64Values } from '../ops/shape-rules';

/** Two batch sizes at which no literal can pass for the batch (a 1 would). */
const BATCHES = [2, 3] as const;

/** Graph input shapes at `batch`: the given or declared dims, with a symbolic axis 0 set to `batch`. */
function shapesAt(graph: Graph, given: ReadonlyMap<string, readonly number[]>, batch: number): Map<string, readonly number[]> | undefined {
  const out = new Map<string, readonly number[]>();
  for (const v of graph.inputs) {
    const dims = [...(given.get(v.name) ?? v.shape ?? [])];
    if (v.shape && v.shape.length > 0 && typeof v.shape[0] !== 'number') dims[0] = batch;
    if (dims.some((d) => typeof d !== 'number')) return undefined;
    out.set(v.name, dims as number[]);
  }
  return out;
}

function isLiteral(graph: Graph, name: string, producers: ReadonlyMap<string, Node>): boolean {
  return graph.initializers.has(name) || producers.get(name)?.opType === 'Constant';
}

/**
 * For every Reshape whose target is computed and can be written without the batch size: that target, by node
 * name. Empty when the graph cannot be analysed at the two batch sizes (the pruning's own analysis reports why).
 */
export function batchFreeReshapeTargets(graph: Graph, given: ReadonlyMap<string, readonly number[]> = new Map()): Map<string, Tensor> {
  return batchFreeConstants(graph, given).reshapeTargets;
}

export interface BatchFreeConstants {
  /** Computed Reshape targets written without the batch size, by node name. */
  readonly reshapeTargets: Map<string, Tensor>;
  /**
   * Computed integer tensors (shape arithmetic) that have the same value at both batch sizes, by tensor name: e.g.
   * Slice bounds computed from a channel count (x.chunk(2, dim=1)), which a rule may replace by constants.
   */
  readonly values: Map<string, Tensor>;
}

export function batchFreeConstants(graph: Graph, given: ReadonlyMap<string, readonly number[]> = new Map()): BatchFreeConstants {
  const out = new Map<string, Tensor>();
  const values = new Map<string, Tensor>();
  const producers = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const reshapes = graph.nodes.filter((n) => n.opType === 'Reshape' && n.domain === '' && n.inputs[1] && !isLiteral(graph, n.inputs[1], producers));
  const computed = graph.nodes.some((n) => n.domain === '' && (n.opType === 'Shape' || n.opType === 'Size'));
  if (reshapes.length === 0 && !computed) return { reshapeTargets: out, values };
  let runs: InferredGraph[];
  try {
    runs = BATCHES.map((b) => {
      const shapes = shapesAt(graph, given, b);
      if (!shapes) throw new Error('symbolic input dims besides the batch');
      return inferShapesAndValues(graph, shapes);
    });
  } catch {
    return { reshapeTargets: out, values };
  }
  const [a, b] = runs;
  for (const [name, ta] of a.constants) {
    const tb = b.constants.get(name);
    if (!tb || isLiteral(graph, name, producers) || (ta.dtype !== 'int64' && ta.dtype !== 'int32') || ta.dims.length > 1) continue;
    const [va, vb] = [int64Values(ta), int64Values(tb)];
    if (va.length === vb.length && va.every((v, i) => v === vb[i])) values.set(name, int64Tensor([...ta.dims], va));
  }
  for (const n of reshapes) {
    const [ta, tb] = [a.constants.get(n.inputs[1]), b.constants.get(n.inputs[1])];
    const [xa, xb] = [a.shapes.get(n.inputs[0]), b.shapes.get(n.inputs[0])];
    if (!ta || !tb || !xa || !xb) continue;
    const [va, vb] = [int64Values(ta), int64Values(tb)];
    if (va.length !== vb.length) continue;
    const copies = attrInt(n, 'allowzero', 0) === 0;
    // An entry equal to the input's own size there at both batches is a copy (0): the batch, and a channel count
    // that then follows the pruning by itself; other entries the same at both batches are constants.
    const entries = va.map((v, i) => (copies && i < xa.length && v === xa[i] && vb[i] === xb[i] ? 0 : v === vb[i] ? v : undefined));
    const free = entries.flatMap((e, i) => (e === undefined ? [i] : []));
    if (free.length > 1 || (free.length === 1 && entries.includes(-1))) continue;
    if (free.length === 1) entries[free[0]] = -1;
    out.set(n.name, int64Tensor([entries.length], entries as number[]));
  }
  return { reshapeTargets: out, values };
}

/**
 * The pruned graph without the shape arithmetic that pruning left unread (a computed target replaced by its
 * batch-free constant): nodes the source analysis folded, and the Constant nodes and initializers only they read,
 * when the source read them and the pruned graph no longer does. Nothing the source itself left unread is touched.
 */
export function withoutDeadShapeArithmetic(source: Graph, folded: readonly Node[], pruned: Graph): Graph {
  const readIn = (g: Graph, nodes: readonly Node[]): Set<string> => new Set([...nodes.flatMap((n) => n.inputs), ...g.outputs.map((o) => o.name)]);
  const readBefore = readIn(source, source.nodes);
  const removable = new Set(folded.map((n) => n.name));
  let nodes = pruned.nodes;
  for (;;) {
    const read = readIn(pruned, nodes);
    const dead = (n: Node): boolean =>
      (removable.has(n.name) || n.opType === 'Constant') && n.outputs.every((o) => !o || !read.has(o)) && n.outputs.some((o) => o && readBefore.has(o));
    const next = nodes.filter((n) => !dead(n));
    if (next.length === nodes.length) break;
    nodes = next;
  }
  if (nodes.length === pruned.nodes.length) return pruned;
  const read = readIn(pruned, nodes);
  const initializers = new Map([...pruned.initializers].filter(([name]) => read.has(name) || !readBefore.has(name)));
  return { ...pruned, nodes, initializers };
}
