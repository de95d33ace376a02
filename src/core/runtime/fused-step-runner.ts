/**
 * The mask-learning step as one onnxruntime session: gated forward, the loss gradients (graphs/loss-graph.ts) and
 * the backward to the gates, joined by tensor name. The two-session step (GateGradientRunner) hands dozens of large
 * saved activations out of onnxruntime (NCHWc → NCHW reorders, copies into JS buffers) and reads them back in the
 * backward; here they stay inside one graph, and only the logits, z and the gate gradients come out (process CPU
 * per step, batch 100: demo CNN 48 → 36 ms, SimpleConvNet 806 → 520; docs/ENGINE.md).
 *
 * A model whose default opset is 13 to 17 runs as one opset-17 session (the ops whose meaning changed across these
 * opsets did so in 13 and 18). Others run as two sessions: the forward at its own opset, then loss + backward.
 * Specialisations (open gates, pruned channels) and the rule that decides which a step may use are the two-session
 * runner's (differentiable-runner.ts).
 */
import * as ort from 'onnxruntime-node';
import { Graph, Model, ValueInfo, defaultOpset } from '../onnx/ir';
import { ShapeMap, inferShapes } from '../onnx/shape-inference';
import { serializeModel } from '../onnx/writer';
import { GateGradientGraphs, GateGradientOptions, buildGateGradientGraphs } from '../graphs/gate-gradient-graphs';
import { LossGraph, buildLossGraph } from '../graphs/loss-graph';
import { chainGraphs } from '../graphs/chain-graphs';
import { maxPoolGatherFromOutput } from '../graphs/maxpool-gate-gather';
import { ZeroChannelOptions } from '../graphs/zero-channels';
import { FedInput, InputData } from '../graphs/model-inputs';
import { DifferentiablePair, ENGINE_OPSET, Specialisation, engineModel, feedDtype, feedTensor, forSession, satisfies, specialiseGraphs } from './differentiable-runner';
import { nchwcBlockFor } from './nchwc-block';
import { gateSpecialisation, onesByIndex, prunedByIndex } from './gate-gradient-runner';
import { ExecutionProvider, SessionConfig, createSession } from './session';
import { withMemoryBudget } from './memory-budget';

/**
 * The fused session's memory pattern: as the caller asked, else on only where the budget turned the arena off (the
 * leanest configuration takes the pattern back), else off (measured in FusedStepRunner.create).
 */
export function withoutMemoryPattern(chosen: SessionConfig, asked: SessionConfig): SessionConfig {
  return { ...chosen, memoryPattern: asked.memoryPattern ?? (chosen.memoryArena === false ? chosen.memoryPattern : false) };
}

/** What the loss graph needs to know: the classes of each auxiliary head and γ (0: no MI nodes, dZ = 0). */
export interface StepLossOptions {
  readonly headClasses: readonly number[];
  readonly gamma: number;
}

/** Views of the runner's reused buffers, valid until the next step(). */
export interface FusedStepResult {
  readonly logits: Float32Array;
  readonly z: Float32Array;
  /** dL/dgate per gate vector (graphs.gates order), then dL/dW per weight target. */
  readonly gateGrads: readonly Float32Array[];
}

/** One session of a step: what it is fed, what it returns into reused buffers (null: onnxruntime allocates). */
interface Stage {
  readonly session: ort.InferenceSession;
  readonly inputs: readonly FedInput[];
  readonly outputs: Record<string, ort.Tensor | null>;
}

interface StepSessions extends Specialisation {
  readonly stages: readonly Stage[];
}

export class FusedStepRunner {
  /** Per gate on another axis than 1 (left dense): the units the last specialize() was asked to skip. */
  private notSkipped: readonly (ReadonlySet<number> | undefined)[] = [];
  private specialized: StepSessions | undefined;
  private readonly gateDims: ReadonlyMap<string, readonly number[]>;

  private constructor(
    readonly graphs: GateGradientGraphs,
    readonly loss: LossGraph,
    private readonly model: Model,
    private readonly config: SessionConfig,
    readonly provider: ExecutionProvider,
    /** Undefined once a specialisation replaced it: rebuilt only if a step breaks the specialisation's assumptions. */
    private dense: StepSessions | undefined,
  ) {
    this.gateDims = new Map(graphs.gates.map((g) => [g.name, graphs.forwardShapes.get(g.name) as readonly number[]]));
  }

