/**
 * Forward-only sessions over datasets. When some convolutions are worth computing another way (graphs/conv-lowering:
 * as one matrix product on small maps, or in the frequency domain; cpu only), the graph is fixed to one batch
 * size so they can be lowered, and a short
 * last batch is padded with zeros and its outputs cut back; otherwise the model's own (symbolic) batch size is
 * kept and any batch runs as is.
 */
import * as ort from 'onnxruntime-node';
import { Graph, Model } from '../onnx/ir';
import { foldShapes } from '../onnx/shape-folding/fold-shapes';
import { serializeModel } from '../onnx/writer';
import { withContribOpset } from '../graphs/frequency-conv';
import { lowerConvs } from '../graphs/conv-lowering';
import { SessionConfig, createSession, lowersConvs } from './session';

export class InferenceSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** The data input's name, and the batch size the graph is fixed to (undefined: any). */
    private readonly input: string,
    readonly fixedBatch: number | undefined,
  ) {}

  /** `graph` must have one data input whose first dimension is the batch; other inputs keep their shapes. */
  static async create(model: Model, graph: Graph, batchSize: number, config: SessionConfig = {}): Promise<InferenceSession> {
    const input = graph.inputs[0];
    const lowered = lowersConvs(config) ? fixedBatchLowering(graph, batchSize) : undefined;
    const run = lowered ?? graph;
    const opsetImports = lowered ? withContribOpset(model.opsetImports) : model.opsetImports;
    const { session } = await createSession(serializeModel({ ...model, graph: run, opsetImports, irVersion: Math.max(model.irVersion, 8) }), config);
    return new InferenceSession(session, input.name, lowered ? batchSize : undefined);
  }

  /** Runs `rows` samples (`x` holds rows × sample size values); every output's first dimension is the batch. */
  async run(x: Float32Array, sampleDims: readonly number[], rows: number, other: Readonly<Record<string, ort.Tensor>> = {}): Promise<Record<string, ort.Tensor>> {
    const batch = this.fixedBatch ?? rows;
    if (rows > batch) throw new Error(`inference batch of ${rows} samples exceeds the session's fixed batch of ${batch}`);
    const sampleSize = sampleDims.reduce((a, b) => a * b, 1);
    const data = rows === batch ? x : padded(x, batch * sampleSize);
    const out = await this.session.run({ ...other, [this.input]: new ort.Tensor('float32', data, [batch, ...sampleDims]) });
    if (rows === batch) return out;
    return Object.fromEntries(
      Object.entries(out).map(([name, t]) => {
        const perRow = t.dims.slice(1).reduce((a, b) => a * b, 1);
        return [name, new ort.Tensor('float32', (t.data as Float32Array).subarray(0, rows * perRow), [rows, ...t.dims.slice(1)])];
      }),
    );
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function padded(x: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(x);
  return out;
}

/** The graph at a fixed batch size with qualifying convs lowered, or undefined when none qualifies. */
function fixedBatchLowering(graph: Graph, batchSize: number): Graph | undefined {
  const [input, ...rest] = graph.inputs;
  const sample = input.shape?.slice(1);
  if (!sample || sample.some((d) => typeof d !== 'number')) return undefined;
  const fixedInput = { ...input, shape: [batchSize, ...(sample as number[])] };
  const known = new Map<string, readonly number[]>([[input.name, fixedInput.shape]]);
  for (const v of rest) {
    if (!v.shape || v.shape.some((d) => typeof d !== 'number')) return undefined;
    known.set(v.name, v.shape as number[]);
  }
  let folded;
  try {
    // Fixed to one batch size, the model's shape arithmetic becomes constants.
    folded = foldShapes({ ...graph, inputs: [fixedInput, ...rest], valueInfo: new Map() }, known);
  } catch {
    return undefined; // an op the engine's shape inference does not know: run the model as it is
  }
  const result = lowerConvs(folded.graph, folded.shapes);
  if (result.dense.length + result.frequency.length === 0) return undefined;
  const outputs = result.graph.outputs.map((o) => ({ ...o, shape: null }));
  return { ...result.graph, outputs };
}
