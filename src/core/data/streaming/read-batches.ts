/**
 * How the engine reads batches from any dataset: in memory (images or token ids) they are copied out; streamed, the next
 * batches are read (decoded, cached, normalised) while the caller works on the current one, so a step only
 * waits for data when decoding cannot keep up.
 */
import { AnyDataset, Batch, Dataset, gatherBatch, isStreamed, isTokenDataset } from '../dataset';
import { TokenBatch, TokenDataset, gatherTokenBatch } from '../text/token-feeds';

/** Batches read ahead of the one being worked on (each holds one batch of float32 until it is reached). */
export const DEFAULT_LOOKAHEAD = 2;

/** A batch of images (x) or of token ids (the model's inputs by name). */
export type AnyBatch = Batch | TokenBatch;

export function isTokenBatch(batch: AnyBatch): batch is TokenBatch {
  return 'inputs' in batch;
}

/** One batch of rows, as gatherBatch (or, for tokens, gatherTokenBatch) gives it. */
export async function readBatch(dataset: Dataset, indices: Int32Array): Promise<Batch>;
export async function readBatch(dataset: TokenDataset, indices: Int32Array): Promise<TokenBatch>;
export async function readBatch(dataset: AnyDataset, indices: Int32Array): Promise<AnyBatch>;
export async function readBatch(dataset: AnyDataset, indices: Int32Array): Promise<AnyBatch> {
  if (isTokenDataset(dataset)) return gatherTokenBatch(dataset, indices);
  if (!isStreamed(dataset)) return gatherBatch(dataset, indices);
  const x = await dataset.samples.read(indices);
  return { indices, x, y: pick(dataset.y, indices), biases: dataset.biases.map((b) => pick(b, indices)) };
}

export interface ReadBatchesOptions {
  /** Batches read ahead; default DEFAULT_LOOKAHEAD. */
  readonly lookahead?: number;
  /** Called with the milliseconds the caller waited for each batch (0 when it was ready), for benches. */
  readonly onWait?: (ms: number) => void;
}

/**
 * The batches in order, with their position, [b, batch] like `batches.entries()`. Leaving the loop early (break,
 * an error, a cancel) drops the loads queued for batches that will not be reached.
 */
export function readBatches(dataset: Dataset, batches: readonly Int32Array[], options?: ReadBatchesOptions): AsyncGenerator<[number, Batch]>;
export function readBatches(dataset: TokenDataset, batches: readonly Int32Array[], options?: ReadBatchesOptions): AsyncGenerator<[number, TokenBatch]>;
export function readBatches(dataset: AnyDataset, batches: readonly Int32Array[], options?: ReadBatchesOptions): AsyncGenerator<[number, AnyBatch]>;
export async function* readBatches(dataset: AnyDataset, batches: readonly Int32Array[], options: ReadBatchesOptions = {}): AsyncGenerator<[number, AnyBatch]> {
  if (isTokenDataset(dataset)) {
    for (const [b, indices] of batches.entries()) yield [b, gatherTokenBatch(dataset, indices)];
    return;
  }
  if (!isStreamed(dataset)) {
    for (const [b, indices] of batches.entries()) yield [b, gatherBatch(dataset, indices)];
    return;
  }
  const lookahead = Math.max(0, options.lookahead ?? DEFAULT_LOOKAHEAD);
  const pending: Promise<Batch>[] = [];
  const start = (b: number): void => {
    if (b >= batches.length || pending[b] !== undefined) return;
    const read = readBatch(dataset, batches[b]);
    // A batch read ahead may never be awaited (the loop stopped); its failure is reported when it is reached.
    read.catch(() => undefined);
    pending[b] = read;
  };
  try {
    for (let b = 0; b < batches.length; b++) {
      for (let ahead = b; ahead <= b + lookahead; ahead++) start(ahead);
      const t0 = performance.now();
      const batch = await pending[b];
      const handed = performance.now();
      options.onWait?.(handed - t0);
      delete pending[b];
      yield [b, batch];
      // The time the caller held the batch is its step: decoding must deliver at that pace not to make it wait.
      dataset.samples.pace(batch.y.length, performance.now() - handed, handed - t0);
    }
  } finally {
    dataset.samples.cancelQueued();
  }
}

function pick(values: Int32Array, rows: Int32Array): Int32Array {
  return Int32Array.from(rows, (row) => values[row]);
}
