/** The ten corruptions of Corrupted Fashion-MNIST: each visible, in range, seeded, and doing what it says. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CORRUPTIONS, CORRUPTION_NAMES, SEVERITY, Corruption } from '../../../src/core/data/corruptions';
import { jpegRoundTrip, quantisationTable } from '../../../src/core/data/jpeg-quantisation';
import { resizeBilinear } from '../../../src/core/data/bilinear-resize';
import { loadBundledDigits } from '../../../src/core/data/mnist-digits';
import { createRng } from '../../../src/core/data/random';

const SIDE = 32;
const digits = loadBundledDigits();
/** A few real digits enlarged to 32×32, as the generator corrupts them. */
const samples = [0, 1234, 5678, 9999].map((i) => resizeBilinear({ data: digits.pixels.slice(i * 784, (i + 1) * 784), channels: 1, height: 28, width: 28 }, SIDE, SIDE));
const grey = (v: number): Float32Array => new Float32Array(SIDE * SIDE).fill(v);
const byName = (name: string): Corruption => {
  const c = CORRUPTIONS.find((k) => k.name === name);
  assert.ok(c, `no corruption named ${name}`);
  return c;
};
const mean = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;
const std = (a: Float32Array): number => Math.sqrt(a.reduce((s, v) => s + (v - mean(a)) ** 2, 0) / a.length);
const maxDifference = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('ten corruptions with distinct names, one per class', () => {
  assert.equal(CORRUPTIONS.length, 10);
  assert.equal(new Set(CORRUPTION_NAMES).size, 10);
  assert.deepEqual(CORRUPTION_NAMES, ['brightness', 'contrast', 'gaussian-noise', 'shot-noise', 'impulse-noise', 'gaussian-blur', 'motion-blur', 'fog', 'pixelate', 'jpeg']);
});

test('every corruption changes a digit visibly, stays in [0, 1] and leaves its input alone', () => {
  for (const corruption of CORRUPTIONS) {
    for (const [k, image] of samples.entries()) {
      const before = image.slice();
      const out = corruption.apply(image, SIDE, SIDE, createRng(k));
      assert.equal(out.length, image.length, corruption.name);
      assert.ok(out.every((v) => v >= 0 && v <= 1), `${corruption.name}: a value outside [0, 1]`);
      assert.deepEqual(image, before, `${corruption.name} changed its input`);
      const change = out.reduce((s, v, i) => s + Math.abs(v - image[i]), 0) / out.length;
      assert.ok(change > 0.02, `${corruption.name} on sample ${k}: mean absolute change only ${change.toFixed(4)}`);
    }
  }
});

test('every corruption is deterministic given the seed; the random ones differ between seeds', () => {
  const random = new Set(['gaussian-noise', 'shot-noise', 'impulse-noise', 'fog']);
  for (const corruption of CORRUPTIONS) {
    const image = samples[2];
    const a = corruption.apply(image, SIDE, SIDE, createRng(42));
    const b = corruption.apply(image, SIDE, SIDE, createRng(42));
    const c = corruption.apply(image, SIDE, SIDE, createRng(43));
    assert.deepEqual(a, b, `${corruption.name}: same seed, different output`);
    assert.equal(maxDifference(a, c) > 0, random.has(corruption.name), `${corruption.name}: differs between seeds?`);
  }
});

test('brightness adds the shift and saturates; contrast shrinks the spread around the mean', () => {
  const image = samples[0];
  const bright = byName('brightness').apply(image, SIDE, SIDE, createRng(0));
  image.forEach((v, i) => assert.ok(Math.abs(bright[i] - Math.min(1, v + SEVERITY.brightnessShift)) < 1e-6));
  const flat = byName('contrast').apply(image, SIDE, SIDE, createRng(0));
  assert.ok(Math.abs(mean(flat) - mean(image)) < 1e-5);
  assert.ok(Math.abs(std(flat) - SEVERITY.contrastFactor * std(image)) < 1e-4, `std ${std(flat)} vs ${SEVERITY.contrastFactor}·${std(image)}`);
});

test('gaussian noise has the stated spread; shot noise keeps black black and the mean of grey', () => {
  const noisy = byName('gaussian-noise').apply(grey(0.5), SIDE, SIDE, createRng(1));
  assert.ok(Math.abs(std(noisy) - SEVERITY.gaussianNoiseStd) < 0.02, `std ${std(noisy)}`);
  assert.deepEqual(byName('shot-noise').apply(grey(0), SIDE, SIDE, createRng(1)), grey(0));
  const shot = byName('shot-noise').apply(grey(0.5), SIDE, SIDE, createRng(1));
  assert.ok(Math.abs(mean(shot) - 0.5) < 0.03, `mean ${mean(shot)}`);
  // Poisson(λ)/λ at λ = 8·0.5 has standard deviation √4/8 = 0.25.
  assert.ok(Math.abs(std(shot) - 0.25) < 0.03, `std ${std(shot)}`);
  assert.ok(shot.every((v) => Number.isInteger(Math.round(v * SEVERITY.shotNoisePhotons * 1e4) / 1e4)), 'shot noise: expected whole photon counts');
});

