/**
 * Text data for a token model (`extract` and `eval`): --tokenizer, --text-column and --max-length, with --data
 * naming a CSV or JSON Lines file of texts or a folder of pre-tokenised .npy arrays; --target-column and
 * --bias-column map the label columns as for an image CSV.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FlagSpec } from '../infra/flag-spec';
import type { TextDataSpec } from '../../core/jobs/builtin-datasets';
import { tokenNpyFiles } from '../../core/data/text/token-npy-folder';
import { UsageError } from '../infra/usage-error';

export const TEXT_FLAGS = [
  { name: 'tokenizer', type: 'path', help: "with text data: the model's Hugging Face tokenizer.json, or its folder (default: tokenizer.json next to the model)" },
  { name: 'text-column', type: 'string', help: 'with a CSV or JSON Lines file of texts: the column holding the text (default: text)' },
  { name: 'max-length', type: 'integer', min: 1, help: "with text data: most tokens per text, special tokens included (default: tokenizer_config.json's model_max_length); texts are padded to the longest" },
] as const satisfies readonly FlagSpec[];

export interface TextFlagValues {
  readonly tokenizer?: string;
  readonly textColumn?: string;
  readonly maxLength?: number;
}

/** The flags that only images take, as the user typed them (to refuse them with text). */
export interface ImageOnlyFlags {
  readonly pathColumn?: string;
  readonly imageSize?: number;
  readonly grayscale: boolean;
  readonly normalizeMean?: string;
  readonly normalizeStd?: string;
  readonly stream: boolean;
  readonly cacheMb?: number;
}

/** Whether --data names text: a text flag was given, a JSON Lines file, or a folder holding input_ids.npy. */
export function isTextData(data: string, f: TextFlagValues): boolean {
  const lower = data.toLowerCase();
  const tokenFolder = fs.existsSync(tokenNpyFiles(data).inputIds);
  return f.tokenizer !== undefined || f.textColumn !== undefined || f.maxLength !== undefined || lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || tokenFolder;
}

/** The text spec of --data (a file of texts, or a pre-tokenised folder) and the label columns mapped. */
export function textDataSpec(data: string, seed: number, f: TextFlagValues & ImageOnlyFlags, labels: { target?: string; bias?: readonly string[] } | undefined): TextDataSpec {
  const imageOnly = [
    f.pathColumn !== undefined && '--path-column',
    f.imageSize !== undefined && '--image-size',
    f.grayscale && '--grayscale',
    (f.normalizeMean !== undefined || f.normalizeStd !== undefined) && '--normalize-mean/--normalize-std',
    f.stream && '--stream',
    f.cacheMb !== undefined && '--cache-mb',
  ].filter(Boolean);
  if (imageOnly.length > 0) throw new UsageError(`${imageOnly.join(', ')} apply to images; '${data}' is read as text (name its text column with --text-column)`);
  const columns = { ...(labels?.target !== undefined && { target: labels.target }), ...(labels?.bias !== undefined && { bias: labels.bias }) };
  const mapped = Object.keys(columns).length > 0;
  const maxLength = f.maxLength !== undefined ? { maxLength: f.maxLength } : {};
  if (fs.existsSync(data) && fs.statSync(data).isDirectory()) {
    if (f.tokenizer !== undefined || f.textColumn !== undefined) throw new UsageError(`--tokenizer and --text-column apply to a file of texts; '${data}' is a folder of token ids already (input_ids.npy …)`);
    return { kind: 'token-npy-folder', dir: data, seed, ...maxLength, ...(mapped && { columns }) };
  }
  const text = f.textColumn?.trim();
  if (text === '') throw new UsageError("--text-column expects a column name of the file's header, got an empty one");
  const withText = { ...columns, ...(text !== undefined && { text }) };
  return {
    kind: 'text-file',
    file: data,
    seed,
    ...(f.tokenizer !== undefined && { tokenizer: path.resolve(f.tokenizer) }),
    ...maxLength,
    ...(Object.keys(withText).length > 0 && { columns: withText }),
  };
}

/** Refuses text flags where there is no text (--data missing). */
export function refuseTextFlags(f: TextFlagValues): void {
  if (f.tokenizer !== undefined || f.textColumn !== undefined || f.maxLength !== undefined) {
    throw new UsageError('--tokenizer, --text-column and --max-length apply to text given with --data (a CSV or JSON Lines file of texts, or a folder of pre-tokenised .npy arrays)');
  }
}
