/**
 * Runs a forward graph and its backward graph (autodiff/backward.ts) as two onnxruntime sessions. The forward
 * returns the seed tensors (whose upstream gradients the caller computes in TypeScript, e.g. from a loss) and
 * keeps what the backward needs; the backward returns the gradients of the targets.
 *
 * Besides the dense pair of sessions, it can hold a pair specialised for channels known to be zero in some
 * inputs (zero-channels.ts, e.g. pruned units) and for inputs known to be all ones (one-gates.ts, gate vectors with
 * no pruned unit): a step uses it only when the inputs it is given really are 0 and 1 there, so results never
 * depend on the choice.
 */
import * as ort from 'onnxruntime-node';
import { Graph, Model } from '../onnx/ir';
import { ShapeMap, inferShapes } from '../onnx/shape-inference';
import { serializeModel } from '../onnx/writer';
import { BackwardGraph } from '../autodiff/backward';
import { ZeroChannelOptions, specializeZeroChannels } from '../graphs/zero-channels';
import { specializeOneGates } from '../graphs/one-gates';
import { withContribOpset } from '../graphs/frequency-conv';
import { lowerConvs } from '../graphs/conv-lowering';
import { NCHWC_DOMAIN, nchwcFedConvs } from '../graphs/nchwc-fed-convs';
import { nchwcBlockFor } from './nchwc-block';
import { SessionConfig, createSession, ExecutionProvider, lowersConvs } from './session';
import { withMemoryBudget } from './memory-budget';
import { DataDtype, FedInput, InputData, checkInputData } from '../graphs/model-inputs';

/** Opset for backward graphs (needs ScatterElements reduction, ReduceSum axes-as-input). */
export const ENGINE_OPSET = 17;

export interface DifferentiablePair {
  readonly forward: Graph;
  readonly forwardShapes: ShapeMap;
  readonly backward: BackwardGraph;
  /** Forward tensors whose gradients the caller supplies to backward(). */
  readonly seeds: readonly string[];
  /** Further forward outputs the caller reads without a gradient (e.g. batch-norm batch statistics). */
  readonly extras?: readonly string[];
}

/**
 * Valid until the next forward() call: outputs are written into buffers the runner reuses every step (no
 * allocation or page faults for the large saved activations).
 */
export interface ForwardResult {
  /** Seed (and extra) tensors by name. */
  readonly outputs: Readonly<Record<string, Float32Array>>;
  /** Opaque tensors the backward pass needs. */
  readonly kept: Readonly<Record<string, ort.Tensor>>;
  /** Which session pair produced it (the backward must use the same). */
  readonly sessions: SessionPair;
}

export interface SessionPair {
  readonly forward: ort.InferenceSession;
  readonly backward: ort.InferenceSession;
  /** Per input name, the channels this pair assumes are 0. */
  readonly zero: ReadonlyMap<string, ReadonlySet<number>>;
  /** Inputs this pair assumes are 1 everywhere. */
  readonly ones: ReadonlySet<string>;
}

export class DifferentiableRunner {
  /** Reused output buffers; null lets onnxruntime allocate (int64 MaxPool indices, boolean masks). */
  private readonly forwardOutputs: Record<string, ort.Tensor | null>;
  private readonly backwardOutputs: Record<string, ort.Tensor>;
  private readonly inputDims: ReadonlyMap<string, readonly number[]>;
  /** Every graph input (data inputs, gates, weights) with its element type and dims, in feed order. */
  private readonly fed: readonly FedInput[];
  private specialized: SessionPair | undefined;

