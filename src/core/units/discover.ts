/**
 * Finds the encoder's prunable units, the classifier and bottleneck z, where the gates go, and which channels are
 * coupled into one dependency group (one shared gate vector, removed together), as BISE.md and DepGraph describe.
 *
 * Members of a group:
 * - producers: Conv (group 1), Gemm and MatMul nodes with a constant weight, whose output channels are units;
 * - followers: grouped and depthwise Convs (group > 1). Output conv-group j reads input conv-group j alone, so
 *   a follower's channels are its input's channels carried on: it joins the group that feeds it, and removing a
 *   unit removes the follower's input and output channels of that unit together;
 * - squeeze-and-excitation expand convs: a producer whose outputs (through Sigmoid/HardSigmoid …) only scale
 *   another tensor channel by channel joins that tensor's group and has no gate of its own (the scaled channel is
 *   already zero when gated).
 * Residual Adds couple whatever feeds them. Units are blocks of consecutive channels: a group has `channels`
 * units, and a tensor of the group with C channels gives unit u its channels u·C/channels … (u+1)·C/channels − 1
 * (`repeat` = C/channels). Without grouped convs every unit is one channel; a grouped conv of G groups makes
 * units whole conv groups (ResNeXt, RegNet: the only channel removal that keeps every conv group the same size
 * while a unit's input and output channels go together); a depthwise conv of multiplier k has k output channels
 * per unit.
 */
import { Graph, Node } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { GraphIndex, indexGraph } from './graph-index';

export interface Unit {
  /** The Conv/Gemm/MatMul node. */
  readonly node: string;
  readonly opType: string;
  readonly weight: string;
  /** The node's output tensor (channel axis 1). */
  readonly output: string;
  /** Output channels. */
  readonly channels: number;
  /** 'producer': its output channels are units; 'follower': a grouped/depthwise Conv carrying its input's units. */
  readonly role: 'producer' | 'follower';
}

export interface GateSite {
  /** The tensor the gate multiplies (its channel axis is 1). */
  readonly tensor: string;
  readonly channels: number;
  readonly rank: number;
  /** Consecutive channels per unit of its group (1 unless grouped convs coarsen the units). */
  readonly repeat: number;
}

