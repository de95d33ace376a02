/**
 * Entry of an image-decoding worker thread (decode-pool.ts starts it; esbuild bundles it as dist/decode-worker.js):
 * reads and decodes the images of each task, makes them the model's samples (prepare-image.ts: resized,
 * normalised, digested) and sends those back, moved rather than copied.
 */
import { getPriority, setPriority } from 'node:os';
import { TransferListItem, parentPort, workerData } from 'node:worker_threads';
import { readCsvImagePixels } from '../csv-images';
import { DatasetError } from '../errors';
import { DecodeReply, DecodeTask, DecodeWorkerData } from './decode-messages';
import { prepareImage } from './prepare-image';

const port = parentPort;
if (port === null) throw new Error('decode-worker.ts runs as a worker thread (streaming/decode-pool.ts starts it)');

// On Linux a thread has its own nice value, so this lowers this decoding thread alone (relative to the process): it then runs on the CPU time
// the step's onnxruntime threads leave idle rather than taking it from them. Elsewhere setPriority would lower the
// whole process, so it is not called.
const { niceness } = (workerData ?? { niceness: 0 }) as DecodeWorkerData;
if (process.platform === 'linux' && niceness > 0) {
  try {
    setPriority(Math.min(19, getPriority() + niceness));
  } catch {
    // A container may forbid it; decoding then competes with the step as any thread does.
  }
}

port.on('message', (task: DecodeTask) => {
  const started = performance.now();
  const transfer: TransferListItem[] = [];
  const results = task.images.map((ref): DecodeReply['results'][number] => {
    try {
      const sample = prepareImage(readCsvImagePixels(ref), task.target);
      transfer.push(sample.kind === 'rgb' ? sample.rgb.buffer : sample.values.buffer, sample.digest.buffer);
      return { ok: true, sample };
    } catch (err) {
      const failure = err instanceof DatasetError ? { source: err.source, detail: err.detail, row: err.row } : { source: ref.csv, detail: `image "${ref.entry}": ${(err as Error).message}`, row: ref.line };
      return { ok: false, failure };
    }
  });
  const reply: DecodeReply = { id: task.id, busyMs: performance.now() - started, results };
  port.postMessage(reply, transfer);
});
