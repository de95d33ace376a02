/**
 * A pool of worker threads that read and decode the images of a CSV dataset, so decoding runs on other cores
 * while the main thread (and onnxruntime) works on the current step. Tasks go out in small chunks, first come
 * first served; idle workers do not keep the process alive, and they end after a while without work.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CsvImageRef } from '../csv-images';
import { DatasetError } from '../errors';
import { DecodeReply, DecodeTask, DecodedPixels } from './decode-messages';
import { StreamCancelledError } from './sample-stream';

export interface DecodePoolOptions {
  /** Worker threads (default: one per core but one, at least 1, at most 8). */
  readonly workers?: number;
  /** Images per message (default 4): fewer messages, still fine-grained enough to spread a batch. */
  readonly chunk?: number;
  /** Workers end after this long without work (default 5 s); a later task starts them again. */
  readonly idleMs?: number;
}

interface Settle {
  readonly resolve: (pixels: DecodedPixels) => void;
  readonly reject: (err: Error) => void;
}

interface Job {
  readonly task: DecodeTask;
  readonly settle: readonly Settle[];
}

interface Slot {
  readonly worker: Worker;
  job?: Job;
}

export function defaultDecodeWorkers(): number {
  return Math.max(1, Math.min(availableParallelism() - 1, 8));
}

export class DecodePool {
  private readonly queue: Job[] = [];
  private readonly slots: Slot[] = [];
  private readonly size: number;
  private readonly chunk: number;
  private readonly idleMs: number;
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: DecodePoolOptions = {}) {
    this.size = options.workers ?? defaultDecodeWorkers();
    this.chunk = options.chunk ?? 4;
    this.idleMs = options.idleMs ?? 5000;
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError(`decode workers: expected a positive integer, got ${this.size}`);
  }

  /** One promise per image, in order; a corrupt image rejects with a DatasetError naming the CSV, row and file. */
  decode(images: readonly CsvImageRef[]): Promise<DecodedPixels>[] {
    if (this.closed) throw new Error('the image decoding workers were closed; open the dataset again');
    const promises: Promise<DecodedPixels>[] = [];
    for (let start = 0; start < images.length; start += this.chunk) {
      const part = images.slice(start, start + this.chunk);
      const settle: Settle[] = [];
      for (let i = 0; i < part.length; i++) promises.push(new Promise<DecodedPixels>((resolve, reject) => settle.push({ resolve, reject })));
      this.queue.push({ task: { id: this.nextId++, images: part }, settle });
    }
    this.dispatch();
    return promises;
  }

  cancelQueued(): void {
    for (const job of this.queue.splice(0)) {
      for (const s of job.settle) s.reject(new StreamCancelledError('image decoding was cancelled: the batch is no longer needed'));
    }
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelQueued();
    clearTimeout(this.idleTimer);
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  /** Workers alive now (for tests: idle ones end). */
  get workerCount(): number {
    return this.slots.length;
  }

  private dispatch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    while (this.queue.length > 0 && !this.closed) {
      const slot = this.slots.find((s) => s.job === undefined) ?? (this.slots.length < this.size ? this.spawn() : undefined);
      if (slot === undefined) break;
      const job = this.queue.shift() as Job;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.task);
    }
    if (this.slots.length > 0 && this.slots.every((s) => s.job === undefined)) {
      this.idleTimer = setTimeout(() => void this.endIdleWorkers(), this.idleMs);
      this.idleTimer.unref();
    }
  }

  private async endIdleWorkers(): Promise<void> {
    const idle = this.slots.filter((s) => s.job === undefined);
    // Out of the pool first, so that no task is handed to a worker that is ending.
    for (const slot of idle) this.slots.splice(this.slots.indexOf(slot), 1);
    await Promise.all(idle.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startDecodeWorker() };
    const { worker } = slot;
    const finish = (): Job | undefined => {
      const job = slot.job;
      slot.job = undefined;
      worker.unref();
      return job;
    };
    worker.on('message', (reply: DecodeReply) => {
      const job = finish();
      reply.results.forEach((result, k) => {
        const settle = job?.settle[k];
        if (result.ok) settle?.resolve(result.pixels);
        else settle?.reject(new DatasetError(result.failure.source, result.failure.detail, result.failure.row));
      });
      this.dispatch();
    });
    const lost = (why: string): void => {
      const job = finish();
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      job?.settle.forEach((s, k) => s.reject(new Error(`the worker decoding image "${job.task.images[k].entry}" (${job.task.images[k].csv}, row ${job.task.images[k].line}) ${why}`)));
      this.dispatch();
    };
    worker.on('error', (err) => lost(`failed: ${err.message}`));
    worker.on('exit', (code) => lost(`ended (exit code ${code})`));
    this.slots.push(slot);
    return slot;
  }
}

/** The bundled worker next to the bundle (dist/decode-worker.js), or the TypeScript source run through tsx. */
function startDecodeWorker(): Worker {
  const bundled = join(__dirname, 'decode-worker.js');
  if (existsSync(bundled)) return new Worker(bundled);
  // Node does not apply tsx's hooks to a worker's entry file, so the worker registers tsx before requiring it.
  const tsx = require.resolve(['tsx', 'cjs', 'api'].join('/'));
  const source = join(__dirname, 'decode-worker.ts');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`, { eval: true });
}
