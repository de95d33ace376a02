/**
 * Text for `bise train` and `bise finetune`: the tokenizer a run reads its texts with and writes next to the model
 * it trains (as tokenizer.json, where `bise extract` and `bise eval` look for it), and the data fitted to the model.
 * A fresh model of a text architecture on the built-in `spam-names` gets the benchmark's own tokenizer (made from
 * its training split); a model given with --model keeps the tokenizer it came with.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Model } from '../onnx/ir';
import { TextDataset } from '../data/text/text-dataset';
import { TokenDataset } from '../data/text/token-feeds';
import { spamNamesTexts, spamNamesTokenizerJson, tokenizeSpamNames } from '../data/text/spam-names';
import { loadTextTokenizer } from '../data/text/text-tokenizer';
import { LoadedData, TextDataSpec, textDataName } from './builtin-datasets';
import { defaultTokenizer, loadTextData } from './text-data';
import { modelSignature } from './model-signature';
import { fitTokensToModel } from './token-data-fits-model';

/** The files of a Hugging Face tokenizer that travel with a model (tokenizer.json first; the others when present). */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'] as const;

export interface TextTraining {
  /** The texts, tokenised (not yet fitted to a model). */
  readonly data: LoadedData<TextDataset>;
  /** Entries of the tokenizer's vocabulary (the embedding rows a fresh model needs). */
  readonly vocabulary: number;
  /** Each tokenizer file's name and contents, to be written next to the trained model. */
  readonly files: readonly { readonly name: string; readonly bytes: Uint8Array }[];
}

/**
 * Reads and tokenises the text. `modelPath`: the model a run continues from (its tokenizer is used unless the spec
 * names one); undefined for a fresh model, which only the built-in benchmark can give a tokenizer to.
 */
export function textTraining(spec: TextDataSpec, modelPath: string | undefined): TextTraining {
  const given = spec.kind === 'token-npy-folder' ? undefined : spec.tokenizer;
  if (modelPath === undefined && given === undefined) {
    if (spec.kind !== 'spam-names') throw new Error(`a fresh text model needs a tokenizer: train it on --dataset spam-names (which makes its own), or continue from a model with --model (its tokenizer.json beside it)`);
    const texts = spamNamesTexts({ rho: spec.rho, seed: spec.seed, trainSize: spec.trainSize, valSize: spec.valSize, testSize: spec.testSize });
    const json = JSON.stringify(spamNamesTokenizerJson(texts), null, 1) + '\n';
    // Loaded from a file, by the code that loads a user's tokenizer.json.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-tokenizer-'));
    try {
      const file = path.join(dir, 'tokenizer.json');
      fs.writeFileSync(file, json);
      const tokenizer = loadTextTokenizer(file);
      const splits = tokenizeSpamNames(texts, tokenizer, spec.maxLength);
      const data = { ...splits, name: `spam-names ρ=${spec.rho}`, description: `${texts.description}; tokenised by its own WordPiece tokenizer (tokenizer.json next to the model)`, biasAttributes: ['first name gender'] };
      return { data, vocabulary: vocabularySize(JSON.parse(json)), files: [{ name: 'tokenizer.json', bytes: Buffer.from(json, 'utf8') }] };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const source = modelPath ?? '';
  const tokenizerFile = given ?? defaultTokenizer(source);
  const data = loadTextData({ ...spec, ...(spec.kind !== 'token-npy-folder' && { tokenizer: tokenizerFile }) } as TextDataSpec, source);
  const folder = fs.existsSync(tokenizerFile) && fs.statSync(tokenizerFile).isDirectory() ? tokenizerFile : path.dirname(tokenizerFile);
  const files = spec.kind === 'token-npy-folder' ? [] : TOKENIZER_FILES.filter((name) => fs.existsSync(path.join(folder, name))).map((name) => ({ name, bytes: fs.readFileSync(path.join(folder, name)) }));
  const json = files.find((f) => f.name === 'tokenizer.json');
  return { data, vocabulary: json ? vocabularySize(JSON.parse(Buffer.from(json.bytes).toString('utf8'))) : 0, files };
}

/** The data fitted to the model's inputs (input_ids, attention_mask, … by name); refuses data the model cannot take. */
export function fitTextTraining(model: Model, training: TextTraining, modelLabel: string, spec: TextDataSpec): LoadedData<TokenDataset> {
  const signature = modelSignature(model, modelLabel);
  if (!signature.inputs.some((v) => v.dtype !== 'float32')) throw new Error(`'${textDataName(spec)}' is text, but ${modelLabel} takes images: train --architecture bert-mini on it, or give a text model with --model`);
  return fitTokensToModel(model, signature, training.data, modelLabel);
}

/**
 * Refuses to replace tokenizer files next to `out` that differ from the run's, unless `overwrite`: another model in
 * that folder may need them. Checked before training.
 */
export function checkTokenizerTarget(out: string, files: TextTraining['files'], overwrite: boolean): void {
  for (const { name, bytes } of files) {
    const target = path.join(path.dirname(path.resolve(out)), name);
    if (!overwrite && fs.existsSync(target) && !fs.readFileSync(target).equals(Buffer.from(bytes))) {
      throw new Error(`'${target}' exists and differs from the tokenizer this model is trained with; pass --overwrite to replace it, or choose an --out in another folder`);
    }
  }
}

/** One more than the largest id of the vocabulary and the added tokens. */
function vocabularySize(json: { model?: { vocab?: Record<string, number> }; added_tokens?: { id: number }[] }): number {
  const ids = [...Object.values(json.model?.vocab ?? {}), ...(json.added_tokens ?? []).map((t) => t.id)];
  return ids.reduce((a, b) => Math.max(a, b), -1) + 1;
}