test('impulse noise sets about the stated fraction of pixels to 0 or 1, half each', () => {
  const out = byName('impulse-noise').apply(grey(0.5), SIDE, SIDE, createRng(3));
  const black = out.filter((v) => v === 0).length / out.length;
  const white = out.filter((v) => v === 1).length / out.length;
  assert.ok(Math.abs(black + white - SEVERITY.impulseFraction) < 0.025, `changed ${black + white}`);
  assert.ok(Math.abs(black - white) < 0.03, `black ${black}, white ${white}`);
  assert.ok(out.every((v) => v === 0 || v === 1 || v === 0.5));
});

test('blurs: gaussian keeps a constant image and spreads a dot; motion blur smears along rows only', () => {
  assert.ok(maxDifference(byName('gaussian-blur').apply(grey(0.3), SIDE, SIDE, createRng(0)), grey(0.3)) < 1e-6);
  const dot = grey(0);
  dot[16 * SIDE + 16] = 1;
  const blurred = byName('gaussian-blur').apply(dot, SIDE, SIDE, createRng(0));
  assert.ok(Math.abs(blurred.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'gaussian blur: the dot’s mass is kept');
  assert.ok(blurred[16 * SIDE + 17] > 0.05 && blurred[17 * SIDE + 16] > 0.05, 'gaussian blur: spreads in both directions');
  const streak = byName('motion-blur').apply(dot, SIDE, SIDE, createRng(0));
  const half = (SEVERITY.motionBlurLength - 1) / 2;
  for (let x = 0; x < SIDE; x++) {
    const expected = Math.abs(x - 16) <= half ? 1 / SEVERITY.motionBlurLength : 0;
    assert.ok(Math.abs(streak[16 * SIDE + x] - expected) < 1e-6, `motion blur at column ${x}`);
  }
  assert.equal(streak.filter((v, i) => v > 0 && Math.floor(i / SIDE) !== 16).length, 0, 'motion blur: nothing leaves the dot’s row');
});

test('fog lifts a black image by a smooth haze that varies across it', () => {
  const fog = byName('fog').apply(grey(0), SIDE, SIDE, createRng(5));
  assert.ok(fog.every((v) => v <= SEVERITY.fogOpacity + 1e-6));
  assert.ok(Math.max(...fog) - Math.min(...fog) > 0.05, 'fog: expected a haze that varies');
  let steepest = 0;
  for (let y = 0; y < SIDE; y++) for (let x = 1; x < SIDE; x++) steepest = Math.max(steepest, Math.abs(fog[y * SIDE + x] - fog[y * SIDE + x - 1]));
  assert.ok(steepest < 0.1, `fog: neighbouring pixels differ by up to ${steepest}, expected a low-frequency haze`);
});

test('pixelate makes every block constant, at its mean', () => {
  const image = samples[1];
  const out = byName('pixelate').apply(image, SIDE, SIDE, createRng(0));
  const b = SEVERITY.pixelateBlock;
  for (let top = 0; top < SIDE; top += b) {
    for (let left = 0; left < SIDE; left += b) {
      let sum = 0;
      for (let y = top; y < top + b; y++) for (let x = left; x < left + b; x++) sum += image[y * SIDE + x];
      for (let y = top; y < top + b; y++) for (let x = left; x < left + b; x++) assert.ok(Math.abs(out[y * SIDE + x] - sum / (b * b)) < 1e-6);
    }
  }
  // Partial blocks at the edge of a 28×28 image average what is there.
  const odd = byName('pixelate').apply(new Float32Array(28 * 28).map((_, i) => (i % 28 === 27 ? 1 : 0)), 28, 28, createRng(0));
  assert.equal(odd[27], 0.25);
});

test('jpeg: the IJG-scaled table, a near-identity round trip at quality 100, flat blocks quantised to the DC step', () => {
  assert.deepEqual(Array.from(quantisationTable(50)).slice(0, 8), [16, 11, 10, 16, 24, 40, 51, 61]);
  assert.equal(quantisationTable(SEVERITY.jpegQuality)[0], Math.floor((16 * (5000 / SEVERITY.jpegQuality) + 50) / 100));
  assert.ok(quantisationTable(100).every((q) => q === 1));
  const image = samples[3];
  assert.ok(maxDifference(jpegRoundTrip(image, SIDE, SIDE, 100), image) < 0.03, 'quality 100 should barely change the image');
  // A block of one grey level has only a DC coefficient, 8·(255v − 128); it comes back rounded to a multiple of the DC step.
  const levels = [0.21, 0.37, 0.5, 0.64, 0.79];
  const blocks = new Float32Array(SIDE * SIDE).map((_, i) => levels[(Math.floor(i / SIDE / 8) * 4 + Math.floor((i % SIDE) / 8)) % levels.length]);
  const out = byName('jpeg').apply(blocks, SIDE, SIDE, createRng(0));
  const step = quantisationTable(SEVERITY.jpegQuality)[0];
  blocks.forEach((v, i) => {
    const expected = ((Math.round((8 * (255 * v - 128)) / step) * step) / 8 + 128) / 255;
    assert.ok(Math.abs(out[i] - expected) < 1e-5, `jpeg: pixel ${i} of a flat ${v} block is ${out[i]}, expected ${expected}`);
  });
  assert.throws(() => quantisationTable(0), /JPEG quality: expected an integer in \[1, 100\], got 0/);
  // Sizes that are not multiples of 8 work (edge blocks are padded).
  assert.equal(jpegRoundTrip(samples[0].subarray(0, 28 * 28), 28, 28, 8).length, 28 * 28);
});
