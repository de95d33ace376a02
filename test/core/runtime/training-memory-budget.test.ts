/**
 * The weight-training step under a memory budget (runtime/training-memory-budget.ts): the configurations from fastest
 * to leanest, the estimate's parts on SimpleConvNet's training graphs, and the choice: graphs, session config, the
 * log line, and the direct graphs built only when the frequency-domain ones do not fit. (Training end to end under
 * a budget: test/core/jobs/train-memory-budget.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIMPLE_CONVNET, buildSmallCnn } from '../../../src/core/models/small-cnn';
import { MLP_3X100, buildMlp } from '../../../src/core/models/mlp';
import { Model } from '../../../src/core/onnx/ir';
import { TrainingGraphs, buildTrainingGraphs } from '../../../src/core/graphs/training-graphs';
import { SESSION_BYTES } from '../../../src/core/runtime/memory-budget';
import {
  TRAIN_KEPT_FACTOR,
  TRAIN_NO_ARENA_FACTOR,
  TRAIN_PARAMETER_FACTOR,
  TrainingGraphOptionsChosen,
  budgetedTrainingGraphs,
  frequencyConvCount,
  trainingConfigurationBytes,
  trainingConfigurations,
  trainingStepEstimate,
} from '../../../src/core/runtime/training-memory-budget';

const BATCH = 8;
const MODEL = buildSmallCnn({ ...SIMPLE_CONVNET, seed: 1 });
const FAST = { frequencyConvs: true, weightGradientGemms: true };
const DIRECT = { frequencyConvs: false, weightGradientGemms: false };

/** Builds a model's training graphs and records which were asked for. */
function builder(model: Model = MODEL): { build: (o: TrainingGraphOptionsChosen) => TrainingGraphs; built: TrainingGraphOptionsChosen[] } {
  const built: TrainingGraphOptionsChosen[] = [];
  return {
    built,
    build: (o) => {
      built.push(o);
      return buildTrainingGraphs(model, BATCH, undefined, 'batch', o);
    },
  };
}

test('training configurations: the speed rewrites with the memory pattern, without, the arena off, then every conv direct', () => {
  const c = trainingConfigurations(true);
  assert.deepEqual(c.map((x) => [x.frequencyConvs, x.weightGradientGemms, x.memoryArena, x.memoryPattern]), [
    [true, true, true, true],
    [true, true, true, false],
    [true, true, false, true],
    [false, false, true, false],
    [false, false, false, true],
  ]);
  assert.ok(trainingConfigurations(false).every((x) => !x.frequencyConvs));
  // One fused session never turns the arena off.
  assert.deepEqual(trainingConfigurations(true, true), c.filter((x) => x.memoryArena));
});