  /**
   * `start`: 'dense' sessions, or sessions specialised for every gate open ('open-gates'), as extract's first steps
   * run (GateGradientRunner.create says why).
   */
  static async create(model: Model, options: GateGradientOptions, loss: StepLossOptions, budgeted: SessionConfig = {}, start: 'dense' | 'open-gates' = 'dense'): Promise<FusedStepRunner> {
    const graphs = buildGateGradientGraphs(model, options);
    const lossGraph = buildLossGraph({
      logits: graphs.logits,
      logitsDims: graphs.logitsDims,
      bottleneck: graphs.bottleneck,
      bottleneckDims: graphs.bottleneckDims,
      dLogits: seedInput(graphs, graphs.logits),
      dZ: seedInput(graphs, graphs.bottleneck),
      ...loss,
    });
    // The memory budget's estimate is the two-session step's: it counts the kept tensors the fused step does not
    // hand out, but not the fused arena's larger intermediates. Those are what onnxruntime's memory pattern holds
    // twice, and for the one fused session the pattern buys no speed: it stays off unless asked for (idle machine,
    // batch 100, median step and peak RSS with the pattern on → off: SimpleConvNet 150 → 150 ms, 1,445 → 960–1,129
    // MiB; ResNet-18 50–56 → 44–50 ms, 425–441 → 377–386 MiB; demo CNN 13.7 → 13.5 ms, 200 → 173 MiB).
    const config = withoutMemoryPattern(withMemoryBudget(pairOf(graphs), budgeted), budgeted);
    const assumed: Specialisation = start === 'open-gates' ? { zero: new Map(), ones: new Set(graphs.gates.map((g) => g.name)) } : { zero: new Map(), ones: new Set() };
    const built = await buildSessions(model, graphs, lossGraph, assumed, config);
    const resolved: SessionConfig = { ...config, provider: built.provider, onNote: undefined };
    const runner = new FusedStepRunner(graphs, lossGraph, model, resolved, built.provider, start === 'dense' ? built.sessions : undefined);
    if (start === 'open-gates') runner.specialized = built.sessions;
    return runner;
  }

  /**
   * Skip the channels of `pruned[i]` (units of gate vector i) until a step's gates reopen one (GateGradientRunner.specialize);
   * `ones`, when given, names the gate vectors (indices) to assume all open, else every vector with no pruned unit.
   */
  async specialize(pruned: readonly ReadonlySet<number>[], options: ZeroChannelOptions = {}, ones?: ReadonlySet<number>): Promise<void> {
    const s = gateSpecialisation(this.graphs.gates, pruned, ones);
    // The sessions this one replaces go first, so that two sets never coexist (DifferentiableRunner.specialize).
    const previous = this.specialized;
    this.specialized = undefined;
    if (previous) await releaseAll(previous);
    if (this.dense) await releaseAll(this.dense);
    this.dense = undefined;
    this.specialized = (await buildSessions(this.model, this.graphs, this.loss, { zero: s.zero, ones: s.ones, options }, this.config)).sessions;
    this.notSkipped = s.notSkipped;
  }

  /** Gate vectors (indices into `graphs.gates`) that the current specialisation assumes all ones. */
  specializedOnes(): ReadonlySet<number> {
    return onesByIndex(this.graphs.gates, this.specialized?.ones ?? new Set());
  }

  /** Units per gate vector that the current specialisation assumes pruned (empty sets when dense). */
  specializedPruned(): ReadonlySet<number>[] {
    return prunedByIndex(this.graphs.gates, this.specialized?.zero ?? new Map(), this.notSkipped);
  }

  /**
   * One step: `data` by data input name (graphs.inputs), `gates` in graphs.gates order, `lossFeeds` the loss graph's
   * inputs (loss-graph.ts lossFeeds).
   */
  async step(data: Readonly<Record<string, InputData>>, gates: readonly Float32Array[], lossFeeds: Readonly<Record<string, Float32Array>>): Promise<FusedStepResult> {
    const g = this.graphs;
    const values: Record<string, InputData> = { ...lossFeeds };
    for (const v of g.inputs) values[v.name] = data[v.name];
    g.gates.forEach((gate, i) => (values[gate.name] = gates[i]));
    const sessions = this.specialized && satisfies(values, this.specialized, this.gateDims) ? this.specialized : await this.denseSessions();
    const tensors: Record<string, ort.Tensor> = {};
    for (const stage of sessions.stages) {
      const feeds: Record<string, ort.Tensor> = {};
      for (const v of stage.inputs) feeds[v.name] = tensors[v.name] ?? feedTensor(v, values[v.name], 'mask step');
      const out = await stage.session.run(feeds, stage.outputs);
      for (const name of Object.keys(stage.outputs)) tensors[name] = stage.outputs[name] ?? out[name];
    }
    const view = (name: string): Float32Array => tensors[name].data as Float32Array;
    return { logits: view(g.logits), z: view(g.bottleneck), gateGrads: [...g.backward.gradOutputs.values()].map(view) };
  }

