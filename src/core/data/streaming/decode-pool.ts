/**
 * A pool of worker threads that read and decode the images of a CSV dataset and make them the model's samples
 * (resized, normalised, digested: prepare-image.ts), so that work runs on other cores while the main thread (and
 * onnxruntime) works on the current step. Tasks go out in small chunks, first come
 * first served; idle workers do not keep the process alive, and they end after a while without work.
 *
 * How many workers: as many as decode, at their measured speed, as fast as the step consumes images (the
 * consumer says so through pace()), more while the step still waits, within [1, ceiling]; the ceiling comes from
 * the core count. One per core but one run as any thread; on Linux one more may run, at a lower priority
 * (decode-worker.ts), so that it takes the CPU time the step's threads leave idle on their core rather than
 * taking the core from them. Elsewhere one core is left to the step.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CsvImageRef } from '../csv-images';
import { DatasetError } from '../errors';
import { DecodeReply, DecodeTask, DecodeWorkerData } from './decode-messages';
import { PreparedImage, SampleTarget } from './prepare-image';
import { StreamCancelledError } from './sample-stream';

export interface DecodePoolOptions {
  /** A fixed number of worker threads; left out, the pool sizes itself (see above), at most decodeWorkerCeiling(). */
  readonly workers?: number;
  /** The most workers a self-sizing pool runs (default decodeWorkerCeiling()). */
  readonly maxWorkers?: number;
  /** How much lower the priority of the workers beyond lowPriorityAfter is than the process's, on Linux (default DECODER_NICENESS; 0: the same). */
  readonly niceness?: number;
  /** Workers that run at the process's priority; the ones beyond take the niceness (default: one per core but one). */
  readonly lowPriorityAfter?: number;
  /** Images per message (default 4): fewer messages, still fine-grained enough to spread a batch. */
  readonly chunk?: number;
  /** Workers end after this long without work (default 5 s); a later task starts them again. */
  readonly idleMs?: number;
}

interface Settle {
  readonly resolve: (sample: PreparedImage) => void;
  readonly reject: (err: Error) => void;
}

interface Job {
  readonly task: DecodeTask;
  readonly settle: readonly Settle[];
}

interface Slot {
  readonly worker: Worker;
  /** Runs at a lower priority: gets tasks only when no worker at the process's priority is free. */
  readonly lowPriority: boolean;
  /** Tasks posted to the worker, oldest first (it answers them in order). */
  readonly jobs: Job[];
}

/** Nice 10 against the step's 0: a low-priority decoding thread gets about a tenth of a core the step wants (CFS weights 110 : 1024). */
export const DECODER_NICENESS = 10;
/** Decoding capacity kept above the measured demand, so that jitter in step or decode times does not make the step wait. */
const HEADROOM = 1.25;
/** Weight of the newest measurement in the running averages of decode speed and demand. */
const SMOOTHING = 0.2;
/**
 * Tasks a worker holds at once: a second one waits in its port, so it starts as soon as the first ends instead of
 * after the main thread (busy normalising a batch) gets round to the reply. More would make cancelling slower.
 */
const TASKS_PER_WORKER = 2;
/** A batch waited for if the consumer waited longer than this share of its step; then the pool grows by one. */
const WAIT_TOLERANCE = 0.05;
/** Batches in a row without waiting after which a pool grown by waits gives one worker back. */
const CALM_BATCHES = 50;

/** The most workers a self-sizing pool starts: one per core but one, plus on Linux one at a lower priority; 1 to 8. */
export function decodeWorkerCeiling(cores = availableParallelism(), platform = process.platform): number {
  return Math.min(fullPriorityWorkers(cores) + (platform === 'linux' ? 1 : 0), 8);
}

/** Workers that may run as any thread without taking a core from the step: one per core but one, at least 1. */
function fullPriorityWorkers(cores: number): number {
  return Math.max(1, Math.min(cores - 1, 8));
}

/**
 * Workers needed to decode demandPerSecond images a second when one decodes perWorkerPerSecond, with headroom,
 * within [1, ceiling]; the ceiling while either is unknown (not measured yet, or a consumer that does not wait).
 */
export function decodeWorkersFor(demandPerSecond: number, perWorkerPerSecond: number, ceiling: number): number {
  if (!(demandPerSecond > 0 && demandPerSecond < Infinity && perWorkerPerSecond > 0)) return ceiling;
  return Math.max(1, Math.min(ceiling, Math.ceil((HEADROOM * demandPerSecond) / perWorkerPerSecond)));
}

