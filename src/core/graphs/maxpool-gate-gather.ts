/**
 * A MaxPool's input gradient read only by a gate gradient becomes a Gather. MaxPool's rule (ops/defs/MaxPool.ts)
 * scatter-adds dY into zeros of X's shape at the picked positions; when that dX only feeds the gate gradient
 * Σ dX·h (Mul by the ungated activation, ReduceSum over every axis but the channels, as at ResNet's stem, where no
 * gate sits before the pool), the same sum is Σ_o dY[o]·h[idx[o]]: a Gather of h at the indices, on the pooled map,
 * with no scatter and no zeros of X's size. onnxruntime's ScatterElements(add) is one slow serial loop: ResNet-18 at
 * 224×224, batch 32, its stem pool's scatter took 217 of the step's 1,072 kernel ms (profile), and the gate
 * gradient alone 165 ms against 14 for Gather + Mul + ReduceSum (same inputs, 2 threads; sums equal to 1e-6
 * relative: only their order differs).
 *
 * Matched exactly: ScatterElements(ConstantOfShape, flat indices, flat dY; axis 0, reduction add) → Reshape to X's
 * shape → Mul with a tensor of X's shape → ReduceSum with constant axes covering every axis from 2 on, each read by
 * nothing else. Anything else is left as it is.
 */
import { Graph, Node, Tensor, attrInt, attrInts, attrString, int64Tensor } from '../onnx/ir';
import { int64Values } from '../ops/shape-rules';
import { withoutDeadNodes } from './rewrite-nodes';

/** `shapeOf` gives the forward tensors' dims: the activation must have X's shape (no broadcast in the Mul). */
export function maxPoolGateGather(graph: Graph, shapeOf: (name: string) => readonly number[] | undefined): Graph {
  const readers = new Map<string, Node[]>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i) readers.set(i, [...(readers.get(i) ?? []), n]);
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const soleReader = (t: string): Node | undefined => {
    const r = readers.get(t) ?? [];
    return r.length === 1 && !graphOutputs.has(t) ? r[0] : undefined;
  };
  const constantInts = (name: string): number[] | undefined => {
    const t: Tensor | undefined = graph.initializers.get(name) ?? constantNodeValue(producer.get(name));
    return t && t.dtype === 'int64' ? int64Values(t) : undefined;
  };
  const replacements = new Map<Node, Node[]>();
  const initializers = new Map(graph.initializers);
  for (const scatter of graph.nodes) {
    if (scatter.opType !== 'ScatterElements' || scatter.domain !== '') continue;
    if (attrString(scatter, 'reduction', 'none') !== 'add' || attrInt(scatter, 'axis', 0) !== 0) continue;
    if (producer.get(scatter.inputs[0])?.opType !== 'ConstantOfShape') continue;
    const reshape = soleReader(scatter.outputs[0]);
    if (!reshape || reshape.opType !== 'Reshape' || reshape.inputs[0] !== scatter.outputs[0]) continue;
    const xShape = constantInts(reshape.inputs[1]);
    if (!xShape || xShape.length < 3 || xShape.some((d) => d <= 0)) continue;
    const mul = soleReader(reshape.outputs[0]);
    if (!mul || mul.opType !== 'Mul' || mul.inputs.length !== 2) continue;
    const h = mul.inputs[0] === reshape.outputs[0] ? mul.inputs[1] : mul.inputs[0];
    if (h === reshape.outputs[0]) continue;
    const hShape = shapeOf(h);
    if (!hShape || hShape.length !== xShape.length || hShape.some((d, i) => d !== xShape[i])) continue;
    const reduce = soleReader(mul.outputs[0]);
    if (!reduce || reduce.opType !== 'ReduceSum') continue;
    const rank = xShape.length;
    const axesRaw = reduce.inputs[1] ? constantInts(reduce.inputs[1]) : attrInts(reduce, 'axes')?.slice();
    if (!axesRaw || axesRaw.length === 0) continue;
    const axes = new Set(axesRaw.map((a) => (a < 0 ? a + rank : a)));
    if (!xShape.every((_, a) => a < 2 || axes.has(a))) continue;
    const keepdims = attrInt(reduce, 'keepdims', 1) !== 0;
    const p = `${scatter.name}::gather`;
    const name = (s: string): string => `${p}_${s}`;
    initializers.set(name('flat'), int64Tensor([1], [-1]));
    initializers.set(name('nc'), int64Tensor([3], [xShape[0], xShape[1], -1]));
    const reducedAxes = [...[0, 1].filter((a) => axes.has(a)), 2];
    initializers.set(name('axes'), int64Tensor([reducedAxes.length], reducedAxes));
    const nodes: Node[] = [
      { name: name('flat_h'), opType: 'Reshape', domain: '', inputs: [h, name('flat')], outputs: [name('flat_h')], attributes: {} },
      { name: name('picked'), opType: 'Gather', domain: '', inputs: [name('flat_h'), scatter.inputs[1]], outputs: [name('picked')], attributes: { axis: { type: 'int', value: 0 } } },
      { name: name('product'), opType: 'Mul', domain: '', inputs: [name('picked'), scatter.inputs[2]], outputs: [name('product')], attributes: {} },
      { name: name('by_channel'), opType: 'Reshape', domain: '', inputs: [name('product'), name('nc')], outputs: [name('by_channel')], attributes: {} },
    ];
    if (keepdims) {
      const outShape = xShape.map((d, a) => (axes.has(a) ? 1 : d));
      initializers.set(name('out_shape'), int64Tensor([rank], outShape));
      nodes.push(
        { name: name('sum'), opType: 'ReduceSum', domain: '', inputs: [name('by_channel'), name('axes')], outputs: [name('sum')], attributes: { keepdims: { type: 'int', value: 1 } } },
        { name: reduce.name, opType: 'Reshape', domain: '', inputs: [name('sum'), name('out_shape')], outputs: [reduce.outputs[0]], attributes: {} },
      );
    } else {
      nodes.push({ name: reduce.name, opType: 'ReduceSum', domain: '', inputs: [name('by_channel'), name('axes')], outputs: [reduce.outputs[0]], attributes: { keepdims: { type: 'int', value: 0 } } });
    }
    replacements.set(reduce, nodes);
    for (const n of [scatter, reshape, mul]) replacements.set(n, []);
  }
  if (replacements.size === 0) return graph;
  return withoutDeadNodes({ ...graph, initializers, nodes: graph.nodes.flatMap((n) => replacements.get(n) ?? [n]) });
}

