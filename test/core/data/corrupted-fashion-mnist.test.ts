/**
 * Corrupted Fashion-MNIST. The generator takes any grey 28×28 images with labels 0 … 9, so most tests run on the
 * bundled MNIST digits and pass without Debian's dataset-fashion-mnist; the one test that reads the real files is
 * skipped, saying so, where they are not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { corruptImages, corruptedFashionMnistSplits } from '../../../src/core/data/corrupted-fashion-mnist';
import { CORRUPTIONS } from '../../../src/core/data/corruptions';
import { resizeBilinear } from '../../../src/core/data/bilinear-resize';
import { DatasetError } from '../../../src/core/data/errors';
import { fashionMnistTrainFiles, loadFashionMnist } from '../../../src/core/data/fashion-mnist-files';
import { LabelledDigits, selectDigits } from '../../../src/core/data/gray-digits';
import { loadBundledDigits } from '../../../src/core/data/mnist-digits';
import { loadBuiltinDataset } from '../../../src/core/jobs/builtin-datasets';
import { assertChunkRule, colourCountsByClass } from './colour-expectations';

const digits = loadBundledDigits();
const some = selectDigits(digits, Int32Array.from({ length: 2000 }, (_, i) => i * 5));
const bytes = (a: Float32Array | Int32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const alignedFraction = (y: Int32Array, b: Int32Array): number => y.reduce((n, c, i) => n + (c === b[i] ? 1 : 0), 0) / y.length;

test('3×32×32 images in [−1, 1], grey in all three channels; labels and corruption labels 0 … 9', () => {
  const ds = corruptImages(some, some.labels, 0.5, 7);
  assert.deepEqual(ds.dims, [3, 32, 32]);
  assert.equal(ds.x.length, some.count * 3 * 32 * 32);
  assert.equal(ds.numClasses, 10);
  assert.deepEqual(ds.biasClasses, [10]);
  assert.deepEqual(Array.from(ds.y), Array.from(some.labels));
  assert.ok(ds.x.every((v) => v >= -1 && v <= 1), 'a value outside [−1, 1]');
  assert.ok(ds.biases[0].every((b) => Number.isInteger(b) && b >= 0 && b < 10));
  const plane = 32 * 32;
  for (let n = 0; n < ds.y.length; n += 97) {
    const red = ds.x.subarray(n * 3 * plane, n * 3 * plane + plane);
    assert.deepEqual(ds.x.subarray(n * 3 * plane + plane, n * 3 * plane + 2 * plane), red, `sample ${n}: green differs from red`);
    assert.deepEqual(ds.x.subarray(n * 3 * plane + 2 * plane, (n + 1) * 3 * plane), red, `sample ${n}: blue differs from red`);
  }
  assert.deepEqual(ds.meta.corruptions, CORRUPTIONS.map((c) => c.name));
  // Every corruption is used, so every bias group exists.
  assert.equal(new Set(ds.biases[0]).size, 10);
});

test('a sample is its digit enlarged to 32×32, put through its corruption, normalised with mean = std = 0.5', () => {
  const ds = corruptImages(some, some.labels, 0.5, 7);
  // Brightness (0) and pixelate (8) draw no random numbers, so they can be recomputed here exactly.
  for (const corruption of [0, 8]) {
    const n = ds.biases[0].indexOf(corruption);
    assert.ok(n >= 0, `no sample with corruption ${corruption}`);
    const enlarged = resizeBilinear({ data: some.pixels.slice(n * 784, (n + 1) * 784), channels: 1, height: 28, width: 28 }, 32, 32);
    const expected = CORRUPTIONS[corruption].apply(enlarged, 32, 32, undefined as never);
    expected.forEach((v, p) => assert.ok(Math.abs(ds.x[n * 3 * 1024 + p] - (v - 0.5) / 0.5) < 1e-6, `${CORRUPTIONS[corruption].name}, sample ${n}, pixel ${p}`));
  }
});

test('train: per class ⌊n·ρ⌋ samples get the class’s own corruption, the rest the other nine in equal shares', () => {
  for (const rho of [0.95, 0.98, 0.99, 0.995]) {
    const ds = corruptImages(some, some.labels, rho, 3);
    assertChunkRule(ds.y, ds.biases[0], rho, `ρ=${rho}`);
    assert.ok(Math.abs(alignedFraction(ds.y, ds.biases[0]) - rho) < 0.01, `ρ=${rho}: aligned fraction ${alignedFraction(ds.y, ds.biases[0])}`);
  }
});

test('splits: train aligned at ρ, validation and test unbiased (about 1/10 aligned, every corruption in every class)', () => {
  const s = corruptedFashionMnistSplits({ rho: 0.98, seed: 11, trainSize: 6000, valSize: 1000, testSize: 2000, source: digits });
  assert.deepEqual([s.train.y.length, s.val.y.length, s.test.y.length], [6000, 1000, 2000]);
  assert.ok(Math.abs(alignedFraction(s.train.y, s.train.biases[0]) - 0.98) < 0.005);
  for (const part of [s.val, s.test]) {
    assert.ok(Math.abs(alignedFraction(part.y, part.biases[0]) - 0.1) < 0.01, `${part.name}: aligned fraction ${alignedFraction(part.y, part.biases[0])}`);
    // ρ = 0.1 by the same chunk rule: ⌊n/10⌋ aligned, the other nine in chunks of ⌈(n − ⌊n/10⌋)/9⌉, the last one short.
    assertChunkRule(part.y, part.biases[0], 0.1, part.name);
    colourCountsByClass(part.y, part.biases[0]).forEach((row, c) => row.forEach((k, b) => assert.ok(k > 0, `${part.name}: class ${c} has no sample with corruption ${b}`)));
  }
  assert.equal(s.train.meta.split, 'train');
  assert.equal(s.test.meta.protocol, 'CorruptedFashionMNIST');
});

test('the same seed gives the same data; another seed other corruptions and other noise', () => {
  const options = { rho: 0.97, trainSize: 700, valSize: 100, testSize: 200, source: some };
  const a = corruptedFashionMnistSplits({ ...options, seed: 5 });
  const b = corruptedFashionMnistSplits({ ...options, seed: 5 });
  const c = corruptedFashionMnistSplits({ ...options, seed: 6 });
  for (const part of ['train', 'val', 'test'] as const) {
    assert.ok(bytes(a[part].x).equals(bytes(b[part].x)), `${part}: x differs for the same seed`);
    assert.ok(bytes(a[part].biases[0]).equals(bytes(b[part].biases[0])), `${part}: corruptions differ for the same seed`);
    assert.ok(!bytes(a[part].x).equals(bytes(c[part].x)), `${part}: x equal for another seed`);
  }
  // The noise of an image is its own: the same images in the same order with the same corruptions get the same pixels.
  const once = corruptImages(some, some.labels, 0.9, 21);
  const twice = corruptImages(some, some.labels, 0.9, 21);
  assert.ok(bytes(once.x).equals(bytes(twice.x)));
});

test('rates outside [0, 1] and label counts that do not match are named', () => {
  assert.throws(() => corruptImages(some, some.labels, 1.5, 0), (e: Error) => e instanceof DatasetError && /rho: expected a bias-alignment rate in \[0, 1\], got 1\.5/.test(e.message));
  assert.throws(() => corruptImages(some, some.labels.subarray(1), 0.9, 0), /expected 2000 labels \(one per image\), got 1999/);
});

test('missing Fashion-MNIST files: the error names the path expected and how to install or replace it', () => {
  const dir = join(tmpdir(), 'bise-no-such-fashion-mnist');
  const expectedPath = fashionMnistTrainFiles(dir).images;
  const check = (e: Error): boolean =>
    e instanceof DatasetError &&
    e.message.startsWith(expectedPath) &&
    /Fashion-MNIST not found/.test(e.message) &&
    /apt-get install dataset-fashion-mnist/.test(e.message) &&
    /--mnist-images and --mnist-labels/.test(e.message);
  assert.throws(() => loadFashionMnist(fashionMnistTrainFiles(dir)), check);
  assert.throws(() => loadBuiltinDataset({ kind: 'corrupted-fashion-mnist', rho: 0.98, seed: 0, idx: fashionMnistTrainFiles(dir) }), check);
  assert.equal(fashionMnistTrainFiles().images, '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz');
});

/** gzipped IDX bytes of `images` (as 0 … 255) and their labels. */
function writeIdxPair(dir: string, images: LabelledDigits): { images: string; labels: string } {
  const idx = (dims: number[], data: Uint8Array): Buffer => {
    const header = Buffer.alloc(4 + 4 * dims.length);
    header.set([0, 0, 0x08, dims.length]);
    dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
    return gzipSync(Buffer.concat([header, data]));
  };
  const files = { images: join(dir, 'images-idx3-ubyte.gz'), labels: join(dir, 'labels-idx1-ubyte.gz') };
  writeFileSync(files.images, idx([images.count, 28, 28], Uint8Array.from(images.pixels, (v) => Math.round(v * 255))));
  writeFileSync(files.labels, idx([images.count], Uint8Array.from(images.labels)));
  return files;
}

