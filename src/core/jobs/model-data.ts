/**
 * The data a job runs a model on, read as the model takes it: images for an image model (normalised as it was
 * trained, laid out as its input), tokenised text fed by name for a token model. Refuses data of the other kind,
 * naming the model file.
 */
import { Model } from '../onnx/ir';
import { OnnxModelError } from '../onnx/errors';
import { AnyDataset } from '../data/dataset';
import { BuiltinDatasetSpec, LoadedData, TextDataSpec, isTextSpec, loadBuiltinDataset, textDataName, withModelNormalisation } from './builtin-datasets';
import { fitDataToModel } from './data-fits-model';
import { ModelSignature } from './model-signature';
import { loadTextData, textSpecForModel } from './text-data';
import { fitTokensToModel, fixedSequenceLength, takesTokens } from './token-data-fits-model';

export interface ModelData {
  /** The spec as read (a CSV or folder given for a token model becomes its text kind). */
  readonly spec: BuiltinDatasetSpec;
  readonly data: LoadedData<AnyDataset>;
}

export function loadDataForModel(spec: BuiltinDatasetSpec, model: Model, signature: ModelSignature, modelPath: string): ModelData {
  if (takesTokens(signature)) {
    const text = capToFixedLength(textSpecForModel(spec, modelPath), fixedSequenceLength(signature, modelPath));
    return { spec: text, data: fitTokensToModel(model, signature, loadTextData(text, modelPath), modelPath) };
  }
  if (isTextSpec(spec)) {
    throw new OnnxModelError(modelPath, `takes images (float32 input '${signature.input}' of [${signature.sampleDims.join(', ')}]), but '${textDataName(spec)}' is text: text needs a model that takes token ids`);
  }
  return { spec, data: fitDataToModel(signature, loadBuiltinDataset(withModelNormalisation(spec, model.metadata, modelPath)), modelPath) };
}

/**
 * A model whose sequence length is fixed takes no longer text: texts are cut at that length (a smaller --max-length
 * stays), then padded to it (fitTokensToModel).
 */
function capToFixedLength(spec: TextDataSpec, fixed: number | undefined): TextDataSpec {
  if (fixed === undefined || (spec.maxLength !== undefined && spec.maxLength <= fixed)) return spec;
  return { ...spec, maxLength: fixed };
}
