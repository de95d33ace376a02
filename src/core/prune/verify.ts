/**
 * Checks a pruned model against the gated model it should equal: the source with one gate vector per
 * dependency group (gates = masks as 0/1 floats), both run in onnxruntime on the same input batch.
 */
import * as ort from 'onnxruntime-node';
import { Model } from '../onnx/ir';
import { serializeModel } from '../onnx/writer';
import { GateInput, buildGatedForward, gateInputsFor } from '../graphs/gated-forward';
import { SessionConfig, createSession } from '../runtime/session';
import { Discovery } from '../units/discover';
import { KeepMask, PruneOptions, keptIndices, pruneModel } from './prune';
import { InputData, InputValues, checkInputData } from '../graphs/model-inputs';

/** One batch for a model with one float data input (an image model). */
export interface InputBatch {
  readonly dims: readonly number[];
  readonly data: ArrayLike<number>;
}

/** One batch for a model with several data inputs (token ids, attention masks), each of its element type. */
export interface NamedInputBatch {
  readonly inputs: readonly NamedInput[];
}

export type NamedInput = InputValues;

export type ModelBatch = InputBatch | NamedInputBatch;

export interface VerifyResult {
  /** max |logits_gated − logits_pruned| over the batch. */
  readonly maxAbsDiff: number;
  readonly gatedLogits: Float32Array;
  readonly prunedLogits: Float32Array;
}

function isNamed(input: ModelBatch): input is NamedInputBatch {
  return 'inputs' in input;
}

function onlyInput(model: Model): string {
  const inputs = model.graph.inputs;
  if (inputs.length !== 1) throw new Error(`the model has ${inputs.length} data inputs (${inputs.map((v) => v.name).join(', ')}); give a value for each by name`);
  return inputs[0].name;
}

/** The feeds of a model's data inputs for `input`. */
export function batchFeeds(model: Model, input: ModelBatch): Record<string, ort.Tensor> {
  if (!isNamed(input)) return { [onlyInput(model)]: new ort.Tensor('float32', Float32Array.from(input.data), [...input.dims]) };
  const given = new Map(input.inputs.map((v) => [v.name, v]));
  return Object.fromEntries(
    model.graph.inputs.map((v) => {
      const fed = given.get(v.name);
      if (!fed) throw new Error(`no value for graph input '${v.name}'`);
      return [v.name, new ort.Tensor(fed.dtype, checkInputData(fed, fed.data), [...fed.dims])];
    }),
  );
}

/** The batch size of `input` (axis 0). */
export function batchRows(input: ModelBatch): number {
  return isNamed(input) ? input.inputs[0].dims[0] : input.dims[0];
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`the outputs have ${a.length} and ${b.length} elements`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Runs a model once on `input` and returns the output `output` (default: the first graph output). */
export async function runModel(model: Model, input: ModelBatch, output?: string, config: SessionConfig = {}): Promise<Float32Array> {
  const { session } = await createSession(serializeModel(model), config);
  try {
    const out = await session.run(batchFeeds(model, input));
    return out[output ?? model.graph.outputs[0].name].data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Holds one session of the gated source model, to check several masks / pruned models against it. */
export class PruneVerifier {
  private constructor(
    private readonly source: Model,
    private readonly discovery: Discovery,
    private readonly gates: readonly GateInput[],
    private readonly gatedLogitsName: string,
    private readonly session: ort.InferenceSession,
    private readonly config: SessionConfig,
  ) {}

  static async create(source: Model, discovery: Discovery, config: SessionConfig = {}): Promise<PruneVerifier> {
    const gates = gateInputsFor(discovery, 'group');
    const gated = buildGatedForward(source.graph, discovery, gates);
    const { session } = await createSession(serializeModel({ ...source, graph: gated.graph }), config);
    return new PruneVerifier(source, discovery, gates, gated.logits, session, config);
  }

  /** Logits of the source with gate vector k = mask k (1 keeps a unit, 0 removes it). */
  async gatedLogits(masks: readonly KeepMask[], input: ModelBatch): Promise<Float32Array> {
    const kept = keptIndices(this.discovery, masks);
    const feeds = batchFeeds(this.source, input);
    this.gates.forEach((g) => {
      const values = new Float32Array(g.channels);
      for (const i of kept[g.group]) values[i] = 1;
      feeds[g.name] = new ort.Tensor('float32', values, [...g.dims]);
    });
    const out = await this.session.run(feeds);
    return out[this.gatedLogitsName].data as Float32Array;
  }

  /** Compares `pruned` (pruned from the source with `masks`) with the gated source on `input`. */
  async compare(pruned: Model, masks: readonly KeepMask[], input: ModelBatch): Promise<VerifyResult> {
    const gatedLogits = await this.gatedLogits(masks, input);
    const prunedLogits = await runModel(pruned, input, this.discovery.logits, this.config);
    return { maxAbsDiff: maxAbsDifference(gatedLogits, prunedLogits), gatedLogits, prunedLogits };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export interface VerifyOptions extends PruneOptions {
  /** The pruned model to check (default: pruneModel(source, discovery, masks)). */
  readonly pruned?: Model;
  readonly session?: SessionConfig;
}

/**
 * `input` at another batch size (its first rows, or its one row twice), so that a pruned model that baked the
 * batch size into a reshape is caught: the source keeps its dynamic batch, so must the export.
 */
export function otherBatch(input: InputBatch): InputBatch;
export function otherBatch(input: ModelBatch): ModelBatch;
export function otherBatch(input: ModelBatch): ModelBatch {
  if (isNamed(input)) {
    return { inputs: input.inputs.map((v) => ({ ...v, ...otherRows(v.dims, v.data) })) };
  }
  return otherRows(input.dims, Float32Array.from(input.data));
}

function otherRows<T extends InputData>(dims: readonly number[], data: T): { dims: number[]; data: T } {
  const [rows, ...sample] = dims;
  const size = sample.reduce((a, b) => a * b, 1);
  if (rows > 1) return { dims: [rows - 1, ...sample], data: data.subarray(0, (rows - 1) * size) as T };
  const twice = new (data.constructor as new (n: number) => T)(2 * size);
  twice.set(data.subarray(0, size) as never);
  twice.set(data.subarray(0, size) as never, size);
  return { dims: [2, ...sample], data: twice };
}

/**
 * max |logits_gated − logits_pruned| on `input`, with gates = masks, and, when the source's batch is dynamic, again
 * on `input` at another batch size (otherBatch): the larger of the two. The logits returned are those of `input`.
 */
export async function verifyPruning(
  source: Model,
  discovery: Discovery,
  masks: readonly KeepMask[],
  input: ModelBatch,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const pruned = options.pruned ?? pruneModel(source, discovery, masks, options).model;
  const verifier = await PruneVerifier.create(source, discovery, options.session);
  try {
    const main = await verifier.compare(pruned, masks, input);
    // A source whose batch is fixed in the file runs at that batch only.
    if (typeof source.graph.inputs[0]?.shape?.[0] === 'number') return main;
    const other = otherBatch(input);
    let second: VerifyResult;
    try {
      second = await verifier.compare(pruned, masks, other);
    } catch (e) {
      throw new Error(`the pruned model does not run at batch size ${batchRows(other)} (the source model does): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    return { ...main, maxAbsDiff: Math.max(main.maxAbsDiff, second.maxAbsDiff) };
  } finally {
    await verifier.release();
  }
}
