/**
 * The per-layer probe's pooled site features (graphs/site-pooling.ts via GatedInference): in a token model they
 * average real tokens only, so the same texts padded to 27 or to 32 tokens give the same features; an image
 * model's sites are averaged over all their spatial positions, as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readModelFile } from '../../../src/core/onnx/reader';
import { discoverModelUnits } from '../../../src/core/jobs/model-analysis';
import { gateInputsFor } from '../../../src/core/graphs/gated-forward';
import { GatedInference } from '../../../src/core/bise/gated-inference';
import { loadDataForModel } from '../../../src/core/jobs/model-data';
import { modelSignature } from '../../../src/core/jobs/model-signature';
import { TokenDataset, attentionMaskInput } from '../../../src/core/data/text/token-feeds';
import { BuiltinDatasetSpec } from '../../../src/core/jobs/builtin-datasets';

const TEXT = path.join(__dirname, '..', '..', 'fixtures', 'text');
const spec: BuiltinDatasetSpec = { kind: 'text-file', file: path.join(TEXT, 'comments.csv'), seed: 0, columns: { text: 'comment_text', target: 'toxic', bias: ['identity'] } };

async function pooledFeatures(file: string, masked: boolean): Promise<{ sites: Float32Array[]; length: number }> {
  const model = readModelFile(file);
  const signature = modelSignature(model, file);
  const discovery = discoverModelUnits(model, file, signature, undefined, 'both');
  const data = loadDataForModel(spec, model, signature, file).data.train as TokenDataset;
  const gates = gateInputsFor(discovery, 'group');
  const inference = await GatedInference.create(model, discovery, gates, { pooledSites: true, threads: 1, ...(masked && { attentionMask: attentionMaskInput(data) }) });
  try {
    const pass = await inference.run(data, gates.map((g) => new Float32Array(g.channels).fill(1)));
    return { sites: discovery.sites.map((s) => pass.pooledSites.get(s.tensor) as Float32Array), length: data.sequenceLength };
  } finally {
    await inference.release();
  }
}

test('pooled MLP and head features of a text model average real tokens only: padding to 27 or 32 tokens gives the same features', async () => {
  const [dynamic, fixed] = [await pooledFeatures(path.join(TEXT, 'wordpiece', 'bert-tiny.onnx'), true), await pooledFeatures(path.join(TEXT, 'wordpiece', 'bert-tiny-fixed32.onnx'), true)];
  assert.notEqual(dynamic.length, fixed.length);
  // Heads [N, 4], MLP neurons [N, 64] per block, the pooler's z [N, 32].
  assert.deepEqual(dynamic.sites.map((s) => s.length / 9), [4, 64, 4, 64, 32]);
  dynamic.sites.forEach((site, k) => site.forEach((v, i) => assert.ok(Math.abs(v - fixed.sites[k][i]) <= 1e-5, `site ${k}, value ${i}: ${v} vs ${fixed.sites[k][i]}`)));
  // Averaging the padded positions too (no mask) moves the features: the test above can fail.
  const plain = await pooledFeatures(path.join(TEXT, 'wordpiece', 'bert-tiny-fixed32.onnx'), false);
  const moved = Math.max(...plain.sites[1].map((v, i) => Math.abs(v - fixed.sites[1][i])));
  assert.ok(moved > 1e-3, `unmasked pooling differs by ${moved}`);
});
