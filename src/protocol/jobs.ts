/**
 * What a run is (the job the host asks the worker for) and what it produced (the result the worker reports),
 * with their validators. Shared by host, worker and webview; type-only imports from the core, so the webview
 * bundle stays free of Node code.
 */
import type { ExtractConfig } from '../core/bise/config';
import {
  DecodeError,
  Decoder,
  array,
  boolean,
  count,
  finiteNumber,
  literal,
  nonNegativeNumber,
  nullable,
  object,
  oneOf,
  optional,
  positiveInteger,
  positiveNumber,
  primitive,
  string,
  tagged,
  unitInterval,
} from './decoders';

/**
 * onnxruntime execution providers. Spelled out here rather than imported from src/core/runtime/session.ts,
 * which loads onnxruntime-node: the webview bundle must stay free of Node modules. src/worker/job-options.ts
 * checks at compile time that both lists agree.
 */
export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';
export const PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'webgpu'];

/** Built-in datasets (generated from the bundled MNIST digits) and the user's own, found in the workspace. */
export type DatasetChoice =
  | { readonly kind: 'biased-mnist'; readonly rho: number; readonly seed: number; readonly trainSize: number; readonly valSize: number; readonly testSize: number }
  | {
      readonly kind: 'multi-color-mnist';
      readonly rhoLeft: number;
      readonly rhoRight: number;
      readonly seed: number;
      readonly trainSize: number;
      readonly valSize: number;
      readonly testSize: number;
    }
  /** Debian's Fashion-MNIST at 32×32 with class-correlated corruptions (src/core/data/corrupted-fashion-mnist.ts). */
  | { readonly kind: 'corrupted-fashion-mnist'; readonly rho: number; readonly seed: number; readonly trainSize: number; readonly valSize: number; readonly testSize: number }
  /** A folder of x_train.npy, y_train.npy, b_train.npy, … (absolute path). */
  | { readonly kind: 'npy-folder'; readonly folder: string }
  /**
   * A CSV of images (absolute path), paths relative to its folder; `columns` says which column is the image path,
   * the target and the bias (without it: the columns named path, label and bias…).
   */
  | { readonly kind: 'image-csv'; readonly csv: string; readonly columns?: CsvColumnChoice }
  /**
   * Images with an attribute file joined by file name (CelebA's list_attr_celeba.txt, absolute path; the images in
   * its folder's img_align_celeba/ or one sub-folder per class); `columns` names the target and bias attributes
   * (`path` is the file-name column).
   */
  | { readonly kind: 'image-attributes'; readonly attributes: string; readonly columns?: CsvColumnChoice }
  /**
   * Texts for a model that takes token ids: a CSV or JSON Lines file (absolute path) tokenised by `tokenizer` (a
   * tokenizer.json; absent: the one next to the model), cut at `maxLength` tokens (absent: tokenizer_config.json's
   * model_max_length); `columns` says which column is the text, the target and the bias (absent: text, label, bias…).
   */
  | { readonly kind: 'text-file'; readonly file: string; readonly columns?: TextColumnChoice; readonly tokenizer?: string; readonly maxLength?: number }
  /** Pre-tokenised texts: a folder of input_ids.npy, attention_mask.npy and labels.csv (or y.npy, b.npy), absolute path. */
  | { readonly kind: 'token-npy-folder'; readonly folder: string; readonly maxLength?: number };

/** Which columns of a text dataset hold the text, the target class and the bias attribute(s) (header names or JSON keys). */
export interface TextColumnChoice {
  readonly text: string;
  readonly target: string;
  /** At least one. */
  readonly bias: readonly string[];
}

/**
 * Which units BISE gates (`bise extract --units`): MLP neurons and conv channels, attention heads, or both. Spelled
 * out as PROVIDERS is (the webview bundle stays free of the core's graph code); src/worker/job-options.ts checks
 * at compile time that it is the core's UnitKind.
 */