  private constructor(
    readonly pair: DifferentiablePair,
    private readonly model: Model,
    /** Undefined once a specialisation replaced it: rebuilt only if a step breaks the specialisation's assumptions. */
    private dense: SessionPair | undefined,
    private readonly config: SessionConfig,
    readonly provider: ExecutionProvider,
    /** onnxruntime's NCHWc block for fed-weight convs (0: none; runtime/nchwc-block.ts). */
    private readonly nchwcBlock: number,
  ) {
    const shapes = pair.forwardShapes;
    const buffers = (names: Iterable<string>, dims: (n: string) => readonly number[]): Record<string, ort.Tensor> =>
      Object.fromEntries([...names].map((n) => [n, new ort.Tensor('float32', new Float32Array(dims(n).reduce((a, b) => a * b, 1)), dims(n))]));
    const forwardNames = [...new Set([...pair.seeds, ...(pair.extras ?? []), ...pair.backward.savedIntermediates])];
    // Only float32 outputs get reused buffers; onnxruntime allocates the others (MaxPool indices, booleans).
    const declared = new Map(pair.forward.outputs.map((o) => [o.name, o.dtype]));
    const isFloat = (n: string): boolean => (declared.get(n) ?? 'float32') === 'float32';
    this.forwardOutputs = {
      ...buffers(forwardNames.filter(isFloat), (n) => shapes.get(n) as readonly number[]),
      ...Object.fromEntries(forwardNames.filter((n) => !isFloat(n)).map((n) => [n, null])),
    };
    const bwdShapes = new Map(pair.backward.graph.outputs.map((o) => [o.name, o.shape as number[]]));
    this.backwardOutputs = buffers(pair.backward.gradOutputs.values(), (n) => bwdShapes.get(n) as number[]);
    this.inputDims = new Map(pair.forward.inputs.map((v) => [v.name, shapes.get(v.name) as readonly number[]]));
    this.fed = pair.forward.inputs.map((v) => ({ name: v.name, dtype: feedDtype(v.name, v.dtype), dims: shapes.get(v.name) as readonly number[] }));
  }

  /**
   * `start`: build the pair specialised for these assumptions straight away (the dense pair is then built only if a
   * step breaks them), so that a caller who specialises before its first step never holds, and frees, a dense pair:
   * freed session memory mostly stays in the process (ResNet-50 at 224×224, batch 8: step RSS 1957 MiB dense, 2313
   * after building dense then specialised).
   */
  static async create(model: Model, pair: DifferentiablePair, budgeted: SessionConfig = {}, start?: Specialisation): Promise<DifferentiableRunner> {
    const config = withMemoryBudget(pair, budgeted, 'two-session');
    const block = await nchwcBlockFor(config);
    const sessions = await createSessions(model, start ? specialisedGraphs(pair, start, config, block) : denseGraphs(pair, config, block), config);
    const resolved: SessionConfig = { ...config, provider: sessions.provider, onNote: undefined };
    if (!start) return new DifferentiableRunner(pair, model, densePair(sessions), resolved, sessions.provider, block);
    const runner = new DifferentiableRunner(pair, model, undefined, resolved, sessions.provider, block);
    runner.specialized = specialisedPair(sessions, start);
    return runner;
  }

  /** The dense pair, rebuilt if a specialisation had released it. */
  private async densePair(): Promise<SessionPair> {
    if (!this.dense) this.dense = densePair(await createSessions(this.model, denseGraphs(this.pair, this.config, this.nchwcBlock), this.config));
    return this.dense;
  }

  /**
   * Build sessions that skip channels known to be zero in some inputs (`zero`: input name -> channels) and the
   * multiplications by inputs known to be all ones (`ones`). Costs a session build (~0.1–1 s): call it when the
   * assumptions changed, not every step.
   */
  async specialize(zero: ReadonlyMap<string, ReadonlySet<number>>, options: ZeroChannelOptions = {}, ones: ReadonlySet<string> = new Set()): Promise<void> {
    const start: Specialisation = { zero, options, ones };
    const [f, b] = specialisedGraphs(this.pair, start, this.config, this.nchwcBlock);
    // The pairs this one replaces go first, so that two pairs of sessions (weights, prepacked weights, lowered-conv
    // spectra, arenas) never coexist; steps that meet the assumptions never touch the dense pair, and one that does
    // not rebuilds it (densePair).
    const previous = this.specialized;
    this.specialized = undefined;
    if (previous) await releasePair(previous);
    if (this.dense) await releasePair(this.dense);
    this.dense = undefined;
    this.specialized = specialisedPair(await createSessions(this.model, [f, b], this.config), start);
  }

  /** Channels per input that the current specialisation assumes zero (empty when dense). */
  specializedZeros(): ReadonlyMap<string, ReadonlySet<number>> {
    return this.specialized?.zero ?? new Map();
  }

  /** Inputs that the current specialisation assumes all ones (empty when dense). */
  specializedOnes(): ReadonlySet<string> {
    return this.specialized?.ones ?? new Set();
  }

