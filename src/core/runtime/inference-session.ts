/**
 * Forward-only sessions over datasets. When some convolutions are worth computing another way (graphs/conv-lowering:
 * as one matrix product on small maps, or in the frequency domain; cpu only), the graph is fixed to one batch
 * size so they can be lowered, and a short
 * last batch is padded with zeros and its outputs cut back; otherwise the model's own (symbolic) batch size is
 * kept and any batch runs as is. run() feeds an image model's one float input; runInputs() feeds every data input
 * by name (token ids, attention masks: each of its element type, any sequence length the model accepts).
 */
import * as ort from 'onnxruntime-node';
import { Graph, Model, ValueInfo } from '../onnx/ir';
import { foldShapes } from '../onnx/shape-folding/fold-shapes';
import { serializeModel } from '../onnx/writer';
import { withContribOpset } from '../graphs/frequency-conv';
import { lowerConvs } from '../graphs/conv-lowering';
import { SessionConfig, createSession, lowersConvs } from './session';
import { InputData, InputValues, checkInputData } from '../graphs/model-inputs';

export class InferenceSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** The graph's inputs (run() feeds the first; the caller gives the others), and the batch size the graph is fixed to (undefined: any). */
    private readonly inputs: readonly ValueInfo[],
    readonly fixedBatch: number | undefined,
  ) {}

  /** Every data input's first dimension is the batch; `run()` needs `graph` to have one data input, `runInputs()` any. */
  static async create(model: Model, graph: Graph, batchSize: number, config: SessionConfig = {}): Promise<InferenceSession> {
    const lowered = lowersConvs(config) ? fixedBatchLowering(graph, batchSize) : undefined;
    const run = lowered ?? graph;
    const opsetImports = lowered ? withContribOpset(model.opsetImports) : model.opsetImports;
    const { session } = await createSession(serializeModel({ ...model, graph: run, opsetImports, irVersion: Math.max(model.irVersion, 8) }), config);
    return new InferenceSession(session, graph.inputs, lowered ? batchSize : undefined);
  }

  /** Runs `rows` samples (`x` holds rows × sample size values); every output's first dimension is the batch. */
  async run(x: Float32Array, sampleDims: readonly number[], rows: number, other: Readonly<Record<string, ort.Tensor>> = {}): Promise<Record<string, ort.Tensor>> {
    const first = this.inputs[0];
    if (first.dtype !== 'float32') throw new Error(`graph input '${first.name}' is ${first.dtype}; feed the model's inputs by name with runInputs()`);
    const input: InputValues = { name: first.name, dtype: 'float32', dims: [rows, ...sampleDims], data: x.length === rows * size(sampleDims) ? x : x.subarray(0, rows * size(sampleDims)) };
    return this.runInputs([input], other);
  }

  /**
   * Runs one batch given as every data input by name (axis 0 of each is the batch, the same for all); every
   * output's first dimension is the batch.
   */
  async runInputs(inputs: readonly InputValues[], other: Readonly<Record<string, ort.Tensor>> = {}): Promise<Record<string, ort.Tensor>> {
    const rows = inputs[0]?.dims[0];
    if (rows === undefined) throw new Error('inference: no data input given');
    const odd = inputs.find((v) => v.dims[0] !== rows);
    if (odd) throw new Error(`inference: input '${odd.name}' has ${odd.dims[0]} rows, '${inputs[0].name}' ${rows}; every data input takes the same batch`);
    const batch = this.fixedBatch ?? rows;
    if (rows > batch) throw new Error(`inference batch of ${rows} samples exceeds the session's fixed batch of ${batch}`);
    const feeds: Record<string, ort.Tensor> = { ...other };
    for (const v of inputs) {
      const data = checkInputData(v, v.data);
      const sample = v.dims.slice(1);
      feeds[v.name] = new ort.Tensor(v.dtype, rows === batch ? data : padded(data, batch * size(sample)), [batch, ...sample]);
    }
    const missing = this.inputs.find((v) => !feeds[v.name]);
    if (missing) throw new Error(`inference: no value for graph input '${missing.name}'`);
    const out = await this.session.run(feeds);
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

function size(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** `x` followed by zeros up to `length` values (a short last batch in a session fixed to one batch size). */
function padded<T extends InputData>(x: T, length: number): T {
  const out = new (x.constructor as new (n: number) => T)(length);
  out.set(x as never);
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