test('for the fused step, the leanest choice keeps the arena: every conv direct, the memory pattern off', () => {
  const said: string[] = [];
  const tight = builder();
  const t = budgetedTrainingGraphs(tight.build, { threads: 1, memoryBudgetBytes: 1, onMemoryChoice: (m) => said.push(m) }, true);
  assert.deepEqual(tight.built, [FAST, DIRECT]);
  assert.deepEqual(t.config, { threads: 1, memoryArena: true, memoryPattern: false });
  assert.match(said[0], /chose the leanest, every conv and its gradients direct, onnxruntime's memory arena on, memory pattern off/);
});

test("SimpleConvNet's training step: the estimate's parts for the fast and the direct graphs, and the configurations' bytes", () => {
  const { build } = builder();
  const [fast, direct] = [build(FAST), build(DIRECT)];
  assert.ok(frequencyConvCount(fast) >= 2, `its large 7×7 convs train in the frequency domain: ${frequencyConvCount(fast)}`);
  assert.equal(frequencyConvCount(direct), 0);
  const [f, d] = [trainingStepEstimate(fast), trainingStepEstimate(direct)];
  const floatBytes = [...MODEL.graph.initializers.values()].filter((t) => t.dtype === 'float32').reduce((s, t) => s + t.data.byteLength, 0);
  assert.equal(f.parameters, d.parameters);
  assert.ok(f.parameters > 0.9 * floatBytes && f.parameters <= floatBytes, `${f.parameters} of ${floatBytes} bytes of float constants are trained`);
  // The spectra and the patch matrices are kept for the backward and live in it.
  assert.ok(f.kept > d.kept && f.forward > d.forward, JSON.stringify({ f, d }));
  const bytes = (e: typeof f, memoryArena: boolean, memoryPattern: boolean): number => trainingConfigurationBytes(e, { memoryArena, memoryPattern });
  assert.equal(bytes(d, false, true), SESSION_BYTES + TRAIN_PARAMETER_FACTOR * (d.constants + d.parameters) + TRAIN_KEPT_FACTOR * d.kept + TRAIN_NO_ARENA_FACTOR * Math.max(d.forward, d.backward));
  assert.ok(bytes(f, true, true) > bytes(f, true, false) && bytes(f, true, false) > bytes(f, false, true));
  assert.ok(bytes(f, false, true) > bytes(d, true, false), 'every conv direct is leaner than the fast graphs without the arena');
});

test('a budget picks the training graphs and session config, says why, and builds the direct graphs only when needed', () => {
  const said: string[] = [];
  const onMemoryChoice = (m: string): number => said.push(m);
  const roomy = builder();
  const r = budgetedTrainingGraphs(roomy.build, { threads: 1, memoryBudgetBytes: 2 ** 40, onMemoryChoice });
  assert.deepEqual(roomy.built, [FAST]);
  assert.deepEqual(r.config, { threads: 1, memoryArena: true, memoryPattern: true });
  assert.match(said[0], /^memory budget [\d,]+ MiB: the fastest configuration fits: \d+ convs in the frequency domain, weight gradients as patch GEMMs, onnxruntime's memory arena on, memory pattern on \(estimated [\d,]+ MiB\)$/);

  const tight = builder();
  const t = budgetedTrainingGraphs(tight.build, { threads: 1, memoryBudgetBytes: 1, onMemoryChoice });
  assert.deepEqual(tight.built, [FAST, DIRECT]);
  assert.equal(frequencyConvCount(t.graphs), 0);
  assert.deepEqual(t.config, { threads: 1, memoryArena: false, memoryPattern: true });
  assert.match(said[1], /^memory budget 0 MiB: the fastest configuration would take an estimated [\d,]+ MiB and none fits; chose the leanest, every conv and its gradients direct, onnxruntime's memory arena off/);

  // A budget between the fast graphs without the arena and with it: the fast graphs, the arena off.
  const fast = trainingStepEstimate(buildTrainingGraphs(MODEL, BATCH, undefined, 'batch', FAST));
  const between = builder();
  const b = budgetedTrainingGraphs(between.build, { memoryBudgetBytes: trainingConfigurationBytes(fast, { memoryArena: false, memoryPattern: true }), onMemoryChoice });
  assert.deepEqual([between.built, b.config], [[FAST], { memoryArena: false, memoryPattern: true }]);
  assert.match(said[2], /; chose \d+ convs in the frequency domain, weight gradients as patch GEMMs, onnxruntime's memory arena off/);

  // No budget, or another provider: the fast graphs the provider allows, the config as given, nothing said.
  const none = builder();
  assert.deepEqual(budgetedTrainingGraphs(none.build, { threads: 1 }).config, { threads: 1 });
  const cuda = builder();
  const c = budgetedTrainingGraphs(cuda.build, { provider: 'cuda', memoryBudgetBytes: 1, onMemoryChoice });
  assert.deepEqual([none.built, cuda.built, c.config], [[FAST], [{ frequencyConvs: false, weightGradientGemms: true }], { provider: 'cuda' }]);
  assert.equal(said.length, 3);
});

test('a model without convs is built once: its direct graphs would be the same', () => {
  const said: string[] = [];
  const mlp = builder(buildMlp({ ...MLP_3X100, seed: 0 }));
  const r = budgetedTrainingGraphs(mlp.build, { memoryBudgetBytes: 1, onMemoryChoice: (m) => said.push(m) });
  assert.deepEqual(mlp.built, [FAST]);
  // The leanest by the estimate, whichever the arena setting: the MLP's live set is a few hundred kB.
  const e = trainingStepEstimate(r.graphs);
  const leanest = Math.min(...trainingConfigurations(false).map((c) => trainingConfigurationBytes(e, c)));
  assert.equal(trainingConfigurationBytes(e, r.config as { memoryArena: boolean; memoryPattern: boolean }), leanest);
  assert.match(said[0], /none fits; chose the leanest, weight gradients as patch GEMMs, onnxruntime's memory arena/);
});
