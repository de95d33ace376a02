/**
 * Physical pruning: given a model, its unit discovery and a keep-mask per dependency group, build a new model
 * in which the removed units no longer exist (smaller weights, fewer channels), plus a report of what changed.
 *
 * Channel-map propagation in topological order (Torch-Pruning style): every tensor of rank ≥ 2 carries the
 * original indices of the channels it still has and the axis that holds them (channel-map.ts: axis 1, or where
 * layout ops moved them: a Transpose to channels-last, a MatMul's last axis). A node whose inputs lost channels, or
 * which produces a group's units, is handed to the channel rule of its op (ops/defs/<Op>.ts): `pruneIn` slices its
 * constants to its inputs' maps and gives its outputs' maps, `pruneOut` removes the output channels the group
 * drops. A channel shuffle (Reshape → Transpose → Reshape, channel-shuffle.ts) is followed as a whole and becomes
 * one Gather. Nodes untouched by pruning are kept as they are (an all-ones mask returns an identical model).
 * Nothing of the input is modified.
 *
 * The pruned model computes what the gated model computes with gates = masks. Where a removed channel is not
 * zero when a layer reads it (an op after its gate maps 0 to a constant: a BatchNorm shift after a Concat, a bias
 * Add, Sigmoid), removed-values.ts tracks that constant and the layer gets it back in its bias (fold-removed.ts);
 * values that are not one constant per channel are refused, naming the node where they became non-zero.
 */
import { Attribute, Graph, Model, Node, Tensor, ValueInfo, attrInt, defaultOpset, elementCount, int64Tensor, intAttr } from '../onnx/ir';
import { ShapeMap, inferShapes, inferShapesAndValues } from '../onnx/shape-inference';
import { BatchFreeConstants, batchFreeConstants, withoutDeadShapeArithmetic } from './batch-free-targets';
import { Discovery, UnitGroup } from '../units/discover';
import { ChannelMap, blockUnitChannels, identityMap, isPruned, producedChannelAxis } from './channel-map';
import { GraphCost, constantsOf, graphCost } from './cost';
import { PruneError } from './errors';
import { findChannelShuffles, shuffledChannels } from './channel-shuffle';
import { attentionHeadRule } from './attention-heads';
import { RemovedEnv, RemovedState, foldRemovedInputs, isLinearConsumer, removedStatesOut } from './removed-values';
import { applyRemovedFold } from './fold-removed';
import { OutputMaps, PruneContext, PruneRule } from './rule';
import { ALL_OPS } from '../ops/index';
import { PruneFacet, isUnsupported } from '../ops/op';
import { opDefinition } from '../ops/registry';

/** Per unit of a group: truthy (true or a non-zero number) keeps it. */
export type KeepMask = ArrayLike<boolean | number>;

export interface PruneOptions {
  /**
   * Concrete shapes of the graph inputs, for shape inference and the FLOP counts of the report. Default: each
   * input's declared shape with a symbolic batch (axis 0) set to 1.
   */
  readonly inputShapes?: ReadonlyMap<string, readonly number[]>;
}

export interface LayerReport {
  readonly node: string;
  readonly opType: string;
  readonly weight: string;
  readonly weightDimsBefore: readonly number[];
  readonly weightDimsAfter: readonly number[];
  /** Elements of the layer's constant inputs (weight and bias). */
  readonly paramsBefore: number;
  readonly paramsAfter: number;
  /** Multiply-adds × 2 at the report's input shapes (see cost.ts). */
  readonly flopsBefore: number;
  readonly flopsAfter: number;
}

export interface GroupReport {
  readonly group: number;
  readonly label: string;
  readonly producers: readonly string[];
  readonly channels: number;
  readonly kept: number;
  readonly removed: number;
  readonly removedIndices: readonly number[];
}

