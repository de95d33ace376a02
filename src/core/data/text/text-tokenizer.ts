/**
 * A model's Hugging Face tokenizer (tokenizer.json, with tokenizer_config.json and special_tokens_map.json when
 * they sit beside it), run in pure JavaScript, and one text encoded as `tokenizer(text, truncation=True,
 * max_length=…)` encodes it: the text's tokens cut from the end until they and the special tokens fit, then the
 * special tokens added ([CLS] … [SEP], <s> … </s>), so the end token is always kept.
 *
 * The library is @huggingface/tokenizers (tokenizers.js): Hugging Face's own pure-JavaScript tokenizers, the
 * ones Transformers.js runs on. Chosen over Transformers.js itself (it pulls in onnxruntime-web and sharp for
 * this one part), @lenml/tokenizers (a third party's fork of the tokenizers of Transformers.js, 2.2 MB against
 * 0.4 MB) and `tokenizers` (the Rust library as a native addon: no native code may ride in the
 * .vsix beside onnxruntime's). It has no dependencies and no network or file access of its own, is bundled into
 * dist/ by esbuild, and reads tokenizer.json as is (WordPiece, BPE, Unigram; BERT, byte-level, Metaspace
 * pre-tokenisers). Its ids match the Rust library's on test/fixtures/text (scripts/make-text-fixtures.mjs). It
 * neither truncates nor pads; that is done here and in token-batch.ts.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { DatasetError } from '../errors';

export type PaddingSide = 'right' | 'left';

export interface TextTokenizer {
  /** The tokenizer.json it was read from. */
  readonly file: string;
  readonly tokenizer: Tokenizer;
  readonly padId: number;
  readonly padToken: string;
  /** Which file named the pad token, for the datasets' metadata. */
  readonly padSource: string;
  readonly padTypeId: number;
  readonly paddingSide: PaddingSide;
  /** Special tokens the post-processor adds to one text (2 for BERT and RoBERTa). */
  readonly specialTokens: number;
  /** tokenizer_config.json's model_max_length when it is a real limit (Hugging Face writes 1e30 for none). */
  readonly modelMaxLength: number | undefined;
}

export interface EncodedText {
  readonly ids: readonly number[];
  readonly typeIds: readonly number[];
  /** Whether tokens were cut to fit maxLength. */
  readonly truncated: boolean;
}

export interface TokenizerOptions {
  /** The pad token, when the tokenizer's files name none (or to override them). */
  readonly padToken?: string;
}

/** Largest model_max_length taken as a limit; transformers writes int(1e30) when a model sets none. */
const MAX_REAL_LENGTH = 1_000_000;

