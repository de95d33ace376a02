/**
 * Attention heads as units on the BERT-style fixtures (test/fixtures/transformers, scripts/export-transformers.py):
 * discovery finds each layer's 4 heads (Q, K and V coupled, the gate on the per-head context's axis 1) when units
 * 'heads' or 'both' are asked for, and nothing changes by default ('mlp'); the head gates' gradients match float64
 * PyTorch's (`head_sites` of the references); removing heads shrinks Q/K/V's columns, the output projection's rows
 * and the head count of the Reshape targets, and the export, with its dynamic batch and sequence, equals the gated
 * model at two batch sizes and two sequence lengths; `bise info --units` selects. (torchvision's ViT, whose
 * attention is nn.MultiheadAttention's, fused in_proj and heads merged into the batch axis: vit-heads.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { readModelFile } from '../../../src/core/onnx/reader';
import { int64Values } from '../../../src/core/ops/shape-rules';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { discoverModelUnits } from '../../../src/core/jobs/model-analysis';
import { modelSignature } from '../../../src/core/jobs/model-signature';
import { pruneModel, verifyPruning } from '../../../src/core/prune';
import { declaredInputs, fedInputs } from '../../../src/core/graphs/model-inputs';
import { maxAbsDiff, relativeError } from '../../support/fixtures';
import { parseFlags } from '../../../src/cli/infra/flags';
import { infoCommand } from '../../../src/cli/commands/info';
import { BERT_MODELS, BertReference, BertSite, bertPath, loadBertReference, referenceInputs } from './bert-reference';

const GRADIENT_TOLERANCE = 1e-3;
const ROOT = path.join(__dirname, '..', '..', '..');

/** The references' per-head gradients (scripts/export-transformers.py: `head_sites`). */
type HeadReference = BertReference & { readonly head_sites: readonly BertSite[] };

function attention(layer: number, node: string): string {
  return `/bert/encoder/layer.${layer}/attention/${node}`;
}

function projections(layer: number): string[] {
  return ['query', 'key', 'value'].map((p) => attention(layer, `self/${p}/MatMul`));
}

function load(name: string): { model: ReturnType<typeof readModelFile>; io: ReturnType<typeof modelSignature>; ref: HeadReference } {
  const model = readModelFile(bertPath(name));
  return { model, io: modelSignature(model, bertPath(name)), ref: loadBertReference(name) as HeadReference };
}

for (const name of BERT_MODELS) {
  test(`${name}: units 'heads' finds 4 heads per layer (Q, K, V coupled; gated on the context's axis 1); 'both' adds the MLP; 'mlp' is the default`, () => {
    const { model, io, ref } = load(name);
    const heads = discoverModelUnits(model, bertPath(name), io, undefined, 'heads');
    assert.deepEqual(
      heads.groups.map((g) => [g.kind, g.label, g.producers, g.channels, g.sites.map((s) => [s.tensor, s.axis, s.rank])]),
      [0, 1].map((l) => ['heads', attention(l, 'self heads'), projections(l), 4, [[ref.head_sites[l].tensor, 1, 4]]]),
    );
    const both = discoverModelUnits(model, bertPath(name), io, undefined, 'both');
    assert.deepEqual(
      both.groups.map((g) => [g.label, g.channels]),
      [
        [attention(0, 'self heads'), 4],
        ['/bert/encoder/layer.0/intermediate/dense/MatMul', 64],
        [attention(1, 'self heads'), 4],
        ['/bert/encoder/layer.1/intermediate/dense/MatMul', 64],
        ['/bert/pooler/dense/Gemm', 32],
      ],
    );
    const mlp = discoverModelUnits(model, bertPath(name), io);
    assert.deepEqual(mlp.groups.map((g) => g.label), ['/bert/encoder/layer.0/intermediate/dense/MatMul', '/bert/encoder/layer.1/intermediate/dense/MatMul', '/bert/pooler/dense/Gemm']);
    const why = new Map(mlp.skipped.map((s) => [s.node, s.reason]));
    for (const p of projections(0)) assert.match(why.get(p) ?? '', /attention query\/key\/value projection: its units are the attention heads, gated with units 'heads' or 'both'/);
  });

  test(`${name}: head gate gradients (with the MLP's and z's) match PyTorch at batch 3 × 7 tokens and padded to 10`, async () => {
    const { model, ref } = load(name);
    for (const extra of [0, 3]) {
      const inputs = referenceInputs(ref, extra);
      const [batchSize, sequenceLength] = inputs[0].dims;
      const runner = await GateGradientRunner.create(model, { batchSize, sequenceLength, sharing: 'site', units: 'both' }, { threads: 1 });
      try {
        const gates = runner.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
        const fwd = await runner.forwardInputs(Object.fromEntries(inputs.map((v) => [v.name, v.data])), gates);
        assert.ok(maxAbsDiff(fwd.logits, ref.logits.data) <= 1e-4, 'logits differ from PyTorch');
        const grads = await runner.backward(fwd, Float32Array.from(ref.upstream_logits.data), Float32Array.from(ref.upstream_z.data));
        const expected = new Map([...ref.sites, ...ref.head_sites].map((s) => [s.tensor, s]));
        const sites = runner.graphs.discovery.sites;
        assert.equal(sites.length, ref.sites.length + ref.head_sites.length);
        sites.forEach((s, k) => {
          const site = expected.get(s.tensor);
          const want = s.axis === s.rank - 1 && s.rank > 2 ? site?.grad_last : site?.grad;
          assert.ok(want, `no PyTorch gradient for gate site '${s.tensor}' on axis ${s.axis}`);
          const err = relativeError(grads[k], want);
          assert.ok(err <= GRADIENT_TOLERANCE, `padded by ${extra}: gate gradient of '${s.tensor}' differs from PyTorch's: relative ${err}`);
        });
        const headSites = sites.filter((s) => ref.head_sites.some((h) => h.tensor === s.tensor));
        assert.deepEqual(headSites.map((s) => [s.channels, s.axis]), [[4, 1], [4, 1]]);
      } finally {
        await runner.release();
      }
    }
  });
}