  private async denseSessions(): Promise<StepSessions> {
    if (!this.dense) this.dense = (await buildSessions(this.model, this.graphs, this.loss, { zero: new Map(), ones: new Set() }, this.config)).sessions;
    return this.dense;
  }

  async release(): Promise<void> {
    if (this.dense) await releaseAll(this.dense);
    if (this.specialized) await releaseAll(this.specialized);
    this.dense = undefined;
    this.specialized = undefined;
  }
}

/** Forward opsets whose graphs mean the same under opset 17: ops changed meaning in 13 (axes as inputs, Softmax) and 18. */
export function fusesIntoEngineOpset(opset: number): boolean {
  return opset >= 13 && opset <= ENGINE_OPSET;
}

function seedInput(graphs: GateGradientGraphs, seed: string): string {
  const name = graphs.backward.seedInputs.get(seed);
  if (!name) throw new Error(`the backward graph takes no upstream gradient for '${seed}'`);
  return name;
}

function pairOf(graphs: GateGradientGraphs): DifferentiablePair {
  return { forward: graphs.forward, forwardShapes: graphs.forwardShapes, backward: graphs.backward, seeds: [graphs.logits, graphs.bottleneck] };
}

/** The step's sessions for one specialisation: forward + loss + backward as one graph, or two where opsets differ. */
async function buildSessions(model: Model, graphs: GateGradientGraphs, loss: LossGraph, s: Specialisation, config: SessionConfig): Promise<{ sessions: StepSessions; provider: ExecutionProvider }> {
  const pair = pairOf(graphs);
  const [forward, backward] = s.zero.size > 0 || s.ones.size > 0 ? specialiseGraphs(pair, s) : [pair.forward, pair.backward.graph];
  const results: ValueInfo[] = [graphs.logits, graphs.bottleneck, ...graphs.backward.gradOutputs.values()].map((name) => ({ name, dtype: 'float32', shape: null }));
  const engineOpsets = model.opsetImports.map((o) => (o.domain === '' ? { domain: '', version: ENGINE_OPSET } : o));
  const parts: { graph: Graph; opsets: Model['opsetImports'] }[] = fusesIntoEngineOpset(defaultOpset(model))
    ? [{ graph: maxPoolGatherFromOutput(chainGraphs('bise_mask_step', [forward, loss.graph, backward], results)), opsets: engineOpsets }]
    : [
        { graph: forward, opsets: model.opsetImports },
        { graph: chainGraphs('bise_mask_step_backward', [loss.graph, backward], results.slice(2)), opsets: [{ domain: '', version: ENGINE_OPSET }] },
      ];
  const known = new Map(graphs.forwardShapes);
  const block = await nchwcBlockFor(config);
  const stages: Stage[] = [];
  let provider: ExecutionProvider | undefined;
  for (const part of parts) {
    const shapes = inferShapes(part.graph, inputDims(part.graph, known));
    for (const [name, dims] of shapes) known.set(name, dims);
    const graph = forSession(part.graph, config, block, shapes);
    // Later sessions are asked for the provider the first one got (no second fallback note).
    const created = await createSession(serializeModel(engineModel(model, graph, part.opsets)), provider ? { ...config, provider, onNote: undefined } : config);
    provider ??= created.provider;
    stages.push(stageOf(created.session, part.graph, shapes));
  }
  return { sessions: { stages, zero: new Map([...s.zero].map(([k, v]) => [k, new Set(v)])), ones: new Set(s.ones), options: s.options }, provider: provider as ExecutionProvider };
}

function inputDims(graph: Graph, known: ShapeMap): Map<string, readonly number[]> {
  return new Map(graph.inputs.map((v) => [v.name, (known.get(v.name) ?? v.shape) as readonly number[]]));
}

function stageOf(session: ort.InferenceSession, graph: Graph, shapes: ShapeMap): Stage {
  const inputs: FedInput[] = graph.inputs.map((v) => ({ name: v.name, dtype: feedDtype(v.name, v.dtype), dims: shapes.get(v.name) as readonly number[] }));
  const outputs: Record<string, ort.Tensor | null> = {};
  for (const o of graph.outputs) {
    const dims = shapes.get(o.name) as readonly number[];
    // Only float32 outputs get reused buffers; onnxruntime allocates the others (MaxPool indices, booleans).
    outputs[o.name] = o.dtype === 'float32' ? new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims) : null;
  }
  return { session, inputs, outputs };
}

async function releaseAll(s: StepSessions): Promise<void> {
  for (const stage of s.stages) await stage.session.release();
}
