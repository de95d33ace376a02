/**
 * A dataset can only be run through a model whose input takes its images and whose logits cover its labels.
 * Checked after loading and before any inference, so the user reads which file and which numbers disagree
 * instead of an onnxruntime dimension error or, worse, a silently wrong loss.
 */
import { OnnxModelError } from '../onnx/errors';
import { Dataset, isStreamed } from '../data/dataset';
import { ModelIo } from './model-analysis';

export interface DataSplits {
  /** How the user knows the data, e.g. "NumPy folder data/biased" (LoadedData's description). */
  readonly description: string;
  readonly train: Dataset;
  readonly val: Dataset;
  readonly test: Dataset;
}

/**
 * Refuses data the model cannot take, and returns it with the model's class count: labels that use fewer
 * classes than the model outputs (a 10-class model on data holding classes 0–2) index the logits by the
 * model's width, not by the largest label. Images are loaded channels-first ([C, H, W]); a model whose input is
 * channels-last ([H, W, C], Keras through tf2onnx) gets every image transposed to that layout once, here.
 */
export function fitDataToModel<D extends DataSplits>(io: ModelIo, data: D, modelPath: string): D {
  const dims = data.train.dims;
  const wanted = io.sampleDims;
  const same = (a: readonly number[]): boolean => a.length === wanted.length && a.every((d, i) => d === wanted[i]);
  const channelsLast = !same(dims) && same([dims[1], dims[2], dims[0]]);
  if (!same(dims) && !channelsLast) {
    throw new OnnxModelError(
      modelPath,
      `takes inputs of [${wanted.join(', ')}] (${describeLayout(wanted)}), but the data (${data.description}) has images of [${dims.join(', ')}] (C, H, W); ` +
        'use a dataset of that size (a CSV can be resized with --image-size) or the model made for this data',
    );
  }
  const classes = Math.max(data.train.numClasses, data.val.numClasses, data.test.numClasses);
  if (classes > io.classes) {
    throw new OnnxModelError(
      modelPath,
      `has ${io.classes} outputs (classes), but the labels of the data (${data.description}) span ${classes} classes (0 to ${classes - 1}); every label must be below ${io.classes}`,
    );
  }
  const fit = (split: Dataset): Dataset => {
    const laidOut = channelsLast ? toChannelsLast(split) : split;
    return laidOut.numClasses === io.classes ? laidOut : { ...laidOut, numClasses: io.classes };
  };
  return { ...data, train: fit(data.train), val: fit(data.val), test: fit(data.test) };
}

/** How a model's sample dims read: channels first unless only the last axis looks like 1 or 3 colour channels. */
function describeLayout(dims: readonly number[]): string {
  const colour = (d: number): boolean => d === 1 || d === 3;
  return dims.length === 3 && colour(dims[2]) && !colour(dims[0]) ? 'H, W, C: channels last' : 'C, H, W';
}

/** The images as [H, W, C] (a new array; one channel only relabels the dims). */
function toChannelsLast(split: Dataset): Dataset {
  const [c, h, w] = split.dims;
  const dims: [number, number, number] = [h, w, c];
  if (c === 1) return { ...split, dims };
  // A streamed split transposes each batch as it is read.
  if (isStreamed(split)) return { ...split, dims, samples: split.samples.channelsLast() };
  const plane = h * w;
  const sample = c * plane;
  const x = new Float32Array(split.x.length);
  for (let base = 0; base < x.length; base += sample) {
    for (let ch = 0; ch < c; ch++) for (let p = 0; p < plane; p++) x[base + p * c + ch] = split.x[base + ch * plane + p];
  }
  return { ...split, x, dims };
}
