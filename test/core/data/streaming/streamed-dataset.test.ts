import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataset, InMemoryDataset, StreamedDataset, batchIndices, gatherBatch } from '../../../../src/core/data/dataset';
import { Splits } from '../../../../src/core/data/digit-splits';
import { readImageCsv, planImageCsv } from '../../../../src/core/data/image-csv';
import { readNpyFolder } from '../../../../src/core/data/npy-folder';
import { createRng } from '../../../../src/core/data/random';
import { datasetsSha256 } from '../../../../src/core/data/streaming/dataset-hash';
import { streamImageCsv } from '../../../../src/core/data/streaming/open-image-csv';
import { streamNpyFolder } from '../../../../src/core/data/streaming/open-npy-folder';
import { readBatch, readBatches } from '../../../../src/core/data/streaming/read-batches';
import { jpegBytes, pngBytes, rgbaImage } from '../../../support/images';
import { npyBytes } from '../../../support/npy-writer';

const base = mkdtempSync(join(tmpdir(), 'bise-streaming-'));
const opened: Splits<StreamedDataset>[] = [];
test.after(async () => {
  await Promise.all(opened.map((s) => s.train.samples.close()));
  rmSync(base, { recursive: true, force: true });
});
let folders = 0;

/** A folder with data.csv listing `count` images of varied own sizes (PNG RGB, PNG RGBA, JPEG), labels 0–2, bias 0–1. */
function imageCsv(count: number, extraRows: string[] = [], extraFiles: Record<string, Uint8Array> = {}): string {
  const dir = join(base, `csv-${folders++}`);
  mkdirSync(dir);
  const rng = createRng(7);
  const rows = ['path,label,bias'];
  for (let i = 0; i < count; i++) {
    const [w, h] = [5 + (i % 4), 4 + (i % 3)];
    const rgba = rgbaImage(w, h, () => [rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)]);
    if (i % 3 === 1) for (let p = 3; p < rgba.length; p += 4) rgba[p] = rng.nextInt(256);
    const name = i % 5 === 4 ? `img${i}.jpg` : `img${i}.png`;
    writeFileSync(join(dir, name), i % 5 === 4 ? jpegBytes(w, h, rgba, 90) : pngBytes(w, h, rgba, i % 3 === 1 ? 6 : 2));
    rows.push(`${name},${i % 3},${(i >> 1) % 2}`);
  }
  for (const [name, bytes] of Object.entries(extraFiles)) writeFileSync(join(dir, name), bytes);
  writeFileSync(join(dir, 'data.csv'), [...rows, ...extraRows].join('\n') + '\n');
  return join(dir, 'data.csv');
}

function stream<D extends Splits<StreamedDataset>>(splits: D): D {
  opened.push(splits);
  return splits;
}

const bytesOf = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Every batch of a seeded epoch, streamed, equals the in-memory reader's batch bit for bit. */
async function assertSameBatches(memory: InMemoryDataset, streamed: Dataset, seed: number): Promise<number> {
  assert.deepEqual(streamed.dims, memory.dims);
  assert.deepEqual(Array.from(streamed.y), Array.from(memory.y));
  assert.deepEqual(streamed.biases.map((b) => Array.from(b)), memory.biases.map((b) => Array.from(b)));
  assert.deepEqual(streamed.meta, memory.meta);
  let batches = 0;
  for await (const [b, batch] of readBatches(streamed, batchIndices(memory.y.length, { batchSize: 5, seed }))) {
    const expected = gatherBatch(memory, batch.indices);
    assert.ok(bytesOf(batch.x).equals(bytesOf(expected.x)), `batch ${b}: the streamed pixels differ from the in-memory ones`);
    assert.deepEqual(Array.from(batch.y), Array.from(expected.y));
    batches++;
  }
  return batches;
}

test('a streamed image CSV gives the in-memory batches bit for bit (resized, RGBA, JPEG, grey), and the same data hash', async () => {
  const file = imageCsv(24);
  for (const options of [{ size: 6, seed: 3 }, { size: [3, 8] as [number, number], channels: 1 as const, normalize: { mean: [0.4], std: [0.3] } }]) {
    const memory = readImageCsv(file, options);
    const streamed = stream(streamImageCsv(planImageCsv(file, options), { workers: 1 }));
    for (const split of ['train', 'val', 'test'] as const) assert.ok((await assertSameBatches(memory[split], streamed[split], 11)) > 0);
    // The channels-last view (for Keras-style models) holds the same values, [H, W, C].
    const [c, h, w] = memory.train.dims;
    const rows = Int32Array.from([3, 0, 2]);
    const nchw = gatherBatch(memory.train, rows).x;
    const nhwc = await streamed.train.samples.channelsLast().read(rows);
    rows.forEach((_, k) => {
      for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) assert.ok(Object.is(nhwc[k * c * h * w + p * c + ch], nchw[k * c * h * w + ch * h * w + p]));
    });
    const parts = (s: Splits<Dataset>): Dataset[] => [s.train, s.val, s.test];
    assert.equal(await datasetsSha256(parts(streamed)), await datasetsSha256(parts(memory)));
    // Fitted to a channels-last model, both hash the samples as laid out [H, W, C], and still agree.
    const x = new Float32Array(memory.train.x.length);
    for (let base = 0; base < x.length; base += c * h * w) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) x[base + p * c + ch] = memory.train.x[base + ch * h * w + p];
    const lastMemory: Dataset = { ...memory.train, x, dims: [h, w, c] };
    const lastStreamed: Dataset = { ...streamed.train, dims: [h, w, c], samples: streamed.train.samples.channelsLast() };
    assert.equal(await datasetsSha256([lastStreamed]), await datasetsSha256([lastMemory]));
    if (c > 1) assert.notEqual(await datasetsSha256([lastMemory]), await datasetsSha256([memory.train]));
  }
});

