/**
 * Constant propagation for shape inference: while shapes are inferred node by node, every node whose inputs are
 * all known gets its value computed with the op registry's float64 reference kernel, so that the shape
 * subgraphs exporters emit (Shape → Gather → Unsqueeze → Concat → Reshape, Range/Expand masks, …) resolve to
 * constants at the concrete batch size, and a Reshape whose target is computed still has a known output shape.
 *
 * "Known" means computed from neither the model's data nor its weights: Shape and Size of a tensor of known
 * shape, Constant nodes, integer and boolean initializers, float scalars, and whatever is computed from those
 * alone. Float initializers with more than one element are weights: a node reading one is not folded, so a
 * weight the engine trains or differentiates never disappears into a folded copy.
 *
 * Every output of a computed-size op (limits.ts) is checked first, so an absurd request is refused before the
 * folding (or onnxruntime) allocates it; the folding itself evaluates small tensors only.
 */
import { DType, Graph, Node, Tensor, elementCount } from '../ir';
import { isUnsupported } from '../../ops/op';
import { opDefinition } from '../../ops/registry';
import { OpImpl, RefTensor, fromIrTensor } from '../../ops/reference/tensor';
import { FOLD_TENSOR_LIMIT, FOLD_TOTAL_LIMIT, checkComputedSize, computedSizeLimit } from './limits';
import { isIntegerOrBool, outputDtype, toTypedTensor } from './value-dtypes';

/** Ops whose value depends only on their input's dims: they fold whenever that shape is known. */
const SHAPE_ONLY_OPS: ReadonlySet<string> = new Set(['Shape', 'Size']);

const NO_DATA = new Float64Array(0);

/** The op registry's reference kernel; undefined for an op without one (its outputs stay unknown). */
function kernelFor(node: Node): OpImpl | undefined {
  const def = opDefinition(node.opType, node.domain);
  return def && !isUnsupported(def.reference) ? (def.reference as OpImpl) : undefined;
}

export class ShapeValueFolder {
  /** Every value known so far, by tensor name (initializers, Constant outputs, folded outputs): what shape rules read. */
  readonly constants: Map<string, Tensor>;
  /** The nodes whose outputs were computed here, in graph order. */
  readonly folded: Node[] = [];
  /** Tensors computed from neither data nor weights. */
  private readonly known = new Set<string>();
  private readonly sizeLimit: number;
  private budget = FOLD_TOTAL_LIMIT;

  constructor(graph: Graph, inputShapes: ReadonlyMap<string, readonly number[]>) {
    this.constants = new Map(graph.initializers);
    for (const [name, t] of graph.initializers) if (isIntegerOrBool(t.dtype) || elementCount(t.dims) <= 1) this.known.add(name);
    this.sizeLimit = computedSizeLimit(graph, inputShapes);
  }

  /** Called once the shape rule of `node` gave `outShapes`: refuses an absurd computed size, then folds the node when it can. */
  visit(node: Node, inShapes: ReadonlyArray<readonly number[] | undefined>, outShapes: readonly (readonly number[])[]): void {
    checkComputedSize(node, outShapes, this.sizeLimit);
    if (node.domain !== '') return;
    const literal = node.attributes.value;
    if (node.opType === 'Constant' && literal?.type === 'tensor') {
      // Kept as it is, whatever its size: rules read Constant values (a weight given as a Constant, too).
      this.record(node.outputs[0], literal.value);
      return;
    }
    const shapeOnly = SHAPE_ONLY_OPS.has(node.opType);
    if (shapeOnly ? !inShapes[0] : !node.inputs.every((i) => i === '' || this.known.has(i))) return;
    const values = this.evaluate(node, inShapes, outShapes, shapeOnly);
    if (!values) return;
    node.outputs.forEach((o, i) => o && this.record(o, values[i] as Tensor));
    // A Constant in its value_int(s) / value_float(s) form stays a node; everything else folded becomes an initializer.
    if (node.opType !== 'Constant') this.folded.push(node);
  }

  /** The node's outputs as typed tensors, or undefined when it cannot (no kernel, too large, a type the folding does not hold). */
  private evaluate(node: Node, inShapes: ReadonlyArray<readonly number[] | undefined>, outShapes: readonly (readonly number[])[], shapeOnly: boolean): (Tensor | undefined)[] | undefined {
    const kernel = kernelFor(node);
    if (!kernel) return undefined;
    const sizes = node.outputs.map((o, i) => (o ? elementCount(outShapes[i] ?? []) : 0));
    const total = sizes.reduce((a, b) => a + b, 0);
    if (sizes.some((s) => !(s <= FOLD_TENSOR_LIMIT)) || !(total <= this.budget)) return undefined;
    const inputDtypes: (DType | undefined)[] = node.inputs.map((i) => (i === '' ? undefined : this.constants.get(i)?.dtype));
    if (!shapeOnly && inputDtypes.includes('float16')) return undefined; // the reference kernels hold no float16
    const dtypes = node.outputs.map((_, i) => outputDtype(node, i, inputDtypes));
    if (node.outputs.some((o, i) => o && dtypes[i] === undefined)) return undefined;
    const inputs: (RefTensor | undefined)[] = shapeOnly
      ? [{ dims: inShapes[0] as readonly number[], data: NO_DATA }]
      : node.inputs.map((i) => (i === '' ? undefined : fromIrTensor(this.constants.get(i) as Tensor)));
    const values = kernel(node, inputs);
    const typed = node.outputs.map((o, i) => (o && values[i] ? toTypedTensor(values[i], dtypes[i] as DType, node, i) : undefined));
    if (node.outputs.some((o, i) => o && !typed[i])) return undefined;
    this.budget -= total;
    return typed;
  }

  private record(name: string, value: Tensor): void {
    this.constants.set(name, value);
    this.known.add(name);
  }
}
