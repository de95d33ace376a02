/**
 * `bise train`: train a model's weights (a fresh built-in architecture or an existing ONNX file) on a built-in
 * dataset, then write the trained model atomically (never over its source) with its training record in the
 * ONNX metadata and a sidecar JSON history.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Model } from '../onnx/ir';
import { readModelFile } from '../onnx/reader';
import { serializeModel, writeFileAtomic } from '../onnx/writer';
import { DEMO_CNN, SIMPLE_CONVNET, buildSmallCnn } from '../models/small-cnn';
import { MLP_3X100, buildMlp } from '../models/mlp';
import { RESNET18_32, buildResNet18 } from '../models/resnet18';
import { BERT_MINI, buildBertMini } from '../models/bert-mini';
import { TrainConfig, trainWeights } from '../bise/train';
import { predictDataset } from '../bise/predict';
import { AccuracyBreakdown } from '../metrics/group-accuracy';
import { multiBiasBreakdown } from '../metrics/breakdown';
import { ExecutionProvider } from '../runtime/session';
import { MIB, defaultMemoryBudgetBytes } from '../runtime/memory-budget';
import { AnyDataset } from '../data/dataset';
import { BuiltinDatasetSpec, LoadedData, isTextSpec, loadBuiltinDataset } from './builtin-datasets';
import { TextTraining, checkTokenizerTarget, fitTextTraining, textTraining } from './train-text-data';
import { JobContext } from './job-context';

/** The built-in architectures `bise train` builds from scratch, with a given seed. */
export const ARCHITECTURES = {
  'demo-cnn': (seed: number): Model => buildSmallCnn({ ...DEMO_CNN, seed }),
  'simple-convnet': (seed: number): Model => buildSmallCnn({ ...SIMPLE_CONVNET, seed }),
  'mlp-3x100': (seed: number): Model => buildMlp({ ...MLP_3X100, seed }),
  resnet18: (seed: number): Model => buildResNet18({ ...RESNET18_32, seed }),
} as const;
/** The built-in text architectures, sized by the tokenizer's vocabulary. */
export const TEXT_ARCHITECTURES = {
  'bert-mini': (seed: number, vocabulary: number): Model => buildBertMini({ ...BERT_MINI, vocabulary, seed }),
} as const;
export type Architecture = keyof typeof ARCHITECTURES | keyof typeof TEXT_ARCHITECTURES;

export interface TrainJobOptions {
  /** Start from this ONNX model; otherwise build `architecture` with fresh weights. */
  readonly modelPath?: string;
  readonly architecture: Architecture;
  readonly data: BuiltinDatasetSpec;
  readonly config: TrainConfig;
  readonly out: string;
  readonly overwrite: boolean;
  readonly provider?: ExecutionProvider;
  readonly threads?: number;
  /** MiB the training step may take (default: half of the free memory, as extract's); the engine picks its configuration by it (runtime/memory-budget.ts). */
  readonly memoryMb?: number;
  /** The command line that produced the model, recorded in its metadata. */
  readonly commandLine?: string;
}

export interface TrainJobResult {
  readonly out: string;
  /** Attribute 0's aligned/conflicting in the top-level fields; every attribute's in `perBias` (names in `biasAttributes`). */
  readonly test: AccuracyBreakdown;
  readonly biasAttributes: string[];
  readonly msPerStep: number;
  readonly seconds: number;
}

export async function runTrainJob(o: TrainJobOptions, ctx: JobContext): Promise<TrainJobResult> {
  const started = performance.now();
  const target = path.resolve(o.out);
  if (o.modelPath && path.resolve(o.modelPath) === target) throw new Error(`refusing to write the trained model over its source '${o.modelPath}'; choose another --out`);
  if (fs.existsSync(target) && !o.overwrite) throw new Error(`'${o.out}' already exists; pass --overwrite to replace it`);
  const text = isTextSpec(o.data) ? textTraining(o.data, o.modelPath) : undefined;
  if (text) checkTokenizerTarget(target, text.files, o.overwrite);
  const source: Model = o.modelPath ? readModelFile(o.modelPath) : buildArchitecture(o.architecture, o.config.seed, text);
  const data: LoadedData<AnyDataset> = text && isTextSpec(o.data) ? fitTextTraining(source, text, o.modelPath ?? `the fresh ${o.architecture}`, o.data) : loadBuiltinDataset(o.data);
  const session = { provider: o.provider, threads: o.threads, onNote: (m: string) => ctx.onEvent({ type: 'log', level: 'warn', message: m }) };
  // The budget is for the training step's sessions; the test predictions below run one inference session.
  const budgeted = {
    ...session,
    memoryBudgetBytes: o.memoryMb !== undefined ? o.memoryMb * MIB : defaultMemoryBudgetBytes(),
    onMemoryChoice: (m: string) => ctx.onEvent({ type: 'log', level: 'info', message: m }),
  };
  const result = await trainWeights({ model: source, train: data.train, val: data.val, config: o.config, session: budgeted, onEvent: ctx.onEvent, signal: ctx.signal });
  const { predictions } = await predictDataset(result.model, data.test, session);
  const test = multiBiasBreakdown(predictions, data.test.y, data.test.biases, data.test.numClasses, data.test.biasClasses);
  // Several attributes: each one's numbers and the joint cells too; one attribute: the record as before.
  const several = data.biasAttributes.length > 1 && { biasAttributes: [...data.biasAttributes], perBias: test.perBias, alignmentCells: test.alignmentCells };
  const record = {
    command: o.commandLine ?? '',
    data: data.description,
    config: o.config,
    test: { unbiasedAccuracy: test.unbiasedAccuracy, alignedAccuracy: test.alignedAccuracy, conflictingAccuracy: test.conflictingAccuracy, ...several },
  };
  const model: Model = { ...result.model, metadata: { ...result.model.metadata, 'bise.training': JSON.stringify(record) } };
  const protect = o.modelPath ? [o.modelPath] : [];
  writeFileAtomic(target, serializeModel(model), protect);
  writeFileAtomic(`${target}.train.json`, JSON.stringify({ ...record, history: result.history, msPerStep: result.msPerStep }, null, 1) + '\n', protect);
  // The tokenizer goes next to the model, where extract and eval look for it.
  for (const { name, bytes } of text?.files ?? []) writeFileAtomic(path.join(path.dirname(target), name), bytes, protect);
  return { out: target, test, biasAttributes: [...data.biasAttributes], msPerStep: result.msPerStep, seconds: (performance.now() - started) / 1000 };
}

/** A fresh built-in network: an image one, or a text one sized by the run's tokenizer. */
function buildArchitecture(architecture: Architecture, seed: number, text: TextTraining | undefined): Model {
  if (architecture in TEXT_ARCHITECTURES) {
    if (!text) throw new Error(`${architecture} takes token ids: train it on text (--dataset spam-names)`);
    return TEXT_ARCHITECTURES[architecture as keyof typeof TEXT_ARCHITECTURES](seed, text.vocabulary);
  }
  if (text) throw new Error(`the data is text; ${architecture} takes images: train --architecture bert-mini on it`);
  return ARCHITECTURES[architecture as keyof typeof ARCHITECTURES](seed);
}
