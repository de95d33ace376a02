/** `bise eval`: accuracy breakdown (unbiased, aligned, conflicting, worst group, per class) of any ONNX classifier, on images or text. */
import { readModelFile } from '../onnx/reader';
import { predictDataset } from '../bise/predict';
import { AccuracyBreakdown } from '../metrics/group-accuracy';
import { multiBiasBreakdown } from '../metrics/breakdown';
import { ExecutionProvider } from '../runtime/session';
import { BuiltinDatasetSpec } from './builtin-datasets';
import { modelSignature } from './model-signature';
import { loadDataForModel } from './model-data';

export interface EvalJobOptions {
  readonly modelPath: string;
  readonly data: BuiltinDatasetSpec;
  readonly split: 'train' | 'val' | 'test';
  readonly provider?: ExecutionProvider;
  readonly threads?: number;
}

export async function runEvalJob(o: EvalJobOptions): Promise<{ data: string; split: string; biasAttributes: string[]; metrics: AccuracyBreakdown }> {
  const model = readModelFile(o.modelPath);
  const { data } = loadDataForModel(o.data, model, modelSignature(model, o.modelPath), o.modelPath);
  const part = data[o.split];
  const { predictions } = await predictDataset(model, part, { provider: o.provider, threads: o.threads });
  return {
    data: data.description,
    split: o.split,
    biasAttributes: [...data.biasAttributes],
    metrics: multiBiasBreakdown(predictions, part.y, part.biases, part.numClasses, part.biasClasses),
  };
}