export interface PruneReport {
  /** The input shapes the FLOPs were counted at. */
  readonly inputShapes: Readonly<Record<string, readonly number[]>>;
  /** Initializer elements, all dtypes. */
  readonly paramsBefore: number;
  readonly paramsAfter: number;
  /** Multiply-adds × 2 of the Conv, ConvTranspose, Gemm and MatMul nodes at `inputShapes`. */
  readonly flopsBefore: number;
  readonly flopsAfter: number;
  readonly unitsBefore: number;
  readonly unitsAfter: number;
  /** One row per Conv / ConvTranspose / Gemm / MatMul node, in graph order. */
  readonly layers: readonly LayerReport[];
  /** One row per dependency group, by group id. */
  readonly groups: readonly GroupReport[];
}

export interface PruneResult {
  readonly model: Model;
  readonly report: PruneReport;
  /** Every tensor of the source that lost channels, with what they hold in the gated model (for diagnostics). */
  readonly removedChannels: ReadonlyMap<string, RemovedChannels>;
}

export interface RemovedChannels {
  readonly map: ChannelMap;
  /** What the removed channels hold where the gated model's consumers read them; undefined: zero. */
  readonly state: RemovedState | undefined;
  /** A gate site: its consumers read it gated (removed channels zero), the tensor itself holds the layer's values. */
  readonly site: boolean;
}

/** The channel rule of a node's op (src/core/ops/defs), or undefined when the engine does not know the op. */
function pruneRuleFor(node: Node, fail: (detail: string) => never): PruneRule | undefined {
  const def = opDefinition(node.opType, node.domain);
  if (def) {
    if (isUnsupported(def.prune)) fail(def.prune.unsupported);
    return { opType: def.opType, ...(def.prune as PruneFacet) };
  }
  return undefined;
}

export function prunableOps(): string[] {
  const fromOps = ALL_OPS.filter((op) => op.scope === 'model' && !isUnsupported(op.prune)).map((op) => op.opType);
  return fromOps.sort();
}

/** Input shapes with a symbolic batch set to `batch` (other symbolic dims need `given`). */
export function concreteInputShapes(graph: Graph, given: ReadonlyMap<string, readonly number[]> = new Map(), batch = 1): Map<string, readonly number[]> {
  const out = new Map<string, readonly number[]>();
  for (const v of graph.inputs) {
    const g = given.get(v.name);
    if (g) {
      out.set(v.name, [...g]);
      continue;
    }
    if (!v.shape) throw new Error(`graph input '${v.name}' declares no shape; give its shape`);
    const dims = v.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? batch : NaN));
    if (dims.some((d) => Number.isNaN(d))) throw new Error(`graph input '${v.name}' has symbolic dimensions besides the batch: [${v.shape.join(', ')}]; give its shape`);
    out.set(v.name, dims);
  }
  return out;
}

/** The kept indices of each group, validated (right count, right lengths, no group emptied). */
export function keptIndices(discovery: Discovery, masks: readonly KeepMask[]): number[][] {
  if (masks.length !== discovery.groups.length) {
    throw new PruneError(`${masks.length} keep-masks were given but the model has ${discovery.groups.length} dependency groups (one mask per group, by group id)`);
  }
  const kept = discovery.groups.map((g, k) => {
    const mask = masks[k];
    if (mask.length !== g.channels) {
      throw new PruneError(`the mask of group ${g.id} (${g.label}) has ${mask.length} entries but the group has ${g.channels} units`, undefined, undefined, g.id);
    }
    const idx: number[] = [];
    for (let i = 0; i < mask.length; i++) {
      const v = mask[i];
      if (typeof v === 'number' && Number.isNaN(v)) throw new PruneError(`the mask of group ${g.id} (${g.label}) has NaN at unit ${i}`, undefined, undefined, g.id);
      if (v) idx.push(i);
    }
    return idx;
  });
  const empty = discovery.groups.filter((_, k) => kept[k].length === 0);
  if (empty.length > 0) {
    const names = empty.map((g) => `group ${g.id} (${g.label}; producers: ${g.producers.join(', ')})`).join('; ');
    throw new PruneError(
      `cannot remove every unit of ${names}: the network would be disconnected there (nothing would reach the layers after it); keep at least one unit per group`,
      empty[0].producers[0],
      undefined,
      empty[0].id,
    );
  }
  return kept;
}

