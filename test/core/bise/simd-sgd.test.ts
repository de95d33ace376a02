/**
 * The WebAssembly SIMD SGD (simd-sgd.ts) gives, bit for bit, PyTorch's SGD computed in float32 one operation at a
 * time, for any tensor length (the four-lane loop, its scalar tail, the chunks of copied gradient), and stays
 * within float32 rounding of sgd.ts's JS loop, which computes in double.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as ort from 'onnxruntime-node';
import { gradientChunkBytes, SimdSgd, SimdSgdOptions } from '../../../src/core/bise/simd-sgd';
import { sgdKernelBytes } from '../../../src/core/bise/simd-sgd-kernel';
import { sleb, uleb, wasmApi } from '../../../src/core/bise/simd-wasm';
import { Sgd, SgdConfig } from '../../../src/core/bise/sgd';
import { createRng } from '../../../src/core/data/random';
import { Graph } from '../../../src/core/onnx/ir';
import { serializeModel } from '../../../src/core/onnx/writer';
import { modelOf } from '../../support/ort';

// 1, 3, 5: scalar tail only or after one vector; 4099: a long vector run; then two full chunks of copied gradient and
// a rest with a scalar tail.
const lengths = [1, 3, 5, 4099, (2 * gradientChunkBytes) / 4 + 4097];
const config: SgdConfig = { lr: 0.05, momentum: 0.9, weightDecay: 1e-2 };

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => scale * rng.nextNormal());
}

/** PyTorch's SGD step with every operation rounded to float32, as the hyperparameters are (torch casts them too). */
function float32Step(p: Float32Array, buf: Float32Array | undefined, g: Float32Array, c: SgdConfig): Float32Array {
  const f = Math.fround;
  const [lr, mu, wd] = [f(c.lr), f(c.momentum), f(c.weightDecay)];
  const next = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const d = f(g[i] + f(wd * p[i]));
    next[i] = buf ? f(f(mu * buf[i]) + d) : d;
    p[i] = f(p[i] - f(lr * next[i]));
  }
  return next;
}

