/** Section "pruned": inference latency of physically pruned models (25/50/75% of units) vs dense. */
import { FIXTURE_MODELS, loadBenchModel, modelLabel } from '../models';
import { InferenceSettings, prunedInferenceLatency } from '../pruned-inference';
import { count, formatTable, gflop, ms, percent, ratio } from '../table';

export const PRUNED_FRACTIONS = [0, 0.25, 0.5, 0.75] as const;

export async function prunedLatencySection(s: InferenceSettings, progress: (m: string) => void): Promise<string> {
  const rows: string[][] = [];
  for (const model of FIXTURE_MODELS) {
    progress(`pruned: ${modelLabel(model)}, batch ${s.batch}`);
    const measured = await prunedInferenceLatency(loadBenchModel(model), PRUNED_FRACTIONS, s);
    const dense = measured[0];
    for (const r of measured) {
      rows.push([modelLabel(model), percent(r.prunedFraction), count(r.params), gflop(r.flops), ms(r.medianMs), ratio(dense.medianMs, r.medianMs)]);
    }
  }
  const table = formatTable(['model', 'units pruned', 'params', 'GFLOP/batch', 'inference ms', 'speed-up'], rows);
  const legend = 'units pruned: that fraction of every dependency group\'s units removed from the graph (src/core/prune), the rest of the weights kept.';
  return [`## 2. Inference latency, physically pruned vs dense, batch ${s.batch} (onnxruntime-node)`, table, legend].join('\n\n');
}
