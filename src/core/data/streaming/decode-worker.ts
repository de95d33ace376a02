/**
 * Entry of an image-decoding worker thread (decode-pool.ts starts it; esbuild bundles it as dist/decode-worker.js):
 * reads and decodes the images of each task and sends back their RGB bytes, moved rather than copied.
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { readCsvImagePixels } from '../csv-images';
import { DatasetError } from '../errors';
import { DecodeReply, DecodeTask, DecodeWorkerData } from './decode-messages';

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
  const transfer: ArrayBuffer[] = [];
  const results = task.images.map((ref): DecodeReply['results'][number] => {
    try {
      const { width, height, rgba } = readCsvImagePixels(ref);
      const rgb = new Uint8Array(width * height * 3);
      for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
        rgb[p] = rgba[q];
        rgb[p + 1] = rgba[q + 1];
        rgb[p + 2] = rgba[q + 2];
      }
      transfer.push(rgb.buffer);
      return { ok: true, pixels: { width, height, rgb } };
    } catch (err) {
      const failure = err instanceof DatasetError ? { source: err.source, detail: err.detail, row: err.row } : { source: ref.csv, detail: `image "${ref.entry}": ${(err as Error).message}`, row: ref.line };
      return { ok: false, failure };
    }
  });
  const reply: DecodeReply = { id: task.id, busyMs: performance.now() - started, results };
  port.postMessage(reply, transfer);
});
