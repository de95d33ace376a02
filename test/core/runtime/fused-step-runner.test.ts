/**
 * The fused mask step (forward + loss + backward in one session, runtime/fused-step-runner.ts) computes what the
 * two-session step with extract's TypeScript loss computed: logits, z and every gate gradient (≤ 1e-5 of the
 * vector's largest), on the demo CNN (opset 17, one session) and BERT-tiny (token ids, opset 14).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readModelFile } from '../../../src/core/onnx/reader';
import { Model } from '../../../src/core/onnx/ir';
import { FusedStepRunner, fusesIntoEngineOpset, withoutMemoryPattern } from '../../../src/core/runtime/fused-step-runner';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { LossValues, lossFeeds } from '../../../src/core/graphs/loss-graph';
import { InputData } from '../../../src/core/graphs/model-inputs';
import { randomInputValues } from '../../../src/core/graphs/random-inputs';
import { AuxHead } from '../../../src/core/bise/aux-head';
import { biasTerms } from '../../../src/core/bise/bias-terms';
import { weightedCrossEntropy } from '../../../src/core/bise/cross-entropy';
import { createRng } from '../../../src/core/data/random';
import { FIXTURES } from '../../support/fixtures';
import { relativeError } from '../../support/relative-error';

const DEMO_CNN = path.join(__dirname, '..', '..', '..', 'models', 'biased-mnist-rho0.97-cnn.onnx');
const BERT_TINY = path.join(FIXTURES, 'text', 'wordpiece', 'bert-tiny.onnx');
const SESSION = { threads: 2 };

interface Batch {
  readonly data: Record<string, InputData>;
  readonly y: Int32Array;
  readonly biases: Int32Array[];
  readonly sampleWeights?: Float32Array;
}

function batchFor(runner: FusedStepRunner, model: Model, classes: number, biasClasses: readonly number[], seed: number, agreeing = false): Batch {
  const rng = createRng(seed);
  const n = runner.graphs.logitsDims[0];
  const data = Object.fromEntries(randomInputValues(model.graph, runner.graphs.inputs, rng).map((v) => [v.name, v.data]));
  // About half the rows conflict with y (b ≠ y) unless `agreeing`: then none does, and 'conflicting' selects no row.
  const y = Int32Array.from({ length: n }, () => rng.nextInt(agreeing ? Math.min(classes, ...biasClasses) : classes));
  const biases = biasClasses.map((bc) => Int32Array.from(y, (v) => (agreeing || (v < bc && rng.nextFloat() < 0.5) ? v : rng.nextInt(bc))));
  return { data, y, biases, sampleWeights: Float32Array.from({ length: n }, () => 0.2 + 2 * rng.nextFloat()) };
}

/** The two-session step as extract ran it: forward, weighted CE and the heads' MI gradient in TypeScript, backward. */
async function twoSessionStep(ref: GateGradientRunner, batch: Batch, gates: Float32Array[], heads: readonly AuxHead[], o: { alpha: number; gamma: number; miSamples: 'conflicting' | 'all' }, classes: number) {
  const fwd = await ref.forwardInputs(batch.data, gates);
  const logits = Float32Array.from(fwd.logits);
  const z = Float32Array.from(fwd.z);
  const dLogits = weightedCrossEntropy(logits, batch.y, classes, batch.sampleWeights).grad.map((g) => g * o.alpha);
  const dZ = biasTerms(heads, z, batch.y, batch.biases, o).dZ;
  return { logits, z, gateGrads: await ref.backward(fwd, dLogits, dZ) };
}

async function assertSameStep(fused: FusedStepRunner, ref: GateGradientRunner, batch: Batch, gates: Float32Array[], heads: readonly AuxHead[], o: { alpha: number; gamma: number; miSamples: 'conflicting' | 'all' }, classes: number, what: string): Promise<void> {
  const expected = await twoSessionStep(ref, batch, gates, heads, o, classes);
  const values: LossValues = { y: batch.y, alpha: o.alpha, sampleWeights: batch.sampleWeights, biases: batch.biases, heads, miSamples: o.miSamples };
  const got = await fused.step(batch.data, gates, lossFeeds(fused.loss, values));
  assert.ok(relativeError(got.logits, expected.logits) < 1e-5, `${what}: logits`);
  assert.ok(relativeError(got.z, expected.z) < 1e-5, `${what}: z`);
  assert.equal(got.gateGrads.length, expected.gateGrads.length);
  expected.gateGrads.forEach((g, i) => {
    assert.ok(g.some((v) => v !== 0), `${what}: gate vector ${i} has an all-zero reference gradient`);
    const err = relativeError(got.gateGrads[i], g);
    assert.ok(err < 1e-5, `${what}: gate vector ${i} differs by ${err.toExponential(2)} of its largest gradient`);
  });
}

