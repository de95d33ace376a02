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
 * per unit; a GroupNormalization reading a unit's channels makes units whole GN groups (normalization-readers.ts),
 * and a LayerNormalization over the axis that carries them leaves the unit out.
 *
 * Attention heads (units 'heads' or 'both', attention-heads.ts) are groups of their own: Q, K and V (or one fused
 * in_proj) as producers, one unit per head (head_dim consecutive features of each of Q, K and V), gated on the
 * per-head context.
 *
 * The classifier is the last Gemm/MatMul before the logits (z: its input; earlier head layers are units), or a
 * 1×1 Conv whose outputs the head pools to the logits (SqueezeNet; z: its input, pooled the same way).
 */
import { Graph, Node, attrInts } from '../onnx/ir';
import { producedChannelAxis } from '../prune/channel-map';
import { ShapeMap } from '../onnx/shape-inference';
import { GraphIndex, indexGraph } from './graph-index';
import { normalizationReadings } from './normalization-readers';
import { PruneTrialGraph, unprunableGroups } from './prunable-groups';
import { AttentionHeads, UnitKind, findAttentionHeads, unmatchedAttention } from './attention-heads';

export interface Unit {
  /** The Conv/Gemm/MatMul node. */
  readonly node: string;
  readonly opType: string;
  readonly weight: string;
  /** The node's output tensor. */
  readonly output: string;
  /** Output channels. */
  readonly channels: number;
  /** The output's axis that holds them: 1, or the last axis of a MatMul's [N, tokens, D] / [N, H, W, D] output. */
  readonly axis: number;
  /** 'producer': its output channels are units; 'follower': a grouped/depthwise Conv carrying its input's units. */
  readonly role: 'producer' | 'follower';
}

export interface GateSite {
  /** The tensor the gate multiplies along its channel axis `axis`. */
  readonly tensor: string;
  readonly channels: number;
  readonly rank: number;
  /** 1 for NCHW and [N, features]; the last axis for channels-last tensors and MatMul outputs [N, tokens, D]. */
  readonly axis: number;
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
  /** 'heads' for an attention block's heads (producers: its Q, K and V projections, or a fused in_proj; one unit per head). */
  readonly kind?: 'heads';
  /**
   * Set (> 1) when each producer's output is that many equal blocks side by side and unit u owns its channels of
   * every block: a fused query/key/value projection (nn.MultiheadAttention's in_proj: 3). Unset: one block.
   */
  readonly blocks?: number;
}

export interface Discovery {
  readonly units: readonly Unit[];
  readonly groups: readonly UnitGroup[];
  /** Every gate site in graph order, with its group. */
  readonly sites: readonly (GateSite & { readonly group: number })[];
  readonly classifier: string;
  readonly bottleneck: string;
  /**
   * Set when the classifier is a convolution whose outputs the head pools (SqueezeNet: Conv → ReLU →
   * GlobalAveragePool → Flatten): z, as mutual information and the auxiliary head read it, is the bottleneck
   * pooled over its spatial axes by this op, one value per channel. That is the feature vector such a head
   * classifies (the pool commutes with a 1×1 conv up to the activation between them), the same kind of z as a Gemm
   * head's input, and its size does not grow with the input's resolution.
   */
  readonly bottleneckPooling?: 'GlobalAveragePool' | 'GlobalMaxPool';
  readonly logits: string;
  /** Units seen but left ungated, with the reason (shown to the user). */
  readonly skipped: readonly { node: string; reason: string }[];
}

