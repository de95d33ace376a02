/**
 * Joins graphs that meet by tensor name into one (forward → loss → backward of the fused mask step): an input of
 * a later graph that an earlier one computes becomes an internal edge, so onnxruntime keeps it in its own memory
 * and layout instead of handing it out and taking it back in.
 */
import { Graph, Tensor, ValueInfo } from '../onnx/ir';

/** `outputs`: what the joined graph returns (any tensor of the parts). */
export function chainGraphs(name: string, parts: readonly Graph[], outputs: readonly ValueInfo[]): Graph {
  const produced = new Set<string>();
  const initializers = new Map<string, Tensor>();
  const inputs: ValueInfo[] = [];
  const fed = new Set<string>();
  /** Outputs of earlier Constant nodes: a backward graph reads them as constants of its own. */
  const constantNodes = new Map<string, Tensor>();
  for (const g of parts) {
    for (const v of g.inputs) {
      if (produced.has(v.name) || fed.has(v.name)) continue;
      if (initializers.has(v.name)) throw new Error(`chainGraphs: '${v.name}' is an input of '${g.name}' but a constant of an earlier graph`);
      inputs.push(v);
      fed.add(v.name);
    }
    for (const [key, t] of g.initializers) {
      const earlier = initializers.get(key);
      // A backward graph repeats the forward constants it reads; the same name must mean the same values.
      if (earlier && earlier !== t && !sameTensor(earlier, t)) throw new Error(`chainGraphs: constant '${key}' of '${g.name}' differs from an earlier graph's constant of that name`);
      const fromNode = constantNodes.get(key);
      if (fromNode && sameTensor(fromNode, t)) continue;
      if (produced.has(key) || fed.has(key)) throw new Error(`chainGraphs: constant '${key}' of '${g.name}' is computed or fed by an earlier graph`);
      initializers.set(key, t);
    }
    for (const n of g.nodes) {
      for (const o of n.outputs) {
        if (!o) continue;
        if (produced.has(o) || fed.has(o) || initializers.has(o)) throw new Error(`chainGraphs: '${o}' (node '${n.name}' of '${g.name}') is already defined by an earlier graph`);
        produced.add(o);
      }
      const value = n.attributes.value;
      if (n.opType === 'Constant' && value?.type === 'tensor') constantNodes.set(n.outputs[0], value.value);
    }
  }
  for (const o of outputs) if (!produced.has(o.name) && !fed.has(o.name)) throw new Error(`chainGraphs: output '${o.name}' is not computed by any part`);
  return {
    name,
    nodes: parts.flatMap((g) => g.nodes),
    inputs,
    outputs: [...outputs],
    initializers,
    valueInfo: new Map(parts.flatMap((g) => [...g.valueInfo])),
  };
}

function sameTensor(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i]) || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
