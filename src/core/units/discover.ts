/**
 * Finds the encoder's prunable units (Conv output channels, Gemm/MatMul output features with a constant
 * weight), the classifier and bottleneck z, where the gates go, and which units are coupled through residual
 * Adds into one dependency group (one shared gate vector, removed together), as BISE.md and DepGraph describe.
 */
import { Graph, Node } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { GraphIndex, indexGraph } from './graph-index';

export interface Unit {
  /** The Conv/Gemm/MatMul node whose output channels are the units. */
  readonly node: string;
  readonly opType: string;
  readonly weight: string;
  /** The node's output tensor (channel axis 1). */
  readonly output: string;
  readonly channels: number;
}

export interface GateSite {
  /** The tensor the gate multiplies (its channel axis is 1). */
  readonly tensor: string;
  readonly channels: number;
  readonly rank: number;
}

export interface UnitGroup {
  readonly id: number;
  readonly channels: number;
  /** Producer nodes whose output channels this group owns (coupled by residual Adds when more than one). */
  readonly producers: readonly string[];
  /** Gate sites, in graph order. */
  readonly sites: readonly GateSite[];
  /** A short human label, e.g. "layer1.0/conv2 + 2 more". */
  readonly label: string;
}

export interface Discovery {
  readonly units: readonly Unit[];
  readonly groups: readonly UnitGroup[];
  /** Every gate site in graph order, with its group. */
  readonly sites: readonly (GateSite & { readonly group: number })[];
  readonly classifier: string;
  readonly bottleneck: string;
  readonly logits: string;
  /** Units seen but left ungated, with the reason (shown to the user). */
  readonly skipped: readonly { node: string; reason: string }[];
}

export interface DiscoverOptions {
  /** Override the bottleneck tensor (the classifier's input). */
  readonly bottleneck?: string;
  /** Which graph output holds the logits (default: the first). */
  readonly logits?: string;
}

/** Per-channel ops a unit's output passes through before its gate. */
const AFFINE_OPS = new Set(['BatchNormalization', 'Identity', 'Dropout']);
const ACTIVATION_OPS = new Set(['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip']);
/** Ops that keep channels where they are, traversed when tracing a residual branch back to its source. */
const CHANNEL_PRESERVING = new Set([...AFFINE_OPS, ...ACTIVATION_OPS, 'MaxPool', 'AveragePool']);

