/**
 * Whether a user dataset is streamed from disk or held in memory, and how much memory the stream may cache.
 * Both give the same batches to the bit, so the choice is about memory only: by default a dataset streams when
 * its float32 pixels would not fit comfortably (more than a quarter of free memory, or 2 GiB).
 */
import { freemem } from 'node:os';

export interface StreamChoice {
  /** true: always stream; false: never; left out: stream when the pixels are too large for memory. */
  readonly stream?: boolean;
  /** Cache budget in MiB (default: a quarter of free memory, at most 1 GiB). */
  readonly cacheMb?: number;
  /** Image-decoding worker threads, fixed (default: the pool sizes itself to the step's pace, streaming/decode-pool.ts). */
  readonly workers?: number;
}

const MiB = 1024 * 1024;
/** V8 allocates typed arrays up to a few GiB; well before that a run would crowd out the model and onnxruntime. */
const MAX_IN_MEMORY_BYTES = 2 * 1024 * MiB;
/** The target is a run under 2 GB RSS whatever the data's size, so the default cache stops at 1 GiB. */
const MAX_DEFAULT_CACHE_BYTES = 1024 * MiB;

/** Whether pixels taking floatBytes as float32 are streamed. */
export function wantsStream(choice: StreamChoice, floatBytes: number): boolean {
  return choice.stream ?? floatBytes > Math.min(MAX_IN_MEMORY_BYTES, freemem() / 4);
}

/** The cache budget in bytes. */
export function cacheBytes(choice: StreamChoice): number {
  if (choice.cacheMb === undefined) return Math.min(MAX_DEFAULT_CACHE_BYTES, Math.floor(freemem() / 4));
  if (!(choice.cacheMb >= 0) || !Number.isFinite(choice.cacheMb)) throw new RangeError(`cache size: expected a number of MiB ≥ 0, got ${choice.cacheMb}`);
  return Math.floor(choice.cacheMb * MiB);
}