test('bert-tiny-op17: removing heads shrinks Q/K/V, the output projection and the Reshape head counts; the export stays dynamic and equals the gated model', async () => {
  const name = 'bert-tiny-op17';
  const { model, io, ref } = load(name);
  const d = discoverModelUnits(model, bertPath(name), io, undefined, 'both');
  // Layer 0 keeps heads 0 and 2, layer 1 all but head 1; every third MLP neuron goes.
  const keepHeads = [[true, false, true, false], [true, false, true, true]];
  let layer = 0;
  const masks = d.groups.map((g) => (g.kind === 'heads' ? keepHeads[layer++] : Array.from({ length: g.channels }, (_, i) => i % 3 !== 1)));
  const shapes = new Map(fedInputs(declaredInputs(model), { batchSize: 3, sequenceLength: 7 }).map((v) => [v.name, v.dims]));
  const pruned = pruneModel(model, d, masks, { inputShapes: shapes });
  const layers = new Map(pruned.report.layers.map((l) => [l.node, l.weightDimsAfter]));
  [2, 3].forEach((kept, l) => {
    for (const p of projections(l)) assert.deepEqual(layers.get(p), [32, kept * 8], p);
    assert.deepEqual(layers.get(attention(l, 'output/dense/MatMul')), [kept * 8, 32]);
  });
  assert.deepEqual(
    pruned.report.groups.filter((g) => g.label.endsWith('heads')).map((g) => g.removedIndices),
    [[1, 3], [1]],
  );
  // The split targets copy batch and sequence (0) and give the kept heads; the merge gives kept · head size.
  const g = pruned.model.graph;
  const target = (node: string): number[] => {
    const n = g.nodes.find((x) => x.name === node);
    const t = n && g.initializers.get(n.inputs[1]);
    assert.ok(t, `Reshape '${node}' has no constant target after pruning`);
    return int64Values(t);
  };
  assert.deepEqual(['Reshape', 'Reshape_1', 'Reshape_2', 'Reshape_3'].map((r) => target(attention(0, `self/${r}`))), [[0, 0, 2, 8], [0, 0, 2, 8], [0, 0, 2, 8], [0, 0, 16]]);
  assert.deepEqual(target(attention(1, 'self/Reshape')), [0, 0, 3, 8]);
  assert.deepEqual(g.inputs.map((v) => v.shape), model.graph.inputs.map((v) => v.shape));
  assert.deepEqual(g.outputs[0].shape, model.graph.outputs[0].shape);
  for (const extra of [0, 5]) {
    // verifyPruning also runs the batch at one row fewer.
    const r = await verifyPruning(model, d, masks, { inputs: referenceInputs(ref, extra) }, { pruned: pruned.model, session: { threads: 1 } });
    assert.ok(r.maxAbsDiff <= 1e-4, `padded by ${extra}: pruned logits differ from the gated model's by ${r.maxAbsDiff}`);
    // The removed heads mattered: the subnetwork's logits are not the full model's.
    assert.ok(maxAbsDiff(r.gatedLogits, ref.logits.data) > 1e-2, 'removing heads changed nothing; the check would not see a wrong pruning');
  }
});

test('bise info --units heads lists one group of 4 heads per layer and verifies its pruned export; --units defaults to mlp and rejects other values', () => {
  const bise = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], { encoding: 'utf8', cwd: ROOT });
  const heads = bise('info', bertPath('bert-tiny-op14'), '--units', 'heads');
  assert.equal(heads.status, 0, heads.stderr);
  assert.match(heads.stdout, /2 gate groups, 8 units:/);
  assert.match(heads.stdout, /group 0: 4 units, \/bert\/encoder\/layer\.0\/attention\/self\/query\/MatMul \+ \S+\/key\/MatMul \+ \S+\/value\/MatMul \(gates on \S+\/MatMul_1_output_0 \(heads on axis 1\)\)/);
  assert.match(heads.stdout, /matches the gated model at sequence lengths 8 and 5/);
  assert.equal(parseFlags(infoCommand.spec, [bertPath('bert-tiny-op14')]).flags.units, 'mlp');
  assert.throws(() => parseFlags(infoCommand.spec, [bertPath('bert-tiny-op14'), '--units', 'neurons']), /--units/);
});
