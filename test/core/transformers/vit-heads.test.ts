/**
 * Attention heads of torchvision's ViT as units (test/fixtures/zoo/vit-op13 and -op17, scripts/export-zoo.py):
 * nn.MultiheadAttention's fused in_proj cut into Q, K and V, the heads merged into the batch axis. Discovery finds
 * each block's 2 heads with units 'heads' or 'both' (one group, in_proj's output in 3 blocks, the gate on the
 * tensor out_proj reads with each head's 8 features sharing its gate); the head gates' gradients match float64
 * PyTorch's (the references' per-feature gradients of that tensor, summed per head for the group's gate); removing
 * heads shrinks in_proj's three blocks, out_proj's rows and the head-merged Reshapes, and the export, with its
 * dynamic batch, equals the gated model at batch 1 and 3, also with Q, K and V cut by one Split; the magnitude
 * baseline sums each head's columns of the three blocks; `bise info --units heads` checks it; extract runs with
 * --units both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelFile, parseModel } from '../../../src/core/onnx/reader';
import { serializeModel } from '../../../src/core/onnx/writer';
import { Graph, Model, Tensor, int64Tensor, intAttr } from '../../../src/core/onnx/ir';
import { int64Values } from '../../../src/core/ops/shape-rules';
import { discoverModelUnits, modelIo } from '../../../src/core/jobs/model-analysis';
import { describeAndCheckModel } from '../../../src/core/jobs/info-job';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { pruneModel } from '../../../src/core/prune/prune';
import { PruneVerifier, runModel } from '../../../src/core/prune/verify';
import { createRng, deriveSeed } from '../../../src/core/data/random';
import { loadZooReference, zooModelPath } from '../../support/zoo';
import { checkExtract } from '../../support/zoo-checks';
import { unitMagnitudes } from '../../../src/core/bise/baselines';
import { blockPlaces } from '../../../src/core/report/transformer-blocks';
import { maxAbsDiff, relativeError } from '../../support/fixtures';

const VIT_MODELS = ['vit-op13', 'vit-op17'] as const;
const GRADIENT_TOLERANCE = 1e-3;
const PRUNE_TOLERANCE = 1e-4;

function attention(layer: number, node: string): string {
  return `/encoder/layers/encoder_layer_${layer}/self_attention/${node}`;
}

function mlp(layer: number): string {
  return `/encoder/layers/encoder_layer_${layer}/mlp/mlp.0/MatMul`;
}

/** Input 1 of `node` (a weight, a Reshape target, split sizes), which must be an initializer. */
function constantInput(graph: Graph, node: string): Tensor {
  const n = graph.nodes.find((x) => x.name === node);
  const t = n && graph.initializers.get(n.inputs[1]);
  assert.ok(t, `input 1 of '${node}' is not a constant`);
  return t;
}

function weightOf(graph: Graph, node: string): Float32Array {
  return constantInput(graph, node).data as Float32Array;
}

function load(name: string): { file: string; model: ReturnType<typeof readModelFile>; io: ReturnType<typeof modelIo> } {
  const file = zooModelPath(name);
  const model = readModelFile(file);
  return { file, model, io: modelIo(model, file) };
}

