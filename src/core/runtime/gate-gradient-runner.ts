/**
 * Runs a mask-learning step's two graphs: forward(x, gates) -> logits, z (+ tensors kept for the backward);
 * backward(kept, upstream grads) -> dL/dgate per gate vector. The loss between them lives in TypeScript.
 *
 * Besides the dense pair of sessions, the runner can hold a pair specialised for a set of pruned units
 * (zero-channels.ts): steps get cheaper as units are pruned. A step uses the specialised pair only when the
 * gates it is given really are 0 on every unit the pair assumes pruned, so results never depend on the choice.
 */
import * as ort from 'onnxruntime-node';
import { Graph, Model } from '../onnx/ir';
import { inferShapes } from '../onnx/shape-inference';
import { serializeModel } from '../onnx/writer';
import { GateGradientGraphs, GateGradientOptions, buildGateGradientGraphs } from '../graphs/gate-gradient-graphs';
import { ZeroChannelOptions, specializeZeroChannels } from '../graphs/zero-channels';
import { SessionConfig, createSession, ExecutionProvider } from './session';

/** Opset for graphs the engine writes (needs ScatterElements reduction, ReduceSum axes-as-input). */
export const ENGINE_OPSET = 17;

/**
 * Valid until the next forward() call: outputs are written into buffers the runner reuses every step (no
 * allocation or page faults for the large saved activations).
 */
export interface ForwardResult {
  readonly logits: Float32Array;
  readonly z: Float32Array;
  /** Opaque tensors the backward pass needs. */
  readonly kept: Readonly<Record<string, ort.Tensor>>;
  /** Which session pair produced it (the backward must use the same). */
  readonly pair: SessionPair;
}

interface SessionPair {
  readonly forward: ort.InferenceSession;
  readonly backward: ort.InferenceSession;
  /** Per gate vector, the units this pair assumes are 0. */
  readonly zero: readonly ReadonlySet<number>[];
}

export class GateGradientRunner {
  /** Reused output buffers; null lets onnxruntime allocate (int64 MaxPool indices). */
  private readonly forwardOutputs: Record<string, ort.Tensor | null>;
  private readonly backwardOutputs: Record<string, ort.Tensor>;
  private specialized: SessionPair | undefined;

  private constructor(
    readonly graphs: GateGradientGraphs,
    private readonly model: Model,
    private readonly dense: SessionPair,
    private readonly config: SessionConfig,
    readonly provider: ExecutionProvider,
  ) {
    const shapes = graphs.forwardShapes;
    const buffers = (names: Iterable<string>, dims: (n: string) => readonly number[]): Record<string, ort.Tensor> =>
      Object.fromEntries([...names].map((n) => [n, new ort.Tensor('float32', new Float32Array(dims(n).reduce((a, b) => a * b, 1)), dims(n))]));
    const forwardNames = [...new Set([graphs.logits, graphs.bottleneck, ...graphs.backward.savedIntermediates])];
    const isIndices = (n: string): boolean => n.endsWith('::indices');
    this.forwardOutputs = {
      ...buffers(forwardNames.filter((n) => !isIndices(n)), (n) => shapes.get(n) as readonly number[]),
      ...Object.fromEntries(forwardNames.filter(isIndices).map((n) => [n, null])),
    };
    const bwdShapes = new Map(graphs.backward.graph.outputs.map((o) => [o.name, o.shape as number[]]));
    this.backwardOutputs = buffers(graphs.backward.gradOutputs.values(), (n) => bwdShapes.get(n) as number[]);
  }

  static async create(model: Model, options: GateGradientOptions, config: SessionConfig = {}): Promise<GateGradientRunner> {
    const graphs = buildGateGradientGraphs(model, options);
    const fwd = await createSession(serializeModel(forwardModel(model, graphs.forward)), config);
    const resolved: SessionConfig = { ...config, provider: fwd.provider, onNote: undefined };
    const bwd = await createSession(serializeModel(backwardModel(model, graphs.backward.graph)), resolved);
    const dense = { forward: fwd.session, backward: bwd.session, zero: graphs.gates.map(() => new Set<number>()) };
    return new GateGradientRunner(graphs, model, dense, resolved, fwd.provider);
  }