test('the built-in dataset reads other IDX files given as idx (--mnist-images/--mnist-labels)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bise-cfmnist-'));
  try {
    const idx = writeIdxPair(dir, some);
    const data = loadBuiltinDataset({ kind: 'corrupted-fashion-mnist', rho: 0.95, seed: 2, trainSize: 1200, valSize: 300, testSize: 500, idx });
    assert.equal(data.name, 'Corrupted Fashion-MNIST ρ=0.95');
    assert.deepEqual(data.biasAttributes, ['corruption']);
    assert.deepEqual([data.train.y.length, data.val.y.length, data.test.y.length], [1200, 300, 500]);
    assert.deepEqual(data.train.dims, [3, 32, 32]);
    assert.match(data.description, /images-idx3-ubyte\.gz/);
    assert.ok(Math.abs(alignedFraction(data.train.y, data.train.biases[0]) - 0.95) < 0.01);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const debian = fashionMnistTrainFiles();
const installed = existsSync(debian.images) && existsSync(debian.labels);
test(
  "Debian's Fashion-MNIST: 60,000 garments, 28×28, 6,000 per class; the default splits",
  { skip: installed ? false : `dataset-fashion-mnist is not installed (no ${debian.images}); apt-get install dataset-fashion-mnist to run this test` },
  () => {
    const fashion = loadFashionMnist();
    assert.equal(fashion.count, 60000);
    assert.deepEqual([fashion.height, fashion.width], [28, 28]);
    assert.deepEqual(
      colourCountsByClass(fashion.labels, fashion.labels).map((row, c) => row[c]),
      new Array(10).fill(6000),
    );
    const s = corruptedFashionMnistSplits({ rho: 0.99, seed: 0, source: fashion });
    assert.deepEqual([s.train.y.length, s.val.y.length, s.test.y.length], [10000, 1000, 2000]);
    assert.ok(Math.abs(alignedFraction(s.train.y, s.train.biases[0]) - 0.99) < 0.002);
    assert.ok(Math.abs(alignedFraction(s.test.y, s.test.biases[0]) - 0.1) < 0.01);
  },
);