for (const name of VIT_MODELS) {
  test(`${name}: units 'heads' finds 2 heads per block (fused in_proj in 3 blocks; gated on out_proj's input, 8 features per head); 'both' adds the MLP`, () => {
    const { file, model, io } = load(name);
    const heads = discoverModelUnits(model, file, io, undefined, 'heads');
    assert.deepEqual(
      heads.groups.map((g) => [g.kind, g.label, g.producers, g.channels, g.blocks, g.sites.map((s) => [s.tensor, s.channels, s.axis, s.repeat])]),
      [0, 1].map((l) => ['heads', `/encoder/layers/encoder_layer_${l}/self_attention heads`, [attention(l, 'MatMul')], 2, 3, [[attention(l, 'Reshape_3_output_0'), 16, 1, 8]]]),
    );
    assert.ok(!heads.skipped.some((s) => /attention heads are not units/.test(s.reason)), 'a Softmax is still reported as unmatched attention');
    const both = discoverModelUnits(model, file, io, undefined, 'both');
    assert.deepEqual(
      both.groups.map((g) => [g.label, g.channels]),
      [
        ['/encoder/layers/encoder_layer_0/self_attention heads', 2],
        [mlp(0), 32],
        ['/encoder/layers/encoder_layer_1/self_attention heads', 2],
        [mlp(1), 32],
      ],
    );
    // The report and the panel place them in their blocks (report/transformer-blocks.ts).
    assert.deepEqual(
      blockPlaces(both.groups.map((g) => g.label)).map((p) => p && [p.name, p.kind]),
      [['encoder_layer_0', 'heads'], ['encoder_layer_0', 'neurons'], ['encoder_layer_1', 'heads'], ['encoder_layer_1', 'neurons']],
    );
    const plain = discoverModelUnits(model, file, io);
    assert.deepEqual(plain.groups.map((g) => g.label), [mlp(0), mlp(1)]);
    const why = new Map(plain.skipped.map((s) => [s.node, s.reason]));
    assert.match(why.get(attention(0, 'MatMul')) ?? '', /attention query\/key\/value projection: its units are the attention heads/);
  });

  test(`${name}: head gate gradients match PyTorch, per feature (a gate per site) and per head (the group's gate)`, async () => {
    const { model } = load(name);
    const ref = loadZooReference(name);
    const refSites = new Map(ref.sites.map((s) => [s.tensor, s]));
    for (const sharing of ['site', 'group'] as const) {
      const runner = await GateGradientRunner.create(model, { batchSize: ref.input.dims[0], sharing, units: 'heads' }, { threads: 1 });
      try {
        const gates = runner.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
        const fwd = await runner.forward(Float32Array.from(ref.input.data), gates);
        assert.ok(maxAbsDiff(fwd.logits, ref.logits.data) <= 1e-4, 'logits differ from PyTorch');
        const grads = await runner.backward(fwd, Float32Array.from(ref.upstream_logits.data), Float32Array.from(ref.upstream_z.data));
        assert.deepEqual(runner.graphs.gates.map((g) => g.channels), sharing === 'site' ? [16, 16] : [2, 2]);
        runner.graphs.gates.forEach((g, k) => {
          const site = refSites.get(g.sites[0].tensor);
          assert.ok(site, `no PyTorch gradient for gate site '${g.sites[0].tensor}'`);
          // A head's gate scales its 8 features: its gradient is the sum of theirs.
          const want = sharing === 'site' ? site.grad : [0, 1].map((h) => site.grad.slice(h * 8, h * 8 + 8).reduce((a, b) => a + b, 0));
          const err = relativeError(grads[k], want);
          assert.ok(err <= GRADIENT_TOLERANCE, `${sharing} gate of '${g.sites[0].tensor}' differs from PyTorch's: relative ${err}`);
        });
      } finally {
        await runner.release();
      }
    }
  });

  test(`${name}: removing a random head per block shrinks in_proj's 3 blocks, out_proj and the head-merged Reshapes; the export keeps its dynamic batch and equals the gated model at batch 1 and 3`, async () => {
    const { file, model, io } = load(name);
    const d = discoverModelUnits(model, file, io, undefined, 'both');
    const rng = createRng(deriveSeed(13, name));
    const keptHead = d.groups.filter((g) => g.kind === 'heads').map(() => rng.nextInt(2));
    let block = 0;
    const masks = d.groups.map((g) => {
      if (g.kind === 'heads') {
        const h = keptHead[block++];
        return [h === 0, h === 1];
      }
      return Array.from({ length: g.channels }, (_, i) => i === 0 || rng.nextFloat() < 0.5);
    });
    const result = pruneModel(model, d, masks);
    const exported = parseModel(serializeModel(result.model), `${name} (pruned)`);
    const layers = new Map(result.report.layers.map((l) => [l.node, l.weightDimsAfter]));
    const g = exported.graph;
    const target = (node: string): number[] => int64Values(constantInput(g, node));
    for (const l of [0, 1]) {
      // One head of 8 kept: 8 columns in each of Q, K and V; out_proj (Gemm, transB) reads 8 features.
      assert.deepEqual(layers.get(attention(l, 'MatMul')), [16, 24]);
      assert.deepEqual(layers.get(attention(l, 'Gemm')), [16, 8]);
      // Row 0 of the pruned weight: the kept head's 8 columns of each third of the source's 48.
      const [inProj, source] = [weightOf(g, attention(l, 'MatMul')), weightOf(model.graph, attention(l, 'MatMul'))];
      const h = keptHead[l];
      const columns = [0, 1, 2].flatMap((s) => Array.from({ length: 8 }, (_, j) => s * 16 + h * 8 + j));
      assert.deepEqual(Array.from(inProj.slice(0, 24)), columns.map((c) => source[c]));
      // The splits copy the tokens, infer batch × heads and keep the head size; the merge gives 1 head × 8.
      for (const r of ['Reshape', 'Reshape_1', 'Reshape_2']) assert.deepEqual(target(attention(l, r)), [0, -1, 8], r);
      assert.deepEqual(target(attention(l, 'Reshape_3')), [-1, 8]);
      // The head count of the exporter's shape arithmetic (batch × 2) is no longer computed.
      assert.ok(!g.nodes.some((n) => n.name === attention(l, 'Mul_3')), 'the batch × heads arithmetic is still in the graph');
    }
    assert.deepEqual(g.inputs.map((v) => v.shape), model.graph.inputs.map((v) => v.shape));
    const verifier = await PruneVerifier.create(model, d, { threads: 1 });
    try {
      const inputs = createRng(deriveSeed(13, `${name} inputs`));
      for (const batch of [1, 3]) {
        const dims = [batch, ...io.sampleDims];
        const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => inputs.nextNormal());
        const r = await verifier.compare(exported, masks, { dims, data });
        assert.ok(r.maxAbsDiff <= PRUNE_TOLERANCE, `at batch ${batch} the pruned logits differ from the gated model's by ${r.maxAbsDiff}`);
        // The removed heads mattered: the check would see a wrong pruning.
        const full = await runModel(model, { dims, data }, undefined, { threads: 1 });
        assert.ok(maxAbsDiff(r.gatedLogits, full) > 1e-3, 'removing heads changed nothing');
      }
    } finally {
      await verifier.release();
    }
  });
}