/**
 * Remove the units whose mask entry is 0 (false) from `model`; `masks[k]` belongs to `discovery.groups[k]` and has
 * one entry per unit (true or non-zero keeps it). Returns a new model and a report: parameters (initializer
 * elements) and FLOPs (multiply-adds × 2 of Conv, ConvTranspose, Gemm and MatMul at `options.inputShapes`,
 * default batch 1) before and after, per layer and in total, and the units removed per group. Throws a
 * PruneError naming the group when a mask removes all of a group's units, or naming the node and op where
 * pruned channels reach an op that cannot carry them.
 */
export function pruneModel(model: Model, discovery: Discovery, masks: readonly KeepMask[], options: PruneOptions = {}): PruneResult {
  const graph = model.graph;
  const analysis = analyseForPruning(graph, concreteInputShapes(graph, options.inputShapes), options.inputShapes);
  const kept = keptIndices(discovery, masks);
  const removedChannels = new Map<string, RemovedChannels>();
  const { pruned, prunedShapes } = prunedGraph(graph, analysis, discovery, kept, defaultOpset(model), removedChannels);
  const report = buildReport(discovery, kept, analysis.inputShapes, graphCost(graph, analysis.shapes), graphCost(pruned, prunedShapes));
  return { model: { ...model, graph: pruned }, report, removedChannels };
}

/** What pruning needs to know about the source graph at concrete input shapes, computed once per graph. */
export interface PruneAnalysis {
  readonly inputShapes: ReadonlyMap<string, readonly number[]>;
  readonly shapes: ShapeMap;
  /** Shape-arithmetic nodes the analysis folded (removed when pruning leaves them unread). */
  readonly folded: readonly Node[];
  readonly batchFree: BatchFreeConstants;
}

/** `given`: the input shapes the user gave (batch-free targets are computed at two batch sizes from them). */
export function analyseForPruning(graph: Graph, inputShapes: ReadonlyMap<string, readonly number[]>, given?: ReadonlyMap<string, readonly number[]>): PruneAnalysis {
  const analysis = asPruneError(() => inferShapesAndValues(graph, inputShapes), (m) => `the model cannot be analysed at input shapes ${describeShapes(inputShapes)}: ${m}`);
  return { inputShapes, shapes: analysis.shapes, folded: analysis.folded, batchFree: batchFreeConstants(graph, given) };
}

function prunedGraph(
  graph: Graph,
  analysis: PruneAnalysis,
  discovery: Discovery,
  kept: readonly number[][],
  opset: number,
  removedChannels: Map<string, RemovedChannels>,
): { pruned: Graph; prunedShapes: ShapeMap } {
  const pruned = withoutDeadShapeArithmetic(graph, analysis.folded, propagate(graph, analysis.shapes, discovery, kept, opset, analysis.batchFree, removedChannels));
  const prunedShapes = asPruneError(
    () => inferShapes(pruned, analysis.inputShapes),
    (m) => `the pruned model does not hold together: ${m}; a shape computed in the graph did not follow the removed channels`,
  );
  checkConsistency(pruned, prunedShapes);
  return { pruned, prunedShapes };
}

/**
 * Prunes `graph` with these masks and drops the result: throws the PruneError pruneModel would throw. Unit
 * discovery (units/prunable-groups.ts) uses it to gate only the groups that pruning can follow.
 */
export function checkPrunes(graph: Graph, analysis: PruneAnalysis, discovery: Discovery, masks: readonly KeepMask[], opset: number): void {
  prunedGraph(graph, analysis, discovery, keptIndices(discovery, masks), opset, new Map());
}