export interface DiscoverOptions {
  /** Override the bottleneck tensor (the classifier's input). */
  readonly bottleneck?: string;
  /** Which graph output holds the logits (default: the first). */
  readonly logits?: string;
  /**
   * Gate only groups that the pruner can follow (units/prunable-groups.ts; default true). Tests of the pruner's own
   * refusals turn it off to hand the pruner groups it must refuse.
   */
  readonly checkPruning?: boolean;
  /** The model's default-domain opset, for the pruning trial (default 13). */
  readonly opset?: number;
  /** The graph the pruning trial prunes, when `graph` is a rewritten form of the model (default: `graph`). */
  readonly pruneTarget?: PruneTrialGraph;
  /**
   * Which units are gated (default 'mlp', what the authors gate in BERT): 'mlp', the neurons and channels found
   * below (a transformer's MLP neurons, a CNN's channels); 'heads', attention heads only (attention-heads.ts);
   * 'both'. The query/key/value projections are units only as heads.
   */
  readonly units?: UnitKind;
}

/** Per-channel ops a unit's output passes through before its gate. */
const AFFINE_OPS = new Set(['BatchNormalization', 'Identity', 'Dropout']);
const ACTIVATION_OPS = new Set(['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'HardSigmoid', 'HardSwish', 'Gelu']);
/**
 * Normalisations whose statistics stay within a unit once units are whole GroupNormalization groups (one channel
 * for InstanceNormalization): the gate goes after them, as after BatchNormalization. Before them it would be
 * normalised away (GN(g·x) = GN(x) for a gate g uniform over a group), and a partly gated group would change the
 * statistics of the channels it keeps.
 */
const UNIT_NORMS = new Set(['GroupNormalization', 'InstanceNormalization']);
/** Ops that keep channels where they are, traversed when tracing a tensor back to the unit that made it. */
const CHANNEL_PRESERVING = new Set([...AFFINE_OPS, ...ACTIVATION_OPS, ...UNIT_NORMS, 'MaxPool', 'AveragePool']);
/** Squeeze-and-excitation: ops between the expand conv and the Mul that scales the block's tensor. */
const SCALE_OPS = new Set(['Sigmoid', 'HardSigmoid', 'Clip', 'Relu', 'Identity']);

export function discoverUnits(graph: Graph, shapes: ShapeMap, options: DiscoverOptions = {}): Discovery {
  const ix = indexGraph(graph);
  const logits = options.logits ?? graph.outputs[0]?.name;
  if (!logits || !ix.graphOutputs.has(logits)) throw new Error(`logits output '${logits}' is not a graph output`);
  const { classifier, bottleneck, pooling } = findClassifier(graph, ix, logits, shapes, options.bottleneck);
  const upstream = ancestorsOf(bottleneck, ix);
  const kind = options.units ?? 'mlp';
  const attention = findAttentionHeads(graph.nodes, ix, shapes, upstream);
  const projections = new Set(attention.flatMap((a) => a.projections));
  const skipped: { node: string; reason: string }[] = kind === 'mlp' ? [] : unmatchedAttention(graph.nodes, attention, ix, upstream);

  const units: Unit[] = [];
  for (const n of graph.nodes) {
    if (!upstream.has(n.name) || n.name === classifier) continue;
    const unit = asUnit(n, ix, shapes);
    if (typeof unit === 'string') {
      if (unit) skipped.push({ node: n.name, reason: unit });
    } else if (projections.has(n.name)) {
      if (kind === 'mlp') skipped.push({ node: n.name, reason: "an attention query/key/value projection: its units are the attention heads, gated with units 'heads' or 'both' (--units)" });
    } else if (kind === 'heads') skipped.push({ node: n.name, reason: "units 'heads' gates attention heads only ('mlp' or 'both' gate these neurons)" });
    else units.push(unit);
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
  const siteAxis = new Map<string, number>(); // site tensor -> its channel axis
  for (const u of units) {
    if (scaling.has(u.node)) continue;
    const { tensor: site, axis } = walkToSite(u, ix, shapes);
    siteOf.set(u.node, site);
    siteAxis.set(site, axis);
    if (!siteOwner.has(site)) siteOwner.set(site, u.node);
    union(u.node, siteOwner.get(site) as string);
  }
  const unitByNode = new Map(units.map((u) => [u.node, u]));
  const unreachable = new Map<string, string>(); // unit -> why it cannot join a group
  for (const u of units) {
    if (u.role === 'follower') {
      const source = traceBack((nodeOf.get(u.node) as Node).inputs[0], ix, shapes, siteOwner, unitByNode, { at: 1, sites: siteAxis });
      if (source) union(source, u.node);
      else unreachable.set(u.node, 'grouped and depthwise convolutions are pruned with the units that feed them, and no prunable unit produces its input (e.g. it reads the graph input)');
    }
    const scaled = scaling.get(u.node);
    if (scaled) {
      const source = traceBack(scaled, ix, shapes, siteOwner, unitByNode, { at: 1, sites: siteAxis });
      if (source) union(source, u.node);
      else unreachable.set(u.node, `its outputs scale '${scaled}' channel by channel (squeeze-and-excitation), and no prunable unit produces that tensor`);
    }
  }

  // Normalisations that read channels together: whole GroupNormalization groups per unit, or no pruning at all.
  const divisors = new Map<string, number>(); // unit -> the unit count of its group must divide this
  for (const r of normalizationReadings(units, ix, shapes, upstream)) {
    if (r.blocked && !unreachable.has(r.unit)) unreachable.set(r.unit, r.blocked);
    if (r.divisor) divisors.set(r.unit, gcd(divisors.get(r.unit) ?? 0, r.divisor));
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
      return { members, siteTensors, units: unitCount(members, siteTensors, siteAxis, nodeOf, shapes, divisors) };
    })
    .filter((c) => c.siteTensors.length > 0)
    .sort((a, b) => (order.get(a.siteTensors[0]) ?? 0) - (order.get(b.siteTensors[0]) ?? 0));
  const ordinary = components.map(({ members, siteTensors, units: count }, id): UnitGroup => {
    const sites = siteTensors.map((t) => {
      const s = shapes.get(t) as readonly number[];
      const axis = siteAxis.get(t) ?? 1;
      return { tensor: t, channels: s[axis], rank: s.length, axis, repeat: s[axis] / count };
    });
    const producers = members.filter((m) => m.role === 'producer').map((m) => m.node);
    const followers = members.filter((m) => m.role === 'follower').map((m) => m.node);
    const named = [...producers, ...followers];
    return { id, channels: count, producers, followers, sites, label: named.length === 1 ? named[0] : `${named[0]} + ${named.length - 1} coupled` };
  });
  for (const g of ordinary) {
    const bad = g.sites.find((s) => !Number.isInteger(s.repeat));
    if (bad) throw new Error(`gate site '${bad.tensor}' has ${bad.channels} channels, which its group's ${g.channels} units do not divide`);
  }
  const headGroups = kind === 'mlp' ? [] : attention.map(headGroup);
  if (kind !== 'mlp') for (const a of attention) for (const node of a.projections) units.push(asUnit(nodeOf.get(node) as Node, ix, shapes) as Unit);
  const candidates = [...ordinary, ...headGroups]
    .sort((a, b) => (order.get(a.sites[0].tensor) ?? 0) - (order.get(b.sites[0].tensor) ?? 0))
    .map((g, id) => ({ ...g, id }));
  // Only groups whose channels the pruner can follow to every consumer are gated (prunable-groups.ts).
  const candidateSites = candidates.flatMap((g) => g.sites.map((s) => ({ ...s, group: g.id })));
  const refused = options.checkPruning === false ? new Map<number, string>() : unprunableGroups(options.pruneTarget ?? { graph, shapes }, candidates, candidateSites, options.opset ?? 13);
  for (const [k, why] of refused) {
    for (const node of [...candidates[k].producers, ...candidates[k].followers]) {
      blocked.set(node, `pruning cannot follow its channels: ${why}`);
      skipped.push({ node, reason: `pruning cannot follow its channels: ${why}` });
    }
  }
  const groups = candidates.filter((_, k) => !refused.has(k)).map((g, id) => ({ ...g, id }));
  const sites = groups
    .flatMap((g) => g.sites.map((s) => ({ ...s, group: g.id })))
    .sort((a, b) => (order.get(a.tensor) ?? 0) - (order.get(b.tensor) ?? 0));
  return { units: units.filter((u) => !blocked.has(u.node)), groups, sites, classifier, bottleneck, ...(pooling && { bottleneckPooling: pooling }), logits, skipped };
}

/**
 * One attention block's heads: Q, K and V lose a head's features together (three blocks of one fused in_proj's
 * output); the gate is on the context's heads axis, or on its features with each head's repeated over them.
 */
function headGroup(a: AttentionHeads): UnitGroup {
  return {
    id: 0,
    channels: a.heads,
    producers: a.projections,
    followers: [],
    sites: [{ tensor: a.context, channels: a.channels, rank: a.rank, axis: a.axis, repeat: a.channels / a.heads }],
    label: a.label,
    kind: 'heads',
    ...(a.blocks > 1 && { blocks: a.blocks }),
  };
}

/**
 * How many units a group has: the largest count whose consecutive channel blocks every member keeps whole. A
 * producer or site of C channels allows any divisor of C; a grouped conv of G groups needs whole conv groups on
 * both sides, so the count divides G (a depthwise conv, G = C, changes nothing); a GroupNormalization reading a
 * member's channels needs whole GN groups, so the count divides the GN groups they span (`divisors`).
 */
function unitCount(
  members: readonly Unit[],
  siteTensors: readonly string[],
  siteAxis: ReadonlyMap<string, number>,
  nodeOf: ReadonlyMap<string, Node>,
  shapes: ShapeMap,
  divisors: ReadonlyMap<string, number>,
): number {
  let count = 0;
  const take = (k: number): void => {
    count = gcd(count, k);
  };
  for (const m of members) {
    take(m.channels);
    take(divisors.get(m.node) ?? 0);
    if (m.role === 'follower') {
      const n = nodeOf.get(m.node) as Node;
      take(convGroups(n));
      take((shapes.get(n.inputs[0]) as readonly number[])[1]);
    }
  }
  for (const t of siteTensors) take((shapes.get(t) as readonly number[])[siteAxis.get(t) ?? 1]);
  return count;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function convGroups(n: Node): number {
  return n.attributes.group?.type === 'int' ? n.attributes.group.value : 1;
}

function findClassifier(
  graph: Graph,
  ix: GraphIndex,
  logits: string,
  shapes: ShapeMap,
  override?: string,
): { classifier: string; bottleneck: string; pooling?: Discovery['bottleneckPooling'] } {
  if (override) {
    if (!ix.producer.has(override) && !graph.inputs.some((v) => v.name === override)) {
      throw new Error(`bottleneck tensor '${override}' is not in the graph`);
    }
    const consumer = (ix.consumers.get(override) ?? []).find((n) => isLinear(n, ix));
    return { classifier: consumer?.name ?? '', bottleneck: override };
  }
  // Walk back from the logits through shape-only / activation ops to the last linear layer: a Gemm/MatMul, or a
  // Conv whose outputs are one per class (pooled by the head, or already 1×1).
  let t = logits;
  let pooling: Discovery['bottleneckPooling'];
  for (let steps = 0; steps < 16; steps++) {
    const n = ix.producer.get(t);
    if (!n) break;
    if (isLinear(n, ix)) return { classifier: n.name, bottleneck: n.inputs[0] };
    if (isConvClassifier(n, ix, shapes, pooling)) return { classifier: n.name, bottleneck: n.inputs[0], ...(pooling && { pooling }) };
    const pool = pooling ? undefined : globalPool(n, graph, ix, shapes);
    if (pool) {
      pooling = pool;
      t = n.inputs[0];
    } else if (n.opType === 'Add' && ix.isConstant(n.inputs[1])) t = n.inputs[0];
    else if (['Identity', 'Softmax', 'LogSoftmax', 'Flatten', 'Reshape', 'Squeeze', 'Dropout', 'Sigmoid'].includes(n.opType)) t = n.inputs[0];
    else if (pooling && HEAD_ACTIVATIONS.has(n.opType)) t = n.inputs[0];
    else break;
  }
  throw new Error(
    `no classifier head found: '${logits}' is not produced by a Gemm/MatMul with a constant weight, nor by a 1×1 Conv whose outputs the head pools to the logits; ` +
      'name the bottleneck tensor explicitly',
  );
}

/** Between a conv classifier and the pool that makes its outputs logits (SqueezeNet's ReLU). */
const HEAD_ACTIVATIONS = new Set(['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'HardSigmoid', 'HardSwish', 'Identity', 'Dropout', 'BatchNormalization']);

/** A pool over every spatial axis (GlobalAveragePool, ReduceMean over axes 2…), as the pooling z gets. */
function globalPool(n: Node, graph: Graph, ix: GraphIndex, shapes: ShapeMap): Discovery['bottleneckPooling'] {
  if (n.opType === 'GlobalAveragePool' || n.opType === 'GlobalMaxPool') return n.opType;
  if (n.opType !== 'ReduceMean' && n.opType !== 'ReduceMax') return undefined;
  const rank = shapes.get(n.inputs[0])?.length ?? 0;
  const given = n.attributes.axes?.type === 'ints' ? n.attributes.axes.value : n.inputs[1] ? constantInts(n.inputs[1], graph, ix) : undefined;
  const axes = new Set((given ?? []).map((a) => (a < 0 ? a + rank : a)));
  const spatial = Array.from({ length: Math.max(0, rank - 2) }, (_, i) => i + 2);
  if (rank < 3 || axes.size !== spatial.length || !spatial.every((a) => axes.has(a))) return undefined;
  return n.opType === 'ReduceMean' ? 'GlobalAveragePool' : 'GlobalMaxPool';
}

function constantInts(name: string, graph: Graph, ix: GraphIndex): number[] | undefined {
  const p = ix.producer.get(name);
  const value = p?.opType === 'Constant' && p.attributes.value?.type === 'tensor' ? p.attributes.value.value : undefined;
  const t = graph.initializers.get(name) ?? value;
  return t ? Array.from(t.data as ArrayLike<number | bigint>, Number) : undefined;
}

/**
 * A group-1 Conv with a constant weight: a 1×1 conv whose outputs the head pools (SqueezeNet, NiN), or one whose
 * outputs already have a single position (a fully connected layer written as a conv). A wider kernel before a
 * pool is a feature layer of a model without a classifier, not a classifier.
 */
function isConvClassifier(n: Node, ix: GraphIndex, shapes: ShapeMap, pooling: Discovery['bottleneckPooling']): boolean {
  if (n.opType !== 'Conv' || !ix.isConstant(n.inputs[1]) || convGroups(n) !== 1) return false;
  if (pooling) return (shapes.get(n.inputs[1]) ?? [0, 0, 0]).slice(2).every((d) => d === 1);
  return (shapes.get(n.outputs[0]) ?? []).slice(2).every((d) => d === 1);
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
  if (n.opType === 'MatMul' && (out.length < 2 || out.length > 4)) return `only MatMul outputs of rank 2 to 4 are treated as neurons (on their last axis); this one has rank ${out.length}`;
  if (n.opType === 'MatMul' && (shapes.get(n.inputs[1]) ?? []).length !== 2) return 'only a MatMul with a 2-D weight [K, N] has neurons';
  const role = n.opType === 'Conv' && convGroups(n) !== 1 ? 'follower' : 'producer';
  // A MatMul's neurons are its last axis: [N, D], ViT's tokens [N, T, D], ConvNeXt's channels-last [N, H, W, D].
  const axis = producedChannelAxis(n.opType, out.length);
  return { node: n.name, opType: n.opType, weight: n.inputs[1], output: n.outputs[0], channels: out[axis], axis, role };
}

/**
 * Follow the unit's output through per-channel ops to where its gate goes: after the first activation, or,
 * when a residual Add comes first, after the Add (and its activation). A Transpose on the way moves the channel
 * axis with it (tf2onnx's NCHW conv wrapped in Transposes, its bias Add and ReLU on the NHWC tensor).
 */
/** A LayerNormalization over axes after the channel axis only: each channel is normalised alone, the gate goes after it. */
function normalisesAfter(n: Node, axis: number, shapes: ShapeMap): boolean {
  if (n.opType !== 'LayerNormalization' || n.domain !== '') return false;
  const rank = shapes.get(n.inputs[0])?.length ?? 0;
  const first = n.attributes.axis?.type === 'int' ? n.attributes.axis.value : -1;
  return (first < 0 ? first + rank : first) > axis;
}

function walkToSite(u: Unit, ix: GraphIndex, shapes: ShapeMap): { tensor: string; axis: number } {
  let t = u.output;
  let axis = u.axis;
  for (let steps = 0; steps < 64; steps++) {
    const gated = gatedActivation(t, ix) ?? geluOutput(t, ix);
    if (gated) return { tensor: gated, axis };
    const consumers = ix.consumers.get(t) ?? [];
    if (consumers.length !== 1 || ix.graphOutputs.has(t)) return { tensor: t, axis };
    const next = consumers[0];
    if (ACTIVATION_OPS.has(next.opType)) return { tensor: next.outputs[0], axis };
    if (AFFINE_OPS.has(next.opType) || (axis === 1 && UNIT_NORMS.has(next.opType)) || normalisesAfter(next, axis, shapes) || isBiasAdd(next, t, ix, shapes, axis) || isResidualAdd(next, shapes)) {
      t = next.outputs[0];
      continue;
    }
    if (next.opType === 'Transpose' && next.domain === '') {
      const rank = shapes.get(t)?.length ?? 0;
      const perm = attrInts(next, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
      axis = perm.indexOf(axis);
      t = next.outputs[0];
      continue;
    }
    return { tensor: t, axis };
  }
  return { tensor: t, axis };
}

/**
 * GELU as torch exports it below opset 20: x·½·(1 + erf(x/√2)), i.e. Div(x, √2) (or Mul by 1/√2) → Erf → Add 1 →
 * Mul with x, and a Mul by ½ before or after. Returns the last node's output when `t` feeds exactly that, so the
 * gate goes after the whole activation (ViT's and ConvNeXt's MLP hidden neurons).
 */
function geluOutput(t: string, ix: GraphIndex): string | undefined {
  const only = (x: string): Node | undefined => {
    const c = ix.consumers.get(x) ?? [];
    return c.length === 1 && !ix.graphOutputs.has(x) ? c[0] : undefined;
  };
  const withConstant = (n: Node | undefined, op: string, from: string): boolean =>
    !!n && n.opType === op && n.inputs.length === 2 && n.inputs.includes(from) && ix.isConstant(n.inputs[0] === from ? n.inputs[1] : n.inputs[0]);
  const consumers = ix.consumers.get(t) ?? [];
  if (consumers.length !== 2 || ix.graphOutputs.has(t)) return undefined;
  const scale = consumers.find((c) => withConstant(c, 'Div', t) || withConstant(c, 'Mul', t));
  const erf = scale && only(scale.outputs[0]);
  if (!erf || erf.opType !== 'Erf') return undefined;
  let branch = only(erf.outputs[0]);
  if (!withConstant(branch, 'Add', erf.outputs[0])) return undefined;
  let s = (branch as Node).outputs[0];
  branch = only(s);
  if (withConstant(branch, 'Mul', s)) {
    s = (branch as Node).outputs[0]; // ½·(1 + erf)
    branch = only(s);
  }
  const mul = consumers.find((c) => c !== scale);
  const direct = mul === branch && !!mul && mul.opType === 'Mul' && mul.inputs.includes(t) && mul.inputs.includes(s);
  const halved = !!mul && withConstant(mul, 'Mul', t) && branch?.opType === 'Mul' && branch.inputs.includes(mul.outputs[0]) && branch.inputs.includes(s);
  if (direct) {
    const half = only((mul as Node).outputs[0]);
    return withConstant(half, 'Mul', (mul as Node).outputs[0]) ? (half as Node).outputs[0] : (mul as Node).outputs[0];
  }
  return halved ? (branch as Node).outputs[0] : undefined;
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

function isBiasAdd(n: Node, from: string, ix: GraphIndex, shapes: ShapeMap, axis = 1): boolean {
  if (n.opType !== 'Add' && n.opType !== 'Sub' && n.opType !== 'Mul') return false;
  const other = n.inputs[0] === from ? n.inputs[1] : n.inputs[0];
  if (!ix.isConstant(other)) return false;
  const s = shapes.get(other) ?? [];
  const out = shapes.get(n.outputs[0]) ?? [];
  // A per-channel (or scalar) constant: every dim except the channel axis is 1.
  const offset = out.length - s.length;
  return s.every((d, i) => d === 1 || i + offset === axis);
}

function isResidualAdd(n: Node, shapes: ShapeMap): boolean {
  if (n.opType !== 'Add') return false;
  const [a, b] = n.inputs.map((i) => shapes.get(i));
  return !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Trace a tensor back through channel-preserving ops to a gate site or a unit's output. A residual Add is
 * followed through its first operand: that Add couples its operands into one group anyway (e.g. EfficientNetV2
 * blocks ending in SiLU, whose Add outputs are no gate sites, feed the next block's Add). A Transpose moves the
 * channels without mixing them (tf2onnx's NHWC wrapping): with `axis` (where the reader wants the channels, e.g.
 * axis 1 for a depthwise conv), the trace follows that axis back and ends only where the unit's channels are on it.
 */
function traceBack(
  tensor: string,
  ix: GraphIndex,
  shapes: ShapeMap,
  siteOwner: ReadonlyMap<string, string>,
  units: ReadonlyMap<string, Unit>,
  axis?: { readonly at: number; readonly sites: ReadonlyMap<string, number> },
): string | undefined {
  let t = tensor;
  let at = axis?.at;
  for (let steps = 0; steps < 256; steps++) {
    const owner = siteOwner.get(t);
    if (owner) return at === undefined || axis?.sites.get(t) === at ? owner : undefined;
    const n = ix.producer.get(t);
    if (!n) return undefined;
    const unit = units.get(n.name);
    if (unit) return at === undefined || unit.axis === at ? n.name : undefined;
    // A per-channel bias or scale (ConvNeXt's layer scale, a bias Add written constant first): the channels go on
    // through its other operand.
    const other = n.inputs.length === 2 && ix.isConstant(n.inputs[0]) !== ix.isConstant(n.inputs[1]) ? n.inputs.find((i) => !ix.isConstant(i)) : undefined;
    const constantDims = shapes.get(n.inputs.find((i) => i !== other) ?? '') ?? [];
    const perChannel = at === undefined ? constantDims.filter((d) => d !== 1).length <= 1 : isBiasAdd(n, other ?? '', ix, shapes, at);
    const affine = !!other && (n.opType === 'Add' || n.opType === 'Mul') && perChannel;
    const passes = CHANNEL_PRESERVING.has(n.opType) || n.opType === 'Transpose' || affine || (n.opType === 'Add' && (ix.isConstant(n.inputs[1]) || isResidualAdd(n, shapes)));
    if (!passes) return undefined;
    if (affine) {
      t = other as string;
      continue;
    }
    if (n.opType === 'Transpose' && at !== undefined) {
      const rank = shapes.get(t)?.length ?? 0;
      at = (attrInts(n, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i))[at];
    }
    t = n.inputs[0];
  }
  return undefined;
}
