/** Flag groups several commands share, and their conversion into core options. */
import type { FlagSpec } from '../infra/flag-spec';
import { BuiltinDatasetSpec } from '../../core/jobs/builtin-datasets';
import type { CsvColumnMapping } from '../../core/data/csv-columns';
import { ExecutionProvider } from '../../core/runtime/session';
import * as path from 'node:path';
import { UsageError } from '../infra/usage-error';
import { isAttributeData } from '../../core/data/attributes/attribute-files';
import { TextFlagValues, isTextData, refuseTextFlags, textDataSpec } from './text-flags';

export const DATA_FLAGS = [
  {
    name: 'dataset',
    type: 'enum',
    choices: ['biased-mnist', 'multi-color-mnist', 'corrupted-fashion-mnist', 'spam-names'],
    default: 'biased-mnist',
    help: "built-in dataset: the MNIST ones from the 10,000 bundled digits, corrupted-fashion-mnist (32×32, corruption = bias) from Debian's dataset-fashion-mnist, spam-names (text: SpamAssassin spam/ham with a first name whose gender agrees with the label at --rho; test unbiased; for text models, tokenised by the tokenizer.json next to the model)",
  },
  { name: 'data', type: 'path', help: 'your own data instead: a folder of x_/y_/b_<split>.npy files, or a CSV of images with columns path,label,bias[,…][,split] (other names: --path-column, --target-column, --bias-column), or a folder of images with an attribute file joined by file name (CelebA: img_align_celeba/, list_attr_celeba.txt and optional list_eval_partition.txt; or one sub-folder per class) or that attribute file, with --target-column and --bias-column naming attributes; for a model that takes token ids (extract, eval): a CSV or JSON Lines file of texts, or a folder of input_ids.npy, attention_mask.npy and labels.csv' },
  { name: 'image-size', type: 'integer', min: 1, help: 'with a CSV or an attribute folder: resize images to this square size (default: the first image’s)' },
  { name: 'grayscale', type: 'boolean', help: 'with a CSV or an attribute folder: read images as one grey channel' },
  { name: 'path-column', type: 'string', help: 'with a CSV: the column holding the image paths (default: path)' },
  { name: 'target-column', type: 'string', help: 'with a CSV: the column holding the target class (default: label); with an attribute file: the target attribute, e.g. Blond_Hair (default with class folders: the class folder)' },
  { name: 'bias-column', type: 'string', help: 'with a CSV: the bias attribute column(s), comma-separated (default: every column named bias…); with an attribute file: the bias attribute(s), e.g. Male' },
  { name: 'normalize-mean', type: 'string', help: "your data: per-channel mean after scaling to [0, 1], e.g. 0.485,0.456,0.406 (default: the model's metadata 'bise.normalize', else 0.5)" },
  { name: 'normalize-std', type: 'string', help: 'your data: per-channel std, e.g. 0.229,0.224,0.225 (default as for the mean)' },
  { name: 'stream', type: 'boolean', help: 'your data: read images from disk batch by batch (decoded in worker threads, cached) instead of all into memory; the default streams only data too large for memory' },
  { name: 'cache-mb', type: 'integer', min: 0, help: 'with streamed data: memory for the cache of decoded images, in MiB (default: a quarter of free memory, at most 1024)' },
  { name: 'mnist-images', type: 'path', help: 'MNIST-format IDX images (e.g. the full 60k MNIST, or Fashion-MNIST) instead of the bundled digits; needs --mnist-labels' },
  { name: 'mnist-labels', type: 'path', help: 'the IDX labels file that goes with --mnist-images' },
  { name: 'rho', type: 'number', default: 0.99, min: 0, max: 1, help: 'BiasedMNIST and Corrupted Fashion-MNIST: bias alignment of the training set (validation and test use 0.1)' },
  { name: 'rho-left', type: 'number', default: 0.99, min: 0, max: 1, help: 'Multi-Color MNIST: alignment of the left background colour' },
  { name: 'rho-right', type: 'number', default: 0.95, min: 0, max: 1, help: 'Multi-Color MNIST: alignment of the right background colour' },
  { name: 'data-seed', type: 'integer', default: 0, help: 'seed of the train/validation/test split and of the colouring' },
  { name: 'train-size', type: 'integer', default: 7000, min: 100, help: 'training samples' },
  { name: 'val-size', type: 'integer', default: 1000, min: 10, help: 'unbiased validation samples (model selection, probe training)' },
  { name: 'test-size', type: 'integer', default: 2000, min: 10, help: 'unbiased test samples' },
] as const satisfies readonly FlagSpec[];

