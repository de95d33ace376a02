/** What a decoding worker sends (streaming/prepare-image.ts) is the in-memory reader's sample, to the bit. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCsvImageResized } from '../../../../src/core/data/csv-images';
import { decodeImage } from '../../../../src/core/data/image-decode';
import { normalisePixels } from '../../../../src/core/data/pixel-normalisation';
import { createRng } from '../../../../src/core/data/random';
import { prepareImage, preparedBytes, preparedWriter } from '../../../../src/core/data/streaming/prepare-image';
import { sampleDigest } from '../../../../src/core/data/streaming/sample-digest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pngBytes, rgbaImage } from '../../../support/images';

const dir = mkdtempSync(join(tmpdir(), 'bise-prepare-image-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('an image at the model size, or enlarged, comes back as 8-bit RGB, a smaller resized one as floats; all write and digest the in-memory floats (RGB and grey)', () => {
  const rng = createRng(11);
  const rgba = rgbaImage(7, 5, () => [rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)]);
  for (let p = 3; p < rgba.length; p += 4) rgba[p] = rng.nextInt(256);
  const png = pngBytes(7, 5, rgba, 6);
  writeFileSync(join(dir, 'a.png'), png);
  const cases = [
    { channels: 3, size: [5, 7], kind: 'rgb', norm: { mean: [0.5, 0.4, 0.3], std: [0.5, 0.2, 0.7] } },
    { channels: 3, size: [2, 3], kind: 'normalised', norm: { mean: [0.5, 0.4, 0.3], std: [0.5, 0.2, 0.7] } },
    { channels: 1, size: [5, 7], kind: 'rgb', norm: { mean: [0.45], std: [0.3] } },
    { channels: 1, size: [3, 3], kind: 'normalised', norm: { mean: [0.45], std: [0.3] } },
    { channels: 1, size: [4, 6], kind: 'normalised', norm: { mean: [0.45], std: [0.3] } },
    // Enlarged, the floats would outweigh the 8-bit image: it comes back as is, and is resized where it is written.
    { channels: 3, size: [4, 9], kind: 'rgb', norm: { mean: [0.5, 0.4, 0.3], std: [0.5, 0.2, 0.7] } },
    { channels: 1, size: [9, 9], kind: 'rgb', norm: { mean: [0.45], std: [0.3] } },
  ] as const;
  for (const { channels, size, kind, norm } of cases) {
    const [height, width] = size;
    const dims = [channels, height, width] as const;
    const ref = { root: dir, path: join(dir, 'a.png'), entry: 'a.png', csv: join(dir, 'data.csv'), line: 2, channels, maxPixels: 1 << 20 };
    const expected = new Float32Array(channels * height * width);
    normalisePixels({ values: readCsvImageResized(ref, height, width), layout: 'NCHW', count: 1, dims, divisor: 1 }, norm, expected, 0);

    const prepared = prepareImage(decodeImage(png), { dims, norm });
    assert.equal(prepared.kind, kind, `${channels} channel(s) at ${height}×${width}`);
    const out = new Float32Array(expected.length + 2).fill(9);
    preparedWriter({ dims, norm })(prepared, out, 1);
    assert.deepEqual(Buffer.from(out.buffer, 4, expected.byteLength), Buffer.from(expected.buffer), `${channels} channel(s) at ${height}×${width}: the floats differ`);
    assert.equal(out[0], 9);
    assert.equal(out[out.length - 1], 9, 'nothing written past the sample');
    assert.deepEqual(prepared.digest, sampleDigest(expected));
    // The cache counts the image's own 8-bit pixels (3 a pixel, whatever the channels) or the floats, plus the digest.
    assert.equal(preparedBytes(prepared), (kind === 'rgb' ? 3 * 7 * 5 : 4 * expected.length) + 32);
  }
});

test('8-bit RGB at the model size becomes the in-memory floats for every 8-bit level and odd means and stds (RGB and grey)', () => {
  const rng = createRng(5);
  // 32×32 pixels: each channel runs through all 256 levels, twice, in different orders.
  const rgba = rgbaImage(32, 32, (row, col) => {
    const i = row * 32 + col;
    return [i % 256, (255 - i + 256) % 256, (i * 37 + rng.nextInt(256)) % 256];
  });
  const png = pngBytes(32, 32, rgba);
  writeFileSync(join(dir, 'levels.png'), png);
  const decoded = decodeImage(png);
  for (const [channels, norm] of [
    [3, { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }],
    [3, { mean: [0, 1 / 3, -0.7], std: [1, 0.1, 3.3] }],
    [1, { mean: [0.1307], std: [0.3081] }],
  ] as const) {
    const dims = [channels, 32, 32] as const;
    const ref = { root: dir, path: join(dir, 'levels.png'), entry: 'levels.png', csv: join(dir, 'data.csv'), line: 2, channels, maxPixels: 1 << 20 };
    const expected = new Float32Array(channels * 32 * 32);
    normalisePixels({ values: readCsvImageResized(ref, 32, 32), layout: 'NCHW', count: 1, dims, divisor: 1 }, norm, expected, 0);
    const prepared = prepareImage(decoded, { dims, norm });
    assert.equal(prepared.kind, 'rgb');
    const out = new Float32Array(expected.length);
    preparedWriter({ dims, norm })(prepared, out, 0);
    assert.deepEqual(Buffer.from(out.buffer), Buffer.from(expected.buffer), `${channels} channel(s), mean ${norm.mean.join(' ')}`);
  }
});
