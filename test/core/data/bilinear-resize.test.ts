import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resizeBilinear } from '../../../src/core/data/bilinear-resize';

const close = (actual: Float32Array, expected: number[], message?: string): void => {
  assert.equal(actual.length, expected.length, message);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `${message ?? ''} [${i}]: ${v} vs ${expected[i]}`));
};

test('upsampling 2×2 to 4×4 matches torch interpolate(bilinear, align_corners=False)', () => {
  // torch.nn.functional.interpolate(torch.tensor([[[[0., 1.], [2., 3.]]]]), size=(4, 4), mode='bilinear', align_corners=False)
  const out = resizeBilinear({ data: Float32Array.from([0, 1, 2, 3]), channels: 1, height: 2, width: 2 }, 4, 4);
  close(out, [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]);
});

test('halving averages 2×2 blocks; the same size returns the input; channels are resized independently', () => {
  const image = Float32Array.from({ length: 16 }, (_, i) => i); // 4×4, value = 4·row + col
  close(resizeBilinear({ data: image, channels: 1, height: 4, width: 4 }, 2, 2), [2.5, 4.5, 10.5, 12.5]);
  assert.equal(resizeBilinear({ data: image, channels: 1, height: 4, width: 4 }, 4, 4), image);
  const two = Float32Array.from([0, 1, 2, 3, 10, 10, 10, 10]); // channel 0: ramp, channel 1: constant
  close(resizeBilinear({ data: two, channels: 2, height: 2, width: 2 }, 1, 3), [1, 1.5, 2, 10, 10, 10]);
});

test('a non-square resize of a linear ramp stays the ramp at the sampled positions', () => {
  // value = 3·row + col on a 2×3 image; to 3×2 the sample positions are rows (i+½)·2/3−½, cols (j+½)·3/2−½, clamped.
  const image = Float32Array.from([0, 1, 2, 3, 4, 5]);
  const clamp = (v: number, max: number): number => Math.min(Math.max(v, 0), max);
  const expected: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) expected.push(3 * clamp(((i + 0.5) * 2) / 3 - 0.5, 1) + clamp(((j + 0.5) * 3) / 2 - 0.5, 2));
  close(resizeBilinear({ data: image, channels: 1, height: 2, width: 3 }, 3, 2), expected);
  assert.throws(() => resizeBilinear({ data: image, channels: 1, height: 2, width: 3 }, 0, 2), /positive integer output size/);
  assert.throws(() => resizeBilinear({ data: image, channels: 2, height: 2, width: 3 }, 1, 1), /expected 2×2×3 = 12 values, got 6/);
});
