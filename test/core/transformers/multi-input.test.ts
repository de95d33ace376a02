/**
 * Several data inputs beyond token models: a classifier fed float features [batch, 5] and int32 category ids
 * [batch] (an embedding Gather), concatenated into a two-layer ReLU MLP. Gate gradients equal finite differences of
 * the engine's own forward, dataset inference and pruning verification feed both inputs by name, and the
 * preflight draws ids its embedding table accepts. Also: how declared inputs are read and refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, floatTensor, intAttr } from '../../../src/core/onnx/ir';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { InferenceSession } from '../../../src/core/runtime/inference-session';
import { InputValues, declaredInputs, fedInputs } from '../../../src/core/graphs/model-inputs';
import { indexRange, randomInputValues } from '../../../src/core/graphs/random-inputs';
import { modelSignature } from '../../../src/core/jobs/model-signature';
import { discoverModelUnits } from '../../../src/core/jobs/model-analysis';
import { preflightModel } from '../../../src/core/jobs/preflight';
import { pruneModel, verifyPruning } from '../../../src/core/prune';
import { createRng } from '../../../src/core/data/random';
import { graphOf, modelOf, node, valueInfo } from '../../support/build-model';
import { maxAbsDiff, relativeError } from '../../support/fixtures';
import { Rng, awayFrom } from '../../support/random';

const CATEGORIES = 6;

/** features [batch, 5] ⧺ embedding(category) [batch, 3] → Gemm 6 → Relu → Gemm 4 → Relu (z) → Gemm 3 (logits). */
function mixedInputModel(): Model {
  const rng = new Rng(31);
  const w = (dims: number[]): ReturnType<typeof floatTensor> =>
    floatTensor(dims, awayFrom([0], 0.05, 0.6)(rng, dims.reduce((a, b) => a * b, 1)).map((v) => Math.fround(v)));
  const gemm = { transB: intAttr(1) };
  return modelOf(
    graphOf({
      nodes: [
        node('Gather', ['table', 'category'], ['embedded'], { axis: intAttr(0) }),
        node('Concat', ['features', 'embedded'], ['joined'], { axis: intAttr(1) }),
        node('Gemm', ['joined', 'w1', 'b1'], ['h1'], gemm, 'fc1'),
        node('Relu', ['h1'], ['a1']),
        node('Gemm', ['a1', 'w2', 'b2'], ['h2'], gemm, 'fc2'),
        node('Relu', ['h2'], ['z']),
        node('Gemm', ['z', 'w3', 'b3'], ['logits'], gemm, 'classifier'),
      ],
      inputs: [valueInfo('features', ['batch', 5]), valueInfo('category', ['batch'], 'int32')],
      outputs: [valueInfo('logits', ['batch', 3])],
      initializers: { table: w([CATEGORIES, 3]), w1: w([6, 8]), b1: w([6]), w2: w([4, 6]), b2: w([4]), w3: w([3, 4]), b3: w([3]) },
    }),
  );
}

function batchOf(rows: number, seed: number): InputValues[] {
  const rng = new Rng(seed);
  return [
    { name: 'features', dtype: 'float32', dims: [rows, 5], data: Float32Array.from({ length: rows * 5 }, () => rng.normal()) },
    { name: 'category', dtype: 'int32', dims: [rows], data: Int32Array.from({ length: rows }, () => rng.int(0, CATEGORIES - 1)) },
  ];
}

const byName = (inputs: readonly InputValues[]): Record<string, InputValues['data']> => Object.fromEntries(inputs.map((v) => [v.name, v.data]));