/** Which units a transformer's gates go on (units/discover.ts): the MLP neurons as the authors gate BERT, attention heads, or both. */
export const UNITS_FLAG = {
  name: 'units',
  type: 'enum',
  choices: ['mlp', 'heads', 'both'],
  default: 'mlp',
  help: "units to gate: 'mlp' = neurons and channels (a transformer's MLP neurons, as the authors gate BERT), 'heads' = attention heads (one gate per head), 'both'",
} as const satisfies FlagSpec;

export const RUNTIME_FLAGS = [
  { name: 'provider', type: 'enum', choices: ['cpu', 'cuda', 'webgpu'], default: 'cpu', help: 'onnxruntime execution provider (falls back to cpu with a message when unavailable)' },
  { name: 'threads', type: 'integer', min: 1, help: 'intra-op threads (default: one per core)' },
] as const satisfies readonly FlagSpec[];

/** `extract`, `train`, `finetune`: the memory budget of the mask step or the training step (runtime/memory-budget.ts). */
export const MEMORY_FLAG = {
  name: 'memory-mb',
  type: 'integer',
  min: 1,
  help: "memory a step (extract: the mask step; train, finetune: the training step) may take, in MiB (default: half of the free memory): under a tight budget the engine computes fewer convs in the frequency domain and turns onnxruntime's memory arena off (slower, same results), and says in the log which it chose",
} as const satisfies FlagSpec;

/** The data flags; the text ones (text-flags.ts) only on the commands that take text. */
export interface DataFlagValues extends TextFlagValues {
  readonly dataset: 'biased-mnist' | 'multi-color-mnist' | 'corrupted-fashion-mnist' | 'spam-names';
  readonly data?: string;
  readonly imageSize?: number;
  readonly grayscale: boolean;
  readonly pathColumn?: string;
  readonly targetColumn?: string;
  readonly biasColumn?: string;
  readonly mnistImages?: string;
  readonly normalizeMean?: string;
  readonly normalizeStd?: string;
  readonly stream: boolean;
  readonly cacheMb?: number;
  readonly mnistLabels?: string;
  readonly rho: number;
  readonly rhoLeft: number;
  readonly rhoRight: number;
  readonly dataSeed: number;
  readonly trainSize: number;
  readonly valSize: number;
  readonly testSize: number;
}

export function dataSpec(f: DataFlagValues): BuiltinDatasetSpec {
  if (f.data) {
    const columns = csvColumnFlags(f);
    if (isTextData(f.data, f)) return textDataSpec(f.data, f.dataSeed, f, columns);
    const normalize = normalisationFlags(f);
    const streaming = { ...(f.stream ? { stream: true } : {}), ...(f.cacheMb !== undefined ? { cacheMb: f.cacheMb } : {}) };
    const image = { seed: f.dataSeed, size: f.imageSize, channels: f.grayscale ? (1 as const) : (3 as const), normalize, ...(columns ? { columns } : {}), ...streaming };
    if (isAttributeData(f.data)) return { kind: 'image-attributes', location: f.data, ...image };
    if (f.data.toLowerCase().endsWith('.csv')) return { kind: 'image-csv', file: f.data, ...image };
    if (columns) throw new UsageError(`--path-column, --target-column and --bias-column apply to a CSV or an attribute file (list_attr_celeba.txt, or its folder) given with --data; '${f.data}' is not a .csv file, nor an attribute file or a folder holding one`);
    return { kind: 'npy-folder', dir: f.data, seed: f.dataSeed, normalize, ...streaming };
  }
  if (f.stream || f.cacheMb !== undefined) throw new UsageError('--stream and --cache-mb apply to your own data given with --data; the built-in datasets are made in memory');
  if (csvColumnFlags(f)) throw new UsageError('--path-column, --target-column and --bias-column apply to a CSV given with --data');
  if (f.normalizeMean || f.normalizeStd) throw new UsageError('--normalize-mean/--normalize-std apply to --data; the built-in datasets are normalised with mean = std = 0.5');
  if (f.dataset === 'spam-names') return spamNamesSpec(f);
  refuseTextFlags(f);
  if (!!f.mnistImages !== !!f.mnistLabels) throw new UsageError('--mnist-images and --mnist-labels go together');
  const idx = f.mnistImages && f.mnistLabels ? { images: f.mnistImages, labels: f.mnistLabels } : undefined;
  const available = f.dataset === 'corrupted-fashion-mnist' ? { count: 60000, what: "Fashion-MNIST's 60,000 training images" } : { count: 10000, what: 'the 10,000 bundled digits' };
  if (!idx && f.trainSize + f.valSize + f.testSize > available.count) {
    throw new UsageError(`--train-size + --val-size + --test-size is ${f.trainSize + f.valSize + f.testSize}, more than ${available.what} (use --mnist-images/--mnist-labels for more)`);
  }
  const sizes = { trainSize: f.trainSize, valSize: f.valSize, testSize: f.testSize };
  switch (f.dataset) {
    case 'biased-mnist':
      return { kind: 'biased-mnist', rho: f.rho, seed: f.dataSeed, ...sizes, idx };
    case 'multi-color-mnist':
      return { kind: 'multi-color-mnist', rhoLeft: f.rhoLeft, rhoRight: f.rhoRight, seed: f.dataSeed, ...sizes, idx };
    case 'corrupted-fashion-mnist':
      return { kind: 'corrupted-fashion-mnist', rho: f.rho, seed: f.dataSeed, ...sizes, idx };
  }
}

