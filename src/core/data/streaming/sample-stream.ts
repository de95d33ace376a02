/**
 * Samples that stay on disk: a source loads raw samples (decoded 8-bit pixels, or a .npy file's bytes), a
 * byte-budgeted cache keeps the recently used ones, and every read normalises its rows to float32 then, so only
 * the batches in flight exist as floats. A stream is a view (rows of the source, in a layout) over one shared
 * core: the train/val/test splits of one file share its cache and its decoding workers.
 */
import { ByteBudgetCache } from './byte-budget-cache';
import { DatasetError } from '../errors';

/** Where the raw samples come from (streaming/image-csv-source.ts, streaming/npy-source.ts). */
export interface SampleSource<R> {
  /** The file or folder, for messages. */
  readonly name: string;
  readonly count: number;
  /** [C, H, W] of one normalised sample. */
  readonly dims: readonly [number, number, number];
  /** Starts loading these samples; one promise per sample, in the same order. */
  load(samples: readonly number[]): Promise<R>[];
  /** Bytes the raw sample occupies in the cache. */
  sizeOf(raw: R): number;
  /** Writes the sample normalised, C×H×W, into out from offset on. */
  normalise(raw: R, sample: number, out: Float32Array, offset: number): void;
  /** Forgets loads queued but not started; their promises reject with StreamCancelledError. */
  cancelQueued(): void;
  close(): Promise<void>;
}

export interface StreamStats {
  /** Loads started (cache misses not already loading), including ones cancelled before they ran. */
  readonly requested: number;
  /** Loads that finished: samples read (and decoded) from disk. */
  readonly loaded: number;
  readonly hits: number;
  readonly evictions: number;
  readonly cachedBytes: number;
  readonly peakCachedBytes: number;
  readonly budgetBytes: number;
}

export interface SampleStream {
  /** Rows of this view. */
  readonly count: number;
  /** The rows' samples, normalised, one after the other (C×H×W each, or H×W×C after channelsLast()). */
  read(rows: Int32Array): Promise<Float32Array>;
  /** A view of these rows of this view, in this order (a split, or val carved out of train). */
  subset(rows: Int32Array): SampleStream;
  /** The same samples written [H, W, C], for channels-last models. */
  channelsLast(): SampleStream;
  /** Stops the loads queued for reads nobody waits for any more (an epoch that ended or was cancelled). */
  cancelQueued(): void;
  stats(): StreamStats;
  /** Ends the source's workers; the stream cannot be read afterwards. */
  close(): Promise<void>;
}

/** A queued load that was dropped because nobody needs it any more. */
export class StreamCancelledError extends Error {
  override readonly name = 'StreamCancelledError';
}

/** A stream over every sample of the source, caching up to cacheBytes of raw samples. */
export function openSampleStream<R>(source: SampleSource<R>, cacheBytes: number): SampleStream {
  const core = new StreamCore(source, new ByteBudgetCache<R>(cacheBytes));
  return new StreamView(core, undefined, false);
}

class StreamCore<R> {
  private readonly inflight = new Map<number, Promise<R>>();
  private requested = 0;
  private loaded = 0;
  private hits = 0;

  constructor(
    readonly source: SampleSource<R>,
    private readonly cache: ByteBudgetCache<R>,
  ) {}

  /** Normalised samples, NCHW or NHWC; the raw ones are held here until written, whatever the cache evicts. */
  async read(samples: Int32Array, channelsLast: boolean): Promise<Float32Array> {
    const { source } = this;
    const raws: (R | Promise<R>)[] = new Array(samples.length);
    const missing: number[] = [];
    samples.forEach((s, k) => {
      const cached = this.cache.get(s);
      if (cached !== undefined) {
        this.hits++;
        raws[k] = cached;
      } else if (!this.inflight.has(s)) {
        missing.push(s);
      }
    });
    const unique = [...new Set(missing)];
    source.load(unique).forEach((promise, k) => {
      const s = unique[k];
      this.requested++;
      const kept = promise.then((raw) => {
        this.loaded++;
        this.cache.put(s, raw, source.sizeOf(raw));
        return raw;
      });
      this.inflight.set(s, kept);
      // Settled either way: a later read asks again (a cancelled load is not an error of the data).
      kept.then(
        () => this.inflight.delete(s),
        () => this.inflight.delete(s),
      );
    });
    samples.forEach((s, k) => {
      if (raws[k] === undefined) raws[k] = this.inflight.get(s) as Promise<R>;
    });
    const ready = await Promise.all(raws);
    const [c, h, w] = source.dims;
    const length = c * h * w;
    const out = new Float32Array(samples.length * length);
    const scratch = channelsLast && c > 1 ? new Float32Array(length) : undefined;
    ready.forEach((raw, k) => {
      if (scratch === undefined) {
        source.normalise(raw, samples[k], out, k * length);
        return;
      }
      source.normalise(raw, samples[k], scratch, 0);
      const plane = h * w;
      const base = k * length;
      for (let ch = 0; ch < c; ch++) for (let p = 0; p < plane; p++) out[base + p * c + ch] = scratch[ch * plane + p];
    });
    return out;
  }

  stats(): StreamStats {
    const { cache } = this;
    return { requested: this.requested, loaded: this.loaded, hits: this.hits, evictions: cache.evictions, cachedBytes: cache.bytes, peakCachedBytes: cache.peakBytes, budgetBytes: cache.budgetBytes };
  }
}

class StreamView<R> implements SampleStream {
  readonly count: number;

  constructor(
    private readonly core: StreamCore<R>,
    /** Source samples of this view's rows; undefined: all of them, in order. */
    private readonly rows: Int32Array | undefined,
    private readonly lastAxisChannels: boolean,
  ) {
    this.count = rows?.length ?? core.source.count;
  }

  read(rows: Int32Array): Promise<Float32Array> {
    const samples = new Int32Array(rows.length);
    rows.forEach((row, k) => {
      if (!Number.isInteger(row) || row < 0 || row >= this.count) {
        throw new DatasetError(this.core.source.name, `batch index: expected a row in [0, ${this.count}), got ${row} at position ${k}`);
      }
      samples[k] = this.rows === undefined ? row : this.rows[row];
    });
    return this.core.read(samples, this.lastAxisChannels);
  }

  subset(rows: Int32Array): SampleStream {
    const samples = Int32Array.from(rows, (row) => {
      if (!Number.isInteger(row) || row < 0 || row >= this.count) throw new DatasetError(this.core.source.name, `subset: expected rows in [0, ${this.count}), got ${row}`);
      return this.rows === undefined ? row : this.rows[row];
    });
    return new StreamView(this.core, samples, this.lastAxisChannels);
  }

  channelsLast(): SampleStream {
    return new StreamView(this.core, this.rows, true);
  }

  cancelQueued(): void {
    this.core.source.cancelQueued();
  }

  stats(): StreamStats {
    return this.core.stats();
  }

  close(): Promise<void> {
    return this.core.source.close();
  }
}