  /**
   * Build sessions that skip the channels of units known to be pruned (`zero[i]`: units of gate vector i).
   * Costs a session build (~0.1–1 s): call it when the pruned set has grown, not every step.
   */
  async specialize(zero: readonly ReadonlySet<number>[], options: ZeroChannelOptions = {}): Promise<void> {
    const g = this.graphs;
    const known = new Map(g.gates.map((gate, i) => [gate.name, zero[i] ?? new Set<number>()]));
    const forward = specializeZeroChannels(g.forward, g.forwardShapes, known, options);
    const bwdGraph = g.backward.graph;
    const bwdShapes = inferShapes(bwdGraph, new Map(bwdGraph.inputs.map((v) => [v.name, v.shape as number[]])));
    const backward = specializeZeroChannels(bwdGraph, bwdShapes, known, options);
    const fwd = await createSession(serializeModel(forwardModel(this.model, forward)), this.config);
    const bwd = await createSession(serializeModel(backwardModel(this.model, backward)), this.config);
    const previous = this.specialized;
    this.specialized = { forward: fwd.session, backward: bwd.session, zero: g.gates.map((_, i) => new Set(zero[i] ?? [])) };
    if (previous) await releasePair(previous);
  }

  /** Units per gate vector that the current specialisation assumes pruned (empty sets when dense). */
  specializedZeros(): readonly ReadonlySet<number>[] {
    return (this.specialized ?? this.dense).zero;
  }

  async forward(x: Float32Array, gates: readonly Float32Array[]): Promise<ForwardResult> {
    const g = this.graphs;
    const feeds: Record<string, ort.Tensor> = { [g.input]: new ort.Tensor('float32', x, g.inputDims) };
    g.gates.forEach((gate, i) => (feeds[gate.name] = new ort.Tensor('float32', gates[i], gate.dims)));
    const pair = this.specialized && satisfies(gates, this.specialized.zero) ? this.specialized : this.dense;
    const out = await pair.forward.run(feeds, this.forwardOutputs);
    const tensor = (name: string): ort.Tensor => this.forwardOutputs[name] ?? out[name];
    const kept: Record<string, ort.Tensor> = {};
    for (const name of g.backward.savedInputs) kept[name] = feeds[name];
    for (const name of g.backward.savedIntermediates) kept[name] = tensor(name);
    return { logits: tensor(g.logits).data as Float32Array, z: tensor(g.bottleneck).data as Float32Array, kept, pair };
  }

  /** Gradients of every gate vector (in `graphs.gates` order), then of each weight target. */
  async backward(forward: ForwardResult, dLogits: Float32Array, dZ: Float32Array): Promise<Float32Array[]> {
    const g = this.graphs;
    const feeds: Record<string, ort.Tensor> = { ...forward.kept };
    feeds[g.backward.seedInputs.get(g.logits) as string] = new ort.Tensor('float32', dLogits, g.logitsDims);
    feeds[g.backward.seedInputs.get(g.bottleneck) as string] = new ort.Tensor('float32', dZ, g.bottleneckDims);
    await forward.pair.backward.run(feeds, this.backwardOutputs);
    // Copies: the caller may keep gradients across steps while the buffers are reused.
    return [...g.backward.gradOutputs.values()].map((name) => Float32Array.from(this.backwardOutputs[name].data as Float32Array));
  }

  async release(): Promise<void> {
    await releasePair(this.dense);
    if (this.specialized) await releasePair(this.specialized);
  }
}

function satisfies(gates: readonly Float32Array[], zero: readonly ReadonlySet<number>[]): boolean {
  return zero.every((set, i) => [...set].every((c) => gates[i][c] === 0));
}

async function releasePair(p: SessionPair): Promise<void> {
  await p.forward.release();
  await p.backward.release();
}

function forwardModel(source: Model, graph: Graph): Model {
  return engineModel(source, graph, source.opsetImports);
}

function backwardModel(source: Model, graph: Graph): Model {
  return engineModel(source, graph, [{ domain: '', version: ENGINE_OPSET }]);
}

function engineModel(source: Model, graph: Graph, opsetImports: Model['opsetImports']): Model {
  return { ...source, irVersion: Math.max(source.irVersion, 8), opsetImports, producerName: 'bise-vscode', producerVersion: '0.1.0', graph, metadata: {} };
}
