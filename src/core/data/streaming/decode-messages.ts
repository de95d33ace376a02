/** What the main thread and the image-decoding workers (decode-worker.ts) send each other. */
import type { CsvImageRef } from '../csv-images';

export interface DecodeTask {
  readonly id: number;
  readonly images: readonly CsvImageRef[];
}

/** 8-bit RGB, row-major, pixel after pixel (alpha dropped: the planes never use it). */
export interface DecodedPixels {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

/** A failure as DatasetError's parts, so the main thread rethrows it naming the CSV, the row and the image. */
export interface DecodeFailure {
  readonly source: string;
  readonly detail: string;
  readonly row?: number;
}

export interface DecodeReply {
  readonly id: number;
  /** Milliseconds the worker spent reading and decoding this task's images (the pool's measure of decoding speed). */
  readonly busyMs: number;
  readonly results: readonly ({ readonly ok: true; readonly pixels: DecodedPixels } | { readonly ok: false; readonly failure: DecodeFailure })[];
}

/** What a worker is started with. */
export interface DecodeWorkerData {
  /** Niceness the worker thread takes on Linux (higher: yields to the step's threads); 0 leaves it as the process's. */
  readonly niceness: number;
}
