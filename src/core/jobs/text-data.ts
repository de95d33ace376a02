/**
 * User data for a token model (BERT-style: input_ids, attention_mask, token_type_ids): the model decides how --data
 * is read. For such a model a CSV is a table of texts (not of image paths) and a folder holds pre-tokenised .npy
 * arrays; texts are tokenised by the model's tokenizer.json (by default the one next to the model).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTextFile } from '../data/text/text-file';
import { readTokenNpyFolder, tokenNpyFiles } from '../data/text/token-npy-folder';
import { TextDataset } from '../data/text/text-dataset';
import { OnnxModelError } from '../onnx/errors';
import { BuiltinDatasetSpec, LoadedData, TextDataSpec, loadSpamNames } from './builtin-datasets';

/** The tokenizer a model's texts are read with unless the user names one. */
export function defaultTokenizer(modelPath: string): string {
  return path.join(path.dirname(path.resolve(modelPath)), 'tokenizer.json');
}

/**
 * The spec as text for a token model: a text spec as given; an image CSV's file as a text CSV (its target and bias
 * columns kept); a .npy folder as pre-tokenised ids, or a JSON Lines file given where a folder was expected (the
 * CLI takes any other path for a folder). Built-in image datasets and image-only options are refused.
 */
export function textSpecForModel(spec: BuiltinDatasetSpec, modelPath: string): TextDataSpec {
  const refuse = (why: string): never => {
    throw new OnnxModelError(modelPath, `takes token ids (a text model), ${why}`);
  };
  switch (spec.kind) {
    case 'text-file':
    case 'token-npy-folder':
    case 'spam-names':
      return spec;
    case 'image-csv': {
      const imageOnly = [spec.size !== undefined && 'an image size', spec.channels === 1 && 'grayscale', spec.normalize && 'normalisation', spec.stream && 'streaming', spec.cacheMb !== undefined && 'an image cache'].filter(Boolean);
      if (imageOnly.length > 0) refuse(`but image options were given for '${spec.file}': ${imageOnly.join(', ')}`);
      if (spec.columns?.path !== undefined) refuse(`so '${spec.file}' is read as texts: name its text column with --text-column, not --path-column`);
      const { target, bias } = spec.columns ?? {};
      const columns = { ...(target !== undefined && { target }), ...(bias !== undefined && { bias }) };
      return { kind: 'text-file', file: spec.file, seed: spec.seed, ...(Object.keys(columns).length > 0 && { columns }) };
    }
    case 'npy-folder': {
      if (spec.normalize || spec.stream || spec.cacheMb !== undefined) refuse(`but image options (normalisation, streaming) were given for '${spec.dir}'`);
      const isFile = fs.existsSync(spec.dir) && fs.statSync(spec.dir).isFile();
      if (isFile) return { kind: 'text-file', file: spec.dir, seed: spec.seed };
      if (!fs.existsSync(tokenNpyFiles(spec.dir).inputIds)) refuse(`but the folder '${spec.dir}' has no input_ids.npy: give a CSV or JSON Lines file of texts, or a folder of pre-tokenised input_ids.npy, attention_mask.npy and labels.csv`);
      return { kind: 'token-npy-folder', dir: spec.dir, seed: spec.seed };
    }
    case 'image-attributes':
      return refuse(`but '${spec.location}' is a folder of images with an attribute file: give your texts with --data (a CSV or JSON Lines file, or a folder of pre-tokenised .npy arrays)`);
    default:
      return refuse(`but the data is the built-in image dataset ${spec.kind}: give your texts with --data (a CSV or JSON Lines file, or a folder of pre-tokenised .npy arrays)`);
  }
}

/** Reads and tokenises the text data into train/val/test (every split padded to the file's longest text, capped). */
export function loadTextData(spec: TextDataSpec, modelPath: string): LoadedData<TextDataset> {
  if (spec.kind === 'token-npy-folder') {
    const s = readTokenNpyFolder(spec.dir, { seed: spec.seed, maxLength: spec.maxLength, ...(spec.columns && { columns: spec.columns }) });
    return { ...s, name: path.basename(path.resolve(spec.dir)), description: `pre-tokenised NumPy folder ${spec.dir}`, biasAttributes: biasNames(s.train) };
  }
  const tokenizer = spec.tokenizer ?? defaultTokenizer(modelPath);
  if (spec.kind === 'spam-names') return loadSpamNames(spec, tokenizer);
  const s = readTextFile(spec.file, { seed: spec.seed, tokenizer, maxLength: spec.maxLength, ...(spec.columns && { columns: spec.columns }) });
  return { ...s, name: path.basename(spec.file), description: `texts in ${spec.file}, tokenised by ${tokenizer}`, biasAttributes: biasNames(s.train) };
}

/** The bias columns' names, as the dataset's meta records them. */
function biasNames(train: TextDataset): string[] {
  const names = train.meta.biasNames;
  return train.biases.map((_, k) => (Array.isArray(names) && typeof names[k] === 'string' ? (names[k] as string) : `bias ${k}`));
}