test('a streamed .npy folder gives the in-memory batches bit for bit: uint8 NHWC with val carved out of train, and float32 NCHW', async () => {
  const rng = createRng(5);
  const n = { train: 30, test: 12 };
  const labels = (count: number, classes: number): number[] => Array.from({ length: count }, (_, i) => i % classes);
  const u8Dir = join(base, `npy-${folders++}`);
  mkdirSync(u8Dir);
  for (const split of ['train', 'test'] as const) {
    writeFileSync(join(u8Dir, `x_${split}.npy`), npyBytes({ descr: '|u1', shape: [n[split], 4, 3, 3], data: Array.from({ length: n[split] * 36 }, () => rng.nextInt(256)) }));
    writeFileSync(join(u8Dir, `y_${split}.npy`), npyBytes({ descr: '<i8', shape: [n[split]], data: labels(n[split], 3) }));
    writeFileSync(join(u8Dir, `b_${split}.npy`), npyBytes({ descr: '|u1', shape: [n[split]], data: labels(n[split], 2) }));
  }
  const f4Dir = join(base, `npy-${folders++}`);
  mkdirSync(f4Dir);
  for (const split of ['train', 'val', 'test'] as const) {
    const count = split === 'val' ? 7 : n[split];
    writeFileSync(join(f4Dir, `x_${split}.npy`), npyBytes({ descr: '<f4', shape: [count, 1, 4, 5], data: Array.from({ length: count * 20 }, () => rng.nextFloat() * 3 - 1) }));
    writeFileSync(join(f4Dir, `y_${split}.npy`), npyBytes({ descr: '<i8', shape: [count], data: labels(count, 2) }));
    writeFileSync(join(f4Dir, `b_${split}.npy`), npyBytes({ descr: '<i8', shape: [count, 2], data: Array.from({ length: 2 * count }, (_, i) => (i < 4 ? i % 2 : rng.nextInt(2))) }));
  }
  for (const [dir, options] of [
    [u8Dir, { seed: 4, normalize: { mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] } }],
    [f4Dir, {}],
  ] as const) {
    const memory = readNpyFolder(dir, options);
    const streamed = stream(streamNpyFolder(dir, options));
    for (const split of ['train', 'val', 'test'] as const) assert.ok((await assertSameBatches(memory[split], streamed[split], 2)) > 0);
    assert.equal(await datasetsSha256([streamed.train, streamed.val, streamed.test]), await datasetsSha256([memory.train, memory.val, memory.test]));
  }
});

test('the cache stays within its budget: once full it keeps what it holds, so each later epoch hits those samples', async () => {
  const file = imageCsv(24);
  const options = { size: 8, valFraction: 0, testFraction: 0.5 };
  const memory = readImageCsv(file, options).train;
  const n = memory.y.length;
  // Each 5–8 × 4–6 image (enlarged to 8×8 as it is written) caches as at most 144 bytes of RGB and a 32-byte digest:
  // a 600-byte budget holds about four.
  const streamed = stream(streamImageCsv(planImageCsv(file, options), { cacheMb: 600 / (1024 * 1024), workers: 1 })).train;
  const epochs = [];
  for (const seed of [1, 2, 3]) {
    await assertSameBatches(memory, streamed, seed);
    epochs.push(streamed.samples.stats());
  }
  const [first, second, third] = epochs;
  assert.equal(first.budgetBytes, 600);
  assert.ok(first.cachedBytes <= 600 && first.cachedBytes > 600 - 176, `the cache holds ${first.cachedBytes} bytes of its 600`);
  assert.deepEqual([first.hits, first.loaded], [0, n], 'the first epoch reads each image once');
  assert.ok(first.rejected > 0 && first.rejected === n - (second.hits - first.hits), `expected the images that did not fit to be turned away: ${JSON.stringify(first)}`);
  // The samples held since the first epoch are hit in every later one (least-recently-used would evict them first).
  assert.ok(second.hits - first.hits >= 3, `a 600-byte cache should hit at least 3 of ${n} images per epoch, hit ${second.hits - first.hits}`);
  assert.equal(third.hits - second.hits, second.hits - first.hits);
  assert.equal(third.loaded - second.loaded, n - (third.hits - second.hits));
  assert.equal(third.cachedBytes, first.cachedBytes);
  // A budget that holds everything decodes each image once over the same epochs.
  const roomy = stream(streamImageCsv(planImageCsv(file, options), { cacheMb: 1, workers: 1 })).train;
  for (const seed of [1, 2]) await assertSameBatches(memory, roomy, seed);
  assert.deepEqual([roomy.samples.stats().loaded, roomy.samples.stats().rejected, roomy.samples.stats().hits], [n, 0, n]);
});