/**
 * Runs a shape analysis, turning a plain error (an op's shape rule refusing) into a PruneError: a model that only
 * holds together at another batch size (a Squeeze of every size-1 axis at batch 1), or a pruned model whose
 * computed shapes did not follow the removed channels, is refused with the node its shape rule names.
 */
function asPruneError<T>(f: () => T, message: (detail: string) => string): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof Error) || Object.getPrototypeOf(e) !== Error.prototype) throw e;
    throw new PruneError(message(e.message));
  }
}

function describeShapes(shapes: ReadonlyMap<string, readonly number[]>): string {
  return [...shapes].map(([name, dims]) => `${name} [${dims.join(', ')}]`).join(', ');
}

function propagate(
  graph: Graph,
  shapes: ShapeMap,
  discovery: Discovery,
  kept: readonly number[][],
  opset: number,
  batchFree: BatchFreeConstants,
  trace: Map<string, RemovedChannels>,
): Graph {
  const producerOf = new Map<string, { group: UnitGroup; keep: readonly number[] }>();
  discovery.groups.forEach((g, k) => {
    for (const p of g.producers) producerOf.set(p, { group: g, keep: kept[k] });
  });
  const nodeNames = new Set(graph.nodes.map((n) => n.name));
  for (const p of producerOf.keys()) {
    if (!nodeNames.has(p)) throw new PruneError(`the unit discovery does not match this model: producer node '${p}' is not in the graph`, p);
  }

  const initializers = new Map(graph.initializers);
  // Constant nodes and Identity aliases of constants (PyTorch's de-duplicated initializers), by output name.
  const constantValues = constantsOf(graph);
  for (const name of graph.initializers.keys()) constantValues.delete(name);
  const usage = new Map<string, number>();
  const taken = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((v) => v.name)]);
  for (const n of graph.nodes) {
    for (const i of n.inputs) if (i) usage.set(i, (usage.get(i) ?? 0) + 1);
    for (const o of n.outputs) if (o) taken.add(o);
  }
  for (const o of graph.outputs) usage.set(o.name, (usage.get(o.name) ?? 0) + 1);
  const fresh = (base: string): string => {
    let name = `${base}::pruned`;
    for (let k = 2; taken.has(name); k++) name = `${base}::pruned${k}`;
    taken.add(name);
    return name;
  };

  const maps = new Map<string, ChannelMap | undefined>();
  const identityOf = (name: string): ChannelMap | undefined => {
    const s = shapes.get(name);
    return s && s.length >= 2 ? identityMap(s[1]) : undefined;
  };
  const redirected = new Set<string>();
  const nodes: Node[] = [];
  // Per tensor with removed channels: what they hold in the gated model (undefined: zero). A gate zeroes its site.
  const removed = new Map<string, RemovedState | undefined>();
  const gateSites = new Set(discovery.sites.map((s) => s.tensor));

  const shuffles = findChannelShuffles(graph, shapes);
  const shuffled = new Set<string>(); // the Transpose and Reshape of a shuffle replaced by one Gather

  for (const n of graph.nodes) {
    if (shuffled.has(n.name)) continue;
    const mapOf = (name: string): ChannelMap | undefined => (name === '' ? undefined : maps.has(name) ? maps.get(name) : identityOf(name));
    const producer = producerOf.get(n.name);
    if (producer && !['Conv', 'ConvTranspose', 'Gemm', 'MatMul'].includes(n.opType)) {
      throw new PruneError(`the unit discovery does not match this model: producer '${n.name}' is a ${n.opType}`, n.name, n.opType);
    }
    const outShape = shapes.get(n.outputs[0]) ?? [];
    // A MatMul's units are its output's last axis ([N, tokens, D]); a Conv's and a Gemm's are axis 1.
    const unitAxis = producedChannelAxis(n.opType, outShape.length);
    const outChannels = outShape[unitAxis] ?? 0;
    const blocks = producer?.group.blocks ?? 1;
    if (producer && (outChannels === 0 || outChannels % (producer.group.channels * blocks) !== 0)) {
      throw new PruneError(`the unit discovery does not match this model: the ${outChannels} output channels of '${n.name}' do not split into the ${producer.group.channels} units of group ${producer.group.id}`, n.name, n.opType);
    }
    const cut = producer !== undefined && producer.keep.length < producer.group.channels;
    // A unit is a block of consecutive channels when grouped convs coarsen the group (units/discover.ts), in each of
    // the blocks of a fused query/key/value projection.
    const keepChannels = producer ? blockUnitChannels(producer.keep, producer.group.channels, outChannels, blocks) : [];
    const prunedInput = n.inputs.findIndex((i) => isPruned(mapOf(i)));
    if (!cut && prunedInput < 0) {
      nodes.push(n);
      for (const o of n.outputs) if (o) maps.set(o, identityOf(o));
      continue;
    }
    const shuffle = shuffles.get(n.name);
    const shuffleInput = mapOf(n.inputs[0]);
    if (shuffle && isPruned(shuffleInput) && shuffleInput.axis === shuffle.axis) {
      // Reshape → Transpose → Reshape only permutes the channels: one Gather of the kept ones (channel-shuffle.ts).
      const { map, gather } = shuffledChannels(shuffle, shuffleInput);
      const out = shuffle.merge.outputs[0];
      const indices = fresh(`${shuffle.merge.name}::shuffled_channels`);
      initializers.set(indices, int64Tensor([gather.length], gather));
      nodes.push({ name: shuffle.merge.name, opType: 'Gather', domain: '', inputs: [n.inputs[0], indices], outputs: [out], attributes: { axis: intAttr(shuffle.axis) } });
      maps.set(out, map);
      const state = removed.get(n.inputs[0]);
      if (state && !gateSites.has(out)) removed.set(out, { ...state, values: Float64Array.from(shuffle.source, (c) => state.values[c]) });
      trace.set(out, { map, state: removed.get(out), site: gateSites.has(out) });
      shuffled.add(shuffle.transpose.name).add(shuffle.merge.name);
      continue;
    }

    const fail = (detail: string): never => {
      throw new PruneError(`cannot prune node '${n.name}' (${n.opType}): ${detail}`, n.name, n.opType);
    };
    // Self-attention's head split, per-head products and softmax (attention-heads.ts), else the op's own rule.
    const headRule = attentionHeadRule(n, {
      opset,
      inputMap: (i) => mapOf(n.inputs[i] ?? ''),
      inputShape: (i) => shapes.get(n.inputs[i] ?? ''),
      outputShape: (i) => shapes.get(n.outputs[i] ?? ''),
      inputState: (i) => removed.get(n.inputs[i] ?? ''),
    });
    const rule = headRule ?? pruneRuleFor(n, fail);
    if (!rule) {
      const input = n.inputs[Math.max(prunedInput, 0)];
      const map = mapOf(input) as ChannelMap;
      const op = `${n.domain ? n.domain + '.' : ''}${n.opType}`;
      throw new PruneError(
        `cannot prune node '${n.name}' (${op}): this op cannot carry partly pruned channels, and its input '${input}' keeps ${map.kept.length} of ${map.size}; ` +
          `pruning can pass through ${prunableOps().join(', ')}`,
        n.name,
        n.opType,
      );
    }
    const inputs = [...n.inputs];
    const attributes: Record<string, Attribute> = { ...n.attributes };
    const own = new Set<string>();
    const current = (): Node => ({ ...n, inputs: [...inputs], attributes: { ...attributes } });
    const shapeOf = (name: string, what: string): readonly number[] => {
      const s = shapes.get(name);
      if (!s) fail(`the shape of ${what} '${name}' is unknown`);
      return s as readonly number[];
    };
    const constant = (i: number): Tensor | undefined => (inputs[i] ? initializers.get(inputs[i]) ?? constantValues.get(inputs[i]) : undefined);
    // A Reshape target computed from the batch size, or other computed shape arithmetic (Slice bounds), as a
    // constant without the batch size (batch-free-targets.ts).
    const batchFreeConstant = (i: number): Tensor | undefined => {
      if (!n.inputs[i] || inputs[i] !== n.inputs[i]) return undefined;
      return n.opType === 'Reshape' && i === 1 ? batchFree.reshapeTargets.get(n.name) : batchFree.values.get(n.inputs[i]);
    };
    const ctx: PruneContext = {
      get node() {
        return current();
      },
      opset,
      inputMap: (i) => mapOf(n.inputs[i] ?? ''),
      inputShape: (i) => shapeOf(n.inputs[i] ?? '', `input ${i}`),
      outputShape: (i) => shapeOf(n.outputs[i] ?? '', `output ${i}`),
      constant,
      batchFreeConstant,
      requireConstant: (i, what) => constant(i) ?? fail(`${what} ('${n.inputs[i] ?? ''}') must be a constant to remove channels from it`),
      setConstant: (i, value) => {
        const name = inputs[i];
        if (!name || !(constant(i) ?? batchFreeConstant(i))) fail(`input ${i} is not a constant`);
        const exclusive = own.has(name) || (graph.initializers.has(name) && usage.get(name) === 1);
        if (exclusive) initializers.set(name, value);
        else {
          const copy = fresh(name);
          initializers.set(copy, value);
          inputs[i] = copy;
          redirected.add(name);
          own.add(copy);
        }
        own.add(inputs[i]);
      },
      setAttribute: (name, value) => {
        attributes[name] = value;
      },
      outputUsed: (i) => !!n.outputs[i] && (usage.get(n.outputs[i]) ?? 0) > 0,
      fail,
    };
    let outMaps: OutputMaps = rule.pruneIn(ctx);
    if (cut && producer) {
      if (!rule.pruneOut) fail(`op '${n.opType}' cannot lose output channels`);
      rule.pruneOut?.(ctx, keepChannels);
      if (isPruned(outMaps[0])) fail(`its input's pruned channels pass through to axis ${outMaps[0].axis} of its output, which also loses its own units on axis ${unitAxis}; a tensor can lose channels on one axis only`);
      outMaps = [{ size: outChannels, kept: keepChannels, axis: unitAxis }, ...outMaps.slice(1)];
    }
    n.outputs.forEach((o, k) => {
      if (!o) return;
      const map = outMaps[k] ?? identityOf(o);
      const s = shapes.get(o);
      if (map && (!s || s.length < 2 || s[map.axis] !== map.size)) {
        throw new Error(`internal error: node '${n.name}' (${n.opType}) gave output '${o}' a channel map of size ${map.size}, but its shape is [${s?.join(', ')}]`);
      }
      maps.set(o, map);
    });
    // What removed channels hold in the gated model (removed-values.ts): a layer folds constant ones into its bias.
    const env: RemovedEnv = {
      node: n,
      opset,
      inputMap: (i) => mapOf(n.inputs[i] ?? ''),
      inputState: (i) => removed.get(n.inputs[i] ?? ''),
      outputMap: (k) => maps.get(n.outputs[k] ?? ''),
      constant: (name) => graph.initializers.get(name) ?? constantValues.get(name),
      shape: (name) => shapes.get(name),
      fail,
    };
    const fold = !headRule && isLinearConsumer(n) ? foldRemovedInputs(env) : undefined;
    (headRule ? headRule.states() : removedStatesOut(env, cut)).forEach((state, k) => n.outputs[k] && removed.set(n.outputs[k], gateSites.has(n.outputs[k]) ? undefined : state));
    const added = fold
      ? applyRemovedFold(fold, maps.get(n.outputs[0])?.kept ?? [], {
          get node() {
            return current();
          },
          constant,
          setConstant: ctx.setConstant,
          addConstantInput: (i, value) => {
            inputs[i] = fresh(`${n.name}::bias`);
            initializers.set(inputs[i], value);
            own.add(inputs[i]);
          },
          setAttribute: ctx.setAttribute,
          fail,
        })
      : undefined;
    if (added) {
      // The layer's output differs by position: add the constant after it, under the name its readers use.
      const [out] = n.outputs;
      const raw = fresh(out);
      const term = fresh(`${out}::removed_channels`);
      initializers.set(term, added);
      nodes.push({ ...current(), outputs: [raw, ...n.outputs.slice(1)] });
      nodes.push({ name: `${n.name}::removed_channels`, opType: 'Add', domain: '', inputs: [raw, term], outputs: [out], attributes: {} });
    } else nodes.push(current());
    for (const o of n.outputs) {
      const map = maps.get(o);
      if (o && isPruned(map)) trace.set(o, { map, state: removed.get(o), site: gateSites.has(o) });
    }
  }

  const { liveNodes, dead } = withoutDeadConstants(nodes, initializers, redirected, graph.outputs.map((o) => o.name));

  const fix = (v: ValueInfo): ValueInfo => {
    const t = initializers.get(v.name);
    if (t && v.shape) return { ...v, shape: [...t.dims] };
    const map = maps.get(v.name);
    if (!isPruned(map) || !v.shape || v.shape.length <= map.axis || typeof v.shape[map.axis] !== 'number') return v;
    const shape = [...v.shape];
    shape[map.axis] = map.kept.length;
    return { ...v, shape };
  };
  const valueInfo = new Map<string, ValueInfo>();
  for (const [name, v] of graph.valueInfo) if (!dead.has(name)) valueInfo.set(name, fix(v));
  return { ...graph, nodes: liveNodes, outputs: graph.outputs.map(fix), initializers, valueInfo };
}

