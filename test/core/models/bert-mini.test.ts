/**
 * The built-in BERT-style classifier (models/bert-mini.ts): it runs in onnxruntime with padding masked out, the
 * engine finds its MLP neurons (and the pooler) as units, every weight is trained by `bise train`, and the
 * training graph's weight gradients (embeddings through Gather, LayerNormalization, N-d MatMul, Softmax, Erf, the
 * bias Adds) equal central finite differences of the float64 reference interpreter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { BERT_MINI, BertMiniSpec, buildBertMini } from '../../../src/core/models/bert-mini';
import { serializeModel } from '../../../src/core/onnx/writer';
import { discoverUnits } from '../../../src/core/units/discover';
import { foldShapes } from '../../../src/core/onnx/shape-folding/fold-shapes';
import { buildTrainingGraphs, trainableParameters } from '../../../src/core/graphs/training-graphs';
import { DifferentiableRunner } from '../../../src/core/runtime/differentiable-runner';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { RefTensor, refTensor } from '../../../src/core/ops/reference/tensor';
import { createRng } from '../../../src/core/data/random';
import { assertClose } from '../../support/gradcheck';

const TINY: BertMiniSpec = { vocabulary: 30, positions: 8, hidden: 8, layers: 1, heads: 2, intermediate: 12, classes: 2, seed: 3 };

/** Two texts of 5 tokens, the second padded after 3. */
const IDS = [2, 7, 9, 11, 3, 2, 14, 3, 0, 0];
const MASK = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0];

async function logits(model: ReturnType<typeof buildBertMini>, ids: readonly number[], mask: readonly number[], length: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(serializeModel(model));
  const dims = [ids.length / length, length];
  const out = await session.run({
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask, BigInt), dims),
  });
  await session.release();
  return out.logits.data as Float32Array;
}

test('bert-mini runs in onnxruntime at any sequence length, and padding does not change a text\'s logits', async () => {
  const model = buildBertMini(TINY);
  const padded = await logits(model, IDS, MASK, 5);
  const alone = await logits(model, [2, 14, 3], [1, 1, 1], 3);
  assert.equal(padded.length, 4);
  assert.ok(Math.abs(padded[2] - alone[0]) < 1e-5 && Math.abs(padded[3] - alone[1]) < 1e-5, `${padded} vs ${alone}`);
  const other = buildBertMini({ ...TINY, seed: 4 });
  assert.notDeepEqual([...(await logits(other, IDS, MASK, 5))], [...padded]);
  assert.throws(() => buildBertMini({ ...TINY, heads: 3 }), /multiple of heads/);
});

test('bert-mini: the MLP neurons of every layer and the pooler are the units, as in a torch export', () => {
  const model = buildBertMini({ ...BERT_MINI, vocabulary: 100, seed: 0 });
  const { graph, shapes } = foldShapes(model.graph, new Map([['input_ids', [2, 8]], ['attention_mask', [2, 8]]]));
  const d = discoverUnits(graph, shapes);
  assert.equal(d.classifier, '/classifier/Gemm_' + (model.graph.nodes.length - 1));
  assert.deepEqual(
    d.groups.map((g) => g.sites.map((s) => s.channels)),
    [[BERT_MINI.intermediate], [BERT_MINI.intermediate], [BERT_MINI.hidden]],
  );
});

test('bert-mini: every weight is trainable, and no constant of the graph is', () => {
  const model = buildBertMini(TINY);
  const floats = [...model.graph.initializers].filter(([, t]) => t.dtype === 'float32').map(([name]) => name);
  assert.deepEqual(trainableParameters(model.graph).sort(), floats.sort());
  assert.ok(floats.includes('bert.embeddings.word_embeddings.weight') && floats.includes('bert.encoder.layer.0.attention.self.query.bias'));
});

test('bert-mini: weight gradients of the training graph equal finite differences (float64 reference)', async () => {
  const model = buildBertMini(TINY);
  const graphs = buildTrainingGraphs(model, 2, undefined, 'batch', { sequenceLength: 5 });
  const runner = await DifferentiableRunner.create(model, graphs, { threads: 1 });
  const params = new Map(graphs.parameters.map((p) => [p, model.graph.initializers.get(p)!]));
  const upstream = Float32Array.from([0.7, -1.1, -0.4, 0.9]);
  let gradients: Float32Array[];
  try {
    const feeds: Record<string, Float32Array | BigInt64Array> = { input_ids: BigInt64Array.from(IDS, BigInt), attention_mask: BigInt64Array.from(MASK, BigInt) };
    for (const [name, t] of params) feeds[name] = t.data as Float32Array;
    const fwd = await runner.forward(feeds);
    gradients = await runner.backward(fwd, { [graphs.logits]: upstream });
  } finally {
    await runner.release();
  }
  const base = new Map<string, RefTensor>([
    ['input_ids', refTensor([2, 5], IDS)],
    ['attention_mask', refTensor([2, 5], MASK)],
    ...[...params].map(([name, t]): [string, RefTensor] => [name, refTensor(t.dims, t.data as Float32Array)]),
  ]);
  const loss = (feeds: ReadonlyMap<string, RefTensor>): number => {
    const out = evaluate(graphs.forward, feeds).get(graphs.logits)!.data;
    return out.reduce((s, v, i) => s + v * upstream[i], 0);
  };
  const rng = createRng(11);
  const step = 1e-4;
  graphs.parameters.forEach((name, k) => {
    const value = base.get(name)!;
    // A few entries of each weight (the embedding rows of the ids used among them: the others' gradient is 0).
    const entries = name.includes('word_embeddings') ? [7 * TINY.hidden, 14 * TINY.hidden + 3, 5 * TINY.hidden] : Array.from({ length: 3 }, () => rng.nextInt(value.data.length));
    const expected = entries.map((i) => {
      const moved = (delta: number): number => {
        const data = Float64Array.from(value.data);
        data[i] += delta;
        return loss(new Map(base).set(name, { dims: value.dims, data }));
      };
      return (moved(step) - moved(-step)) / (2 * step);
    });
    assertClose(entries.map((i) => gradients[k][i]), expected, 2e-3, `d loss / d ${name}`);
  });
});
