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
  /** Dims of the input as fed: [1, C, 1, …] (C on the first site's channel axis) matching that site's rank. */
  readonly dims: readonly number[];
}

export interface GatedForward {
  readonly graph: Graph;
  readonly gates: readonly GateInput[];
  readonly logits: string;
  /** z: the bottleneck tensor as seen by the classifier (gated when z itself is a site), pooled where the head pools it. */
  readonly bottleneck: string;
}

export const gatedName = (tensor: string): string => `${tensor}::gated`;

/**
 * `sharing`: 'group' gives one gate vector per dependency group (what physical pruning needs); 'site' one per
 * gate site (e.g. to compare with per-site references).
 */
export function gateInputsFor(discovery: Discovery, sharing: GateSharing): GateInput[] {
  if (sharing === 'site') {
    return discovery.sites.map((s, k) => ({ name: `gate::site${k}`, channels: s.channels, group: s.group, sites: [s], dims: gateDims(s.channels, s.rank, s.axis) }));
  }
  // Sites of another rank or channel axis than the first read the gate reshaped to theirs (gateForSite).
  return discovery.groups.map((g) => ({ name: `gate::group${g.id}`, channels: g.channels, group: g.id, sites: g.sites, dims: gateDims(g.channels, g.sites[0].rank, g.sites[0].axis) }));
}

/** A gate's shape against a tensor of rank `rank` with its channels on `axis`: [1, C, 1, …], [1, 1, C], … */
export function gateDims(channels: number, rank: number, axis: number): number[] {
  return Array.from({ length: Math.max(rank, 2) }, (_, i) => (i === axis ? channels : 1));
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
  const bottleneck = pooledBottleneck(rename(discovery.bottleneck), discovery, nodes);
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
 * z as the losses read it: the bottleneck itself, or, for a conv classifier that the head pools
 * (Discovery.bottleneckPooling), the bottleneck pooled the same way over its spatial axes and flattened to [N, C].
 */
function pooledBottleneck(tensor: string, discovery: Discovery, nodes: Node[]): string {
  const pool = discovery.bottleneckPooling;
  if (!pool) return tensor;
  const out = `${discovery.bottleneck}::pooled`;
  nodes.push(
    { name: `${out}::pool`, opType: pool, domain: '', inputs: [tensor], outputs: [`${out}::nc11`], attributes: {} },
    { name: `${out}::flatten`, opType: 'Flatten', domain: '', inputs: [`${out}::nc11`], outputs: [out], attributes: { axis: { type: 'int', value: 1 } } },
  );
  return out;
}

/**
 * The tensor a site is multiplied by: the gate input itself, or, where each unit of the group spans `repeat`
 * consecutive channels (grouped and depthwise convs, units/discover.ts), the gate with every entry repeated:
 * Reshape to [1, U], MatMul by a constant 0/1 [U, U·repeat] matrix, Reshape to the site's [1, U·repeat, 1, …].
 * A site whose rank or channel axis differs from the gate input's reads the gate reshaped to its own layout.
 * Built once per gate, repeat and layout; differentiable with the engine's own rules.
 */
function gateForSite(g: GateInput, s: GateSite, nodes: Node[], initializers: Map<string, Tensor>): string {
  const repeat = s.channels / g.channels;
  const target = gateDims(s.channels, s.rank, s.axis);
  if (repeat === 1 && target.length === g.dims.length && target.every((d, i) => d === g.dims[i])) return g.name;
  if (!Number.isInteger(repeat)) throw new Error(`gate site '${s.tensor}' has ${s.channels} channels, which the ${g.channels} entries of gate '${g.name}' do not divide`);
  const out = `${g.name}::repeat${repeat}_rank${s.rank}${s.axis === 1 ? '' : `_axis${s.axis}`}`;
  if (initializers.has(`${out}::shape`)) return out;
  const node = (opType: string, inputs: string[], output: string): Node => ({ name: `${output}::node`, opType, domain: '', inputs, outputs: [output], attributes: {} });
  initializers.set(`${out}::shape`, int64Tensor([target.length], target));
  if (repeat === 1) {
    nodes.push(node('Reshape', [g.name, `${out}::shape`], out));
    return out;
  }
  const u = g.channels;
  const spread = new Float32Array(u * u * repeat);
  for (let i = 0; i < u; i++) for (let r = 0; r < repeat; r++) spread[i * u * repeat + i * repeat + r] = 1;
  initializers.set(`${out}::matrix`, makeTensor('float32', [u, u * repeat], spread));
  initializers.set(`${out}::row_shape`, int64Tensor([2], [1, u]));
  nodes.push(
    node('Reshape', [g.name, `${out}::row_shape`], `${out}::row`),
    node('MatMul', [`${out}::row`, `${out}::matrix`], `${out}::spread`),
    node('Reshape', [`${out}::spread`, `${out}::shape`], out),
  );
  return out;
}