export interface UnitGroup {
  readonly id: number;
  /** Units: entries of the gate vector and of a keep-mask. */
  readonly channels: number;
  /** Producer nodes whose output channels this group owns (coupled by residual Adds, SE scaling, … when several). */
  readonly producers: readonly string[];
  /** Grouped / depthwise Convs whose input and output channels follow this group's units. */
  readonly followers: readonly string[];
  /** Gate sites, in graph order. */
  readonly sites: readonly GateSite[];
  /** A short human label, e.g. "layer1.0/conv2 + 2 coupled". */
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
const ACTIVATION_OPS = new Set(['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'HardSigmoid', 'HardSwish']);
/** Ops that keep channels where they are, traversed when tracing a tensor back to the unit that made it. */
const CHANNEL_PRESERVING = new Set([...AFFINE_OPS, ...ACTIVATION_OPS, 'MaxPool', 'AveragePool']);
/** Squeeze-and-excitation: ops between the expand conv and the Mul that scales the block's tensor. */
const SCALE_OPS = new Set(['Sigmoid', 'HardSigmoid', 'Clip', 'Relu', 'Identity']);

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
  const nodeOf = new Map(graph.nodes.map((n) => [n.name, n]));

  // Squeeze-and-excitation expand convs gate nothing themselves: they follow the tensor they scale.
  const scaling = new Map<string, string>(); // unit -> the tensor its outputs multiply
  for (const u of units) {
    const other = u.role === 'producer' ? scaledTensor(u, ix, shapes) : undefined;
    if (other) scaling.set(u.node, other);
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
    if (scaling.has(u.node)) continue;
    const site = walkToSite(u, ix, shapes);
    siteOf.set(u.node, site);
    if (!siteOwner.has(site)) siteOwner.set(site, u.node);
    union(u.node, siteOwner.get(site) as string);
  }
  const unitByNode = new Map(units.map((u) => [u.node, u]));
  const unreachable = new Map<string, string>(); // unit -> why it cannot join a group
  for (const u of units) {
    if (u.role === 'follower') {
      const source = traceBack((nodeOf.get(u.node) as Node).inputs[0], ix, shapes, siteOwner, unitByNode);
      if (source) union(source, u.node);
      else unreachable.set(u.node, 'grouped and depthwise convolutions are pruned with the units that feed them, and no prunable unit produces its input (e.g. it reads the graph input)');
    }
    const scaled = scaling.get(u.node);
    if (scaled) {
      const source = traceBack(scaled, ix, shapes, siteOwner, unitByNode);
      if (source) union(source, u.node);
      else unreachable.set(u.node, `its outputs scale '${scaled}' channel by channel (squeeze-and-excitation), and no prunable unit produces that tensor`);
    }
  }

  // Every Add of two same-shaped tensors couples the channels of whatever feeds it, before or after the
  // activations (residual streams, relu(a)+relu(b)): those units must share one gate vector.
  const residualBlocked = new Set<string>(); // units whose channels meet an unprunable tensor in an Add
  for (const n of graph.nodes) {
    if (!upstream.has(n.name) || !isResidualAdd(n, shapes)) continue;
    const sources = n.inputs.map((t) => traceBack(t, ix, shapes, siteOwner, unitByNode));
    const found = sources.filter((x): x is string => !!x);
    for (const x of found.slice(1)) union(found[0], x);
    if (found.length > 0 && found.length < sources.length) residualBlocked.add(found[0]);
  }
  // A unit coupled to one that cannot be pruned cannot be pruned either.
  const blocked = new Map<string, string>();
  for (const u of units) {
    const residual = [...residualBlocked].some((b) => find(b) === find(u.node));
    const stuck = [...unreachable.keys()].find((b) => find(b) === find(u.node));
    if (unreachable.has(u.node)) blocked.set(u.node, unreachable.get(u.node) as string);
    else if (residual) blocked.set(u.node, 'its channels are added to a tensor that no prunable unit produces (e.g. the graph input)');
    else if (stuck) blocked.set(u.node, `it is coupled to '${stuck}', which cannot be pruned: ${unreachable.get(stuck)}`);
  }
  for (const [node, reason] of blocked) skipped.push({ node, reason });

  const order = new Map(graph.nodes.flatMap((n, i) => n.outputs.map((o) => [o, i] as const)));
  const nodeOrder = new Map(graph.nodes.map((n, i) => [n.name, i]));
  const roots = [...new Set(units.filter((u) => !blocked.has(u.node)).map((u) => find(u.node)))];
  const components = roots
    .map((root) => {
      const members = units.filter((u) => find(u.node) === root && !blocked.has(u.node)).sort((a, b) => (nodeOrder.get(a.node) ?? 0) - (nodeOrder.get(b.node) ?? 0));
      const siteTensors = [...new Set(members.filter((m) => siteOf.has(m.node)).map((m) => siteOf.get(m.node) as string))].sort(
        (a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0),
      );
      return { members, siteTensors, units: unitCount(members, siteTensors, nodeOf, shapes) };
    })
    .filter((c) => c.siteTensors.length > 0)
    .sort((a, b) => (order.get(a.siteTensors[0]) ?? 0) - (order.get(b.siteTensors[0]) ?? 0));
  const groups = components.map(({ members, siteTensors, units: count }, id): UnitGroup => {
    const sites = siteTensors.map((t) => {
      const s = shapes.get(t) as readonly number[];
      return { tensor: t, channels: s[1], rank: s.length, repeat: s[1] / count };
    });
    const producers = members.filter((m) => m.role === 'producer').map((m) => m.node);
    const followers = members.filter((m) => m.role === 'follower').map((m) => m.node);
    const named = [...producers, ...followers];
    return { id, channels: count, producers, followers, sites, label: named.length === 1 ? named[0] : `${named[0]} + ${named.length - 1} coupled` };
  });
  for (const g of groups) {
    const bad = g.sites.find((s) => !Number.isInteger(s.repeat));
    if (bad) throw new Error(`gate site '${bad.tensor}' has ${bad.channels} channels, which its group's ${g.channels} units do not divide`);
  }
  const sites = groups
    .flatMap((g) => g.sites.map((s) => ({ ...s, group: g.id })))
    .sort((a, b) => (order.get(a.tensor) ?? 0) - (order.get(b.tensor) ?? 0));
  return { units: units.filter((u) => !blocked.has(u.node)), groups, sites, classifier, bottleneck, logits, skipped };
}

/**
 * How many units a group has: the largest count whose consecutive channel blocks every member keeps whole. A
 * producer or site of C channels allows any divisor of C; a grouped conv of G groups needs whole conv groups on
 * both sides, so the count divides G (a depthwise conv, G = C, changes nothing).
 */
function unitCount(members: readonly Unit[], siteTensors: readonly string[], nodeOf: ReadonlyMap<string, Node>, shapes: ShapeMap): number {
  let count = 0;
  const take = (k: number): void => {
    count = gcd(count, k);
  };
  for (const m of members) {
    take(m.channels);
    if (m.role === 'follower') {
      const n = nodeOf.get(m.node) as Node;
      take(convGroups(n));
      take((shapes.get(n.inputs[0]) as readonly number[])[1]);
    }
  }
  for (const t of siteTensors) take((shapes.get(t) as readonly number[])[1]);
  return count;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function convGroups(n: Node): number {
  return n.attributes.group?.type === 'int' ? n.attributes.group.value : 1;
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
  const role = n.opType === 'Conv' && convGroups(n) !== 1 ? 'follower' : 'producer';
  return { node: n.name, opType: n.opType, weight: n.inputs[1], output: n.outputs[0], channels: out[1], role };
}

/**
 * Follow the unit's output through per-channel ops to where its gate goes: after the first activation, or,
 * when a residual Add comes first, after the Add (and its activation).
 */
function walkToSite(u: Unit, ix: GraphIndex, shapes: ShapeMap): string {
  let t = u.output;
  for (let steps = 0; steps < 64; steps++) {
    const gated = gatedActivation(t, ix);
    if (gated) return gated;
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

/**
 * x·σ(x) as exported: SiLU/Swish (Sigmoid) and HardSwish (HardSigmoid) become `Mul(x, act(x))`. Returns the
 * Mul's output when `t` feeds exactly that pattern, so the gate goes after the whole activation.
 */
function gatedActivation(t: string, ix: GraphIndex): string | undefined {
  const consumers = ix.consumers.get(t) ?? [];
  if (consumers.length !== 2 || ix.graphOutputs.has(t)) return undefined;
  const act = consumers.find((c) => (c.opType === 'Sigmoid' || c.opType === 'HardSigmoid') && c.inputs[0] === t);
  const mul = consumers.find((c) => c.opType === 'Mul');
  if (!act || !mul || mul === act) return undefined;
  const s = act.outputs[0];
  const ok = (mul.inputs[0] === t && mul.inputs[1] === s) || (mul.inputs[1] === t && mul.inputs[0] === s);
  return ok && (ix.consumers.get(s) ?? []).length === 1 && !ix.graphOutputs.has(s) ? mul.outputs[0] : undefined;
}

/**
 * Squeeze-and-excitation: when the unit's output, through single-consumer scale ops (Sigmoid, HardSigmoid, …),
 * only multiplies another tensor of the same channel count, its channel c scales that tensor's channel c alone.
 * Returns that other tensor.
 */
function scaledTensor(u: Unit, ix: GraphIndex, shapes: ShapeMap): string | undefined {
  let t = u.output;
  for (let steps = 0; steps < 8; steps++) {
    const consumers = ix.consumers.get(t) ?? [];
    if (consumers.length !== 1 || ix.graphOutputs.has(t)) return undefined;
    const next = consumers[0];
    if (SCALE_OPS.has(next.opType) || isBiasAdd(next, t, ix, shapes) || (next.opType === 'Div' && next.inputs[0] === t && ix.isConstant(next.inputs[1]))) {
      t = next.outputs[0];
      continue;
    }
    if (next.opType !== 'Mul' || next.inputs.length !== 2 || next.inputs[0] === next.inputs[1]) return undefined;
    const other = next.inputs[0] === t ? next.inputs[1] : next.inputs[0];
    const [a, b] = [shapes.get(t), shapes.get(other)];
    if (ix.isConstant(other) || !a || !b || a.length !== b.length || a[1] !== b[1] || a[0] !== b[0]) return undefined;
    return other;
  }
  return undefined;
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

/**
 * Trace a tensor back through channel-preserving ops to a gate site or a unit's output. A residual Add is
 * followed through its first operand: that Add couples its operands into one group anyway (e.g. EfficientNetV2
 * blocks ending in SiLU, whose Add outputs are no gate sites, feed the next block's Add).
 */
function traceBack(tensor: string, ix: GraphIndex, shapes: ShapeMap, siteOwner: ReadonlyMap<string, string>, units: ReadonlyMap<string, Unit>): string | undefined {
  let t = tensor;
  for (let steps = 0; steps < 256; steps++) {
    const owner = siteOwner.get(t);
    if (owner) return owner;
    const n = ix.producer.get(t);
    if (!n) return undefined;
    if (units.has(n.name)) return n.name;
    const passes = CHANNEL_PRESERVING.has(n.opType) || (n.opType === 'Add' && (ix.isConstant(n.inputs[1]) || isResidualAdd(n, shapes)));
    if (!passes) return undefined;
    t = n.inputs[0];
  }
  return undefined;
}
