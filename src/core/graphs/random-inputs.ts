/**
 * Random values a model accepts for each of its data inputs, for the checks that run before any data is read
 * (jobs/preflight.ts): float inputs get N(0, 1); an integer input that a Gather reads as indices (token ids into
 * an embedding table) gets ids below the table's size; any other integer input is taken for an attention mask:
 * ones, then a random number of padding zeros at the end of each row (never a fully masked row).
 */
import { Graph, Node, attrInt } from '../onnx/ir';
import { Rng } from '../data/random';
import { FedInput, InputData, InputValues } from './model-inputs';

/** The smallest table size among the Gathers that read `input` as indices, if any does. */
export function indexRange(graph: Graph, input: string): number | undefined {
  const sizes = graph.nodes
    .filter((n: Node) => n.opType === 'Gather' && n.domain === '' && n.inputs[1] === input)
    .flatMap((n) => {
      const table = graph.initializers.get(n.inputs[0]);
      if (!table) return [];
      const axis = attrInt(n, 'axis', 0);
      return [table.dims[axis < 0 ? axis + table.dims.length : axis]];
    });
  return sizes.length > 0 ? Math.min(...sizes) : undefined;
}

export function randomInputValues(graph: Graph, inputs: readonly FedInput[], rng: Rng): InputValues[] {
  return inputs.map((v) => ({ ...v, data: randomData(graph, v, rng) }));
}

function randomData(graph: Graph, v: FedInput, rng: Rng): InputData {
  const size = v.dims.reduce((a, b) => a * b, 1);
  if (v.dtype === 'float32') return Float32Array.from({ length: size }, () => rng.nextNormal());
  const range = indexRange(graph, v.name);
  const values = range !== undefined ? Array.from({ length: size }, () => rng.nextInt(range)) : paddingMask(v.dims, rng);
  return v.dtype === 'int64' ? BigInt64Array.from(values, (x) => BigInt(x)) : Int32Array.from(values);
}

/** Per row (axis 0), ones followed by zeros; at least the first entry of each row is one. */
function paddingMask(dims: readonly number[], rng: Rng): number[] {
  const rows = dims[0];
  const perRow = dims.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: rows }, () => {
    const kept = 1 + rng.nextInt(perRow);
    return Array.from({ length: perRow }, (_, i) => (i < kept ? 1 : 0));
  }).flat();
}