export type UnitChoice = 'mlp' | 'heads' | 'both';
export const UNIT_CHOICES: readonly UnitChoice[] = ['mlp', 'heads', 'both'];

/**
 * Where the training bias labels come from: the dataset's ('given'), or — no bias labels needed — the predicted
 * class of an identification model (a fresh copy of the architecture trained for one epoch), as `bise extract --bias-from`.
 */
export type BiasSource = 'given' | 'identify';
export const BIAS_SOURCES: readonly BiasSource[] = ['given', 'identify'];

/** Which CSV columns hold the image path, the target class and the bias attribute(s) (header names). */
export interface CsvColumnChoice {
  readonly path: string;
  readonly target: string;
  /** At least one. */
  readonly bias: readonly string[];
}

export interface ExtractJobSpec {
  readonly kind: 'extract';
  readonly modelPath: string;
  readonly data: DatasetChoice;
  readonly config: ExtractConfig;
  /** The report folder to write (absolute). */
  readonly outDir: string;
  readonly overwrite: boolean;
  readonly bottleneck?: string;
  readonly provider: ExecutionProvider;
  readonly threads?: number;
  /** MiB the mask step may take (absent: the engine's default, half of the free memory), as `bise extract --memory-mb`. */
  readonly memoryMb?: number;
  readonly randomSeeds: number;
  readonly probe: boolean;
  readonly probeEpochs: number;
  /** Where the training bias labels come from (absent: 'given', as in specs written before the field existed). */
  readonly biasFrom?: BiasSource;
  /** Fraction in [0, 1) of training bias labels flipped to another value, a robustness check (absent: 0). */
  readonly biasNoise?: number;
  /** Which units get gates (absent: 'mlp', as in specs written before the field existed). */
  readonly units?: UnitChoice;
}

/** The bundled demo model and BiasedMNIST with the short demo schedule (src/core/jobs/demo-setting.ts). */
export interface DemoJobSpec {
  readonly kind: 'demo';
  readonly outDir: string;
  readonly seed: number;
  readonly provider: ExecutionProvider;
  readonly threads?: number;
  readonly memoryMb?: number;
}

/** `bise audit`: accuracy per group, Fairlearn's fairness metrics and the bias probe of a model; no mask learning. */
export interface AuditJobSpec {
  readonly kind: 'audit';
  readonly modelPath: string;
  readonly data: DatasetChoice;
  /** The report folder to write (absolute). */
  readonly outDir: string;
  readonly bottleneck?: string;
  readonly provider: ExecutionProvider;
  readonly threads?: number;
  readonly probe: boolean;
  readonly probeEpochs: number;
  readonly seed: number;
}

export type JobSpec = ExtractJobSpec | DemoJobSpec | AuditJobSpec;

/** Headline figures of a finished run (the full report is in the folder). Accuracies are fractions. */
export interface RunSummary {
  readonly vanillaUnbiasedAccuracy: number;
  readonly subnetworkUnbiasedAccuracy: number;
  readonly unitsBefore: number;
  readonly unitsAfter: number;
  readonly paramsBefore: number;
  readonly paramsAfter: number;
  readonly flopsBefore: number;
  readonly flopsAfter: number;
  readonly seconds: number;
}

export interface RunResult {
  /** The report folder (absolute). */
  readonly folder: string;
  /** Its report.json (absolute). */
  readonly reportPath: string;
  readonly files: readonly string[];
  readonly summary: RunSummary;
}

/** Headline figures of a finished audit (the full report is in the folder). Differences are Fairlearn's, worst over attributes and classes. */
export interface AuditSummary {
  readonly unbiasedAccuracy: number;
  readonly worstGroupAccuracy: number;
  readonly demographicParityDifference: number;
  readonly equalizedOddsDifference: number;
  /** Linear probe on the bottleneck, and its chance level; null without the probe. */
  readonly probeAccuracy: number | null;
  readonly probeChance: number | null;
  readonly seconds: number;
}

