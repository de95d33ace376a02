/**
 * The tokenizers the form offers a text model: tokenizer.json next to the model (id '', what `bise extract` reads
 * without --tokenizer), then any the user picked in the host's file dialog or a saved choice named (id: the absolute
 * path). The webview names one by id and the host accepts only ids it offered, so a page never points a run at a
 * file of its choosing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenizerOption } from '../protocol/webview-messages';

/**
 * Where the engine looks without --tokenizer (core/jobs/text-data.ts defaultTokenizer; not imported, which would
 * bundle the text readers into the extension host).
 */
export function tokenizerBesideModel(modelPath: string): string {
  return path.join(path.dirname(path.resolve(modelPath)), 'tokenizer.json');
}

/** The id of the tokenizer next to the model. */
export const MODEL_TOKENIZER = '';

/** A tokenizer.json, or a folder holding one (as --tokenizer takes it). */
function tokenizerFound(p: string): boolean {
  try {
    const s = fs.statSync(p);
    return s.isFile() || (s.isDirectory() && fs.statSync(path.join(p, 'tokenizer.json')).isFile());
  } catch {
    return false;
  }
}

/** The options for `modelPath`: the one next to it first, then `picked` (absolute paths, duplicates dropped). */
export function tokenizerOptions(modelPath: string, picked: readonly string[] = []): TokenizerOption[] {
  const beside = tokenizerBesideModel(modelPath);
  const extra = [...new Set(picked.map((p) => path.resolve(p)))].filter((p) => p !== beside);
  return [
    { id: MODEL_TOKENIZER, label: 'tokenizer.json next to the model', detail: beside, found: tokenizerFound(beside) },
    ...extra.map((p) => ({ id: p, label: `${path.basename(path.dirname(p))}/${path.basename(p)}`, detail: p, found: tokenizerFound(p) })),
  ];
}

/** The tokenizer a saved form names (a path the host itself wrote), to offer again; none for the default. */
export function savedTokenizer(form: { readonly tokenizer?: string }): string[] {
  return form.tokenizer && path.isAbsolute(form.tokenizer) ? [form.tokenizer] : [];
}
