/**
 * A PyTorch export whose reshapes are computed from the batch size (scripts/export-shape-arith-fixture.py:
 * view(x.size(0), x.size(1), -1), view(x.size(0), -1, 8, 8), flatten(1, 2), view(x.size(0), -1), dynamic batch,
 * opset 13): the engine loads it, folds its shape subgraphs per batch size, matches PyTorch's logits and gate
 * gradients, and a pruned export keeps its dynamic batch (batch 1 and 3) and equals the gated model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { int64Tensor } from '../../../src/core/onnx/ir';
import { readModelFile } from '../../../src/core/onnx/reader';
import { foldShapes } from '../../../src/core/onnx/shape-folding/fold-shapes';
import { discoverModelUnits, modelIo } from '../../../src/core/jobs/model-analysis';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { pruneModel, verifyPruning } from '../../../src/core/prune';
import { FIXTURES, TorchReference, maxAbsDiff, relativeError } from '../../support/fixtures';
import { Rng } from '../../support/random';

const DIR = path.join(FIXTURES, 'shape-arith');
const MODEL = path.join(DIR, 'model.onnx');
const ref = JSON.parse(fs.readFileSync(path.join(DIR, 'ref.json'), 'utf8')) as TorchReference;

test('the fixture is small and really computes its reshapes from Shape', () => {
  assert.ok(fs.statSync(MODEL).size < 200_000);
  const model = readModelFile(MODEL);
  const ops = new Set(model.graph.nodes.map((n) => n.opType));
  for (const op of ['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape']) assert.ok(ops.has(op), `the export uses ${op}`);
  assert.equal(model.graph.inputs[0].shape?.[0], 'batch');
});

test('it loads, and at a concrete batch its shape subgraphs fold into constant Reshape targets', () => {
  const model = readModelFile(MODEL);
  const io = modelIo(model, MODEL);
  assert.deepEqual(io.sampleDims, [3, 8, 8]);
  assert.equal(io.classes, 5);
  const d = discoverModelUnits(model, MODEL, io);
  assert.deepEqual(d.groups.map((g) => g.channels), [8, 8, 16]);
  for (const batch of [1, 4]) {
    const { graph } = foldShapes(model.graph, new Map([['input', [batch, 3, 8, 8]]]));
    assert.deepEqual(graph.nodes.filter((n) => ['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Slice', 'Constant'].includes(n.opType)).map((n) => n.name), []);
    const targets = graph.nodes.filter((n) => n.opType === 'Reshape').map((n) => graph.initializers.get(n.inputs[1]));
    assert.equal(targets.length, 4);
    for (const t of targets) assert.equal(t?.data[0], BigInt(batch), 'each folded target starts with the batch size');
  }
});

test('logits and gate gradients match PyTorch (float64 reference)', async () => {
  const model = readModelFile(MODEL);
  for (const sharing of ['site', 'group'] as const) {
    const runner = await GateGradientRunner.create(model, { batchSize: ref.input.dims[0], sharing }, { threads: 1 });
    try {
      assert.equal(runner.graphs.forward.nodes.filter((n) => n.opType === 'Shape').length, 0, 'the engine graphs see constants');
      const gates = runner.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
      const fwd = await runner.forward(Float32Array.from(ref.input.data), gates);
      assert.ok(maxAbsDiff(fwd.logits, ref.logits.data) <= 1e-4, `logits differ by ${maxAbsDiff(fwd.logits, ref.logits.data)}`);
      assert.ok(maxAbsDiff(fwd.z, ref.z.data) <= 1e-4, `z differs by ${maxAbsDiff(fwd.z, ref.z.data)}`);
      const grads = await runner.backward(fwd, Float32Array.from(ref.upstream_logits.data), Float32Array.from(ref.upstream_z.data));
      assert.equal(runner.graphs.discovery.sites.length, ref.sites.length);
      ref.sites.forEach((s, k) => {
        const err = relativeError(grads[k], s.grad);
        assert.ok(err <= 1e-3, `${sharing} gate ${k} (${s.description}): relative error ${err}`);
      });
    } finally {
      await runner.release();
    }
  }
});

test('a random-mask pruned export keeps its dynamic batch and equals the gated model at batch 1 and 3', async () => {
  const model = readModelFile(MODEL);
  const d = discoverModelUnits(model, MODEL, modelIo(model, MODEL));
  const rng = new Rng(20261125);
  for (let draw = 0; draw < 3; draw++) {
    const masks = d.groups.map((g) => {
      const keep = Array.from({ length: g.channels }, () => rng.bool(0.6));
      keep[rng.int(0, g.channels - 1)] = true;
      return keep;
    });
    const { model: pruned, report } = pruneModel(model, d, masks);
    assert.ok(report.unitsAfter < report.unitsBefore || masks.every((m) => m.every(Boolean)));
    assert.equal(pruned.graph.inputs[0].shape?.[0], 'batch', 'the batch stays symbolic');
    assert.ok(pruned.graph.nodes.some((n) => n.opType === 'Shape'), 'the shape subgraphs stay (nothing is baked at the analysis batch)');
    for (const batch of [1, 3]) {
      const data = Float32Array.from({ length: batch * 3 * 8 * 8 }, () => rng.normal());
      const r = await verifyPruning(model, d, masks, { dims: [batch, 3, 8, 8], data }, { pruned, session: { threads: 1 } });
      assert.ok(r.maxAbsDiff <= 1e-4, `draw ${draw}, batch ${batch}: pruned vs gated logits differ by ${r.maxAbsDiff}`);
      assert.equal(r.prunedLogits.length, batch * 5);
    }
  }
});

test('verification runs the pruned model at a second batch size: an export that baked the batch is caught', async () => {
  const model = readModelFile(MODEL);
  const d = discoverModelUnits(model, MODEL, modelIo(model, MODEL));
  const masks = d.groups.map((g) => Array.from({ length: g.channels }, (_, i) => i % 2 === 0));
  const { model: pruned } = pruneModel(model, d, masks);
  // The last view baked at batch 3, as a folded engine graph would have it.
  const last = [...pruned.graph.nodes].reverse().find((n) => n.opType === 'Reshape');
  assert.ok(last);
  const baked = {
    ...pruned,
    graph: {
      ...pruned.graph,
      nodes: pruned.graph.nodes.map((n) => (n === last ? { ...n, inputs: [n.inputs[0], 'baked_target'] } : n)),
      initializers: new Map([...pruned.graph.initializers, ['baked_target', int64Tensor([2], [3, -1])]]),
    },
  };
  const data = Float32Array.from({ length: 3 * 3 * 8 * 8 }, (_, i) => Math.sin(i));
  const ok = await verifyPruning(model, d, masks, { dims: [3, 3, 8, 8], data }, { pruned, session: { threads: 1 } });
  assert.ok(ok.maxAbsDiff <= 1e-4);
  await assert.rejects(verifyPruning(model, d, masks, { dims: [3, 3, 8, 8], data }, { pruned: baked, session: { threads: 1 } }), /the pruned model does not run at batch size 2/);
});
