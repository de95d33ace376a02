/**
 * A float64 reference interpreter for IR graphs: evaluates every node in topological order
 * on plain Float64Arrays, so gradient checks can use finite differences without float32 noise.
 */
import { Graph } from '../../onnx/ir';
import { sortTopologically } from '../../onnx/topology';
import { OpImpl, RefTensor, fromIrTensor } from './tensor';
import { isUnsupported } from '../op';
import { opDefinition } from '../registry';

/** The op registry's float64 kernel for a node's op. */
function referenceKernel(opType: string, domain: string, nodeName: string): OpImpl {
  const def = opDefinition(opType, domain);
  if (def && isUnsupported(def.reference)) throw new Error(`reference interpreter: node '${nodeName}' (${opType}): ${def.reference.unsupported}`);
  const impl = def ? (def.reference as OpImpl) : undefined;
  if (!impl) throw new Error(`reference interpreter: no implementation for op '${opType}' (node '${nodeName}')`);
  return impl;
}

/**
 * Evaluate `graph`. `feeds` gives every graph input and may also override initializers (finite differences
 * perturb weights that way). Returns every tensor the evaluation saw, initializers and feeds included.
 */
export function evaluate(graph: Graph, feeds: ReadonlyMap<string, RefTensor>): Map<string, RefTensor> {
  const values = new Map<string, RefTensor>();
  for (const [name, t] of graph.initializers) values.set(name, fromIrTensor(t));
  for (const [name, t] of feeds) values.set(name, t);
  for (const input of graph.inputs) {
    if (!values.has(input.name)) throw new Error(`reference interpreter: graph input '${input.name}' was not fed`);
  }
  for (const node of sortTopologically(graph.nodes)) {
    const impl = referenceKernel(node.opType, node.domain, node.name);
    const inputs = node.inputs.map((name) => {
      if (name === '') return undefined;
      const v = values.get(name);
      if (!v) throw new Error(`reference interpreter: node '${node.name}' (${node.opType}) reads '${name}', which is not defined`);
      return v;
    });
    const outputs = impl(node, inputs);
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const v = outputs[i];
      if (!v) throw new Error(`reference interpreter: node '${node.name}' (${node.opType}) did not produce output ${i}`);
      values.set(name, v);
    });
  }
  return values;
}