test('demo CNN: the fused step equals the two-session step with the TypeScript loss (two heads, γ > 0 and γ = 0, pruned channels skipped, opset 12 in two sessions)', async () => {
  const model = readModelFile(DEMO_CNN);
  const options = { batchSize: 12 };
  const headClasses = [10, 4];
  const ref = await GateGradientRunner.create(model, options, SESSION);
  const zDim = ref.graphs.bottleneckDims.slice(1).reduce((a, b) => a * b, 1);
  const heads = headClasses.map((bc, k) => new AuxHead(zDim, bc, createRng(40 + k), { lr: 0.1, momentum: 0.9, weightDecay: 0 }));
  const fused = await FusedStepRunner.create(model, options, { headClasses, gamma: 1.3 }, SESSION, 'open-gates');
  try {
    const open = fused.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
    const batch = batchFor(fused, model, 10, headClasses, 1);
    await assertSameStep(fused, ref, batch, open, heads, { alpha: 0.9, gamma: 1.3, miSamples: 'conflicting' }, 10, 'open gates, conflicting rows, group weights');
    await assertSameStep(fused, ref, { ...batch, sampleWeights: undefined }, open, heads, { alpha: 1, gamma: 1.3, miSamples: 'all' }, 10, 'all rows');
    await assertSameStep(fused, ref, batchFor(fused, model, 10, headClasses, 2, true), open, heads, { alpha: 1, gamma: 1.3, miSamples: 'conflicting' }, 10, 'no conflicting row');

    // Some units pruned: the zero-channel specialisation, then a gate vector that reopens one (the dense session).
    const pruned = fused.graphs.gates.map((g, i) => new Set(i % 2 === 0 ? [0, 2, Math.floor(g.channels / 2)] : []));
    await fused.specialize(pruned);
    assert.deepEqual(fused.specializedPruned().map((s) => [...s].sort((a, b) => a - b)), pruned.map((s) => [...s].sort((a, b) => a - b)));
    const closed = fused.graphs.gates.map((g, i) => new Float32Array(g.channels).map((_, c) => (pruned[i].has(c) ? 0 : 1)));
    await assertSameStep(fused, ref, batch, closed, heads, { alpha: 0.9, gamma: 1.3, miSamples: 'conflicting' }, 10, 'pruned channels skipped');
    const reopened = closed.map((g, i) => (i === 0 ? new Float32Array(g.length).fill(1) : g));
    await assertSameStep(fused, ref, batch, reopened, heads, { alpha: 0.9, gamma: 1.3, miSamples: 'conflicting' }, 10, 'a pruned unit reopened');
  } finally {
    await fused.release();
  }
  const withoutMi = await FusedStepRunner.create(model, options, { headClasses, gamma: 0 }, SESSION, 'open-gates');
  try {
    assert.equal(withoutMi.loss.heads.length, 0);
    const open = withoutMi.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
    await assertSameStep(withoutMi, ref, batchFor(withoutMi, model, 10, headClasses, 3), open, heads, { alpha: 1, gamma: 0, miSamples: 'conflicting' }, 10, 'γ = 0');
  } finally {
    await withoutMi.release();
  }
  // At opset 12 (same ops, same meaning) the forward cannot be read as opset 17: forward, then loss + backward.
  assert.equal(fusesIntoEngineOpset(12), false);
  const older = await FusedStepRunner.create({ ...model, opsetImports: [{ domain: '', version: 12 }] }, options, { headClasses, gamma: 1.3 }, SESSION, 'open-gates');
  try {
    const open = older.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
    await assertSameStep(older, ref, batchFor(older, model, 10, headClasses, 4), open, heads, { alpha: 1, gamma: 1.3, miSamples: 'conflicting' }, 10, 'opset 12, two sessions');
  } finally {
    await older.release();
    await ref.release();
  }
});