/**
 * The built-in text benchmark: --rho for train and validation, --val-size and --test-size as given, --train-size as
 * an upper bound (the corpus has 6,046 emails: the default 7000 takes all the rest); --tokenizer and --max-length
 * where the command has them.
 */
function spamNamesSpec(f: DataFlagValues): BuiltinDatasetSpec {
  if (f.mnistImages || f.mnistLabels) throw new UsageError('--mnist-images and --mnist-labels apply to the MNIST datasets, not spam-names');
  if (f.textColumn !== undefined) throw new UsageError('--text-column applies to a file of texts given with --data; spam-names is built in');
  return {
    kind: 'spam-names',
    rho: f.rho,
    seed: f.dataSeed,
    trainSize: f.trainSize,
    valSize: f.valSize,
    testSize: f.testSize,
    ...(f.tokenizer !== undefined && { tokenizer: path.resolve(f.tokenizer) }),
    ...(f.maxLength !== undefined && { maxLength: f.maxLength }),
  };
}

/** The CSV column mapping of --path-column, --target-column and --bias-column, or undefined when none is given. */
export function csvColumnFlags(f: Pick<DataFlagValues, 'pathColumn' | 'targetColumn' | 'biasColumn'>): CsvColumnMapping | undefined {
  const name = (flag: string, value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    if (value.trim() === '') throw new UsageError(`--${flag} expects a column name of the CSV's header, got an empty one`);
    return value.trim();
  };
  const path = name('path-column', f.pathColumn);
  const target = name('target-column', f.targetColumn);
  let bias: string[] | undefined;
  if (f.biasColumn !== undefined) {
    bias = f.biasColumn.split(',').map((c) => c.trim());
    if (bias.some((c) => c === '')) throw new UsageError(`--bias-column expects column names separated by commas, e.g. colour or colour,texture; got '${f.biasColumn}'`);
  }
  if (path === undefined && target === undefined && bias === undefined) return undefined;
  return { ...(path !== undefined ? { path } : {}), ...(target !== undefined ? { target } : {}), ...(bias !== undefined ? { bias } : {}) };
}

function numberList(flag: string, text: string): number[] {
  const values = text.split(',').map((t) => Number(t.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new UsageError(`--${flag} expects numbers separated by commas, e.g. 0.5 or 0.485,0.456,0.406; got '${text}'`);
  return values;
}

function normalisationFlags(f: DataFlagValues): { mean: number[]; std: number[] } | undefined {
  if (!f.normalizeMean && !f.normalizeStd) return undefined;
  if (!f.normalizeMean || !f.normalizeStd) throw new UsageError('--normalize-mean and --normalize-std go together');
  return { mean: numberList('normalize-mean', f.normalizeMean), std: numberList('normalize-std', f.normalizeStd) };
}

export function runtimeOptions(f: { readonly provider: ExecutionProvider; readonly threads?: number }): { provider: ExecutionProvider; threads?: number } {
  return { provider: f.provider, threads: f.threads };
}

export function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
