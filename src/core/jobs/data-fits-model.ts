/**
 * A dataset can only be run through a model whose input takes its images and whose logits cover its labels.
 * Checked after loading and before any inference, so the user reads which file and which numbers disagree
 * instead of an onnxruntime dimension error or, worse, a silently wrong loss.
 */
import { OnnxModelError } from '../onnx/errors';
import { InMemoryDataset } from '../data/dataset';
import { ModelIo } from './model-analysis';

export interface DataSplits {
  /** How the user knows the data, e.g. "NumPy folder data/biased" (LoadedData's description). */
  readonly description: string;
  readonly train: InMemoryDataset;
  readonly val: InMemoryDataset;
  readonly test: InMemoryDataset;
}

/**
 * Refuses data the model cannot take, and returns it with the model's class count: labels that use fewer
 * classes than the model outputs (a 10-class model on data holding classes 0–2) index the logits by the
 * model's width, not by the largest label.
 */
export function fitDataToModel<D extends DataSplits>(io: ModelIo, data: D, modelPath: string): D {
  const dims = data.train.dims;
  const wanted = io.sampleDims;
  if (dims.length !== wanted.length || dims.some((d, i) => d !== wanted[i])) {
    throw new OnnxModelError(
      modelPath,
      `takes inputs of [${wanted.join(', ')}] (C, H, W), but the data (${data.description}) has images of [${dims.join(', ')}]; use a dataset of that size (a CSV can be resized with --image-size) or the model made for this data`,
    );
  }
  const classes = Math.max(data.train.numClasses, data.val.numClasses, data.test.numClasses);
  if (classes > io.classes) {
    throw new OnnxModelError(
      modelPath,
      `has ${io.classes} outputs (classes), but the labels of the data (${data.description}) span ${classes} classes (0 to ${classes - 1}); every label must be below ${io.classes}`,
    );
  }
  const widen = (split: InMemoryDataset): InMemoryDataset => (split.numClasses === io.classes ? split : { ...split, numClasses: io.classes });
  return { ...data, train: widen(data.train), val: widen(data.val), test: widen(data.test) };
}
