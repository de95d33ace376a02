/** `bise eval`: accuracy breakdown (unbiased, aligned, conflicting, worst group, per class) of any ONNX classifier. */
import { readModelFile } from '../onnx/reader';
import { predictDataset } from '../bise/predict';
import { accuracyBreakdown, AccuracyBreakdown } from '../metrics/group-accuracy';
import { ExecutionProvider } from '../runtime/session';
import { BuiltinDatasetSpec, loadBuiltinDataset, withModelNormalisation } from './builtin-datasets';

export interface EvalJobOptions {
  readonly modelPath: string;
  readonly data: BuiltinDatasetSpec;
  readonly split: 'train' | 'val' | 'test';
  readonly provider?: ExecutionProvider;
  readonly threads?: number;
}

export async function runEvalJob(o: EvalJobOptions): Promise<{ data: string; split: string; metrics: AccuracyBreakdown }> {
  const model = readModelFile(o.modelPath);
  const data = loadBuiltinDataset(withModelNormalisation(o.data, model.metadata, o.modelPath));
  const part = data[o.split];
  const { predictions } = await predictDataset(model, part, { provider: o.provider, threads: o.threads });
  return { data: data.description, split: o.split, metrics: accuracyBreakdown(predictions, part.y, part.biases[0], part.numClasses, part.biasClasses[0]) };
}
