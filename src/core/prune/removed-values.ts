/**
 * What the removed channels of a tensor hold in the gated model, so that the pruned model computes exactly what
 * the gated one does even where a removed channel is not zero.
 *
 * A gate zeroes its unit's channels at the gate site. Downstream, an op that maps 0 to something else makes them
 * non-zero again: the shift of a BatchNormalization that follows a Concat (DenseNet: Concat → BN → ReLU → Conv
 * reads every earlier layer's raw conv output), a bias Add, Sigmoid(0) = ½, a GroupNormalization of an emptied
 * group (its bias). There the removed channel is no longer 0 but it is still a constant: one value per channel,
 * the same at every position and for every sample, because it was computed from a zero. Physical removal drops
 * that constant, so the layer that reads it (a Conv, Gemm or MatMul) must get it back: its contribution, which no
 * longer depends on the input, is folded into the layer's bias (or, where zero padding makes it differ at the
 * borders, added as a constant map after the layer). Then gated ≡ pruned holds exactly (up to float rounding).
 *
 * Why fold rather than move the gate behind each consumer's normalisation: the gate stays where the unit's
 * output is (one gate vector per dependency group, sites that belong to one group each), so discovery, gate
 * gradients, the zero-channel specialisation and mutual information are unchanged, and any chain of per-channel
 * ops between a gate and a layer is handled, not only BN + ReLU. A removed unit carries no information either
 * way (a constant channel), which is what BISE's gate measures.
 *
 * Each removed channel is tracked as 0 (the default), a constant, or NaN: values that depend on the input (the
 * unit's own outputs before its gate site; a constant turned non-uniform by zero padding). NaN must meet a gate
 * before any layer reads it; if it does not, pruning is refused, naming the node where the channel became
 * non-zero and the node that reads it.
 */
import { Node, Tensor, attrFloat, attrInt, attrInts, attrString } from '../onnx/ir';
import { isUnsupported } from '../ops/op';
import { opDefinition } from '../ops/registry';
import { conv } from '../ops/reference/conv';
import { OpImpl, RefTensor, fromIrTensor, refTensor } from '../ops/reference/tensor';
import { normalisedAxes } from '../ops/softmax-family';
import { ChannelMap } from './channel-map';

export interface RemovedState {
  /** Per original channel (axis 1): what a removed channel holds (kept channels: 0); NaN where it depends on the input. */
  readonly values: Float64Array;
  /** The node where these channels stopped being zero, and its op. */
  readonly origin: string;
  readonly originOp: string;
}

/** A linear layer's output change from constant removed input channels, per original output channel. */
export type RemovedFold =
  | { readonly kind: 'bias'; readonly delta: Float64Array }
  /** Differs by position (zero padding): `delta` is [M, …spatial] of the output, added after the layer. */
  | { readonly kind: 'map'; readonly delta: Float64Array; readonly spatial: readonly number[] };

/** What prune.ts knows about the node being pruned (maps and shapes of the source model). */
export interface RemovedEnv {
  readonly node: Node;
  /** The model's default-domain opset (Softmax's default axis). */
  readonly opset: number;
  inputMap(i: number): ChannelMap | undefined;
  inputState(i: number): RemovedState | undefined;
  outputMap(k: number): ChannelMap | undefined;
  /** Value of a constant tensor of the source model. */
  constant(name: string): Tensor | undefined;
  shape(name: string): readonly number[] | undefined;
  fail(detail: string): never;
}

/** Output channel c reads input channel c at the same position only (after broadcasting), or per-channel statistics. */
const POINTWISE = new Set([
  'Abs', 'Add', 'And', 'BatchNormalization', 'Cast', 'Clip', 'Div', 'Dropout', 'Elu', 'Equal', 'Erf', 'Exp', 'Gelu', 'Greater',
  'GroupNormalization', 'HardSigmoid', 'HardSwish', 'Identity', 'InstanceNormalization', 'LeakyRelu', 'Less', 'Log', 'Max', 'Min',
  'Mod', 'Mul', 'Neg', 'Not', 'Or', 'Pow', 'PRelu', 'Reciprocal', 'Relu', 'Selu', 'Sigmoid', 'Sign', 'Softplus', 'Sqrt', 'Sub', 'Sum',
  'Tanh', 'Where',
]);
/** Statistics over axes other than the channels': a channel that holds one value everywhere gives a known result. */
const STATISTICS = new Set(['LayerNormalization', 'LogSoftmax', 'ReduceL2', 'Softmax']);
/** A channel constant over positions stays the same constant (pooling, resampling, reshaping, broadcasting). */
const SAME_VALUE = new Set([
  'AveragePool', 'Expand', 'Flatten', 'GlobalAveragePool', 'GlobalMaxPool', 'MaxPool', 'Pad', 'ReduceL2', 'ReduceMax', 'ReduceMean',
  'ReduceMin', 'ReduceSum', 'Reshape', 'Resize', 'Squeeze', 'Tile', 'Transpose', 'Unsqueeze', 'Upsample',
]);
const LINEAR = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