  /** `inputs`: a value for every graph input, of its element type (float32 gates and images, int64 token ids). */
  async forward(inputs: Readonly<Record<string, InputData>>): Promise<ForwardResult> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const v of this.fed) feeds[v.name] = feedTensor(v, inputs[v.name], 'forward');
    const sessions = this.specialized && satisfies(inputs, this.specialized, this.inputDims) ? this.specialized : await this.densePair();
    const out = await sessions.forward.run(feeds, this.forwardOutputs);
    const tensor = (name: string): ort.Tensor => this.forwardOutputs[name] ?? out[name];
    const kept: Record<string, ort.Tensor> = {};
    for (const name of this.pair.backward.savedInputs) kept[name] = feeds[name];
    for (const name of this.pair.backward.savedIntermediates) kept[name] = tensor(name);
    const outputs = Object.fromEntries([...this.pair.seeds, ...(this.pair.extras ?? [])].map((s) => [s, tensor(s).data as Float32Array]));
    return { outputs, kept, sessions };
  }

  /** Gradients of every target, in the backward graph's target order. */
  async backward(forward: ForwardResult, seedGrads: Readonly<Record<string, Float32Array>>): Promise<Float32Array[]> {
    // Copies: the caller may keep gradients across steps while the buffers are reused.
    return (await this.backwardViews(forward, seedGrads)).map((g) => Float32Array.from(g));
  }

  /**
   * As backward(), without copying: the gradients are the runner's reused buffers, valid until the next backward()
   * call (weight training reads them once, in the optimiser step: ResNet-18's 44 MB copy and its page faults saved).
   */
  async backwardViews(forward: ForwardResult, seedGrads: Readonly<Record<string, Float32Array>>): Promise<Float32Array[]> {
    const { backward, forwardShapes } = this.pair;
    const feeds: Record<string, ort.Tensor> = { ...forward.kept };
    for (const [seed, input] of backward.seedInputs) {
      const g = seedGrads[seed];
      if (!g) throw new Error(`backward: no upstream gradient for '${seed}'`);
      feeds[input] = new ort.Tensor('float32', g, forwardShapes.get(seed) as readonly number[]);
    }
    await forward.sessions.backward.run(feeds, this.backwardOutputs);
    return [...backward.gradOutputs.values()].map((name) => this.backwardOutputs[name].data as Float32Array);
  }

  async release(): Promise<void> {
    if (this.dense) await releasePair(this.dense);
    if (this.specialized) await releasePair(this.specialized);
  }
}