export interface AuditRunResult {
  readonly folder: string;
  readonly reportPath: string;
  readonly files: readonly string[];
  readonly summary: AuditSummary;
}

const provider = oneOf<ExecutionProvider>(...PROVIDERS);

/** A fraction of the training bias labels to flip: 1 would flip every one of them, so it stops short of 1. */
export const biasNoiseFraction: Decoder<number> = primitive('a number in [0, 1)', (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1);

const sizes = { seed: finiteNumber, trainSize: positiveInteger, valSize: positiveInteger, testSize: positiveInteger };

export const csvColumnChoiceDecoder: Decoder<CsvColumnChoice> = object<CsvColumnChoice>({ path: string, target: string, bias: array(string) }, (v, path) => {
  if (v.bias.length === 0) throw new DecodeError(path, 'bias: expected at least one bias column');
});

export const textColumnChoiceDecoder: Decoder<TextColumnChoice> = object<TextColumnChoice>({ text: string, target: string, bias: array(string) }, (v, path) => {
  if (v.bias.length === 0) throw new DecodeError(path, 'bias: expected at least one bias column');
});

/** Whether every column `choice` names is one of `columns` (compared trimmed, case-insensitively), with a bias column. */
export function choiceFitsHeader<C extends CsvColumnChoice | TextColumnChoice>(choice: C | undefined, columns: readonly string[]): choice is C {
  if (!choice || choice.bias.length === 0) return false;
  const names = new Set(columns.map((c) => c.trim().toLowerCase()));
  const sample = 'path' in choice ? choice.path : choice.text;
  return [sample, choice.target, ...choice.bias].every((c) => names.has(c.trim().toLowerCase()));
}

/** Datasets are tagged by `kind`. */
export const datasetDecoder: Decoder<DatasetChoice> = tagged<DatasetChoice, 'kind'>('dataset', 'kind', {
  'biased-mnist': object({ kind: literal('biased-mnist'), rho: unitInterval, ...sizes }),
  'multi-color-mnist': object({ kind: literal('multi-color-mnist'), rhoLeft: unitInterval, rhoRight: unitInterval, ...sizes }),
  'corrupted-fashion-mnist': object({ kind: literal('corrupted-fashion-mnist'), rho: unitInterval, ...sizes }),
  'npy-folder': object({ kind: literal('npy-folder'), folder: string }),
  'image-csv': object({ kind: literal('image-csv'), csv: string, columns: optional(csvColumnChoiceDecoder) }),
  'image-attributes': object({ kind: literal('image-attributes'), attributes: string, columns: optional(csvColumnChoiceDecoder) }),
  'text-file': object({ kind: literal('text-file'), file: string, columns: optional(textColumnChoiceDecoder), tokenizer: optional(string), maxLength: optional(positiveInteger) }),
  'token-npy-folder': object({ kind: literal('token-npy-folder'), folder: string, maxLength: optional(positiveInteger) }),
});

export const extractConfigDecoder: Decoder<ExtractConfig> = object<ExtractConfig>({
  seed: finiteNumber,
  batchSize: positiveInteger,
  maskLr: positiveNumber,
  maskMomentum: nonNegativeNumber,
  maskWeightDecay: nonNegativeNumber,
  maskInit: finiteNumber,
  auxLr: positiveNumber,
  auxMomentum: nonNegativeNumber,
  auxWeightDecay: nonNegativeNumber,
  auxEpochs: count,
  alpha: nonNegativeNumber,
  gamma: nonNegativeNumber,
  tauInitial: positiveNumber,
  tauFactor: unitInterval,
  tauPeriod: positiveInteger,
  tauMin: positiveNumber,
  maxEpochs: positiveInteger,
  miSamples: oneOf('conflicting', 'all'),
  reweighting: oneOf('group', 'none'),
  selection: oneOf('best-val-unbiased', 'last'),
  respecializeFraction: nonNegativeNumber,
  onCollapse: oneOf('restart', 'stop', 'continue'),
  earlyStop: boolean,
});

export const jobSpecDecoder: Decoder<JobSpec> = tagged<JobSpec, 'kind'>('job', 'kind', {
  extract: object<ExtractJobSpec>({
    kind: literal('extract'),
    modelPath: string,
    data: datasetDecoder,
    config: extractConfigDecoder,
    outDir: string,
    overwrite: boolean,
    bottleneck: optional(string),
    provider,
    threads: optional(positiveInteger),
    memoryMb: optional(positiveInteger),
    randomSeeds: count,
    probe: boolean,
    probeEpochs: positiveInteger,
    biasFrom: optional(oneOf<BiasSource>(...BIAS_SOURCES)),
    biasNoise: optional(biasNoiseFraction),
    units: optional(oneOf<UnitChoice>(...UNIT_CHOICES)),
  }),
  demo: object<DemoJobSpec>({ kind: literal('demo'), outDir: string, seed: finiteNumber, provider, threads: optional(positiveInteger), memoryMb: optional(positiveInteger) }),
  audit: object<AuditJobSpec>({
    kind: literal('audit'),
    modelPath: string,
    data: datasetDecoder,
    outDir: string,
    bottleneck: optional(string),
    provider,
    threads: optional(positiveInteger),
    probe: boolean,
    probeEpochs: positiveInteger,
    seed: finiteNumber,
  }),
});

export const runSummaryDecoder: Decoder<RunSummary> = object<RunSummary>({
  vanillaUnbiasedAccuracy: unitInterval,
  subnetworkUnbiasedAccuracy: unitInterval,
  unitsBefore: count,
  unitsAfter: count,
  paramsBefore: count,
  paramsAfter: count,
  flopsBefore: count,
  flopsAfter: count,
  seconds: nonNegativeNumber,
});

export const auditRunResultDecoder: Decoder<AuditRunResult> = object<AuditRunResult>({
  folder: string,
  reportPath: string,
  files: array(string),
  summary: object<AuditSummary>({
    unbiasedAccuracy: unitInterval,
    worstGroupAccuracy: unitInterval,
    demographicParityDifference: unitInterval,
    equalizedOddsDifference: unitInterval,
    probeAccuracy: nullable(unitInterval),
    probeChance: nullable(unitInterval),
    seconds: nonNegativeNumber,
  }),
});

export const runResultDecoder: Decoder<RunResult> = object<RunResult>({ folder: string, reportPath: string, files: array(string), summary: runSummaryDecoder });

/** A short human name of the data of a job ("BiasedMNIST ρ=0.99", "npy folder data/cmnist"). */
export function describeDataset(d: DatasetChoice): string {
  switch (d.kind) {
    case 'biased-mnist':
      return `BiasedMNIST ρ=${d.rho}`;
    case 'multi-color-mnist':
      return `Multi-Color MNIST ρL=${d.rhoLeft} ρR=${d.rhoRight}`;
    case 'corrupted-fashion-mnist':
      return `Corrupted Fashion-MNIST ρ=${d.rho}`;
    case 'npy-folder':
      return `.npy folder ${d.folder}`;
    case 'image-csv':
      return `images listed in ${d.csv}${d.columns ? ` (image ${d.columns.path}, target ${d.columns.target}, bias ${d.columns.bias.join(', ')})` : ''}`;
    case 'image-attributes':
      return `images with the attributes of ${d.attributes}${d.columns ? ` (target ${d.columns.target}, bias ${d.columns.bias.join(', ')})` : ''}`;
    case 'text-file':
      return `texts in ${d.file}${d.columns ? ` (text ${d.columns.text}, target ${d.columns.target}, bias ${d.columns.bias.join(', ')})` : ''}`;
    case 'token-npy-folder':
      return `token ids in ${d.folder}`;
  }
}