/**
 * Drops the constants that only pruned nodes read (they now read private copies): initializers, Constant nodes
 * and Identity aliases, and then whatever those aliases alone read. Only names the pruning redirected are
 * candidates, so constants the source left unused stay as they were.
 */
function withoutDeadConstants(
  nodes: readonly Node[],
  initializers: Map<string, Tensor>,
  redirected: ReadonlySet<string>,
  graphOutputs: readonly string[],
): { liveNodes: Node[]; dead: Set<string> } {
  const producer = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const uses = new Map<string, number>();
  for (const name of [...nodes.flatMap((n) => n.inputs), ...graphOutputs]) uses.set(name, (uses.get(name) ?? 0) + 1);
  const removed = new Set<Node>();
  const dead = new Set<string>();
  const pending = [...redirected];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (!name || (uses.get(name) ?? 0) > 0 || dead.has(name)) continue;
    dead.add(name);
    initializers.delete(name);
    const p = producer.get(name);
    if (p && p.outputs.length === 1 && (p.opType === 'Constant' || (p.opType === 'Identity' && p.domain === ''))) {
      removed.add(p);
      for (const i of p.inputs) {
        uses.set(i, (uses.get(i) ?? 0) - 1);
        pending.push(i);
      }
    }
  }
  return { liveNodes: nodes.filter((n) => !removed.has(n)), dead };
}