export class DecodePool {
  private readonly queue: Job[] = [];
  private readonly slots: Slot[] = [];
  private readonly fixed: boolean;
  private readonly ceiling: number;
  private readonly niceness: number;
  private readonly lowPriorityAfter: number;
  /** Workers wanted now: fixed, or from the measured speed and demand. */
  private target: number;
  private msPerImage: number | undefined;
  private demandPerSecond: number | undefined;
  /** Workers the consumer's waits showed are needed, whatever the estimate says (it misses dispatch delays, contention). */
  private floor = 1;
  private calm = 0;
  private readonly chunk: number;
  private readonly idleMs: number;
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: DecodePoolOptions = {}) {
    this.fixed = options.workers !== undefined;
    this.ceiling = options.workers ?? options.maxWorkers ?? decodeWorkerCeiling();
    this.target = this.ceiling;
    this.niceness = options.niceness ?? DECODER_NICENESS;
    this.lowPriorityAfter = options.lowPriorityAfter ?? fullPriorityWorkers(availableParallelism());
    this.chunk = options.chunk ?? 4;
    this.idleMs = options.idleMs ?? 5000;
    if (!Number.isInteger(this.ceiling) || this.ceiling < 1) throw new RangeError(`decode workers: expected a positive integer, got ${this.ceiling}`);
  }

  /**
   * The consumer held a batch of count images for heldMs (its step) after waiting waitedMs for it: the pool sizes
   * itself to the images a second the step consumes, and grows by one whenever the step still had to wait.
   */
  pace(count: number, heldMs: number, waitedMs: number): void {
    if (this.fixed || !(count > 0)) return;
    const rate = heldMs > 0 ? (1000 * count) / heldMs : Infinity;
    const previous = this.demandPerSecond;
    this.demandPerSecond = previous === undefined || !Number.isFinite(previous) || !Number.isFinite(rate) ? rate : previous + SMOOTHING * (rate - previous);
    if (waitedMs > WAIT_TOLERANCE * heldMs) {
      this.floor = Math.min(this.ceiling, this.target + 1);
      this.calm = 0;
    } else if (++this.calm >= CALM_BATCHES) {
      this.floor = Math.max(1, this.floor - 1);
      this.calm = 0;
    }
    this.target = Math.max(this.floor, decodeWorkersFor(this.demandPerSecond, this.imagesPerWorkerSecond ?? 0, this.ceiling));
    this.dispatch();
  }

  /** Workers the pool runs now at most (for benches and tests). */
  get workerTarget(): number {
    return this.target;
  }

  /** Images one worker decodes per second of its own time, as measured so far; undefined before the first reply. */
  get imagesPerWorkerSecond(): number | undefined {
    return this.msPerImage === undefined ? undefined : 1000 / this.msPerImage;
  }

  /**
   * One promise per image, in order, made into target's samples (prepare-image.ts); a corrupt image rejects with a
   * DatasetError naming the CSV, row and file.
   */
  decode(images: readonly CsvImageRef[], target: SampleTarget): Promise<PreparedImage>[] {
    if (this.closed) throw new Error('the image decoding workers were closed; open the dataset again');
    const promises: Promise<PreparedImage>[] = [];
    for (let start = 0; start < images.length; start += this.chunk) {
      const part = images.slice(start, start + this.chunk);
      const settle: Settle[] = [];
      for (let i = 0; i < part.length; i++) promises.push(new Promise<PreparedImage>((resolve, reject) => settle.push({ resolve, reject })));
      this.queue.push({ task: { id: this.nextId++, images: part, target }, settle });
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
      const active = this.slots.filter((s) => s.jobs.length > 0);
      if (active.length > this.target) break;
      // Spread over idle workers up to the target (a worker beyond it stays idle: no churn of starting and ending
      // workers while the demand wavers), then give the busy ones their next task.
      const idle = this.slots.filter((s) => s.jobs.length === 0);
      const slot = active.length < this.target ? (idle.find((s) => !s.lowPriority) ?? idle[0] ?? this.spawn()) : active.find((s) => s.jobs.length < TASKS_PER_WORKER);
      if (slot === undefined) break;
      const job = this.queue.shift() as Job;
      slot.jobs.push(job);
      slot.worker.ref();
      slot.worker.postMessage(job.task);
    }
    if (this.slots.length > 0 && this.slots.every((s) => s.jobs.length === 0)) {
      this.idleTimer = setTimeout(() => void this.endIdleWorkers(), this.idleMs);
      this.idleTimer.unref();
    }
  }

  private async endIdleWorkers(): Promise<void> {
    const idle = this.slots.filter((s) => s.jobs.length === 0);
    // Out of the pool first, so that no task is handed to a worker that is ending.
    for (const slot of idle) this.slots.splice(this.slots.indexOf(slot), 1);
    await Promise.all(idle.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const lowPriority = this.slots.filter((s) => !s.lowPriority).length >= this.lowPriorityAfter;
    const slot: Slot = { worker: startDecodeWorker({ niceness: lowPriority ? this.niceness : 0 }), lowPriority, jobs: [] };
    const { worker } = slot;
    worker.on('message', (reply: DecodeReply) => {
      const job = slot.jobs.shift();
      if (slot.jobs.length === 0) worker.unref();
      if (reply.results.length > 0) {
        const ms = reply.busyMs / reply.results.length;
        this.msPerImage = this.msPerImage === undefined ? ms : this.msPerImage + SMOOTHING * (ms - this.msPerImage);
      }
      reply.results.forEach((result, k) => {
        const settle = job?.settle[k];
        if (result.ok) settle?.resolve(result.sample);
        else settle?.reject(new DatasetError(result.failure.source, result.failure.detail, result.failure.row));
      });
      this.dispatch();
    });
    const lost = (why: string): void => {
      const jobs = slot.jobs.splice(0);
      worker.unref();
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      for (const job of jobs) job.settle.forEach((s, k) => s.reject(new Error(`the worker decoding image "${job.task.images[k].entry}" (${job.task.images[k].csv}, row ${job.task.images[k].line}) ${why}`)));
      this.dispatch();
    };
    worker.on('error', (err) => lost(`failed: ${err.message}`));
    worker.on('exit', (code) => lost(`ended (exit code ${code})`));
    this.slots.push(slot);
    return slot;
  }
}

/** The bundled worker next to the bundle (dist/decode-worker.js), or the TypeScript source run through tsx. */
function startDecodeWorker(workerData: DecodeWorkerData): Worker {
  const bundled = join(__dirname, 'decode-worker.js');
  if (existsSync(bundled)) return new Worker(bundled, { workerData });
  // Node does not apply tsx's hooks to a worker's entry file, so the worker registers tsx before requiring it.
  const tsx = require.resolve(['tsx', 'cjs', 'api'].join('/'));
  const source = join(__dirname, 'decode-worker.ts');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`, { eval: true, workerData });
}