export function isLinearConsumer(n: Node): boolean {
  return n.domain === '' && LINEAR.has(n.opType);
}

/** Removed channel indices of a map, ascending. */
function removedOf(map: ChannelMap): number[] {
  const kept = new Set(map.kept);
  return Array.from({ length: map.size }, (_, c) => c).filter((c) => !kept.has(c));
}

function nonZero(state: RemovedState | undefined, map: ChannelMap | undefined): boolean {
  return !!state && !!map && removedOf(map).some((c) => state.values[c] !== 0);
}

function describeChannels(channels: readonly number[]): string {
  return channels.length <= 6 ? channels.join(', ') : `${channels.slice(0, 6).join(', ')}, … (${channels.length} in all)`;
}

function firstNonZeroInput(env: RemovedEnv): { i: number; state: RemovedState; map: ChannelMap } | undefined {
  for (let i = 0; i < env.node.inputs.length; i++) {
    const state = env.inputState(i);
    const map = env.inputMap(i);
    if (state && map && nonZero(state, map)) return { i, state, map };
  }
  return undefined;
}

/** Why a removed channel is not zero here, for error messages. */
function whereFrom(state: RemovedState, map: ChannelMap, input: string): string {
  const removed = removedOf(map);
  const data = removed.filter((c) => Number.isNaN(state.values[c]));
  const bad = data.length > 0 ? data : removed.filter((c) => state.values[c] !== 0);
  const what = data.length > 0 ? 'values that depend on the input or differ by position' : 'a non-zero constant';
  return (
    `channels ${describeChannels(bad)} of '${input}', which pruning removes, hold ${what} in the gated model ` +
    `(they become non-zero at node '${state.origin}' (${state.originOp}), after the gate that zeroes them)`
  );
}

/**
 * The states of a node's outputs (undefined: every removed channel is 0). `cut`: the node produces units and
 * loses output channels itself, which hold the layer's own (input-dependent) values until their gate site.
 */
export function removedStatesOut(env: RemovedEnv, cut: boolean): (RemovedState | undefined)[] {
  const n = env.node;
  const outs = n.outputs.map((_, k) => env.outputMap(k));
  const incoming = firstNonZeroInput(env);
  if (outs.every((m) => !m || m.kept.length === m.size)) {
    // The removed channels end here: a layer folds them (foldRemovedInputs); Shape and Size read no values.
    if (incoming && !isLinearConsumer(n) && n.opType !== 'Shape' && n.opType !== 'Size') {
      env.fail(`${whereFrom(incoming.state, incoming.map, n.inputs[incoming.i])}, and this ${n.opType} combines them with the channels pruning keeps`);
    }
    return n.outputs.map(() => undefined);
  }
  const data = (map: ChannelMap, origin = n.name, originOp = n.opType): RemovedState => ({ values: fill(map, Number.NaN), origin, originOp });
  if (cut) return outs.map((m) => (m ? data(m) : undefined));
  if (n.domain !== '') {
    if (incoming) env.fail(`${whereFrom(incoming.state, incoming.map, n.inputs[incoming.i])}, and a custom-domain op cannot carry them`);
    return outs.map(() => undefined);
  }
  if (POINTWISE.has(n.opType)) return outs.map((m, k) => (m && k === 0 ? pointwise(env, m) : m && m.kept.length < m.size ? data(m) : undefined));
  if (n.opType === 'Concat') return [concat(env, outs[0])];
  if (STATISTICS.has(n.opType) && outs[0]) return [statistic(env, outs[0], incoming), ...outs.slice(1).map((m) => (m && m.kept.length < m.size ? data(m) : undefined))];
  if (SAME_VALUE.has(n.opType) || n.opType === 'Split' || n.opType === 'Gather' || n.opType === 'Slice') return outs.map((m) => (m ? sameValue(env, m, incoming) : undefined));
  if (n.opType === 'Conv' || n.opType === 'ConvTranspose') return [groupedConv(env, outs[0], incoming)];
  if (incoming) env.fail(`${whereFrom(incoming.state, incoming.map, n.inputs[incoming.i])}, and a ${n.opType} cannot carry them to the layer that reads them`);
  return outs.map(() => undefined);
}