/** Pruned graphs must be internally consistent; a mismatch here is a bug in a rule, reported before onnxruntime sees it. */
function checkConsistency(graph: Graph, shapes: ShapeMap): void {
  const constants = constantsOf(graph);
  const bad = (n: Node, what: string): never => {
    throw new Error(`internal error after pruning: node '${n.name}' (${n.opType}): ${what}`);
  };
  for (const n of graph.nodes) {
    const x = shapes.get(n.inputs[0]);
    const w = constants.get(n.inputs[1]);
    if (!x || !w) continue;
    if (n.opType === 'Conv' && w.dims[1] * attrInt(n, 'group', 1) !== x[1]) bad(n, `weight [${w.dims.join(', ')}] does not fit input [${x.join(', ')}]`);
    if (n.opType === 'Conv' && n.inputs[2] && constants.get(n.inputs[2])?.dims[0] !== w.dims[0]) bad(n, 'bias length differs from the output channels');
    if (n.opType === 'Gemm' && w.dims[attrInt(n, 'transB', 0) === 1 ? 1 : 0] !== x[attrInt(n, 'transA', 0) === 1 ? 0 : 1]) bad(n, `weight [${w.dims.join(', ')}] does not fit input [${x.join(', ')}]`);
    if (n.opType === 'MatMul' && w.dims.length === 2 && w.dims[0] !== x[x.length - 1]) bad(n, `weight [${w.dims.join(', ')}] does not fit input [${x.join(', ')}]`);
    if (n.opType === 'BatchNormalization' && elementCount(w.dims) !== x[1]) bad(n, `scale has ${elementCount(w.dims)} elements for ${x[1]} channels`);
  }
}