test('BERT-tiny (token ids, opset 14): the fused step equals the two-session step with one head', async () => {
  const model = readModelFile(BERT_TINY);
  const options = { batchSize: 4, sequenceLength: 16, sharing: 'group' as const };
  const ref = await GateGradientRunner.create(model, options, SESSION);
  const fused = await FusedStepRunner.create(model, options, { headClasses: [2], gamma: 2 }, SESSION, 'open-gates');
  try {
    const zDim = fused.graphs.bottleneckDims.slice(1).reduce((a, b) => a * b, 1);
    const heads = [new AuxHead(zDim, 2, createRng(5), { lr: 0.1, momentum: 0.9, weightDecay: 0 })];
    const open = fused.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
    await assertSameStep(fused, ref, batchFor(fused, model, 2, [2], 4), open, heads, { alpha: 1, gamma: 2, miSamples: 'all' }, 2, 'bert-tiny');
  } finally {
    await fused.release();
    await ref.release();
  }
});

test('AlexNet (a gate read by a Gemm): forward and backward specialised for the same pruned units join without a name clash and match the two-session step', async () => {
  const model = readModelFile(path.join(FIXTURES, 'zoo', 'alexnet-op13.onnx'));
  const options = { batchSize: 4, sharing: 'group' as const };
  const ref = await GateGradientRunner.create(model, options, SESSION);
  const fused = await FusedStepRunner.create(model, options, { headClasses: [2], gamma: 1 }, SESSION, 'open-gates');
  try {
    const zDim = fused.graphs.bottleneckDims.slice(1).reduce((a, b) => a * b, 1);
    const heads = [new AuxHead(zDim, 2, createRng(6), { lr: 0.1, momentum: 0.9, weightDecay: 0 })];
    // Both graphs gather each gate's live channels (zero-channels.ts; half pruned, so that whole blocks of 16 go);
    // their tensors are named apart.
    const pruned = fused.graphs.gates.map((g) => new Set(Array.from({ length: g.channels }, (_, c) => c).filter((c) => c % 2 === 1)));
    await fused.specialize(pruned);
    const closed = fused.graphs.gates.map((g, i) => new Float32Array(g.channels).map((_, c) => (pruned[i].has(c) ? 0 : 1)));
    await assertSameStep(fused, ref, batchFor(fused, model, 10, [2], 7), closed, heads, { alpha: 1, gamma: 1, miSamples: 'all' }, 10, 'alexnet, pruned channels skipped');
  } finally {
    await fused.release();
    await ref.release();
  }
});

test("a torchvision ResNet (stem MaxPool): with its gate open the fused step reads the pool's output instead of gathering at its indices, and matches the two-session step", async () => {
  const model = readModelFile(path.join(FIXTURES, 'zoo', 'resnet-op13.onnx'));
  const options = { batchSize: 3, sharing: 'group' as const };
  const ref = await GateGradientRunner.create(model, options, SESSION);
  const fused = await FusedStepRunner.create(model, options, { headClasses: [2], gamma: 1 }, SESSION, 'open-gates');
  try {
    const zDim = fused.graphs.bottleneckDims.slice(1).reduce((a, b) => a * b, 1);
    const heads = [new AuxHead(zDim, 2, createRng(8), { lr: 0.1, momentum: 0.9, weightDecay: 0 })];
    const open = fused.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
    await assertSameStep(fused, ref, batchFor(fused, model, 10, [2], 9), open, heads, { alpha: 1, gamma: 1, miSamples: 'all' }, 10, 'resnet, all gates open');
    // Every vector but the stem's loses units: the stem's stays open, the others gather their live channels.
    const pruned = fused.graphs.gates.map((g, i) => new Set(i === 0 ? [] : Array.from({ length: g.channels }, (_, c) => c).filter((c) => c % 3 === 1)));
    await fused.specialize(pruned);
    const gates = fused.graphs.gates.map((g, i) => new Float32Array(g.channels).map((_, c) => (pruned[i].has(c) ? 0 : 1)));
    await assertSameStep(fused, ref, batchFor(fused, model, 10, [2], 10), gates, heads, { alpha: 1, gamma: 1, miSamples: 'all' }, 10, 'resnet, stem open, others pruned');
  } finally {
    await fused.release();
    await ref.release();
  }
});

test("the fused session runs without onnxruntime's memory pattern unless asked, or unless the budget turned the arena off", () => {
  assert.equal(withoutMemoryPattern({ threads: 2 }, {}).memoryPattern, false);
  assert.equal(withoutMemoryPattern({ frequencyConvMaxBytes: 10, memoryArena: true, memoryPattern: true }, { memoryBudgetBytes: 1e9 }).memoryPattern, false);
  assert.equal(withoutMemoryPattern({ memoryArena: false, memoryPattern: true }, { memoryBudgetBytes: 1 }).memoryPattern, true);
  assert.equal(withoutMemoryPattern({ threads: 2, memoryPattern: true }, { memoryPattern: true }).memoryPattern, true);
});
