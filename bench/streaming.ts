/**
 * `npm run bench:stream`: a streamed image CSV (data/streaming/) under an engine-like consumer. Generates a CSV of
 * PNG files (128×128 by default) in a temporary folder, then reads epochs of shuffled batches through the same
 * readBatches the engine uses, with a simulated step per batch (an await, as onnxruntime's run leaves the main
 * thread free). Prints numbers, asserts nothing:
 *   - peak RSS of the whole process (decoding workers included) against what the float32 array would need;
 *   - images decoded per second (first epoch, cold cache) and the cache's hits/evictions;
 *   - whether the step waits: time the consumer spent blocked on data, per batch.
 *
 *   npm run bench:stream -- [--images 20000] [--size 128] [--batch 64] [--epochs 2] [--step-ms 100]
 *                          [--cache-mb 256] [--workers N] [--dir reuse/this/folder] [--keep]
 *
 * Distinct pictures are encoded once (512 of them) and written as many files, so generating 200,000 files takes
 * minutes, not an hour; every file is still read and decoded on its own.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { batchIndices } from '../src/core/data/dataset';
import { planImageCsv } from '../src/core/data/image-csv';
import { createRng, deriveSeed } from '../src/core/data/random';
import { defaultDecodeWorkers } from '../src/core/data/streaming/decode-pool';
import { streamImageCsv } from '../src/core/data/streaming/open-image-csv';
import { readBatches } from '../src/core/data/streaming/read-batches';

interface Options {
  readonly images: number;
  readonly size: number;
  readonly batch: number;
  readonly epochs: number;
  readonly stepMs: number;
  readonly cacheMb: number;
  readonly workers: number;
  readonly dir?: string;
  readonly keep: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    images: Number(get('--images') ?? 20000),
    size: Number(get('--size') ?? 128),
    batch: Number(get('--batch') ?? 64),
    epochs: Number(get('--epochs') ?? 2),
    stepMs: Number(get('--step-ms') ?? 100),
    cacheMb: Number(get('--cache-mb') ?? 256),
    workers: Number(get('--workers') ?? defaultDecodeWorkers()),
    dir: get('--dir'),
    keep: argv.includes('--keep'),
  };
}

/** A smooth picture with a few blobs and mild noise: compresses and decodes like a small photo, not like static. */
function picture(size: number, seed: number): Buffer {
  const rng = createRng(seed);
  const png = new PNG({ width: size, height: size });
  const blobs = Array.from({ length: 4 }, () => ({ x: rng.nextFloat() * size, y: rng.nextFloat() * size, r: 8 + rng.nextFloat() * size * 0.3, c: [rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)] }));
  const base = [rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = 4 * (y * size + x);
      for (let c = 0; c < 3; c++) {
        let v = base[c] * (0.5 + (0.5 * (x + y)) / (2 * size));
        for (const b of blobs) if ((x - b.x) ** 2 + (y - b.y) ** 2 < b.r ** 2) v = b.c[c];
        png.data[p + c] = Math.max(0, Math.min(255, Math.round(v + (rng.nextFloat() - 0.5) * 12)));
      }
      png.data[p + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

function generate(dir: string, o: Options): string {
  const csv = join(dir, 'data.csv');
  if (existsSync(csv)) return csv;
  const t0 = performance.now();
  const distinct = Array.from({ length: Math.min(512, o.images) }, (_, i) => picture(o.size, deriveSeed(1, 'bench-stream', i)));
  const rng = createRng(2);
  const rows = ['path,label,bias'];
  for (let i = 0; i < o.images; i++) {
    const sub = `d${Math.floor(i / 1000)}`;
    if (i % 1000 === 0) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, sub, `${i}.png`), distinct[i % distinct.length]);
    rows.push(`${sub}/${i}.png,${rng.nextInt(10)},${rng.nextInt(2)}`);
  }
  writeFileSync(csv, rows.join('\n') + '\n');
  const mb = distinct.reduce((s, b) => s + b.length, 0) / distinct.length / 1024;
  console.log(`generated ${o.images} PNGs of ${o.size}×${o.size} (${mb.toFixed(1)} KiB each on average) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return csv;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'bise-bench-stream-'));
  mkdirSync(dir, { recursive: true });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    const csv = generate(dir, o);
    const plan = planImageCsv(csv, { size: o.size, valFraction: 0, testFraction: 0 });
    const train = streamImageCsv(plan, { cacheMb: o.cacheMb, workers: o.workers }).train;
    const n = train.y.length;
    const floatGiB = (n * 3 * o.size * o.size * 4) / 2 ** 30;
    console.log(`${n} images, ${o.workers} decoding worker(s), cache ${o.cacheMb} MiB, batch ${o.batch}, simulated step ${o.stepMs} ms; in memory as float32 they would take ${floatGiB.toFixed(2)} GiB`);
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const before = train.samples.stats();
      const waits: number[] = [];
      const t0 = performance.now();
      for await (const [, batch] of readBatches(train, batchIndices(n, { batchSize: o.batch, seed: deriveSeed(0, 'epoch', epoch), dropLast: true }), { onWait: (ms) => waits.push(ms) })) {
        void batch;
        if (o.stepMs > 0) await new Promise((resolve) => setTimeout(resolve, o.stepMs));
      }
      const seconds = (performance.now() - t0) / 1000;
      const after = train.samples.stats();
      const decoded = after.loaded - before.loaded;
      const steady = waits.slice(1);
      const waited = steady.filter((ms) => ms > 1);
      const total = steady.reduce((s, ms) => s + ms, 0);
      console.log(
        `epoch ${epoch + 1}: ${seconds.toFixed(1)} s, ${decoded} decoded (${(decoded / seconds).toFixed(0)} images/s), ${after.hits - before.hits} cache hits, ${after.evictions - before.evictions} evictions; ` +
          `first batch waited ${waits[0].toFixed(0)} ms, then ${waited.length} of ${steady.length} batches waited (> 1 ms), ${total.toFixed(0)} ms in all (${((100 * total) / 1000 / seconds).toFixed(1)}% of the epoch)`,
      );
    }
    const stats = train.samples.stats();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    console.log(`cache peak ${(stats.peakCachedBytes / 2 ** 20).toFixed(0)} MiB of ${(stats.budgetBytes / 2 ** 20).toFixed(0)}; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (sampled), maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (kernel)`);
    await train.samples.close();
  } finally {
    clearInterval(sampler);
    if (!o.keep && o.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

void main();
