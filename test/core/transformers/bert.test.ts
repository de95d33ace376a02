/**
 * A BERT-style sequence classifier (test/fixtures/transformers, scripts/export-transformers.py: Hugging Face's
 * layout in plain torch, int64 input_ids / attention_mask / token_type_ids with dynamic batch and sequence, opset
 * 14 with LayerNorm decomposed and a -10000 mask, opset 17 with LayerNormalization and a finfo.min mask) through
 * the engine: it loads with its three inputs, its MLP neurons are units gated after the GELU, its logits and gate
 * gradients match float64 PyTorch, the graphs build at another sequence length, and a pruned export shrinks both
 * linears of each MLP and equals the gated model at two batch sizes and two sequence lengths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelFile } from '../../../src/core/onnx/reader';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { InferenceSession } from '../../../src/core/runtime/inference-session';
import { discoverModelUnits } from '../../../src/core/jobs/model-analysis';
import { modelSignature } from '../../../src/core/jobs/model-signature';
import { describeAndCheckModel, formatInputs } from '../../../src/core/jobs/info-job';
import { pruneModel, verifyPruning } from '../../../src/core/prune';
import { declaredInputs, fedInputs } from '../../../src/core/graphs/model-inputs';
import { maxAbsDiff, relativeError } from '../../support/fixtures';
import { BERT_MODELS, BertReference, bertPath, loadBertReference, referenceInputs } from './bert-reference';

const LOGIT_TOLERANCE = 1e-4;
const GRADIENT_TOLERANCE = 1e-3;

function mlpDense(layer: number, which: 'intermediate' | 'output'): string {
  return `/bert/encoder/layer.${layer}/${which}/dense/MatMul`;
}

for (const name of BERT_MODELS) {
  test(`${name}: loads with three int64 inputs; units are each block's MLP neurons (after the GELU, last axis) and the pooler`, () => {
    const model = readModelFile(bertPath(name));
    const io = modelSignature(model, bertPath(name));
    assert.deepEqual(
      io.inputs.map((v) => [v.name, v.dtype, v.shape, v.sequenceAxis]),
      ['input_ids', 'attention_mask', 'token_type_ids'].map((n) => [n, 'int64', ['batch', 'sequence'], true]),
    );
    assert.equal(io.classes, 2);
    const ref = loadBertReference(name);
    const d = discoverModelUnits(model, bertPath(name), io);
    assert.equal(d.classifier, '/classifier/Gemm');
    assert.equal(d.bottleneck, ref.z_tensor);
    const mlp = d.groups.filter((g) => g.producers.some((p) => p.includes('/intermediate/dense/')));
    assert.deepEqual(
      mlp.map((g) => [g.producers, g.channels, g.sites.map((s) => [s.tensor, s.axis])]),
      [0, 1].map((l) => [[mlpDense(l, 'intermediate')], 64, [[ref.sites[l].tensor, 2]]]),
    );
  });

  test(`${name}: logits, z and gate gradients match PyTorch at batch 3 × 7 tokens, and again padded to 12 tokens`, async () => {
    const model = readModelFile(bertPath(name));
    const ref = loadBertReference(name);
    for (const extra of [0, 5]) {
      await checkAgainstReference(model, ref, extra);
    }
  });
}

async function checkAgainstReference(model: ReturnType<typeof readModelFile>, ref: BertReference, extra: number): Promise<void> {
  const inputs = referenceInputs(ref, extra);
  const [batchSize, sequenceLength] = inputs[0].dims;
  const at = `${batchSize} × ${sequenceLength}`;
  const runner = await GateGradientRunner.create(model, { batchSize, sequenceLength, sharing: 'site' }, { threads: 1 });
  try {
    assert.deepEqual(
      runner.graphs.inputs.map((v) => [v.name, v.dtype, v.dims]),
      inputs.map((v) => [v.name, 'int64', [batchSize, sequenceLength]]),
    );
    const gates = runner.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
    const fwd = await runner.forwardInputs(Object.fromEntries(inputs.map((v) => [v.name, v.data])), gates);
    const logitDiff = maxAbsDiff(fwd.logits, ref.logits.data);
    assert.ok(logitDiff <= LOGIT_TOLERANCE, `${at}: logits differ from PyTorch's by ${logitDiff}`);
    assert.ok(maxAbsDiff(fwd.z, ref.z.data) <= LOGIT_TOLERANCE, `${at}: z differs from PyTorch's`);
    const grads = await runner.backward(fwd, Float32Array.from(ref.upstream_logits.data), Float32Array.from(ref.upstream_z.data));
    const refSites = new Map(ref.sites.map((s) => [s.tensor, s]));
    const sites = runner.graphs.discovery.sites;
    assert.equal(sites.length, ref.sites.length);
    sites.forEach((s, k) => {
      const site = refSites.get(s.tensor);
      assert.ok(site, `${at}: gate site '${s.tensor}' has no PyTorch gradient`);
      const expected = s.axis === s.rank - 1 && s.rank > 2 ? site.grad_last : site.grad;
      assert.ok(expected, `${at}: no reference gradient for '${s.tensor}' on axis ${s.axis}`);
      const err = relativeError(grads[k], expected);
      assert.ok(err <= GRADIENT_TOLERANCE, `${at}: gate gradient of '${s.tensor}' differs from PyTorch's: relative ${err}`);
    });
  } finally {
    await runner.release();
  }
}

test('bert-tiny-op17: dataset inference feeds the three inputs by name, at any sequence length', async () => {
  const model = readModelFile(bertPath('bert-tiny-op17'));
  const ref = loadBertReference('bert-tiny-op17');
  const session = await InferenceSession.create(model, model.graph, 3, { threads: 1 });
  try {
    for (const extra of [0, 3]) {
      const out = await session.runInputs(referenceInputs(ref, extra));
      const logits = out[model.graph.outputs[0].name];
      assert.deepEqual(logits.dims, [3, 2]);
      assert.ok(maxAbsDiff(logits.data as Float32Array, ref.logits.data) <= LOGIT_TOLERANCE, `padded by ${extra}: logits differ`);
    }
    await assert.rejects(session.run(new Float32Array(21), [7], 3), /graph input 'input_ids' is int64; feed the model's inputs by name with runInputs\(\)/);
    await assert.rejects(session.runInputs(referenceInputs(ref).slice(0, 2)), /no value for graph input 'token_type_ids'/);
  } finally {
    await session.release();
  }
});

test('bert-tiny-op14: pruning MLP neurons shrinks both linears; the export keeps dynamic batch and sequence and equals the gated model', async () => {
  const model = readModelFile(bertPath('bert-tiny-op14'));
  const ref = loadBertReference('bert-tiny-op14');
  const io = modelSignature(model, bertPath('bert-tiny-op14'));
  const d = discoverModelUnits(model, bertPath('bert-tiny-op14'), io);
  const masks = d.groups.map((g) => Array.from({ length: g.channels }, (_, i) => i % 3 !== 1));
  const kept = masks[0].filter(Boolean).length;
  const pruned = pruneModel(model, d, masks, { inputShapes: new Map(fedInputs(declaredInputs(model), { batchSize: 3, sequenceLength: 7 }).map((v) => [v.name, v.dims])) });
  const layers = new Map(pruned.report.layers.map((l) => [l.node, l]));
  for (const l of [0, 1]) {
    assert.deepEqual(layers.get(mlpDense(l, 'intermediate'))?.weightDimsAfter, [32, kept]);
    assert.deepEqual(layers.get(mlpDense(l, 'output'))?.weightDimsAfter, [kept, 32]);
  }
  assert.deepEqual(
    pruned.model.graph.inputs.map((v) => v.shape),
    model.graph.inputs.map((v) => v.shape),
  );
  for (const extra of [0, 5]) {
    // verifyPruning also runs the batch at one row fewer.
    const r = await verifyPruning(model, d, masks, { inputs: referenceInputs(ref, extra) }, { pruned: pruned.model, session: { threads: 1 } });
    assert.ok(r.maxAbsDiff <= 1e-4, `padded by ${extra}: pruned logits differ from the gated model's by ${r.maxAbsDiff}`);
  }
});

test('bise info on a BERT-style model: inputs with types and dynamic axes; the preflight verifies at two sequence lengths', async () => {
  const info = await describeAndCheckModel(bertPath('bert-tiny-op17'), undefined, { threads: 1 });
  assert.equal(
    formatInputs(info),
    [
      'inputs:',
      ...['input_ids', 'attention_mask', 'token_type_ids'].map((n) => `  ${n}: int64 [batch, sequence], dynamic batch (axis 0, 'batch') and sequence (axis 1, 'sequence')`),
    ].join('\n'),
  );
  assert.equal(info.bottleneck, '/bert/pooler/activation/Tanh_output_0');
  assert.deepEqual(info.preflight.sequenceLengths, [8, 5]);
  assert.ok(info.preflight.relativeDifference <= 1e-5, `preflight difference ${info.preflight.relativeDifference}`);
});

test('a token model refuses what it cannot be fed: no sequence length, the image-model forward, a wrong element type', async () => {
  const model = readModelFile(bertPath('bert-tiny-op17'));
  assert.throws(() => fedInputs(declaredInputs(model), { batchSize: 2 }), /graph input 'input_ids' \[batch, sequence\] has a dynamic sequence axis; give a sequence length/);
  const runner = await GateGradientRunner.create(model, { batchSize: 1, sequenceLength: 4 }, { threads: 1 });
  try {
    const gates = runner.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
    await assert.rejects(runner.forward(new Float32Array(4), gates), /3 data inputs \(input_ids, attention_mask, token_type_ids\); feed them by name with forwardInputs/);
    const ids = { input_ids: new BigInt64Array(4), attention_mask: new BigInt64Array(4).fill(1n), token_type_ids: new Int32Array(4) };
    await assert.rejects(runner.forwardInputs(ids, gates), /graph input 'token_type_ids' is int64; it was given a Int32Array/);
  } finally {
    await runner.release();
  }
});