function fill(map: ChannelMap, value: number): Float64Array {
  const v = new Float64Array(map.size);
  for (const c of removedOf(map)) v[c] = value;
  return v;
}

/** The state, or undefined when every removed channel is 0. */
function stateOf(values: Float64Array, map: ChannelMap, origin: string, originOp: string): RemovedState | undefined {
  return removedOf(map).some((c) => values[c] !== 0) ? { values, origin, originOp } : undefined;
}

/**
 * Evaluates the op's reference kernel on one position: every non-constant input of rank ≥ 2 as [1, C, 1, …] with
 * its removed channels' values (kept channels: 0, never read for a removed output channel), constants as they are.
 * A channel is NaN where an input it reads is NaN or the constants make it differ across positions (except that a
 * product with an exact 0 is 0).
 */
function pointwise(env: RemovedEnv, out: ChannelMap): RemovedState | undefined {
  const n = env.node;
  const def = opDefinition(n.opType, n.domain);
  const channels = out.size;
  const unknown = new Array<boolean>(channels).fill(false);
  const zero = new Array<boolean>(channels).fill(false);
  const impl = def && !isUnsupported(def.reference) ? def.reference : undefined;
  if (n.opType === 'BatchNormalization' && attrInt(n, 'training_mode', 0) === 1) return batchStatistics(env, out);
  if (!impl) return { values: fill(out, Number.NaN), origin: n.name, originOp: n.opType };
  const outRank = env.shape(n.outputs[0])?.length ?? 0;
  const axis = out.axis;
  const inputs: (RefTensor | undefined)[] = n.inputs.map((name, i) => {
    if (!name) return undefined;
    const c = env.constant(name);
    if (c) {
      const t = fromIrTensor(c);
      if (n.opType === 'Mul') markZeros(t, axis - (outRank - t.dims.length), channels, zero);
      return t;
    }
    const s = env.shape(name);
    const map = env.inputMap(i);
    const aligned = !!s && !!map && s.length === outRank && map.axis === axis && s[axis] === channels;
    if (!aligned || !s || !map) {
      // Input-dependent values broadcast along the channels: every removed output channel reads them.
      unknown.fill(true);
      return refTensor(s ? s.map(() => 1) : [], [0]);
    }
    const state = env.inputState(i);
    const values = new Float64Array(channels);
    for (const ch of removedOf(map)) {
      const v = state?.values[ch] ?? 0;
      if (Number.isNaN(v)) unknown[ch] = true;
      else values[ch] = v;
      if (v === 0 && n.opType === 'Mul') zero[ch] = true;
    }
    return refTensor(s.map((_, k) => (k === axis ? channels : 1)), values);
  });
  const values = new Float64Array(channels);
  const perChannel = evaluate(impl, n, inputs, axis, channels);
  for (const ch of removedOf(out)) {
    if (n.opType === 'Mul' && zero[ch]) continue;
    values[ch] = unknown[ch] || !perChannel ? Number.NaN : perChannel[ch];
  }
  const incoming = firstNonZeroInput(env);
  return stateOf(values, out, incoming?.state.origin ?? n.name, incoming?.state.originOp ?? n.opType);
}

/** A BatchNormalization on batch statistics: a channel of one value v has mean v and variance 0, so it gives B. */
function batchStatistics(env: RemovedEnv, out: ChannelMap): RemovedState | undefined {
  const n = env.node;
  const bias = env.constant(n.inputs[2]);
  const input = env.inputState(0);
  const values = new Float64Array(out.size);
  for (const c of removedOf(out)) values[c] = !bias || Number.isNaN(input?.values[c] ?? 0) ? Number.NaN : Number(bias.data[c]);
  return stateOf(values, out, input?.origin ?? n.name, input?.originOp ?? n.opType);
}

/** The kernel's per-channel result, or undefined (input-dependent) where the kernel does not handle this form. */
function evaluate(impl: OpImpl, n: Node, inputs: (RefTensor | undefined)[], axis: number, channels: number): Float64Array | undefined {
  try {
    return channelValues(impl(n, inputs)[0], axis, channels);
  } catch {
    return undefined;
  }
}

