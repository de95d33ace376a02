/** Plain inference of a model over a dataset of images or token ids (no gates), in batches (runtime/inference-session.ts). */
import { Model } from '../onnx/ir';
import { AnyDataset, batchIndices, sampleDims } from '../data/dataset';
import { isTokenBatch, readBatches } from '../data/streaming/read-batches';
import { SessionConfig } from '../runtime/session';
import { InferenceSession } from '../runtime/inference-session';
import { argmaxRows } from './cross-entropy';

export async function predictDataset(model: Model, dataset: AnyDataset, session: SessionConfig = {}, batchSize = 200): Promise<{ predictions: Int32Array; logits: Float32Array }> {
  const s = await InferenceSession.create(model, model.graph, batchSize, session);
  try {
    const n = dataset.y.length;
    const output = model.graph.outputs[0].name;
    let logits = new Float32Array(0);
    let k = 0;
    let row = 0;
    for await (const [, b] of readBatches(dataset, batchIndices(n, { batchSize }))) {
      const idx = b.indices;
      const out = isTokenBatch(b) ? await s.runInputs(b.inputs) : await s.run(b.x, sampleDims(dataset), idx.length);
      const l = out[output];
      if (row === 0) {
        k = l.dims[1];
        logits = new Float32Array(n * k);
      }
      logits.set(l.data as Float32Array, row * k);
      row += idx.length;
    }
    return { predictions: argmaxRows(logits, n, k), logits };
  } finally {
    await s.release();
  }
}