/** Equal bit patterns (so -0 differs from 0, and the message names the first element that differs). */
function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  const [a, e] = [new Uint32Array(actual.buffer, actual.byteOffset, actual.length), new Uint32Array(expected.buffer, expected.byteOffset, expected.length)];
  const i = a.findIndex((bits, k) => bits !== e[k]);
  assert.equal(i, -1, `${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
}

function created(c: SgdConfig, ls: readonly number[], options: SimdSgdOptions = {}): SimdSgd {
  const sgd = SimdSgd.create(c, ls, options);
  assert.ok(sgd, 'WebAssembly SIMD is available in Node 20');
  return sgd;
}

test('the LEB128 encoder and the kernel module are valid WebAssembly', () => {
  // The worked examples of the LEB128 article, and the edges of one byte.
  assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(uleb(127), [0x7f]);
  assert.deepEqual(uleb(128), [0x80, 0x01]);
  assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(sleb(63), [0x3f]);
  assert.deepEqual(sleb(64), [0xc0, 0x00]);
  assert.deepEqual(sleb(-16), [0x70]);
  const api = wasmApi();
  assert.ok(api?.validate(sgdKernelBytes), 'the kernel module validates');
  assert.ok(!api?.validate(sgdKernelBytes.slice(0, -1)), 'a truncated module does not (validate is not vacuous)');
});

test('steps equal float32-per-operation PyTorch SGD bit for bit: odd lengths, chunks, first step, lr changed between steps', () => {
  const sgd = created(config, lengths);
  const reference = lengths.map((n, i) => randomArray(n, i));
  lengths.forEach((_, i) => sgd.parameter(i).set(reference[i]));
  const buffers: (Float32Array | undefined)[] = lengths.map(() => undefined);
  for (let step = 0; step < 4; step++) {
    const c = { ...config, lr: step < 2 ? 0.05 : 0.0123 }; // as train.ts's cosine schedule replaces it per epoch
    sgd.config = c;
    lengths.forEach((n, i) => {
      const grad = randomArray(n, 100 * step + i, 0.1);
      sgd.step(i, grad);
      buffers[i] = float32Step(reference[i], buffers[i], grad, c);
      assertSameBits(sgd.parameter(i), reference[i], `step ${step}, tensor ${i} (length ${n}), parameters`);
      assertSameBits(sgd.momentum(i) as Float32Array, buffers[i] as Float32Array, `step ${step}, tensor ${i}, momentum`);
    });
  }
});

test('the first step sets the momentum to the gradient itself, not to μ·0 plus it', () => {
  const sgd = created({ lr: 0.5, momentum: 0.9, weightDecay: 0.25 }, [6]);
  sgd.parameter(0).set([1, -2, 4, 0, 8, -1]);
  assert.equal(sgd.momentum(0), undefined, 'no momentum before the first step');
  sgd.step(0, Float32Array.of(1, 1, 1, 1, 1, 1));
  // d = g + wd·p exactly (all values are dyadic), and p − lr·d.
  assert.deepEqual([...(sgd.momentum(0) as Float32Array)], [1.25, 0.5, 2, 1, 3, 0.75]);
  assert.deepEqual([...sgd.parameter(0)], [0.375, -2.25, 3, -0.5, 6.5, -1.375]);
  sgd.step(0, Float32Array.of(0, 0, 0, 0, 0, 0));
  // The second step adds μ·buf: buf = 0.9·1.25 + 0.25·0.375 for the first element.
  assert.equal((sgd.momentum(0) as Float32Array)[0], Math.fround(Math.fround(Math.fround(0.9) * 1.25) + Math.fround(0.25 * 0.375)));
});

test('within float32 rounding of the JS Sgd, which computes in double and rounds once', () => {
  const c = { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };
  const simd = created(c, lengths);
  const js = new Sgd(c);
  const params = lengths.map((n, i) => randomArray(n, 10 + i));
  lengths.forEach((_, i) => simd.parameter(i).set(params[i]));
  for (let step = 0; step < 5; step++) {
    lengths.forEach((n, i) => {
      const grad = randomArray(n, 1000 + 10 * step + i);
      js.step(params[i], grad);
      simd.step(i, grad);
    });
  }
  lengths.forEach((_, i) => {
    const [a, b] = [simd.parameter(i), params[i]];
    for (let k = 0; k < a.length; k++) {
      // Five steps of a few float32 roundings each (ε = 6e-8), relative to the momentum-sized terms that were summed.
      assert.ok(Math.abs(a[k] - b[k]) <= 2e-6 * Math.max(1, Math.abs(b[k])), `tensor ${i}[${k}]: ${a[k]} vs JS ${b[k]}`);
    }
  });
});

test('the views stay the same arrays on one live buffer across steps, and tensors do not overlap', () => {
  const sgd = created(config, lengths);
  const views = lengths.map((_, i) => sgd.parameter(i));
  const buffer = views[0].buffer;
  for (let step = 0; step < 2; step++) lengths.forEach((n, i) => sgd.step(i, randomArray(n, step + i)));
  lengths.forEach((n, i) => {
    assert.equal(sgd.parameter(i), views[i]);
    assert.equal(views[i].buffer, buffer, 'one memory');
    assert.equal(views[i].length, n, 'not detached');
    assert.equal(views[i].byteOffset % 16, 0, 'aligned for four-lane loads');
  });
  const regions = [...lengths.map((_, i) => sgd.parameter(i)), ...lengths.map((_, i) => sgd.momentum(i) as Float32Array)];
  const spans = regions.map((v) => [v.byteOffset, v.byteOffset + v.byteLength]).sort((x, y) => x[0] - y[0]);
  spans.slice(1).forEach(([start], k) => assert.ok(start >= spans[k][1], `region at ${start} overlaps the one before`));
});

test('a gradient in the optimizer memory is read in place and gives the same bits as one copied in', () => {
  const n = gradientChunkBytes / 4 + 5;
  const [copied, inPlace] = [created(config, [n]), created(config, [n], { gradients: true })];
  const start = randomArray(n, 7);
  copied.parameter(0).set(start);
  inPlace.parameter(0).set(start);
  for (let step = 0; step < 3; step++) {
    const grad = randomArray(n, 70 + step, 0.1);
    copied.step(0, grad);
    inPlace.gradient(0).set(grad);
    inPlace.step(0, inPlace.gradient(0));
  }
  assertSameBits(inPlace.parameter(0), copied.parameter(0), 'parameters');
  assert.throws(() => copied.gradient(0), /created without gradient regions/);
});

test('onnxruntime reads a parameter view and writes a preallocated output into a gradient view of the wasm memory', async () => {
  const sgd = created(config, [5], { gradients: true });
  sgd.parameter(0).set([1, 2, 3, 4, 5]);
  const graph: Graph = {
    name: 'double',
    nodes: [{ name: 'add', opType: 'Add', domain: '', inputs: ['p', 'p'], outputs: ['g'], attributes: {} }],
    inputs: [{ name: 'p', dtype: 'float32', shape: [5] }],
    outputs: [{ name: 'g', dtype: 'float32', shape: [5] }],
    initializers: new Map(),
    valueInfo: new Map(),
  };
  const session = await ort.InferenceSession.create(serializeModel(modelOf(graph)));
  try {
    const fetched = { g: new ort.Tensor('float32', sgd.gradient(0), [5]) };
    await session.run({ p: new ort.Tensor('float32', sgd.parameter(0), [5]) }, fetched);
  } finally {
    await session.release();
  }
  assert.deepEqual([...sgd.gradient(0)], [2, 4, 6, 8, 10]);
});

test('create refuses, without allocating, what one 32-bit memory cannot hold, and bad lengths, indices, gradients', () => {
  assert.equal(SimdSgd.create(config, [2 ** 31]), undefined, '8 GiB of parameters');
  assert.equal(SimdSgd.create(config, [2 ** 28, 2 ** 28]), undefined, '2 GiB of parameters and 2 GiB of momentum');
  assert.throws(() => SimdSgd.create(config, [3, -1]), /tensor 1 has length -1/);
  assert.throws(() => SimdSgd.create(config, [2.5]), /tensor 0 has length 2.5/);
  const sgd = created(config, [4, 0]);
  assert.throws(() => sgd.step(0, new Float32Array(5)), /gradient of tensor 0 has 5 values, its parameter 4/);
  assert.throws(() => sgd.parameter(2), /no tensor 2 \(it holds 2\)/);
  sgd.step(1, new Float32Array(0));
  assert.equal(sgd.momentum(1)?.length, 0, 'an empty tensor steps too');
});

test('without WebAssembly (node --jitless) create returns undefined, so the caller falls back to Sgd', () => {
  const module = path.resolve(__dirname, '../../../src/core/bise/simd-sgd');
  const script = `const { SimdSgd } = require(${JSON.stringify(module)}); console.log(typeof WebAssembly, String(SimdSgd.create({ lr: 1, momentum: 0, weightDecay: 0 }, [3])));`;
  const r = spawnSync(process.execPath, ['--jitless', '--import', 'tsx', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'undefined undefined');
});
