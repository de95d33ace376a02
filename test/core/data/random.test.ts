import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, deriveSeed, fillNormal, permutation, shuffleInPlace } from '../../../src/core/data/random';

const draw = (seed: number, n: number): number[] => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.nextUint32());
};

test('same seed, same stream; different seeds, different streams', () => {
  assert.deepEqual(draw(42, 100), draw(42, 100));
  assert.notDeepEqual(draw(42, 100), draw(43, 100));
  assert.notDeepEqual(draw(0, 100), draw(2 ** 40, 100), 'the high bits of a seed matter');
  for (const v of draw(7, 1000)) assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32);
});

test('nextFloat in [0, 1), nextInt in [0, bound) and roughly uniform', () => {
  const rng = createRng(1);
  const hist = new Array<number>(10).fill(0);
  for (let i = 0; i < 20000; i++) {
    const f = rng.nextFloat();
    assert.ok(f >= 0 && f < 1);
    hist[rng.nextInt(10)]++;
  }
  for (const h of hist) assert.ok(Math.abs(h - 2000) < 200, `bucket count ${h} far from 2000`);
  assert.throws(() => rng.nextInt(0), /bound/);
  assert.throws(() => createRng(1.5), /safe integer/);
});

test('normal samples have mean ≈ 0 and std ≈ 1; fillNormal shifts and scales', () => {
  const z = fillNormal(new Float64Array(50000), createRng(3));
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  const std = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length);
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(std - 1) < 0.02, `std ${std}`);
  const w = fillNormal(new Float32Array(50000), createRng(3), 5, 2);
  const wMean = w.reduce((a, b) => a + b, 0) / w.length;
  assert.ok(Math.abs(wMean - 5) < 0.05, `mean ${wMean}`);
});

test('shuffles are permutations, seeded, and reach every position', () => {
  const p = permutation(1000, createRng(9));
  assert.deepEqual(Array.from(p).sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(p, permutation(1000, createRng(9)));
  assert.notDeepEqual(p, permutation(1000, createRng(10)));
  const firstSeen = new Set<string>();
  const rng = createRng(5);
  for (let i = 0; i < 200; i++) {
    const items = ['a', 'b', 'c'];
    shuffleInPlace(items, rng);
    firstSeen.add(items.join(''));
  }
  assert.equal(firstSeen.size, 6, 'all 3! orders occur');
});

test('derived seeds are stable and separate streams', () => {
  assert.equal(deriveSeed(1, 'split'), deriveSeed(1, 'split'));
  const seeds = new Set([deriveSeed(1, 'split'), deriveSeed(1, 'colour', 'train'), deriveSeed(1, 'colour', 'val'), deriveSeed(2, 'split'), deriveSeed(1, 97), deriveSeed(1, 'a'), deriveSeed(1)]);
  assert.equal(seeds.size, 7);
});
