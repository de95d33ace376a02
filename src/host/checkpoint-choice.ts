/**
 * The conversion choice saved next to a checkpoint as `<checkpoint>.bise-convert.json` (model.pt →
 * model.pt.bise-convert.json; not `model.bise.json`, which is the form choice of the converted model.onnx): input
 * shape, model class, constructor arguments and opset, so converting again asks nothing new and the choice can be
 * reviewed in the repository. Written after a conversion succeeds; a file that does not parse is reported and ignored.
 */
import * as path from 'node:path';
import { Decoder, literal, nullable, object, positiveInteger, string } from '../protocol/decoders';
import { loadJsonFile, saveJsonFile } from './json-choice-file';

export const CONVERT_CHOICE_SCHEMA = 'bise-convert';
export const CONVERT_CHOICE_VERSION = 1;

export interface ConvertChoice {
  readonly inputShape: string;
  readonly modelClass: string | null;
  /** JSON text as typed ('' for none). */
  readonly constructorArgs: string;
  readonly opset: number;
}

interface ConvertChoiceFile extends ConvertChoice {
  readonly schema: typeof CONVERT_CHOICE_SCHEMA;
  readonly version: typeof CONVERT_CHOICE_VERSION;
}

const fileDecoder: Decoder<ConvertChoiceFile> = object<ConvertChoiceFile>({
  schema: literal(CONVERT_CHOICE_SCHEMA),
  version: literal(CONVERT_CHOICE_VERSION),
  inputShape: string,
  modelClass: nullable(string),
  constructorArgs: string,
  opset: positiveInteger,
});

export function convertChoicePath(checkpoint: string): string {
  return `${path.resolve(checkpoint)}.bise-convert.json`;
}

export type LoadedConvertChoice = { kind: 'none' } | { kind: 'loaded'; file: string; choice: ConvertChoice } | { kind: 'invalid'; file: string; problem: string };

export function loadConvertChoice(checkpoint: string): LoadedConvertChoice {
  const r = loadJsonFile(convertChoicePath(checkpoint), fileDecoder);
  if (r.kind !== 'loaded') return r;
  const { inputShape, modelClass, constructorArgs, opset } = r.value;
  return { kind: 'loaded', file: r.file, choice: { inputShape, modelClass, constructorArgs, opset } };
}

/** Writes `<checkpoint>.bise-convert.json` through a temporary file and a rename (never half a file). */
export function saveConvertChoice(checkpoint: string, choice: ConvertChoice): string {
  const file = convertChoicePath(checkpoint);
  const body: ConvertChoiceFile = { schema: CONVERT_CHOICE_SCHEMA, version: CONVERT_CHOICE_VERSION, ...choice };
  return saveJsonFile(file, body);
}
