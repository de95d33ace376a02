/** What the main thread and the image-decoding workers (decode-worker.ts) send each other. */
import type { CsvImageRef } from '../csv-images';
import type { PreparedImage, SampleTarget } from './prepare-image';

export interface DecodeTask {
  readonly id: number;
  readonly images: readonly CsvImageRef[];
  /** What each image is made into (prepare-image.ts). */
  readonly target: SampleTarget;
}

/** A failure as DatasetError's parts, so the main thread rethrows it naming the CSV, the row and the image. */
export interface DecodeFailure {
  readonly source: string;
  readonly detail: string;
  readonly row?: number;
}

export interface DecodeReply {
  readonly id: number;
  /** Milliseconds the worker spent reading, decoding and preparing this task's images (the pool's measure of decoding speed). */
  readonly busyMs: number;
  readonly results: readonly ({ readonly ok: true; readonly sample: PreparedImage } | { readonly ok: false; readonly failure: DecodeFailure })[];
}

/** What a worker is started with. */
export interface DecodeWorkerData {
  /** Niceness the worker thread takes on Linux (higher: yields to the step's threads); 0 leaves it as the process's. */
  readonly niceness: number;
}