test('float features and int32 ids: gate gradients equal finite differences of the forward', async () => {
  const model = mixedInputModel();
  const inputs = batchOf(8, 5);
  const runner = await GateGradientRunner.create(model, { batchSize: 8, sharing: 'site' }, { threads: 1 });
  try {
    assert.deepEqual(runner.graphs.inputs, [
      { name: 'features', dtype: 'float32', dims: [8, 5] },
      { name: 'category', dtype: 'int32', dims: [8] },
    ]);
    assert.deepEqual(runner.graphs.gates.map((g) => g.channels), [6, 4]);
    const rng = new Rng(7);
    const upstreamLogits = Float32Array.from({ length: 8 * 3 }, () => rng.normal());
    const upstreamZ = Float32Array.from({ length: 8 * 4 }, () => rng.normal());
    const loss = async (gates: Float32Array[]): Promise<number> => {
      const f = await runner.forwardInputs(byName(inputs), gates);
      let l = 0;
      f.logits.forEach((v, i) => (l += v * upstreamLogits[i]));
      f.z.forEach((v, i) => (l += v * upstreamZ[i]));
      return l;
    };
    const ones = runner.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
    const fwd = await runner.forwardInputs(byName(inputs), ones);
    const grads = await runner.backward(fwd, upstreamLogits, upstreamZ);
    const eps = 1e-2;
    for (const [k, gate] of ones.entries()) {
      const fd: number[] = [];
      for (let c = 0; c < gate.length; c++) {
        const at = (delta: number): Float32Array[] => ones.map((g, j) => (j === k ? g.map((v, i) => (i === c ? v + delta : v)) : g));
        fd.push(((await loss(at(eps))) - (await loss(at(-eps)))) / (2 * eps));
      }
      const err = relativeError(grads[k], fd);
      assert.ok(err <= 1e-3, `gate ${k}: relative error ${err} (engine ${Array.from(grads[k])}, finite differences ${fd})`);
    }
  } finally {
    await runner.release();
  }
});

test('float features and int32 ids: inference and a pruned export fed by name; the preflight draws valid ids', async () => {
  const model = mixedInputModel();
  const io = modelSignature(model, 'mixed.onnx');
  assert.equal(io.sequenceLength, undefined);
  const d = discoverModelUnits(model, 'mixed.onnx', io);
  const inputs = batchOf(3, 11);
  const runner = await GateGradientRunner.create(model, { batchSize: 3 }, { threads: 1 });
  const session = await InferenceSession.create(model, model.graph, 3, { threads: 1 });
  try {
    const gated = await runner.forwardInputs(byName(inputs), runner.graphs.gates.map((g) => new Float32Array(g.channels).fill(1)));
    const plain = (await session.runInputs(inputs)).logits.data as Float32Array;
    assert.ok(maxAbsDiff(gated.logits, plain) <= 1e-6, 'the gated forward at gates of one differs from the model');
  } finally {
    await runner.release();
    await session.release();
  }
  const masks = d.groups.map((g) => Array.from({ length: g.channels }, (_, i) => i % 2 === 0));
  const pruned = pruneModel(model, d, masks, { inputShapes: new Map([['features', [3, 5]], ['category', [3]]]) });
  const r = await verifyPruning(model, d, masks, { inputs }, { pruned: pruned.model, session: { threads: 1 } });
  assert.ok(r.maxAbsDiff <= 1e-5, `pruned logits differ by ${r.maxAbsDiff}`);

  assert.equal(indexRange(model.graph, 'category'), CATEGORIES);
  const drawn = randomInputValues(model.graph, fedInputs(declaredInputs(model), { batchSize: 50 }), createRng(3));
  assert.ok(Array.from(drawn[1].data as Int32Array).every((v) => v >= 0 && v < CATEGORIES));
  const checked = await preflightModel(model, 'mixed.onnx', d, { session: { threads: 1 } });
  assert.equal(checked.sequenceLengths, undefined);
  assert.ok(checked.relativeDifference <= 1e-5);
});

test('declared inputs: a sequence axis is axis 1; other dynamic axes and unsupported element types are refused by name', () => {
  const withInputs = (...inputs: ReturnType<typeof valueInfo>[]): Model => ({ ...mixedInputModel(), graph: { ...mixedInputModel().graph, inputs } });
  const tokens = declaredInputs(withInputs(valueInfo('ids', ['batch', 'seq'], 'int64'), valueInfo('pixels', ['batch', 'seq', 4])));
  assert.deepEqual(tokens.map((v) => v.sequenceAxis), [true, true]);
  assert.deepEqual(fedInputs(tokens, { batchSize: 2, sequenceLength: 9 }).map((v) => v.dims), [[2, 9], [2, 9, 4]]);
  assert.throws(() => declaredInputs(withInputs(valueInfo('image', ['batch', 3, 'h', 'w']))), /graph input 'image' has non-batch dimensions that are not fixed: \[batch, 3, h, w\]; only axis 0 \(the batch\) and axis 1 \(a sequence\) may be dynamic/);
  assert.throws(() => declaredInputs(withInputs(valueInfo('flags', ['batch', 4], 'bool'))), /graph input 'flags' has element type bool; the engine feeds float32, int64 or int32 inputs/);
  assert.throws(() => fedInputs(tokens, { batchSize: 0, sequenceLength: 3 }), /batch size 0 is not a positive integer/);
});
