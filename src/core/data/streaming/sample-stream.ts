/**
 * Samples that stay on disk: a source loads raw samples (decoded 8-bit pixels, or a .npy file's bytes), a
 * byte-budgeted cache keeps the first ones loaded until it is full, and every read normalises its rows to float32 then, so only
 * the batches in flight exist as floats. A stream is a view (rows of the source, in a layout) over one shared
 * core: the train/val/test splits of one file share its cache and its decoding workers.
 */
import { ByteBudgetCache } from './byte-budget-cache';
import { DatasetError } from '../errors';
import { sampleDigest } from './sample-digest';

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
  /**
   * The SHA-256 (sample-digest.ts) of what normalise writes, when the source computed it where it loaded the
   * sample (a decoding worker): the step's thread then hashes only the channels-last layout of several channels.
   */
  digestOf?(raw: R): Uint8Array;
  /** Forgets loads queued but not started; their promises reject with StreamCancelledError. */
  cancelQueued(): void;
  /** The consumer held count samples for heldMs after waiting waitedMs for them: a source with workers sizes its pool by it. */
  pace?(count: number, heldMs: number, waitedMs: number): void;
  /** A source with workers: how many may decode at once now, and how fast one decodes (measured). */
  decoders?(): DecoderStats;
  close(): Promise<void>;
}

export interface DecoderStats {
  readonly workers: number;
  readonly imagesPerWorkerSecond?: number;
}

export interface StreamStats {
  /** Loads started (cache misses not already loading), including ones cancelled before they ran. */
  readonly requested: number;
  /** Loads that finished: samples read (and decoded) from disk. */
  readonly loaded: number;
  readonly hits: number;
  /** Loaded samples the cache turned away: it was full (it keeps what it holds; byte-budget-cache.ts says why). */
  readonly rejected: number;
  readonly cachedBytes: number;
  readonly budgetBytes: number;
  readonly decoders?: DecoderStats;
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
  /**
   * The SHA-256 of each row's normalised sample as read() gives it, 32 bytes per row in row order, for the data
   * hash (dataset-hash.ts). Each sample is digested the first time a read normalises it, so after a run that read
   * every row this costs nothing; rows not read yet are read now.
   */
  sampleDigests(): Promise<Uint8Array>;
  /** Stops the loads queued for reads nobody waits for any more (an epoch that ended or was cancelled). */
  cancelQueued(): void;
  /** The consumer held a batch of count samples for heldMs (its step) after waiting waitedMs for it (read-batches.ts). */
  pace(count: number, heldMs: number, waitedMs: number): void;
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

/** Samples read at a time for digests of rows not read yet; two such reads are in flight, to keep the decoders busy. */
const DIGEST_CHUNK = 64;
const DIGEST_BYTES = 32;

class StreamCore<R> {
  private readonly inflight = new Map<number, Promise<R>>();
  private requested = 0;
  private loaded = 0;
  private hits = 0;
  /** Per layout (C×H×W, then H×W×C): each sample's digest once a read normalised it, and which samples have one. */
  private readonly digests: ({ readonly bytes: Uint8Array; readonly known: Uint8Array } | undefined)[] = [undefined, undefined];

  constructor(
    readonly source: SampleSource<R>,
    private readonly cache: ByteBudgetCache<R>,
  ) {}

  /** Normalised samples, NCHW or NHWC; the raw ones are held here until written, whether the cache keeps them or not. */
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
    const digests = this.digestsFor(channelsLast);
    ready.forEach((raw, k) => {
      const base = k * length;
      if (scratch === undefined) {
        source.normalise(raw, samples[k], out, base);
      } else {
        source.normalise(raw, samples[k], scratch, 0);
        const plane = h * w;
        for (let ch = 0; ch < c; ch++) for (let p = 0; p < plane; p++) out[base + p * c + ch] = scratch[ch * plane + p];
      }
      const s = samples[k];
      if (digests.known[s] === 0) {
        // Without scratch the sample was written C×H×W (or has one channel, the same bytes either way): the source's digest is of these very floats.
        const made = scratch === undefined ? source.digestOf?.(raw) : undefined;
        digests.bytes.set(made ?? sampleDigest(out.subarray(base, base + length)), s * DIGEST_BYTES);
        digests.known[s] = 1;
      }
    });
    return out;
  }

  /** The digests of these samples, in order, reading the ones no read has normalised yet. */
  async digestsOf(samples: Int32Array, channelsLast: boolean): Promise<Uint8Array> {
    const digests = this.digestsFor(channelsLast);
    const unread = Int32Array.from(new Set(samples.filter((s) => digests.known[s] === 0)));
    const chunks: Int32Array[] = [];
    for (let start = 0; start < unread.length; start += DIGEST_CHUNK) chunks.push(unread.subarray(start, start + DIGEST_CHUNK));
    let next = chunks.length > 0 ? this.read(chunks[0], channelsLast) : undefined;
    for (let i = 0; i < chunks.length; i++) {
      const current = next as Promise<Float32Array>;
      next = i + 1 < chunks.length ? this.read(chunks[i + 1], channelsLast) : undefined;
      // Failing reads ahead are reported when reached; an error here leaves the one ahead unobserved otherwise.
      next?.catch(() => undefined);
      await current;
    }
    const out = new Uint8Array(samples.length * DIGEST_BYTES);
    samples.forEach((s, k) => out.set(digests.bytes.subarray(s * DIGEST_BYTES, (s + 1) * DIGEST_BYTES), k * DIGEST_BYTES));
    return out;
  }

  stats(): StreamStats {
    const { cache } = this;
    return { requested: this.requested, loaded: this.loaded, hits: this.hits, rejected: cache.rejections, cachedBytes: cache.bytes, budgetBytes: cache.budgetBytes, decoders: this.source.decoders?.() };
  }

  private digestsFor(channelsLast: boolean): { readonly bytes: Uint8Array; readonly known: Uint8Array } {
    const layout = channelsLast ? 1 : 0;
    const { count } = this.source;
    return (this.digests[layout] ??= { bytes: new Uint8Array(count * DIGEST_BYTES), known: new Uint8Array(count) });
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

  sampleDigests(): Promise<Uint8Array> {
    const samples = this.rows ?? Int32Array.from({ length: this.count }, (_, i) => i);
    return this.core.digestsOf(samples, this.lastAxisChannels);
  }

  cancelQueued(): void {
    this.core.source.cancelQueued();
  }

  pace(count: number, heldMs: number, waitedMs: number): void {
    this.core.source.pace?.(count, heldMs, waitedMs);
  }

  stats(): StreamStats {
    return this.core.stats();
  }

  close(): Promise<void> {
    return this.core.source.close();
  }
}
