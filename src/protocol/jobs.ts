/**
 * What a run is (the job the host asks the worker for) and what it produced (the result the worker reports),
 * with their validators. Shared by host, worker and webview; type-only imports from the core, so the webview
 * bundle stays free of Node code.
 */
import type { ExtractConfig } from '../core/bise/config';
import {
  Decoder,
  array,
  boolean,
  count,
  finiteNumber,
  literal,
  nonNegativeNumber,
  object,
  oneOf,
  optional,
  positiveInteger,
  positiveNumber,
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
  /** A folder of x_train.npy, y_train.npy, b_train.npy, … (absolute path). */
  | { readonly kind: 'npy-folder'; readonly folder: string }
  /** A CSV with path,label,bias columns; image paths relative to the CSV's folder (absolute path). */
  | { readonly kind: 'image-csv'; readonly csv: string };

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
  readonly randomSeeds: number;
  readonly probe: boolean;
  readonly probeEpochs: number;
}

/** The bundled demo model and BiasedMNIST with the short demo schedule (src/core/jobs/demo-setting.ts). */
export interface DemoJobSpec {
  readonly kind: 'demo';
  readonly outDir: string;
  readonly seed: number;
  readonly provider: ExecutionProvider;
  readonly threads?: number;
}

export type JobSpec = ExtractJobSpec | DemoJobSpec;

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

const provider = oneOf<ExecutionProvider>(...PROVIDERS);

const sizes = { seed: finiteNumber, trainSize: positiveInteger, valSize: positiveInteger, testSize: positiveInteger };

/** Datasets are tagged by `kind`. */
export const datasetDecoder: Decoder<DatasetChoice> = tagged<DatasetChoice, 'kind'>('dataset', 'kind', {
  'biased-mnist': object({ kind: literal('biased-mnist'), rho: unitInterval, ...sizes }),
  'multi-color-mnist': object({ kind: literal('multi-color-mnist'), rhoLeft: unitInterval, rhoRight: unitInterval, ...sizes }),
  'npy-folder': object({ kind: literal('npy-folder'), folder: string }),
  'image-csv': object({ kind: literal('image-csv'), csv: string }),
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
    randomSeeds: count,
    probe: boolean,
    probeEpochs: positiveInteger,
  }),
  demo: object<DemoJobSpec>({ kind: literal('demo'), outDir: string, seed: finiteNumber, provider, threads: optional(positiveInteger) }),
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

export const runResultDecoder: Decoder<RunResult> = object<RunResult>({ folder: string, reportPath: string, files: array(string), summary: runSummaryDecoder });

/** A short human name of the data of a job ("BiasedMNIST ρ=0.99", "npy folder data/cmnist"). */
export function describeDataset(d: DatasetChoice): string {
  switch (d.kind) {
    case 'biased-mnist':
      return `BiasedMNIST ρ=${d.rho}`;
    case 'multi-color-mnist':
      return `Multi-Color MNIST ρL=${d.rhoLeft} ρR=${d.rhoRight}`;
    case 'npy-folder':
      return `.npy folder ${d.folder}`;
    case 'image-csv':
      return `images listed in ${d.csv}`;
  }
}
