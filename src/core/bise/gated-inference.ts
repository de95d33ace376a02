/**
 * Forward-only runs of the gated model over whole datasets, in batches (runtime/inference-session.ts: large
 * convs in the frequency domain when worth it): predictions, bottleneck features and, on request, pooled
 * activations of every gate site (for the per-layer probe).
 */
import * as ort from 'onnxruntime-node';
import { Model, defaultOpset } from '../onnx/ir';
import { sitePooling } from '../graphs/site-pooling';
import { Discovery } from '../units/discover';
import { GateInput, buildGatedForward, gatedName } from '../graphs/gated-forward';
import { AnyDataset, batchIndices, sampleDims } from '../data/dataset';
import { isTokenBatch, readBatches } from '../data/streaming/read-batches';
import { SessionConfig } from '../runtime/session';
import { InferenceSession } from '../runtime/inference-session';
import { argmaxRows } from './cross-entropy';
import { throwIfCancelled } from './events';

export interface DatasetPass {
  readonly predictions: Int32Array;
  readonly logits: Float32Array;
  /** [N, D] bottleneck features. */
  readonly z: Float32Array;
  readonly zDim: number;
  /** Per gate site tensor: [N, C] spatially averaged gated activations (only when asked for). */
  readonly pooledSites: ReadonlyMap<string, Float32Array>;
}

export interface PassOptions {
  readonly onBatch?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export class GatedInference {
  private constructor(
    private readonly session: InferenceSession,
    private readonly gates: readonly GateInput[],
    private readonly batchSize: number,
    private readonly logitsName: string,
    private readonly zName: string,
    private readonly siteTensors: readonly string[],
  ) {}

  static async create(model: Model, discovery: Discovery, gates: readonly GateInput[], options: { pooledSites?: boolean; batchSize?: number; attentionMask?: string } & SessionConfig = {}): Promise<GatedInference> {
    const pooledSites = options.pooledSites ? discovery.sites : [];
    const sites = pooledSites.map((s) => s.tensor);
    const gated = buildGatedForward(model.graph, discovery, gates);
    // Pool each gated site inside the graph so only [N, C] travels back (over real tokens only in a token model).
    const pooled = sites.map((t) => `${t}::pooled`);
    const pools = pooledSites.map((s, i) => sitePooling(s, gatedName(s.tensor), pooled[i], defaultOpset(model), options.attentionMask));
    const graph = {
      ...gated.graph,
      nodes: [...gated.graph.nodes, ...pools.flatMap((p) => p.nodes)],
      initializers: new Map([...gated.graph.initializers, ...pools.flatMap((p) => [...p.initializers])]),
      outputs: [...gated.graph.outputs, ...pooled.map((name) => ({ name, dtype: 'float32' as const, shape: null }))],
    };
    const batchSize = options.batchSize ?? 200;
    const session = await InferenceSession.create(model, graph, batchSize, options);
    return new GatedInference(session, gates, batchSize, gated.logits, gated.bottleneck, sites);
  }

  /**
   * `pass.onBatch` hears of each batch done (a pass over a large streamed set takes minutes); `pass.signal` stops the
   * pass between batches.
   */
  async run(dataset: AnyDataset, gateValues: readonly Float32Array[], pass: PassOptions = {}): Promise<DatasetPass> {
    const n = dataset.y.length;
    const batches = batchIndices(n, { batchSize: this.batchSize });
    let k = 0;
    let zDim = 0;
    let logits = new Float32Array(0);
    let z = new Float32Array(0);
    const pooled = new Map<string, Float32Array>();
    let row = 0;
    for await (const [b, batch] of readBatches(dataset, batches)) {
      throwIfCancelled(pass.signal);
      const { indices } = batch;
      const feeds: Record<string, ort.Tensor> = {};
      this.gates.forEach((g, i) => (feeds[g.name] = new ort.Tensor('float32', gateValues[i], g.dims)));
      const out = isTokenBatch(batch) ? await this.session.runInputs(batch.inputs, feeds) : await this.session.run(batch.x, sampleDims(dataset), indices.length, feeds);
      const l = out[this.logitsName];
      const zb = out[this.zName];
      if (row === 0) {
        k = l.dims[1];
        zDim = zb.dims.slice(1).reduce((a, b) => a * b, 1);
        logits = new Float32Array(n * k);
        z = new Float32Array(n * zDim);
        for (const t of this.siteTensors) pooled.set(t, new Float32Array(n * (out[`${t}::pooled`].dims[1] as number)));
      }
      logits.set(l.data as Float32Array, row * k);
      z.set(zb.data as Float32Array, row * zDim);
      for (const t of this.siteTensors) {
        const p = out[`${t}::pooled`];
        (pooled.get(t) as Float32Array).set(p.data as Float32Array, row * (p.dims[1] as number));
      }
      row += indices.length;
      pass.onBatch?.(b + 1, batches.length);
    }
    return { predictions: argmaxRows(logits, n, k), logits, z, zDim, pooledSites: pooled };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