test('the data hash of a streamed split reuses the digests its reads made: no image is decoded a second time', async () => {
  const file = imageCsv(24);
  const options = { size: 6, valFraction: 0, testFraction: 0.25 };
  const memory = readImageCsv(file, options);
  const parts = (s: Splits<Dataset>): Dataset[] => [s.train, s.val, s.test];
  const expected = await datasetsSha256(parts(memory));
  // No cache: every read decodes, so loaded counts decodes exactly.
  const streamed = stream(streamImageCsv(planImageCsv(file, options), { cacheMb: 0, workers: 1 }));
  const n = memory.train.y.length;
  // Part of one shuffled epoch of train (two batches of 5), then the hash: only the rows not read yet are decoded.
  let read = 0;
  for await (const [b] of readBatches(streamed.train, batchIndices(n, { batchSize: 5, seed: 4 }), { lookahead: 0 })) {
    read += 5;
    if (b === 1) break;
  }
  const before = streamed.train.samples.stats().loaded;
  assert.equal(before, read);
  assert.equal(await datasetsSha256(parts(streamed)), expected);
  const all = 24;
  assert.equal(streamed.train.samples.stats().loaded, all, 'each image decoded once in all: the ten read, then the fourteen never read');
  // Hashing again, or after more epochs, decodes nothing.
  assert.equal(await datasetsSha256(parts(streamed)), expected);
  assert.equal(streamed.train.samples.stats().loaded, all);
  // The hash pins the data: one pixel changed in one image changes it.
  const changed = readImageCsv(file, options);
  changed.test.x[7] += 1;
  assert.notEqual(await datasetsSha256(parts(changed)), expected);
});

test('a corrupt image fails the batch that needs it, naming the CSV, the row and the file as the in-memory reader does', async () => {
  const png = pngBytes(6, 6, rgbaImage(6, 6, () => [1, 2, 3]));
  const file = imageCsv(12, ['bad.png,1,0', 'img0.png,2,1'], { 'bad.png': png.subarray(0, png.length - 30) });
  const options = { size: 6, valFraction: 0, testFraction: 0 };
  const inMemory = (() => {
    try {
      readImageCsv(file, options);
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  })();
  assert.match(inMemory, /data\.csv: row 14: image "bad\.png": could not decode: PNG: /);
  const streamed = stream(streamImageCsv(planImageCsv(file, options), { workers: 1 })).train;
  const bad = 12; // data row 12 is CSV row 14 (the header is row 1)
  await assert.rejects(readBatch(streamed, Int32Array.from([0, bad, 3])), (err: Error) => err.name === 'DatasetError' && err.message === inMemory);
  // The other rows still read, and the bad one fails again when asked again (it is not cached as a hole).
  assert.equal((await readBatch(streamed, Int32Array.from([0, 13]))).x.length, 2 * 3 * 36);
  await assert.rejects(readBatch(streamed, Int32Array.from([bad])), /row 14: image "bad\.png"/);
});

test('leaving an epoch early stops the prefetching of the batches it will not reach', async () => {
  const file = imageCsv(48);
  const options = { size: 6, valFraction: 0, testFraction: 0 };
  const streamed = stream(streamImageCsv(planImageCsv(file, options), { workers: 1 })).train;
  const batches = batchIndices(streamed.y.length, { batchSize: 4, seed: 9 });
  for await (const [b] of readBatches(streamed, batches, { lookahead: 10 })) {
    assert.equal(b, 0);
    break;
  }
  // Eleven batches (44 images) were asked for; after the break only the chunks a worker had already taken finish.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const after = streamed.samples.stats();
  assert.equal(after.requested, 44);
  assert.ok(after.loaded <= 16, `expected decoding to stop soon after the loop ended, but ${after.loaded} of 44 images were decoded`);
  // Cancelled rows are not left half-loaded: the whole epoch still reads, and matches memory.
  const memory = readImageCsv(file, options).train;
  assert.equal(await assertSameBatches(memory, streamed, 9), Math.ceil(memory.y.length / 5));
});
