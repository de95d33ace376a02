/**
 * The form choice saved next to the model as `<model>.bise.json` (model.onnx → model.bise.json), so a run can
 * be repeated and reviewed in the repository. A file that does not parse is reported and ignored, never fatal.
 * Fields added to the form later are optional in the file (a choice saved before them takes their defaults).
 */
import * as path from 'node:path';
import { Decoder, literal, object } from '../protocol/decoders';
import { loadJsonFile, saveJsonFile } from './json-choice-file';
import { FormValues, formValuesDecoder } from '../protocol/webview-messages';
import { BIAS_LABEL_DEFAULTS } from './form';

export const SAVED_CHOICE_SCHEMA = 'bise-form';
export const SAVED_CHOICE_VERSION = 1;

export interface SavedChoice {
  readonly schema: typeof SAVED_CHOICE_SCHEMA;
  readonly version: typeof SAVED_CHOICE_VERSION;
  readonly form: FormValues;
}

/** Form fields that version 1 files written before them lack, with the values such a file takes. */
const ADDED_FIELDS: Partial<FormValues> = { ...BIAS_LABEL_DEFAULTS };

/** The form as saved: the fields added since are filled in when absent; everything else is checked as sent by the panel. */
const savedFormDecoder: Decoder<FormValues> = {
  expects: formValuesDecoder.expects,
  decode(value, at) {
    const filled = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...ADDED_FIELDS, ...value } : value;
    return formValuesDecoder.decode(filled, at);
  },
};

const savedChoiceDecoder: Decoder<SavedChoice> = object<SavedChoice>({ schema: literal(SAVED_CHOICE_SCHEMA), version: literal(SAVED_CHOICE_VERSION), form: savedFormDecoder });

export function savedChoicePath(modelPath: string): string {
  const p = path.parse(path.resolve(modelPath));
  return path.join(p.dir, `${p.name}.bise.json`);
}

export type LoadedChoice = { kind: 'none' } | { kind: 'loaded'; file: string; form: FormValues } | { kind: 'invalid'; file: string; problem: string };

export function loadSavedChoice(modelPath: string): LoadedChoice {
  const r = loadJsonFile(savedChoicePath(modelPath), savedChoiceDecoder);
  return r.kind === 'loaded' ? { kind: 'loaded', file: r.file, form: r.value.form } : r;
}

/** Writes `<model>.bise.json` (via a temporary file and a rename, so a crash never leaves half a file). */
export function saveChoice(modelPath: string, form: FormValues): string {
  const file = savedChoicePath(modelPath);
  const body: SavedChoice = { schema: SAVED_CHOICE_SCHEMA, version: SAVED_CHOICE_VERSION, form };
  return saveJsonFile(file, body);
}
