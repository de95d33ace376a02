/**
 * The forward graph with gates: every gate site tensor T is replaced, for all its consumers, by T·g where g is
 * a per-channel graph input shaped [1, C, 1, …]. Outputs: the logits and the bottleneck z (both computed from
 * the gated network) plus any extra tensors asked for. MaxPool nodes get their Indices output for autodiff.
 */
import { Graph, Node, Tensor, ValueInfo, int64Tensor, makeTensor } from '../onnx/ir';
import { Discovery, GateSite } from '../units/discover';
import { withMaxPoolIndices } from './prepare';
import { producedDtype } from '../ops/output-dtypes';

export type GateSharing = 'group' | 'site';

export interface GateInput {
  /** Graph input name of this gate vector. */
  readonly name: string;
  readonly channels: number;
  /** The dependency group it belongs to. */
  readonly group: number;
  readonly sites: readonly GateSite[];
  /** Dims of the input as fed: [1, C, 1, …] matching the gated tensors' rank. */
  readonly dims: readonly number[];
}

export interface GatedForward {
  readonly graph: Graph;
  readonly gates: readonly GateInput[];
  readonly logits: string;
  /** The bottleneck tensor as seen by the classifier (gated when z itself is a site). */
  readonly bottleneck: string;
}

export const gatedName = (tensor: string): string => `${tensor}::gated`;

/**
 * `sharing`: 'group' gives one gate vector per dependency group (what physical pruning needs); 'site' one per
 * gate site (e.g. to compare with per-site references).
 */
export function gateInputsFor(discovery: Discovery, sharing: GateSharing): GateInput[] {
  const dims = (channels: number, rank: number): number[] => [1, channels, ...new Array<number>(Math.max(0, rank - 2)).fill(1)];
  if (sharing === 'site') {
    return discovery.sites.map((s, k) => ({ name: `gate::site${k}`, channels: s.channels, group: s.group, sites: [s], dims: dims(s.channels, s.rank) }));
  }
  return discovery.groups.map((g) => {
    const rank = g.sites[0].rank;
    if (g.sites.some((s) => s.rank !== rank)) throw new Error(`group ${g.id} (${g.label}) has gate sites of different ranks; use per-site gates`);
    return { name: `gate::group${g.id}`, channels: g.channels, group: g.id, sites: g.sites, dims: dims(g.channels, rank) };
  });
}

export function buildGatedForward(graph: Graph, discovery: Discovery, gates: readonly GateInput[], extraOutputs: readonly string[] = []): GatedForward {
  const nodes: Node[] = [];
  const initializers = new Map(graph.initializers);
  const gateOf = new Map<string, string>();
  for (const g of gates) for (const s of g.sites) gateOf.set(s.tensor, gateForSite(g, s, nodes, initializers));
  const rename = (t: string): string => (gateOf.has(t) ? gatedName(t) : t);

  for (const n of withMaxPoolIndices(graph.nodes)) {
    nodes.push({ ...n, inputs: n.inputs.map(rename) });
    for (const o of n.outputs) {
      const gate = gateOf.get(o);
      if (gate) nodes.push({ name: `${o}::gate_mul`, opType: 'Mul', domain: '', inputs: [o, gate], outputs: [gatedName(o)], attributes: {} });
    }
  }
  const logits = rename(discovery.logits);
  const bottleneck = rename(discovery.bottleneck);
  const outputNames = [...new Set([logits, bottleneck, ...extraOutputs])];
  const gateInputs: ValueInfo[] = gates.map((g) => ({ name: g.name, dtype: 'float32', shape: g.dims }));
  // A kept tensor is float unless its op fixes another type (MaxPool's Indices, a comparison a Where reads).
  const outputs: ValueInfo[] = outputNames.map((name) => ({ name, dtype: producedDtype(nodes, name), shape: null }));
  return {
    graph: { ...graph, nodes, inputs: [...graph.inputs, ...gateInputs], outputs, initializers, valueInfo: new Map() },
    gates,
    logits,
    bottleneck,
  };
}

/**
 * The tensor a site is multiplied by: the gate input itself, or, where each unit of the group spans `repeat`
 * consecutive channels (grouped and depthwise convs, units/discover.ts), the gate with every entry repeated:
 * Reshape to [1, U], MatMul by a constant 0/1 [U, U·repeat] matrix, Reshape to the site's [1, U·repeat, 1, …].
 * Built once per gate and repeat; differentiable with the engine's own rules.
 */
function gateForSite(g: GateInput, s: GateSite, nodes: Node[], initializers: Map<string, Tensor>): string {
  const repeat = s.channels / g.channels;
  if (repeat === 1) return g.name;
  if (!Number.isInteger(repeat)) throw new Error(`gate site '${s.tensor}' has ${s.channels} channels, which the ${g.channels} entries of gate '${g.name}' do not divide`);
  const out = `${g.name}::repeat${repeat}_rank${s.rank}`;
  if (initializers.has(`${out}::matrix`)) return out;
  const u = g.channels;
  const spread = new Float32Array(u * u * repeat);
  for (let i = 0; i < u; i++) for (let r = 0; r < repeat; r++) spread[i * u * repeat + i * repeat + r] = 1;
  initializers.set(`${out}::matrix`, makeTensor('float32', [u, u * repeat], spread));
  initializers.set(`${out}::row_shape`, int64Tensor([2], [1, u]));
  initializers.set(`${out}::shape`, int64Tensor([s.rank], [1, u * repeat, ...new Array<number>(Math.max(0, s.rank - 2)).fill(1)]));
  const node = (opType: string, inputs: string[], output: string): Node => ({ name: `${output}::node`, opType, domain: '', inputs, outputs: [output], attributes: {} });
  nodes.push(
    node('Reshape', [g.name, `${out}::row_shape`], `${out}::row`),
    node('MatMul', [`${out}::row`, `${out}::matrix`], `${out}::spread`),
    node('Reshape', [`${out}::spread`, `${out}::shape`], out),
  );
  return out;
}