/** Per channel along `axis`, its value where it is the same at every other index, else NaN; undefined if `y` has no such axis. */
function channelValues(y: RefTensor, axis: number, channels: number): Float64Array | undefined {
  if (y.dims.length <= axis || y.dims[axis] !== channels) return undefined;
  const inner = y.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const values = new Float64Array(channels).fill(Number.NaN);
  const seen = new Array<boolean>(channels).fill(false);
  for (let i = 0; i < y.data.length; i++) {
    const c = Math.floor(i / inner) % channels;
    if (!seen[c]) {
      values[c] = y.data[i];
      seen[c] = true;
    } else if (!(y.data[i] === values[c])) values[c] = Number.NaN;
  }
  return values;
}

/** A product with an exact 0 is 0 whatever the other operand: the channels where constant `t` is 0 everywhere. */
function markZeros(t: RefTensor, axis: number, channels: number, zero: boolean[]): void {
  const spansChannels = axis >= 0 && t.dims[axis] === channels;
  if (!t.dims.every((d, k) => d === 1 || (spansChannels && k === axis))) return;
  for (let ch = 0; ch < channels; ch++) if (t.data[spansChannels ? ch : 0] === 0) zero[ch] = true;
}

function concat(env: RemovedEnv, out: ChannelMap | undefined): RemovedState | undefined {
  const n = env.node;
  const incoming = firstNonZeroInput(env);
  if (!out || !incoming) return undefined;
  const rank = env.shape(n.outputs[0])?.length ?? 0;
  const axis = attrInt(n, 'axis', 1);
  if (normalized(axis, rank) !== out.axis) {
    // Along another axis every input carries the same channels: they must hold the same values.
    const same = n.inputs.every((_, i) => sameValues(env.inputState(i)?.values, incoming.state.values));
    return same ? incoming.state : { values: fill(out, Number.NaN), origin: incoming.state.origin, originOp: incoming.state.originOp };
  }
  const values = new Float64Array(out.size);
  let at = 0;
  n.inputs.forEach((name, i) => {
    const size = env.shape(name)?.[out.axis] ?? 0;
    const state = env.inputState(i);
    if (state) values.set(state.values.subarray(0, size), at);
    at += size;
  });
  return stateOf(values, out, incoming.state.origin, incoming.state.originOp);
}

/**
 * Ops under which a channel that holds one value everywhere keeps that value: output channel c·k … c·k + k − 1
 * (k = 1, or the positions a Flatten / Reshape gives each channel) hold input channel c's value.
 */
function sameValue(env: RemovedEnv, out: ChannelMap, incoming: ReturnType<typeof firstNonZeroInput>): RemovedState | undefined {
  const n = env.node;
  if (incoming && incoming.i !== 0) env.fail(`${whereFrom(incoming.state, incoming.map, n.inputs[incoming.i])}, and a ${n.opType} reads them as an operand it cannot prune`);
  const nanFrom = (origin: string, originOp: string): RemovedState => ({ values: fill(out, Number.NaN), origin, originOp });
  if (n.opType === 'Pad' && attrString(n, 'mode', 'constant') === 'constant') {
    // The border holds the pad value: a removed channel is no longer one value everywhere unless both are 0.
    const value = n.inputs[2] ? Number(env.constant(n.inputs[2])?.data[0] ?? Number.NaN) : attrFloat(n, 'value', 0);
    if (value !== 0) return nanFrom(n.name, n.opType);
    if (incoming) return nanFrom(incoming.state.origin, incoming.state.originOp);
  }
  if (!incoming) return undefined;
  const { state, map } = incoming;
  const refuse = (why: string): never => env.fail(`${whereFrom(state, map, n.inputs[0])}, and ${why}`);
  if (n.opType === 'Slice' || ((n.opType === 'Gather' || n.opType === 'Split') && normalized(attrInt(n, 'axis', 0), env.shape(n.inputs[0])?.length ?? 0) === map.axis)) {
    refuse(`a ${n.opType} that selects channels cannot carry them`);
  }
  if (n.opType === 'AveragePool' && attrInt(n, 'count_include_pad', 0) === 1 && ((attrInts(n, 'pads') ?? []).some((p) => p > 0) || attrString(n, 'auto_pad', 'NOTSET').startsWith('SAME'))) {
    return nanFrom(state.origin, state.originOp); // zero padding counted in the average: the borders differ
  }
  // Over positions only (the channel axis is kept): a sum counts the value once per reduced position.
  const count = (env.shape(n.inputs[0]) ?? []).reduce((p, d) => p * d, 1) / (env.shape(n.outputs[0]) ?? []).reduce((p, d) => p * d, 1);
  const of = (v: number): number => (n.opType === 'ReduceSum' ? v * count : n.opType === 'ReduceL2' ? Math.abs(v) * Math.sqrt(count) : v);
  if (out.size === map.size) return stateOf(Float64Array.from(state.values, of), out, state.origin, state.originOp);
  // Axes merged with the channel axis (Flatten, Reshape): entry (p·C + c)·after + q holds channel c's value.
  const [a, b] = [env.shape(n.inputs[0]) ?? [], env.shape(n.outputs[0]) ?? []];
  const start = out.axis;
  const before = a.slice(start, map.axis).reduce((p, d) => p * d, 1);
  const after = out.size / (before * map.size);
  const merged = map.axis >= start && a.slice(0, start).every((d, i) => b[i] === d) && Number.isInteger(after) && n.opType !== 'Tile';
  if (!merged) refuse(`its output's channel axis does not keep them apart`);
  const values = new Float64Array(out.size);
  for (let e = 0; e < out.size; e++) values[e] = of(state.values[Math.floor(e / after) % map.size]);
  return stateOf(values, out, state.origin, state.originOp);
}