export function discoverUnits(graph: Graph, shapes: ShapeMap, options: DiscoverOptions = {}): Discovery {
  const ix = indexGraph(graph);
  const logits = options.logits ?? graph.outputs[0]?.name;
  if (!logits || !ix.graphOutputs.has(logits)) throw new Error(`logits output '${logits}' is not a graph output`);
  const { classifier, bottleneck } = findClassifier(graph, ix, logits, options.bottleneck);
  const upstream = ancestorsOf(bottleneck, ix);

  const units: Unit[] = [];
  const skipped: { node: string; reason: string }[] = [];
  for (const n of graph.nodes) {
    if (!upstream.has(n.name) || n.name === classifier) continue;
    const unit = asUnit(n, ix, shapes);
    if (typeof unit === 'string') {
      if (unit) skipped.push({ node: n.name, reason: unit });
    } else units.push(unit);
  }

  // Union-find over units; each unit's walk ends at a gate site.
  const parent = new Map(units.map((u) => [u.node, u.node]));
  const find = (a: string): string => {
    let r = a;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    parent.set(a, r);
    return r;
  };
  const union = (a: string, b: string): void => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(rb, ra);
  };
  const siteOf = new Map<string, string>(); // unit -> site tensor
  const siteOwner = new Map<string, string>(); // site tensor -> a unit
  for (const u of units) {
    const site = walkToSite(u, ix, shapes);
    siteOf.set(u.node, site);
    if (!siteOwner.has(site)) siteOwner.set(site, u.node);
    union(u.node, siteOwner.get(site) as string);
  }
  // Every Add of two same-shaped tensors couples the channels of whatever feeds it, before or after the
  // activations (residual streams, relu(a)+relu(b)): those units must share one gate vector.
  const unitByNode = new Map(units.map((u) => [u.node, u]));
  const blocked = new Set<string>(); // units coupled to something that cannot be pruned
  for (const n of graph.nodes) {
    if (!upstream.has(n.name) || !isResidualAdd(n, shapes)) continue;
    const sources = n.inputs.map((t) => traceBack(t, ix, siteOwner, unitByNode));
    const found = sources.filter((x): x is string => !!x);
    for (const x of found.slice(1)) union(found[0], x);
    if (found.length > 0 && found.length < sources.length) blocked.add(found[0]);
  }
  for (const b of [...blocked]) for (const u of units) if (find(u.node) === find(b)) blocked.add(u.node);
  for (const b of blocked) skipped.push({ node: b, reason: 'its channels are added to a tensor that no prunable unit produces (e.g. the graph input)' });

  const order = new Map(graph.nodes.flatMap((n, i) => n.outputs.map((o) => [o, i] as const)));
  const roots = [...new Set(units.filter((u) => !blocked.has(u.node)).map((u) => find(u.node)))];
  const groups = roots
    .map((root) => {
      const members = units.filter((u) => find(u.node) === root && !blocked.has(u.node));
      const siteTensors = [...new Set(members.map((m) => siteOf.get(m.node) as string))].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
      const sites = siteTensors.map((t) => {
        const s = shapes.get(t) as readonly number[];
        return { tensor: t, channels: s[1], rank: s.length };
      });
      return { members, sites };
    })
    .sort((a, b) => (order.get(a.sites[0].tensor) ?? 0) - (order.get(b.sites[0].tensor) ?? 0))
    .map(({ members, sites }, id) => ({
      id,
      channels: members[0].channels,
      producers: members.map((m) => m.node),
      sites,
      label: members.length === 1 ? members[0].node : `${members[0].node} + ${members.length - 1} coupled`,
    }));
  for (const g of groups) {
    const bad = g.sites.find((s) => s.channels !== g.channels);
    if (bad) throw new Error(`gate site '${bad.tensor}' has ${bad.channels} channels but its units have ${g.channels}`);
  }
  const sites = groups
    .flatMap((g) => g.sites.map((s) => ({ ...s, group: g.id })))
    .sort((a, b) => (order.get(a.tensor) ?? 0) - (order.get(b.tensor) ?? 0));
  return { units, groups, sites, classifier, bottleneck, logits, skipped };
}

function findClassifier(graph: Graph, ix: GraphIndex, logits: string, override?: string): { classifier: string; bottleneck: string } {
  if (override) {
    if (!ix.producer.has(override) && !graph.inputs.some((v) => v.name === override)) {
      throw new Error(`bottleneck tensor '${override}' is not in the graph`);
    }
    const consumer = (ix.consumers.get(override) ?? []).find((n) => isLinear(n, ix));
    return { classifier: consumer?.name ?? '', bottleneck: override };
  }
  // Walk back from the logits through shape-only / activation ops to the last linear layer.
  let t = logits;
  for (let steps = 0; steps < 16; steps++) {
    const n = ix.producer.get(t);
    if (!n) break;
    if (isLinear(n, ix)) return { classifier: n.name, bottleneck: n.inputs[0] };
    if (n.opType === 'Add' && ix.isConstant(n.inputs[1])) t = n.inputs[0];
    else if (['Identity', 'Softmax', 'LogSoftmax', 'Flatten', 'Reshape', 'Dropout', 'Sigmoid'].includes(n.opType)) t = n.inputs[0];
    else break;
  }
  throw new Error(`no classifier head found: '${logits}' is not produced by a Gemm/MatMul with a constant weight; name the bottleneck tensor explicitly`);
}

function isLinear(n: Node, ix: GraphIndex): boolean {
  return (n.opType === 'Gemm' || n.opType === 'MatMul') && ix.isConstant(n.inputs[1]);
}

