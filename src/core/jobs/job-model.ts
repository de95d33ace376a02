/** The model file a job reads: its bytes (for the report's hash) and the parsed model, or an error naming the file. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Model } from '../onnx/ir';
import { parseModel } from '../onnx/reader';

export function readJobModel(modelPath: string): { readonly bytes: Uint8Array; readonly model: Model } {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(modelPath);
  } catch (e) {
    throw new Error(`cannot read the model '${modelPath}' (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return { bytes, model: parseModel(bytes, modelPath, path.dirname(path.resolve(modelPath))) };
}