/** Loads the tokenizer from a tokenizer.json or from the folder that holds it. */
export function loadTextTokenizer(path: string, options: TokenizerOptions = {}): TextTokenizer {
  const given = resolve(path);
  const file = existsSync(given) && statSync(given).isDirectory() ? join(given, 'tokenizer.json') : given;
  const json = readJson(file, true, "the model's tokenizer.json (Hugging Face's format: save it with tokenizer.save_pretrained(folder))");
  const configFile = join(dirname(file), 'tokenizer_config.json');
  const config = readJson(configFile, false, 'tokenizer_config.json') ?? {};
  const mapFile = join(dirname(file), 'special_tokens_map.json');
  const specialMap = readJson(mapFile, false, 'special_tokens_map.json') ?? {};
  if (typeof json.model !== 'object' || json.model === null) throw new DatasetError(file, 'expected a "model" object (WordPiece, BPE or Unigram): is this a Hugging Face tokenizer.json?');
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer({ normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...json }, config);
  } catch (err) {
    throw new DatasetError(file, `could not build the tokenizer: ${(err as Error).message}`);
  }
  const padding = typeof json.padding === 'object' && json.padding !== null ? (json.padding as Record<string, unknown>) : {};
  // transformers' order: tokenizer_config.json, then special_tokens_map.json, then tokenizer.json's padding.
  const sources: [string, unknown][] = [
    ['options.padToken', options.padToken],
    [configFile, config.pad_token],
    [mapFile, specialMap.pad_token],
    [file, padding.pad_token],
  ];
  const found = sources.map(([source, value]) => ({ source, token: tokenContent(value) })).find((s) => s.token !== undefined);
  if (found === undefined || found.token === undefined) {
    throw new DatasetError(file, `no pad token: expected "pad_token" in ${configFile} or ${mapFile}, or "padding" in tokenizer.json (or give one, e.g. [PAD])`);
  }
  const padId = tokenizer.token_to_id(found.token);
  if (padId === undefined) throw new DatasetError(found.source, `the pad token ${JSON.stringify(found.token)} is not in the vocabulary of ${file}`);
  const side = config.padding_side ?? (typeof padding.direction === 'string' ? padding.direction.toLowerCase() : 'right');
  if (side !== 'right' && side !== 'left') throw new DatasetError(configFile, `padding_side: expected "right" or "left", got ${JSON.stringify(side)}`);
  const maxLength = typeof config.model_max_length === 'number' && config.model_max_length <= MAX_REAL_LENGTH ? config.model_max_length : undefined;
  return {
    file,
    tokenizer,
    padId,
    padToken: found.token,
    padSource: found.source,
    padTypeId: typeof padding.pad_type_id === 'number' ? padding.pad_type_id : 0,
    paddingSide: side,
    specialTokens: withSpecialTokens(tokenizer, []).tokens.length,
    modelMaxLength: maxLength,
  };
}

/**
 * The ids of one text, special tokens added, cut so that at most `maxLength` remain (undefined: no cap). `where`
 * names the text in errors (file and line).
 */
export function encodeText(tok: TextTokenizer, text: string, maxLength: number | undefined, where: { file: string; line: number }): EncodedText {
  let content: string[];
  try {
    content = tok.tokenizer.tokenize(text, { add_special_tokens: false });
  } catch (err) {
    throw new DatasetError(where.file, `could not tokenise the text with ${tok.file}: ${(err as Error).message}`, where.line);
  }
  const budget = maxLength === undefined ? content.length : maxLength - tok.specialTokens;
  if (budget < 0) throw new DatasetError(tok.file, `maxLength ${maxLength} leaves no room for the ${tok.specialTokens} special tokens the tokenizer adds to every text`);
  const { tokens, typeIds } = withSpecialTokens(tok.tokenizer, content.slice(0, budget));
  const ids = tokens.map((token) => {
    const id = tok.tokenizer.token_to_id(token);
    if (id === undefined) throw new DatasetError(where.file, `the tokenizer ${tok.file} produced the token ${JSON.stringify(token)}, which its vocabulary lacks`, where.line);
    return id;
  });
  return { ids, typeIds, truncated: budget < content.length };
}

/** The post-processor's output for one sequence: its special tokens added, and the segment id of each token. */
function withSpecialTokens(tokenizer: Tokenizer, tokens: string[]): { tokens: string[]; typeIds: number[] } {
  if (tokenizer.post_processor === null) return { tokens, typeIds: tokens.map(() => 0) };
  const out = tokenizer.post_processor.post_process(tokens, null, true);
  return { tokens: out.tokens, typeIds: out.token_type_ids ?? out.tokens.map(() => 0) };
}

/** A special token as the config files write it: a string or an AddedToken object {content: …}. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  return undefined;
}

type JsonObject = { readonly [key: string]: unknown };

function readJson(file: string, required: true, what: string): JsonObject;
function readJson(file: string, required: false, what: string): JsonObject | undefined;
function readJson(file: string, required: boolean, what: string): JsonObject | undefined {
  if (!existsSync(file)) {
    if (!required) return undefined;
    throw new DatasetError(file, `missing: expected ${what} here`);
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DatasetError(file, `expected ${what} as JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DatasetError(file, `expected ${what}: a JSON object`);
  return value as JsonObject;
}
