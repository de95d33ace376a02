/**
 * Static shape inference for the supported ops, for a concrete input shape (the engine builds graphs per batch
 * size, so every tensor has known dims). Unsupported op -> error naming op and node.
 */
import { Graph, Node, Tensor } from './ir';
import { ShapeValueFolder } from './shape-folding/folder';
import { OnnxModelError } from './errors';
import { ALL_OPS } from '../ops/index';
import { opDefinition } from '../ops/registry';
import { broadcastShapes, int64Values } from '../ops/shape-rules';

export { broadcastShapes, int64Values };

export type ShapeMap = Map<string, readonly number[]>;

/** Ops a user's model may contain: the op registry's model-scope ops (src/core/ops/defs). */
export const SUPPORTED_OPS: readonly string[] = ALL_OPS.filter((op) => op.scope === 'model').map((op) => op.opType).sort();

/**
 * Throws an error naming the first unsupported op and its node (and the file, when `file` is given, as an
 * OnnxModelError).
 */
export function checkSupported(graph: Graph, file?: string): void {
  for (const n of graph.nodes) {
    const signature = opDefinition(n.opType, n.domain)?.scope === 'model' ? opDefinition(n.opType, n.domain)?.signature : undefined;
    if (!signature) {
      const detail = `uses op '${n.domain ? n.domain + '.' : ''}${n.opType}', which is not supported (supported: ${SUPPORTED_OPS.join(', ')})`;
      if (file !== undefined) throw new OnnxModelError(file, detail, n.name);
      throw new Error(`node '${n.name}' ${detail}`);
    }
    const attributeTypes = signature.attributes ?? {};
    const flags = new Set(signature.flags ?? []);
    for (const [name, a] of Object.entries(n.attributes)) {
      const expected = attributeTypes[name];
      if (expected !== undefined && a.type !== expected) {
        const detail = `attribute '${name}' should be ${expected}, found ${a.type}`;
        if (file !== undefined) throw new OnnxModelError(file, detail, n.name);
        throw new Error(`node '${n.name}': ${detail}`);
      }
      if (flags.has(name) && a.type === 'int' && a.value !== 0 && a.value !== 1) {
        const detail = `attribute '${name}' should be 0 or 1, found ${a.value}`;
        if (file !== undefined) throw new OnnxModelError(file, detail, n.name);
        throw new Error(`node '${n.name}': ${detail}`);
      }
    }
    const [min, max] = signature.inputs;
    const given = n.inputs.length;
    const outputs = n.outputs.filter((o) => o !== '').length;
    const maxOutputs = signature.outputs ?? 1;
    if (given < min || given > max || outputs === 0 || outputs > maxOutputs || n.outputs[0] === '') {
      const range = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      const outRange = maxOutputs === 1 ? 'one output' : `1 to ${maxOutputs} outputs`;
      const detail = `a ${n.opType} takes ${range} input${max === 1 ? '' : 's'} and ${outRange}; this one has ${given} input${given === 1 ? '' : 's'} and ${outputs} output${outputs === 1 ? '' : 's'}`;
      if (file !== undefined) throw new OnnxModelError(file, detail, n.name);
      throw new Error(`node '${n.name}': ${detail}`);
    }
  }
}

/**
 * Infer every tensor's shape for concrete input shapes (`inputShapes` maps graph input names to dims; inputs
 * not listed must have fully numeric declared shapes). Values computed from shapes and constants alone (the
 * shape subgraphs exporters emit) are folded on the way (shape-folding/folder.ts), so a Reshape whose target is
 * computed from `Shape` still has a known output shape.
 */
export function inferShapes(graph: Graph, inputShapes: ReadonlyMap<string, readonly number[]> = new Map()): ShapeMap {
  return inferShapesAndValues(graph, inputShapes).shapes;
}

export interface InferredGraph {
  readonly shapes: ShapeMap;
  /** Every value known at these input shapes: initializers, Constant outputs and folded outputs. */
  readonly constants: ReadonlyMap<string, Tensor>;
  /** Nodes whose outputs were folded into `constants`, in graph order. */
  readonly folded: readonly Node[];
}

/** inferShapes, also returning the values it folded (shape-folding/fold-shapes.ts turns them into initializers). */
export function inferShapesAndValues(graph: Graph, inputShapes: ReadonlyMap<string, readonly number[]> = new Map()): InferredGraph {
  const shapes: ShapeMap = new Map();
  for (const [name, t] of graph.initializers) shapes.set(name, t.dims);
  const given = new Map<string, readonly number[]>();
  for (const v of graph.inputs) {
    const dims = inputShapes.get(v.name) ?? (v.shape && v.shape.every((d) => typeof d === 'number') ? (v.shape as number[]) : undefined);
    if (!dims) throw new Error(`graph input '${v.name}' has a symbolic shape [${(v.shape ?? []).join(', ')}]; give a concrete shape`);
    shapes.set(v.name, dims);
    given.set(v.name, dims);
  }
  const folder = new ShapeValueFolder(graph, given);
  for (const n of graph.nodes) {
    const rule = opDefinition(n.opType, n.domain)?.shape;
    if (!rule) throw new Error(`node '${n.name}' uses op '${n.opType}', which is not supported`);
    const inShapes = n.inputs.map((i) => (i === '' ? undefined : shapes.get(i)));
    const outs = rule(n, inShapes, folder.constants);
    n.outputs.forEach((o, i) => o && outs[i] && shapes.set(o, outs[i]));
    folder.visit(n, inShapes, outs);
  }
  return { shapes, constants: folder.constants, folded: folder.folded };
}
