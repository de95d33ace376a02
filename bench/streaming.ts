/**
 * `npm run bench:stream`: a streamed image CSV (data/streaming/) under an engine-like consumer. Generates a CSV of
 * PNG files (128×128 by default, --image-size; the model's input is --size) in a temporary folder, then reads epochs of shuffled batches through the same
 * readBatches the engine uses, with a step per batch: simulated (an await of --step-ms, as onnxruntime's run leaves
 * the main thread free), or with --model a real onnxruntime run of a small CNN on the batch (the demo CNN's blocks
 * at --size), timed alone first, so that what decoding takes from the step shows. Prints numbers, asserts nothing:
 *   - peak RSS of the whole process (decoding workers included) against what the float32 array would need;
 *   - images decoded per second and the cache's hits;
 *   - whether the step waits: time the consumer spent blocked on data, per batch;
 *   - CPU time: the main thread's per batch (what the step's thread spends on data), the whole process's per image;
 *   - with --model: the step's median time alone and while decoding runs.
 *
 *   npm run bench:stream -- [--images 20000] [--size 128] [--image-size 128] [--batch 64] [--epochs 2] [--batches N] [--step-ms 100]
 *                          [--model] [--threads N] [--cache-mb 256] [--workers N] [--niceness 10]
 *                          [--dir reuse/this/folder] [--keep]
 * --workers fixes the number of decoding threads (default: the pool sizes itself, streaming/decode-pool.ts);
 * --batches stops each epoch after that many batches; --threads is onnxruntime's (default: one per core).
 *
 * Distinct pictures are encoded once (1,000 of them) and written as many files, so generating 200,000 files takes
 * minutes, not an hour; every file is still read and decoded on its own.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { PNG } from 'pngjs';
import { batchIndices } from '../src/core/data/dataset';
import { planImageCsv } from '../src/core/data/image-csv';
import { biasedMnistSplits } from '../src/core/data/biased-mnist';
import { deriveSeed } from '../src/core/data/random';
import { DECODER_NICENESS, decodeWorkerCeiling } from '../src/core/data/streaming/decode-pool';
import { streamImageCsv } from '../src/core/data/streaming/open-image-csv';
import { readBatches } from '../src/core/data/streaming/read-batches';
import { DEMO_CNN, buildSmallCnn } from '../src/core/models/small-cnn';
import { serializeModel } from '../src/core/onnx/writer';
import { createSession } from '../src/core/runtime/session';

interface Options {
  readonly images: number;
  readonly size: number;
  readonly imageSize: number;
  readonly batch: number;
  readonly epochs: number;
  readonly batches: number;
  readonly stepMs: number;
  readonly model: boolean;
  readonly threads?: number;
  readonly cacheMb: number;
  readonly workers?: number;
  readonly niceness: number;
  readonly dir?: string;
  readonly keep: boolean;
}

function optionalNumber(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}

function parseArgs(argv: readonly string[]): Options {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    images: Number(get('--images') ?? 20000),
    size: Number(get('--size') ?? 128),
    imageSize: Number(get('--image-size') ?? get('--size') ?? 128),
    batch: Number(get('--batch') ?? 64),
    epochs: Number(get('--epochs') ?? 2),
    batches: Number(get('--batches') ?? Infinity),
    stepMs: Number(get('--step-ms') ?? 100),
    model: argv.includes('--model'),
    threads: optionalNumber(get('--threads')),
    cacheMb: Number(get('--cache-mb') ?? 256),
    workers: optionalNumber(get('--workers')),
    niceness: Number(get('--niceness') ?? DECODER_NICENESS),
    dir: get('--dir'),
    keep: argv.includes('--keep'),
  };
}

/**
 * BiasedMNIST digits (white strokes on a class-correlated colour), enlarged to size×size by nearest neighbour:
 * flat areas compress well (about 1 KiB a file, so 200,000 files stay small on disk) yet decode pixel by pixel
 * like any PNG of that size, and the labels are learnable, so `bise extract` can run on the CSV.
 */
function digitPictures(count: number, size: number): { png: Buffer; label: number; bias: number }[] {
  const { train } = biasedMnistSplits({ rho: 0.9, seed: 1, trainSize: count, valSize: 10, testSize: 10 });
  const [, h, w] = train.dims;
  return Array.from({ length: count }, (_, i) => {
    const png = new PNG({ width: size, height: size });
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const p = Math.floor((y * h) / size) * w + Math.floor((x * w) / size);
        // x was normalised (v/255 − 0.5)/0.5 from 8-bit values: undo it exactly.
        for (let c = 0; c < 3; c++) png.data[4 * (y * size + x) + c] = Math.round((train.x[i * 3 * h * w + c * h * w + p] * 0.5 + 0.5) * 255);
        png.data[4 * (y * size + x) + 3] = 255;
      }
    }
    return { png: PNG.sync.write(png), label: train.y[i], bias: train.biases[0][i] };
  });
}