function buildReport(
  discovery: Discovery,
  kept: readonly number[][],
  inputShapes: ReadonlyMap<string, readonly number[]>,
  before: GraphCost,
  after: GraphCost,
): PruneReport {
  const afterByNode = new Map(after.layers.map((l) => [l.node, l]));
  const layers = before.layers.map((b): LayerReport => {
    const a = afterByNode.get(b.node) ?? b;
    return {
      node: b.node,
      opType: b.opType,
      weight: b.weight,
      weightDimsBefore: b.weightDims,
      weightDimsAfter: a.weightDims,
      paramsBefore: b.params,
      paramsAfter: a.params,
      flopsBefore: b.flops,
      flopsAfter: a.flops,
    };
  });
  const groups = discovery.groups.map((g, k): GroupReport => {
    const keep = new Set(kept[k]);
    const removedIndices = Array.from({ length: g.channels }, (_, i) => i).filter((i) => !keep.has(i));
    return { group: g.id, label: g.label, producers: g.producers, channels: g.channels, kept: kept[k].length, removed: removedIndices.length, removedIndices };
  });
  return {
    inputShapes: Object.fromEntries([...inputShapes].map(([k, v]) => [k, [...v]])),
    paramsBefore: before.params,
    paramsAfter: after.params,
    flopsBefore: before.flops,
    flopsAfter: after.flops,
    unitsBefore: groups.reduce((s, g) => s + g.channels, 0),
    unitsAfter: groups.reduce((s, g) => s + g.kept, 0),
    layers,
    groups,
  };
}

/** A short plain-text summary of a report (for logs and the CLI). */
export function formatPruneReport(report: PruneReport): string {
  const pct = (a: number, b: number): string => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)}%`);
  const lines = [
    `units: ${report.unitsAfter} of ${report.unitsBefore} kept (${pct(report.unitsAfter, report.unitsBefore)})`,
    `parameters: ${report.paramsBefore} -> ${report.paramsAfter} (${pct(report.paramsAfter, report.paramsBefore)})`,
    `FLOPs at ${Object.entries(report.inputShapes).map(([k, v]) => `${k} [${v.join(', ')}]`).join(', ')}: ${report.flopsBefore} -> ${report.flopsAfter} (${pct(report.flopsAfter, report.flopsBefore)})`,
  ];
  for (const g of report.groups) lines.push(`  group ${g.group} (${g.label}): ${g.kept}/${g.channels} kept, ${g.removed} removed`);
  for (const l of report.layers) {
    lines.push(`  ${l.node} (${l.opType}): [${l.weightDimsBefore.join(', ')}] -> [${l.weightDimsAfter.join(', ')}], ${l.flopsBefore} -> ${l.flopsAfter} FLOPs`);
  }
  return lines.join('\n');
}
