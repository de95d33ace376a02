/**
 * Entry of an image-decoding worker thread (decode-pool.ts starts it; esbuild bundles it as dist/decode-worker.js):
 * reads and decodes the images of each task and sends back their RGB bytes, moved rather than copied.
 */
import { parentPort } from 'node:worker_threads';
import { readCsvImagePixels } from '../csv-images';
import { DatasetError } from '../errors';
import { DecodeReply, DecodeTask } from './decode-messages';

const port = parentPort;
if (port === null) throw new Error('decode-worker.ts runs as a worker thread (streaming/decode-pool.ts starts it)');

port.on('message', (task: DecodeTask) => {
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
  const reply: DecodeReply = { id: task.id, results };
  port.postMessage(reply, transfer);
});