/** A checked value for graph input `v` as a tensor; `what` (the step that feeds it) prefixes a refusal. */
export function feedTensor(v: FedInput, data: InputData | undefined, what: string): ort.Tensor {
  let checked: InputData;
  try {
    checked = checkInputData(v, data);
  } catch (e) {
    throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return new ort.Tensor(v.dtype, checked, v.dims);
}

/** The element type a graph input is fed with (gates and weights are float32). */
export function feedDtype(name: string, dtype: string): DataDtype {
  if (dtype === 'float32' || dtype === 'int64' || dtype === 'int32') return dtype;
  throw new Error(`graph input '${name}' has element type ${dtype}; the engine feeds float32, int64 or int32 inputs`);
}

/** Whether every channel the specialisation assumes zero is zero, and every input it assumes ones is one, in the given inputs (gates: float32). */
export function satisfies(inputs: Readonly<Record<string, InputData>>, pair: Pick<SessionPair, 'zero' | 'ones'>, dims: ReadonlyMap<string, readonly number[]>): boolean {
  for (const name of pair.ones) {
    const data = inputs[name];
    for (let i = 0; i < data.length; i++) if (data[i] !== 1) return false;
  }
  for (const [name, channels] of pair.zero) {
    const data = inputs[name];
    const d = dims.get(name) as readonly number[];
    const [outer, perChannel] = [d[0], d.slice(2).reduce((a, b) => a * b, 1)];
    for (const c of channels) {
      for (let o = 0; o < outer; o++) {
        const start = (o * d[1] + c) * perChannel;
        for (let k = 0; k < perChannel; k++) if (data[start + k] !== 0) return false;
      }
    }
  }
  return true;
}

/** What a specialised pair assumes: channels of some inputs zero (zero-channels.ts), some inputs all ones (one-gates.ts). */
export interface Specialisation {
  readonly zero: ReadonlyMap<string, ReadonlySet<number>>;
  readonly ones: ReadonlySet<string>;
  readonly options?: ZeroChannelOptions;
}

/** The forward and backward graphs the sessions of a specialised pair run. */
function specialisedGraphs(pair: DifferentiablePair, s: Specialisation, config: SessionConfig, nchwcBlock: number): [Graph, Graph] {
  const [f, b] = specialiseGraphs(pair, s);
  const inputDims = new Map(pair.forward.inputs.map((v) => [v.name, pair.forwardShapes.get(v.name) as readonly number[]]));
  return [forSession(f, config, nchwcBlock, inferShapes(f, inputDims)), forSession(b, config, nchwcBlock)];
}

/** The specialised forward and backward graphs before conv lowering (the fused step lowers them merged). */
export function specialiseGraphs(pair: DifferentiablePair, s: Specialisation): [Graph, Graph] {
  const { forward, forwardShapes, backward } = pair;
  const bwd = backward.graph;
  const bwdShapes = inferShapes(bwd, new Map(bwd.inputs.map((v) => [v.name, v.shape as number[]])));
  // Ones first: it only removes Muls and renames their outputs, so the shapes stay valid for the zero pass.
  const f = specializeZeroChannels(specializeOneGates(forward, forwardShapes, s.ones), forwardShapes, s.zero, s.options);
  // Its own name prefix: the fused step joins the two graphs (chain-graphs.ts).
  const b = specializeZeroChannels(specializeOneGates(bwd, bwdShapes, s.ones), bwdShapes, s.zero, { ...s.options, tagPrefix: 'bzc' });
  return [f, b];
}

/** The forward and backward graphs the sessions of the dense pair run. */
function denseGraphs(pair: DifferentiablePair, config: SessionConfig, nchwcBlock: number): [Graph, Graph] {
  return [forSession(pair.forward, config, nchwcBlock, pair.forwardShapes), forSession(pair.backward.graph, config, nchwcBlock)];
}

interface Sessions {
  readonly forward: ort.InferenceSession;
  readonly backward: ort.InferenceSession;
  /** The provider the forward session got; the backward is asked for it (no second fallback note). */
  readonly provider: ExecutionProvider;
}

async function createSessions(model: Model, [forward, backward]: [Graph, Graph], config: SessionConfig): Promise<Sessions> {
  const fwd = await createSession(serializeModel(engineModel(model, forward, model.opsetImports)), config);
  const bwd = await createSession(serializeModel(engineModel(model, backward, [{ domain: '', version: ENGINE_OPSET }])), { ...config, provider: fwd.provider, onNote: undefined });
  return { forward: fwd.session, backward: bwd.session, provider: fwd.provider };
}

function specialisedPair(s: Sessions, assumed: Specialisation): SessionPair {
  return { forward: s.forward, backward: s.backward, zero: new Map([...assumed.zero].map(([k, v]) => [k, new Set(v)])), ones: new Set(assumed.ones) };
}

function densePair(s: Sessions): SessionPair {
  return { forward: s.forward, backward: s.backward, zero: new Map(), ones: new Set() };
}

async function releasePair(p: SessionPair): Promise<void> {
  await p.forward.release();
  await p.backward.release();
}

/**
 * The graph a session runs (same tensor names): on cpu, constant-weight convs on small maps become matrix products
 * and large ones move to the frequency domain, and convs with fed weights take onnxruntime's blocked kernels
 * (`nchwcBlock` > 0). The two passes touch disjoint nodes (constant weights, fed weights). The shapes are inferred
 * once, before either (our inference does not know their contrib ops); both keep the names they read.
 */
export function forSession(graph: Graph, config: SessionConfig, nchwcBlock: number, shapes?: ShapeMap): Graph {
  if (nchwcBlock === 0 && !lowersConvs(config)) return graph;
  const known = shapes ?? inferShapes(graph, new Map(graph.inputs.map((v) => [v.name, v.shape as number[]])));
  const lowered = lowersConvs(config) ? lowerConvs(graph, known, { maxWorkspaceBytes: config.frequencyConvMaxBytes }).graph : graph;
  return nchwcFedConvs(lowered, known, nchwcBlock).graph;
}

export function engineModel(source: Model, graph: Graph, opsetImports: Model['opsetImports']): Model {
  const nchwc = graph.nodes.some((n) => n.domain === NCHWC_DOMAIN) ? [{ domain: NCHWC_DOMAIN, version: 1 }] : [];
  return { ...source, irVersion: Math.max(source.irVersion, 8), opsetImports: [...withContribOpset(opsetImports), ...nchwc], producerName: 'bise-vscode', producerVersion: '0.1.0', graph, metadata: {} };
}
