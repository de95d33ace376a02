/**
 * Runs a mask-learning step's two graphs: forward(x, gates) -> logits, z (+ tensors kept for the backward);
 * backward(kept, upstream grads) -> dL/dgate per gate vector. The loss between them lives in TypeScript.
 */
import * as ort from 'onnxruntime-node';
import { Model } from '../onnx/ir';
import { serializeModel } from '../onnx/writer';
import { GateGradientGraphs, GateGradientOptions, buildGateGradientGraphs } from '../graphs/gate-gradient-graphs';
import { SessionConfig, createSession, ExecutionProvider } from './session';

/** Opset for graphs the engine writes (needs ScatterElements reduction, ReduceSum axes-as-input). */
export const ENGINE_OPSET = 17;

export interface ForwardResult {
  readonly logits: Float32Array;
  readonly z: Float32Array;
  /** Opaque tensors the backward pass needs. */
  readonly kept: Readonly<Record<string, ort.Tensor>>;
}

export class GateGradientRunner {
  private constructor(
    readonly graphs: GateGradientGraphs,
    private readonly forwardSession: ort.InferenceSession,
    private readonly backwardSession: ort.InferenceSession,
    readonly provider: ExecutionProvider,
  ) {}

  static async create(model: Model, options: GateGradientOptions, config: SessionConfig = {}): Promise<GateGradientRunner> {
    const graphs = buildGateGradientGraphs(model, options);
    const fwd = await createSession(serializeModel(engineModel(model, graphs.forward, model.opsetImports)), config);
    const bwd = await createSession(serializeModel(engineModel(model, graphs.backward.graph, [{ domain: '', version: ENGINE_OPSET }])), { ...config, onNote: undefined });
    return new GateGradientRunner(graphs, fwd.session, bwd.session, fwd.provider);
  }

  async forward(x: Float32Array, gates: readonly Float32Array[]): Promise<ForwardResult> {
    const g = this.graphs;
    const feeds: Record<string, ort.Tensor> = { [g.input]: new ort.Tensor('float32', x, g.inputDims) };
    g.gates.forEach((gate, i) => (feeds[gate.name] = new ort.Tensor('float32', gates[i], gate.dims)));
    const out = await this.forwardSession.run(feeds);
    const kept: Record<string, ort.Tensor> = {};
    for (const name of g.backward.savedIntermediates) kept[name] = out[name];
    for (const name of g.backward.savedInputs) kept[name] = feeds[name];
    return { logits: out[g.logits].data as Float32Array, z: out[g.bottleneck].data as Float32Array, kept };
  }

  /** Gradients of every gate vector (in `graphs.gates` order), then of each weight target. */
  async backward(forward: ForwardResult, dLogits: Float32Array, dZ: Float32Array): Promise<Float32Array[]> {
    const g = this.graphs;
    const feeds: Record<string, ort.Tensor> = { ...forward.kept };
    feeds[g.backward.seedInputs.get(g.logits) as string] = new ort.Tensor('float32', dLogits, g.logitsDims);
    feeds[g.backward.seedInputs.get(g.bottleneck) as string] = new ort.Tensor('float32', dZ, g.bottleneckDims);
    const out = await this.backwardSession.run(feeds);
    return [...g.backward.gradOutputs.values()].map((name) => out[name].data as Float32Array);
  }

  async release(): Promise<void> {
    await this.forwardSession.release();
    await this.backwardSession.release();
  }
}

function engineModel(source: Model, graph: Model['graph'], opsetImports: Model['opsetImports']): Model {
  return { ...source, irVersion: Math.max(source.irVersion, 8), opsetImports, producerName: 'bise-vscode', producerVersion: '0.1.0', graph, metadata: {} };
}