function sameValues(a: Float64Array | undefined, b: Float64Array): boolean {
  return !!a && a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

function normalized(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/**
 * Softmax / LogSoftmax over other axes than the channels' (a channel of one value v gives 1/L or −log L over L
 * entries, whatever v), a LayerNormalization over axes after them (x − μ = 0: the output is its bias B, which
 * must be one value), ReduceL2 over positions (|v|·√count, sameValue). Input-dependent channels stay so.
 */
function statistic(env: RemovedEnv, out: ChannelMap, incoming: ReturnType<typeof firstNonZeroInput>): RemovedState | undefined {
  const n = env.node;
  if (n.opType === 'ReduceL2') return sameValue(env, out, incoming);
  const x = env.shape(n.inputs[0]) ?? [];
  const map = env.inputMap(0) as ChannelMap;
  const axes =
    n.opType === 'LayerNormalization'
      ? x.map((_, i) => i).filter((i) => i >= normalized(attrInt(n, 'axis', -1), x.length))
      : normalisedAxes(n, x.length, env.opset);
  if (axes.includes(map.axis)) {
    if (incoming) env.fail(`${whereFrom(incoming.state, incoming.map, n.inputs[0])}, and this ${n.opType} normalises them together with the channels pruning keeps`);
    return undefined;
  }
  const entries = axes.reduce((p, a) => p * x[a], 1);
  let value: number;
  if (n.opType === 'Softmax') value = 1 / entries;
  else if (n.opType === 'LogSoftmax') value = -Math.log(entries);
  else {
    const bias = n.inputs[2] ? env.constant(n.inputs[2]) : undefined;
    if (n.inputs[2] && !bias) value = Number.NaN;
    else {
      const b = bias ? Array.from(bias.data as ArrayLike<number>, Number) : [0];
      value = b.every((v) => v === b[0]) ? b[0] : Number.NaN;
    }
  }
  const values = new Float64Array(out.size);
  const origin = incoming?.state ?? { origin: n.name, originOp: n.opType };
  for (const c of removedOf(out)) values[c] = Number.isNaN(env.inputState(0)?.values[c] ?? 0) ? Number.NaN : value;
  return stateOf(values, out, origin.origin, origin.originOp);
}

/**
 * A grouped Conv (or a ConvTranspose) reading removed channels: whole conv groups go, so only removed output
 * channels read them. With zero inputs those hold the bias; otherwise input-dependent values (they must meet the
 * follower's gate site). A group-1 conv's outputs keep every channel; its inputs are folded (foldRemovedInputs).
 */
function groupedConv(env: RemovedEnv, out: ChannelMap | undefined, incoming: ReturnType<typeof firstNonZeroInput>): RemovedState | undefined {
  const n = env.node;
  if (!out || out.kept.length === out.size) return undefined;
  if (incoming) return { values: fill(out, Number.NaN), origin: incoming.state.origin, originOp: incoming.state.originOp };
  const bias = n.inputs[2] ? env.constant(n.inputs[2]) : undefined;
  const values = new Float64Array(out.size);
  if (bias) for (const c of removedOf(out)) values[c] = Number(bias.data[c]);
  else if (n.inputs[2]) return { values: fill(out, Number.NaN), origin: n.name, originOp: n.opType };
  return stateOf(values, out, n.name, n.opType);
}

/**
 * For a Conv (group 1), Gemm or MatMul reading removed channels that hold constants: what those channels added
 * to each original output channel. Undefined when every removed input channel is 0. Refuses (naming where they
 * became non-zero) input-dependent values, which no constant can replace.
 */
export function foldRemovedInputs(env: RemovedEnv): RemovedFold | undefined {
  const n = env.node;
  const map = env.inputMap(0);
  const state = env.inputState(0);
  if (!map || !state || !nonZero(state, map)) return undefined;
  // A grouped conv loses whole groups: removed inputs reach only removed outputs (removedStatesOut).
  if ((n.opType === 'Conv' || n.opType === 'ConvTranspose') && attrInt(n, 'group', 1) !== 1) return undefined;
  const removed = removedOf(map);
  if (removed.some((c) => Number.isNaN(state.values[c]))) {
    env.fail(`${whereFrom(state, map, n.inputs[0])}; no constant can stand in for them, so the pruned model would differ from the gated one`);
  }
  const weight = env.constant(n.inputs[1]);
  if (!weight) env.fail(`${whereFrom(state, map, n.inputs[0])}, and its weight is not a constant, so they cannot be folded into its bias`);
  const w = fromIrTensor(weight as Tensor);
  const rank = env.shape(n.inputs[0])?.length ?? 0;
  if (n.opType === 'Conv' && map.axis !== 1) env.fail(`${whereFrom(state, map, n.inputs[0])}, and they are not on the axis it reads`);
  if (n.opType === 'Conv') return foldConv(env, w, state.values, removed);
  if (n.opType === 'Gemm' && attrInt(n, 'transA', 0) === 0 && rank === 2 && map.axis === 1) {
    const transB = attrInt(n, 'transB', 0) === 1;
    const [k, m] = transB ? [w.dims[1], w.dims[0]] : w.dims;
    const alpha = attrFloat(n, 'alpha', 1);
    const delta = new Float64Array(m);
    for (let o = 0; o < m; o++) for (const c of removed) delta[o] += alpha * state.values[c] * w.data[transB ? o * k + c : c * m + o];
    return { kind: 'bias', delta };
  }
  if (n.opType === 'MatMul' && map.axis === rank - 1 && w.dims.length === 2) {
    const [, m] = w.dims;
    const delta = new Float64Array(m);
    for (let o = 0; o < m; o++) for (const c of removed) delta[o] += state.values[c] * w.data[c * m + o];
    return { kind: 'map', delta, spatial: [] };
  }
  return env.fail(`${whereFrom(state, map, n.inputs[0])}, and a ${n.opType} of this form cannot fold them into its bias`);
}

/**
 * Σ_c r_c·W[o, c, taps] over the taps that land inside the input: one value per output channel without zero
 * padding (a bias), else a map over output positions, computed as a conv of an all-ones image with the weight
 * summed over the removed channels.
 */
function foldConv(env: RemovedEnv, w: RefTensor, values: Float64Array, removed: readonly number[]): RemovedFold {
  const n = env.node;
  const [m, c, ...kernel] = w.dims;
  const taps = kernel.reduce((a, b) => a * b, 1);
  const summed = refTensor([m, 1, ...kernel]);
  for (let o = 0; o < m; o++) for (const ch of removed) for (let t = 0; t < taps; t++) summed.data[o * taps + t] += values[ch] * w.data[(o * c + ch) * taps + t];
  const x = env.shape(n.inputs[0]) as readonly number[];
  const ones = refTensor([1, 1, ...x.slice(2)], new Float64Array(x.slice(2).reduce((a, b) => a * b, 1)).fill(1));
  const [y] = conv({ ...n, inputs: ['x', 'w'], attributes: { ...n.attributes, group: { type: 'int', value: 1 } } }, [ones, summed]);
  const positions = y.data.length / m;
  const delta = new Float64Array(m);
  let uniform = true;
  for (let o = 0; o < m; o++) {
    delta[o] = y.data[o * positions];
    for (let p = 1; p < positions; p++) if (y.data[o * positions + p] !== delta[o]) uniform = false;
  }
  return uniform ? { kind: 'bias', delta } : { kind: 'map', delta: y.data, spatial: y.dims.slice(2) };
}