function constantNodeValue(node: Node | undefined): Tensor | undefined {
  if (!node || node.opType !== 'Constant') return undefined;
  const v = node.attributes.value;
  return v && v.type === 'tensor' ? v.value : undefined;
}

/**
 * In one graph holding forward and backward (the fused step, runtime/fused-step-runner.ts): a Gather of a MaxPool's
 * own input at its own indices is its output, exactly (the pool returns the value at its arg-max), so the Gather
 * becomes the output, flattened. That happens where the pooled tensor is the gate's activation itself, i.e. while
 * the gate vector is all open and its Mul is gone (graphs/one-gates.ts). An indices output nothing reads any more
 * is then dropped from the MaxPool, and onnxruntime runs its blocked-layout kernel instead of the one that writes
 * indices (ResNet-18, 224×224, batch 32: the stem pool with indices took 45 ms of the step).
 */
export function maxPoolGatherFromOutput(graph: Graph): Graph {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const flatOf = (name: string): string | undefined => {
    const r = producer.get(name);
    return r && r.opType === 'Reshape' && r.domain === '' ? r.inputs[0] : undefined;
  };
  const rewritten = new Map<Node, Node[]>();
  for (const gather of graph.nodes) {
    if (gather.opType !== 'Gather' || gather.domain !== '' || attrInt(gather, 'axis', 0) !== 0) continue;
    const [h, idx] = [flatOf(gather.inputs[0]), flatOf(gather.inputs[1])];
    const pool = idx === undefined ? undefined : producer.get(idx);
    if (!h || !pool || pool.opType !== 'MaxPool' || pool.outputs[1] !== idx || pool.inputs[0] !== h) continue;
    if (attrInt(pool, 'storage_order', 0) !== 0) continue;
    // Same flattening as the Gather's data (Reshape to [-1]), applied to the pooled output.
    rewritten.set(gather, [{ ...gather, opType: 'Reshape', inputs: [pool.outputs[0], producer.get(gather.inputs[0])!.inputs[1]], attributes: {} }]);
  }
  if (rewritten.size === 0) return graph;
  const live = withoutDeadNodes({ ...graph, nodes: graph.nodes.flatMap((n) => rewritten.get(n) ?? [n]) });
  const read = new Set([...live.nodes.flatMap((n) => n.inputs), ...graph.outputs.map((o) => o.name)]);
  // Dropping an unread output leaves nothing else dead: the readers of the indices went with the Gathers.
  return { ...live, nodes: live.nodes.map((n) => (n.opType === 'MaxPool' && n.outputs.length > 1 && !read.has(n.outputs[1]) ? { ...n, outputs: [n.outputs[0]] } : n)) };
}