test('bise info --units heads on vit-op17 lists 2 heads per block and checks that a random subnetwork of heads prunes and verifies', async () => {
  const info = await describeAndCheckModel(zooModelPath('vit-op17'), undefined, { threads: 1 }, 'heads');
  assert.deepEqual(
    info.groups.map((g) => [g.units, g.producers, g.sites]),
    [0, 1].map((l) => [2, [attention(l, 'MatMul')], [`${attention(l, 'Reshape_3_output_0')} (2 heads of 8 features on axis 1)`]]),
  );
  assert.equal(info.preflight.totalUnits, 4);
});

test('extract --units both on vit-op13: one epoch learns head and MLP masks, prunes and verifies the export', async () => {
  const { file, model, io } = load('vit-op13');
  const r = await checkExtract({ name: 'vit-op13', path: file, model, io, discovery: discoverModelUnits(model, file, io, undefined, 'both') }, 0, 2, 'both');
  assert.equal(r.units, 2 + 32 + 2 + 32);
});

/** The model with each block's three Slices of in_proj's output (chunk(3)) replaced by one Split into thirds. */
function withSplit(model: Model): Model {
  const initializers = new Map(model.graph.initializers);
  initializers.set('thirds', int64Tensor([3], [16, 16, 16]));
  const nodes = model.graph.nodes.flatMap((n) => {
    const l = [0, 1].find((k) => n.name === attention(k, 'Slice'));
    if (l !== undefined) {
      const outputs = ['Slice', 'Slice_1', 'Slice_2'].map((s) => attention(l, `${s}_output_0`));
      return [{ name: attention(l, 'Split'), opType: 'Split', domain: '', inputs: [n.inputs[0], 'thirds'], outputs, attributes: { axis: intAttr(-1) } }];
    }
    return /\/Slice_[12]$/.test(n.name) ? [] : [n];
  });
  return { ...model, graph: { ...model.graph, nodes, initializers } };
}

test('vit-op13 with Q, K and V cut by one Split: the heads are found and a pruned head verifies at batch 1 and 3', async () => {
  const file = zooModelPath('vit-op13');
  const model = withSplit(readModelFile(file));
  const io = modelIo(model, file);
  const d = discoverModelUnits(model, file, io, undefined, 'heads');
  assert.deepEqual(d.groups.map((g) => [g.producers, g.channels, g.blocks]), [0, 1].map((l) => [[attention(l, 'MatMul')], 2, 3]));
  const masks = [[false, true], [true, false]];
  const exported = parseModel(serializeModel(pruneModel(model, d, masks).model), 'vit-op13 with Split (pruned)');
  assert.deepEqual(int64Values(constantInput(exported.graph, attention(0, 'Split'))), [8, 8, 8]);
  const verifier = await PruneVerifier.create(model, d, { threads: 1 });
  try {
    const rng = createRng(deriveSeed(13, 'vit split inputs'));
    for (const batch of [1, 3]) {
      const dims = [batch, ...io.sampleDims];
      const r = await verifier.compare(exported, masks, { dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.nextNormal()) });
      assert.ok(r.maxAbsDiff <= PRUNE_TOLERANCE, `at batch ${batch} the pruned logits differ from the gated model's by ${r.maxAbsDiff}`);
    }
  } finally {
    await verifier.release();
  }
});

test("the magnitude baseline sums a head's in_proj columns over Q, K and V", () => {
  const { file, model, io } = load('vit-op17');
  const d = discoverModelUnits(model, file, io, undefined, 'heads');
  const w = weightOf(model.graph, attention(0, 'MatMul')); // [16, 48]
  const expected = [0, 1].map((h) => {
    let sum = 0;
    for (let r = 0; r < 16; r++) for (const s of [0, 1, 2]) for (let j = 0; j < 8; j++) sum += Math.abs(w[r * 48 + s * 16 + h * 8 + j]);
    return sum;
  });
  const got = Array.from(unitMagnitudes(model, d)[0]);
  got.forEach((v, h) => assert.ok(Math.abs(v - expected[h]) <= 1e-9 * expected[h], `head ${h}: ${v} vs ${expected[h]}`));
});