function generate(dir: string, o: Options): string {
  const csv = join(dir, 'data.csv');
  if (existsSync(csv)) return csv;
  const t0 = performance.now();
  const distinct = digitPictures(Math.min(1000, o.images), o.imageSize);
  const rows = ['path,label,bias'];
  for (let i = 0; i < o.images; i++) {
    const sub = `d${Math.floor(i / 1000)}`;
    if (i % 1000 === 0) mkdirSync(join(dir, sub), { recursive: true });
    const { png, label, bias } = distinct[i % distinct.length];
    writeFileSync(join(dir, sub, `${i}.png`), png);
    rows.push(`${sub}/${i}.png,${label},${bias}`);
  }
  writeFileSync(csv, rows.join('\n') + '\n');
  const mb = distinct.reduce((s, d) => s + d.png.length, 0) / distinct.length / 1024;
  console.log(`generated ${o.images} PNGs of ${o.imageSize}×${o.imageSize} (${mb.toFixed(1)} KiB each on average) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return csv;
}

type Step = (x: Float32Array, count: number) => Promise<void>;

/** The step: a wait of stepMs, or a forward run of the demo CNN's blocks at size×size through onnxruntime. */
async function makeStep(o: Options): Promise<Step> {
  if (!o.model) return async () => void (o.stepMs > 0 && (await new Promise((resolve) => setTimeout(resolve, o.stepMs))));
  const model = buildSmallCnn({ ...DEMO_CNN, height: o.size, width: o.size });
  const { session } = await createSession(serializeModel(model), { threads: o.threads });
  const [input] = session.inputNames;
  return async (x, count) => void (await session.run({ [input]: new ort.Tensor('float32', x, [count, 3, o.size, o.size]) }));
}

/** Median milliseconds of the step on one batch, with nothing else running. */
async function stepAlone(step: Step, o: Options): Promise<number> {
  const x = new Float32Array(o.batch * 3 * o.size * o.size).fill(0.25);
  await step(x, o.batch);
  const times: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    await step(x, o.batch);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * CPU seconds the main thread has used (user + system), from /proc on Linux: process.cpuUsage() counts the decoding
 * workers too. Elsewhere undefined.
 */
function mainThreadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) counted from the state, field 3; in clock ticks, 100 a second on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'bise-bench-stream-'));
  mkdirSync(dir, { recursive: true });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    const csv = generate(dir, o);
    if (o.epochs === 0) return;
    const plan = planImageCsv(csv, { size: o.size, valFraction: 0, testFraction: 0 });
    const step = await makeStep(o);
    const alone = o.model ? await stepAlone(step, o) : o.stepMs;
    const train = streamImageCsv(plan, { cacheMb: o.cacheMb, workers: o.workers, niceness: o.niceness }).train;
    const n = train.y.length;
    const floatGiB = (n * 3 * o.size * o.size * 4) / 2 ** 30;
    const workers = o.workers === undefined ? `self-sizing decoding pool (at most ${decodeWorkerCeiling()} workers)` : `${o.workers} decoding worker(s)`;
    const stepText = o.model ? `step: the demo CNN's forward at ${o.size}×${o.size}, ${alone.toFixed(0)} ms alone (median)` : `simulated step ${o.stepMs} ms`;
    const resize = o.imageSize === o.size ? '' : ` (resized from ${o.imageSize}×${o.imageSize})`;
    console.log(`${n} images at ${o.size}×${o.size}${resize}, ${workers}, niceness ${o.niceness}, cache ${o.cacheMb} MiB, batch ${o.batch}, ${stepText}; in memory as float32 they would take ${floatGiB.toFixed(2)} GiB`);
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const before = train.samples.stats();
      const waits: number[] = [];
      const steps: number[] = [];
      const cpu0 = process.cpuUsage();
      const main0 = mainThreadCpuSeconds();
      const t0 = performance.now();
      const batches = batchIndices(n, { batchSize: o.batch, seed: deriveSeed(0, 'epoch', epoch), dropLast: true }).slice(0, o.batches);
      for await (const [b, batch] of readBatches(train, batches, { onWait: (ms) => waits.push(ms) })) {
        const s0 = performance.now();
        await step(batch.x, batch.y.length);
        steps.push(performance.now() - s0);
        // A long epoch shows that it moves, and how fast.
        if ((b + 1) % 500 === 0) console.log(`  ${b + 1} batches in ${((performance.now() - t0) / 1000).toFixed(0)} s, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const main1 = mainThreadCpuSeconds();
      const mainText = main0 === undefined || main1 === undefined ? '' : `, main thread ${((1000 * (main1 - main0)) / batches.length).toFixed(1)} ms a batch`;
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const after = train.samples.stats();
      const decoded = after.loaded - before.loaded;
      const steady = waits.slice(1);
      const waited = steady.filter((ms) => ms > 1);
      const total = steady.reduce((s, ms) => s + ms, 0);
      const pool = after.decoders === undefined ? '' : `; decoding workers at the end: ${after.decoders.workers}, ${after.decoders.imagesPerWorkerSecond?.toFixed(0) ?? '?'} images/s each (measured)`;
      console.log(
        `epoch ${epoch + 1}: ${seconds.toFixed(1)} s, ${batches.length} batches, ${decoded} decoded (${(decoded / seconds).toFixed(0)} images/s), ${after.hits - before.hits} cache hits, ${after.rejected - before.rejected} turned away by the full cache; ` +
          `first batch waited ${waits[0].toFixed(0)} ms, then ${waited.length} of ${steady.length} batches waited (> 1 ms), ${total.toFixed(0)} ms in all (${((100 * total) / 1000 / seconds).toFixed(1)}% of the epoch); ` +
          `step median ${median(steps).toFixed(0)} ms (alone ${alone.toFixed(0)}); CPU: process ${(cpuSeconds / seconds).toFixed(2)} cores, ${((1000 * cpuSeconds) / (batches.length * o.batch)).toFixed(2)} ms an image${mainText}${pool}`,
      );
    }
    const stats = train.samples.stats();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    console.log(`cache held ${(stats.cachedBytes / 2 ** 20).toFixed(0)} MiB of ${(stats.budgetBytes / 2 ** 20).toFixed(0)}; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (sampled), maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (kernel)`);
    await train.samples.close();
  } finally {
    clearInterval(sampler);
    if (!o.keep && o.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

void main();
