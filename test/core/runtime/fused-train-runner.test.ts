/**
 * The fused training step (forward + cross-entropy gradient + backward in one session, runtime/fused-train-runner.ts)
 * computes what the two-session step with the TypeScript cross-entropy computes: logits, batch-norm statistics and
 * every parameter gradient, on a narrow ResNet-18 (batch-statistics BatchNorm, max-pool, shortcuts) and a tiny
 * BERT (token ids, embeddings, LayerNorm); and the runner factory keeps two sessions where the opset does not fuse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../../src/core/onnx/ir';
import { RESNET18_32, buildResNet18 } from '../../../src/core/models/resnet18';
import { BertMiniSpec, buildBertMini } from '../../../src/core/models/bert-mini';
import { TrainingGraphs, buildTrainingGraphs } from '../../../src/core/graphs/training-graphs';
import { InputData } from '../../../src/core/graphs/model-inputs';
import { FusedTrainRunner } from '../../../src/core/runtime/fused-train-runner';
import { TrainStepResult, TwoSessionTrainRunner, createTrainStepRunner } from '../../../src/core/runtime/train-step-runner';
import { createRng } from '../../../src/core/data/random';
import { relativeError } from '../../support/relative-error';

const SESSION = { threads: 2 };

/** A copy of a step's views (both runners reuse their buffers). */
function copied(r: TrainStepResult): TrainStepResult {
  return { logits: Float32Array.from(r.logits), statistics: Object.fromEntries(Object.entries(r.statistics).map(([k, v]) => [k, Float32Array.from(v)])), gradients: r.gradients.map((g) => Float32Array.from(g)) };
}

function assertSameStep(got: TrainStepResult, expected: TrainStepResult, what: string): void {
  assert.ok(relativeError(got.logits, expected.logits) < 1e-5, `${what}: logits`);
  assert.deepEqual(Object.keys(got.statistics).sort(), Object.keys(expected.statistics).sort());
  for (const [name, s] of Object.entries(expected.statistics)) assert.ok(relativeError(got.statistics[name], s) < 1e-5, `${what}: statistic ${name}`);
  assert.equal(got.gradients.length, expected.gradients.length);
  // A gradient that is 0 but for rounding (BERT's key bias: softmax ignores a shift shared by every key) is compared
  // at the scale of the step's largest gradient.
  const floor = 1e-4 * Math.max(...expected.gradients.map((g) => Math.max(...g.map(Math.abs))));
  expected.gradients.forEach((g, i) => {
    assert.ok(g.some((v) => v !== 0), `${what}: parameter ${i} has an all-zero reference gradient`);
    const err = maxDifference(got.gradients[i], g) / Math.max(floor, ...g.map(Math.abs));
    assert.ok(err < 1e-4, `${what}: the gradient of parameter ${i} differs by ${err.toExponential(2)} of its largest entry`);
  });
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

/** Both runners on the same batch, twice (the second step reuses the buffers), with and without sample weights. */
async function compareRunners(model: Model, graphs: TrainingGraphs, data: Record<string, InputData>, classes: number, what: string): Promise<void> {
  const fused = await FusedTrainRunner.create(model, graphs, SESSION);
  const two = await TwoSessionTrainRunner.create(model, graphs, SESSION);
  try {
    const rng = createRng(9);
    const n = graphs.shapes.get(graphs.logits)?.[0] as number;
    const y = Int32Array.from({ length: n }, () => rng.nextInt(classes));
    const weights = Float32Array.from({ length: n }, () => 0.2 + 2 * rng.nextFloat());
    const inputs: Record<string, InputData> = { ...data };
    for (const p of graphs.parameters) inputs[p] = model.graph.initializers.get(p)?.data as Float32Array;
    assertSameStep(copied(await fused.step(inputs, y, weights)), copied(await two.step(inputs, y, weights)), `${what}, group weights`);
    assertSameStep(copied(await fused.step(inputs, y)), copied(await two.step(inputs, y)), `${what}, unweighted`);
    const bad = Int32Array.from(y);
    bad[1] = classes;
    await assert.rejects(() => fused.step(inputs, bad), new RegExp(`class label ${classes} of row 1 is not in \\[0, ${classes}\\)`));
  } finally {
    await fused.release();
    await two.release();
  }
}

test('narrow ResNet-18 with batch-statistics BN: the fused step equals the two-session step', async () => {
  const model = buildResNet18({ ...RESNET18_32, height: 16, width: 16, widths: [4, 4, 8, 8], seed: 3 });
  const graphs = buildTrainingGraphs(model, 6, undefined, 'batch');
  assert.ok(graphs.batchStatistics.length > 0);
  const rng = createRng(4);
  const x = Float32Array.from({ length: 6 * 3 * 16 * 16 }, () => rng.nextFloat() * 2 - 1);
  await compareRunners(model, graphs, { [graphs.input]: x }, 10, 'ResNet-18');
});

test('tiny BERT (token ids): the fused step equals the two-session step', async () => {
  const spec: BertMiniSpec = { vocabulary: 30, positions: 8, hidden: 8, layers: 1, heads: 2, intermediate: 12, classes: 3, seed: 3 };
  const model = buildBertMini(spec);
  const graphs = buildTrainingGraphs(model, 4, undefined, 'batch', { sequenceLength: 5 });
  const rng = createRng(6);
  const ids = BigInt64Array.from({ length: 20 }, (_, i) => BigInt(i % 5 === 0 ? 2 : 4 + rng.nextInt(spec.vocabulary - 4)));
  const mask = BigInt64Array.from({ length: 20 }, (_, i) => (i >= 17 ? 0n : 1n));
  await compareRunners(model, graphs, { input_ids: ids, attention_mask: mask }, spec.classes, 'BERT');
});

test('the factory fuses opset 17 into one session and keeps two sessions for opset 12', async () => {
  const model = buildResNet18({ ...RESNET18_32, height: 8, width: 8, widths: [2, 2, 2, 2], seed: 1 });
  const opset12: Model = { ...model, opsetImports: [{ domain: '', version: 12 }] };
  const graphs12 = buildTrainingGraphs(opset12, 2, undefined, 'batch');
  const fused = await createTrainStepRunner(model, buildTrainingGraphs(model, 2, undefined, 'batch'), SESSION);
  const two = await createTrainStepRunner(opset12, graphs12, SESSION);
  try {
    assert.ok(fused instanceof FusedTrainRunner);
    assert.ok(two instanceof TwoSessionTrainRunner);
    await assert.rejects(() => FusedTrainRunner.create(opset12, graphs12, SESSION), /opset 13 to 17; this model's default opset is 12/);
  } finally {
    await fused.release();
    await two.release();
  }
});