function ancestorsOf(tensor: string, ix: GraphIndex): Set<string> {
  const seen = new Set<string>();
  const stack = [tensor];
  while (stack.length > 0) {
    const n = ix.producer.get(stack.pop() as string);
    if (!n || seen.has(n.name)) continue;
    seen.add(n.name);
    stack.push(...n.inputs.filter(Boolean));
  }
  return seen;
}

/** A unit, or a reason it is not one ('' for nodes that are simply not candidates). */
function asUnit(n: Node, ix: GraphIndex, shapes: ShapeMap): Unit | string {
  if (n.opType !== 'Conv' && n.opType !== 'Gemm' && n.opType !== 'MatMul') return '';
  if (!ix.isConstant(n.inputs[1])) return 'its weight is not a constant';
  const out = shapes.get(n.outputs[0]);
  if (!out) return 'its output shape is unknown';
  if (n.opType === 'Gemm' && n.attributes.transA?.type === 'int' && n.attributes.transA.value === 1) return 'Gemm with transA is not supported';
  if (n.opType === 'MatMul' && out.length !== 2) return 'only 2-D MatMul outputs are treated as neurons';
  if (n.opType === 'Conv') {
    const group = n.attributes.group?.type === 'int' ? n.attributes.group.value : 1;
    if (group !== 1) return 'grouped convolutions are not pruned yet';
  }
  return { node: n.name, opType: n.opType, weight: n.inputs[1], output: n.outputs[0], channels: out[1] };
}

/**
 * Follow the unit's output through per-channel ops to where its gate goes: after the first activation, or,
 * when a residual Add comes first, after the Add (and its activation).
 */
function walkToSite(u: Unit, ix: GraphIndex, shapes: ShapeMap): string {
  let t = u.output;
  for (let steps = 0; steps < 64; steps++) {
    const consumers = ix.consumers.get(t) ?? [];
    if (consumers.length !== 1 || ix.graphOutputs.has(t)) return t;
    const next = consumers[0];
    if (ACTIVATION_OPS.has(next.opType)) return next.outputs[0];
    if (AFFINE_OPS.has(next.opType) || isBiasAdd(next, t, ix, shapes)) {
      t = next.outputs[0];
      continue;
    }
    if (isResidualAdd(next, shapes)) {
      t = next.outputs[0];
      continue;
    }
    return t;
  }
  return t;
}

function isBiasAdd(n: Node, from: string, ix: GraphIndex, shapes: ShapeMap): boolean {
  if (n.opType !== 'Add' && n.opType !== 'Sub' && n.opType !== 'Mul') return false;
  const other = n.inputs[0] === from ? n.inputs[1] : n.inputs[0];
  if (!ix.isConstant(other)) return false;
  const s = shapes.get(other) ?? [];
  const out = shapes.get(n.outputs[0]) ?? [];
  // A per-channel (or scalar) constant: every dim except the channel axis is 1.
  const offset = out.length - s.length;
  return s.every((d, i) => d === 1 || i + offset === 1);
}

function isResidualAdd(n: Node, shapes: ShapeMap): boolean {
  if (n.opType !== 'Add') return false;
  const [a, b] = n.inputs.map((i) => shapes.get(i));
  return !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Trace a residual branch back through channel-preserving ops to a gate site or a unit's output. */
function traceBack(tensor: string, ix: GraphIndex, siteOwner: ReadonlyMap<string, string>, units: ReadonlyMap<string, Unit>): string | undefined {
  let t = tensor;
  for (let steps = 0; steps < 64; steps++) {
    const owner = siteOwner.get(t);
    if (owner) return owner;
    const n = ix.producer.get(t);
    if (!n) return undefined;
    if (units.has(n.name)) return n.name;
    if (!CHANNEL_PRESERVING.has(n.opType) && !(n.opType === 'Add' && ix.isConstant(n.inputs[1]))) return undefined;
    t = n.inputs[0];
  }
  return undefined;
}
