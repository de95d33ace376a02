/**
 * bise extract and bise eval on a BERT-style classifier (test/fixtures/text/wordpiece/bert-tiny.onnx, its embedding
 * table as large as the tokenizer next to it: scripts/export-text-bert.py) and the fixture comments, tokenised in
 * JavaScript: masks learned, pruned export verified in onnxruntime, report written; the model's inputs matched by
 * name or by the graph; a tokenizer or mapping that does not fit is refused naming its file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runExtractJob } from '../../../src/core/jobs/extract-job';
import { runEvalJob } from '../../../src/core/jobs/eval-job';
import { DEFAULT_EXTRACT_CONFIG } from '../../../src/core/bise/config';
import { parseReport } from '../../../src/core/report/schema';
import { JobEvent } from '../../../src/core/bise/events';
import { readModelFile } from '../../../src/core/onnx/reader';
import { Model } from '../../../src/core/onnx/ir';
import { declaredInputs } from '../../../src/core/graphs/model-inputs';
import { longestAccepted, tokenFeeds } from '../../../src/core/jobs/token-data-fits-model';
import { BuiltinDatasetSpec } from '../../../src/core/jobs/builtin-datasets';
import { npyBytes } from '../../support/npy-writer';
import { buildSmallCnn, DEMO_CNN } from '../../../src/core/models/small-cnn';
import { serializeModel } from '../../../src/core/onnx/writer';
import * as ort from 'onnxruntime-node';
import { loadDataForModel } from '../../../src/core/jobs/model-data';
import { modelSignature } from '../../../src/core/jobs/model-signature';
import { TokenDataset } from '../../../src/core/data/text/token-feeds';

const TEXT = path.join(__dirname, '..', '..', 'fixtures', 'text');
const MODEL = path.join(TEXT, 'wordpiece', 'bert-tiny.onnx');
const CSV = path.join(TEXT, 'comments.csv');
const columns = { text: 'comment_text', target: 'toxic', bias: ['identity'] };
const csvSpec: BuiltinDatasetSpec = { kind: 'text-file', file: CSV, seed: 0, columns };
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'bise-text-'));

test('extract on a BERT-style model and a text CSV learns masks on its MLP neurons, prunes, verifies and reports; eval reads the pruned model', async () => {
  const out = path.join(tmp(), 'report');
  const events: JobEvent[] = [];
  const result = await runExtractJob(
    {
      modelPath: MODEL,
      data: csvSpec,
      config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 4, tauPeriod: 1, maxEpochs: 2, auxEpochs: 1 },
      outDir: out,
      overwrite: false,
      randomSeeds: 1,
      probe: true,
      probeEpochs: 1,
      threads: 2,
    },
    { onEvent: (e) => events.push(e) },
  );
  const report = parseReport(fs.readFileSync(path.join(out, 'report.json'), 'utf8'), 'report.json');
  assert.deepEqual(fs.readdirSync(out).sort(), ['bert-tiny.bise.onnx', 'figures', 'masks.json', 'report.json', 'report.md']);
  assert.equal(report.history.length, 2);
  assert.equal(report.config.dataset, 'text-file');
  assert.equal(report.data.trainSize, 9);
  assert.equal(report.data.testSize, 2);
  assert.deepEqual(report.data.biasAttributes, ['identity']);
  // Both blocks' intermediate (GELU) neurons are gated on their last axis.
  const mlp = report.masks.filter((m) => m.logits.length === 64);
  assert.equal(mlp.length, 2, `groups: ${report.masks.map((m) => `${m.label} (${m.logits.length})`).join(', ')}`);
  assert.equal(report.pruning.unitsAfter, report.masks.reduce((s, m) => s + m.keep.filter(Boolean).length, 0));
  assert.ok(report.probe !== null);
  assert.ok(events.some((e) => e.type === 'log' && /pruned model verified/.test(e.message)));
  assert.equal(result.report.metrics.vanilla.samples, 2);

  // The pruned model has no tokenizer next to it: it is named.
  const pruned = path.join(out, 'bert-tiny.bise.onnx');
  const prunedParams = [...readModelFile(pruned).graph.initializers.values()].reduce((s, t) => s + t.data.length, 0);
  assert.equal(prunedParams, report.pruning.paramsAfter);
  await assert.rejects(runEvalJob({ modelPath: pruned, data: csvSpec, split: 'test', threads: 2 }), (e: Error) => e.message.includes(path.join(out, 'tokenizer.json')));
  const evaluated = await runEvalJob({ modelPath: pruned, data: { ...csvSpec, tokenizer: path.join(TEXT, 'wordpiece') }, split: 'test', threads: 2 });
  assert.equal(evaluated.metrics.samples, 2);
  assert.deepEqual(evaluated.metrics, report.metrics.subnetwork);
});

test("extract with --units both gates each block's attention heads and MLP neurons; removed heads leave a smaller, verified model", async () => {
  const out = path.join(tmp(), 'report');
  const events: JobEvent[] = [];
  await runExtractJob(
    {
      modelPath: MODEL,
      data: csvSpec,
      config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 4, tauPeriod: 1, maxEpochs: 1, auxEpochs: 1 },
      outDir: out,
      overwrite: false,
      units: 'both',
      randomSeeds: 1,
      probe: false,
      probeEpochs: 1,
      threads: 2,
    },
    { onEvent: (e) => events.push(e) },
  );
  const report = parseReport(fs.readFileSync(path.join(out, 'report.json'), 'utf8'), 'report.json');
  assert.equal(report.config.units, 'both');
  // Per block: 4 heads, then 64 MLP neurons (the pooler's 32 units produce z, as with --units mlp).
  assert.deepEqual(report.masks.map((m) => m.logits.length).filter((n) => n !== 32), [4, 64, 4, 64]);
  assert.ok(events.some((e) => e.type === 'log' && /pruned model verified/.test(e.message)));
  const pruned = readModelFile(path.join(out, 'bert-tiny.bise.onnx'));
  assert.equal([...pruned.graph.initializers.values()].reduce((s, t) => s + t.data.length, 0), report.pruning.paramsAfter);
});

test('eval reads a JSON Lines file, and a plain CSV spec given for a token model, as text; the tokenizer next to the model by default', async () => {
  const jsonl = await runEvalJob({ modelPath: MODEL, data: { kind: 'text-file', file: path.join(TEXT, 'comments.jsonl'), seed: 0, columns }, split: 'val', threads: 2 });
  assert.equal(jsonl.metrics.samples, 2);
  assert.match(jsonl.data, /tokenised by .*wordpiece.tokenizer\.json/);
  // What the CLI makes of `--data comments.csv --target-column toxic --bias-column identity`, with no text flag.
  const imageCsv: BuiltinDatasetSpec = { kind: 'image-csv', file: CSV, seed: 0, channels: 3, columns: { target: 'toxic', bias: ['identity'] } };
  await assert.rejects(runEvalJob({ modelPath: MODEL, data: imageCsv, split: 'val' }), (e: Error) => e.message.includes(CSV) && /text/.test(e.message));
});

test('eval reads a folder of pre-tokenised ids (no tokenizer), given as a plain .npy folder spec for a token model', async () => {
  const dir = tmp();
  const [n, length] = [20, 6];
  const ids = Array.from({ length: n * length }, (_, i) => (i % length === 0 ? 2 : i % length < 4 ? 5 + ((i * 7) % 150) : 0));
  const mask = ids.map((_, i) => (i % length < 4 ? 1 : 0));
  fs.writeFileSync(path.join(dir, 'input_ids.npy'), npyBytes({ descr: '<i8', shape: [n, length], data: ids }));
  fs.writeFileSync(path.join(dir, 'attention_mask.npy'), npyBytes({ descr: '<i8', shape: [n, length], data: mask }));
  fs.writeFileSync(path.join(dir, 'labels.csv'), ['label,bias', ...Array.from({ length: n }, (_, i) => `${i % 2},${Math.floor(i / 2) % 2}`)].join('\n') + '\n');
  const r = await runEvalJob({ modelPath: MODEL, data: { kind: 'npy-folder', dir, seed: 0 }, split: 'train', threads: 2 });
  assert.ok(r.metrics.samples > 0);
  assert.match(r.data, /pre-tokenised NumPy folder/);
});

test("a tokenizer whose vocabulary exceeds the model's embedding table is refused, naming the tokenizer and the model", async () => {
  const small = path.join(__dirname, '..', '..', 'fixtures', 'transformers', 'bert-tiny-op14.onnx');
  await assert.rejects(
    runEvalJob({ modelPath: small, data: { ...csvSpec, tokenizer: path.join(TEXT, 'wordpiece', 'tokenizer.json') }, split: 'test' }),
    (e: Error) => e.message.includes('bert-tiny-op14.onnx') && e.message.includes(path.join(TEXT, 'wordpiece', 'tokenizer.json')) && /120 rows/.test(e.message),
  );
  const dir = tmp();
  const alone = path.join(dir, 'model.onnx');
  fs.copyFileSync(MODEL, alone);
  await assert.rejects(runEvalJob({ modelPath: alone, data: csvSpec, split: 'test' }), (e: Error) => e.message.includes(path.join(dir, 'tokenizer.json')) && /missing/.test(e.message));
});

test('texts longer than the position embeddings are refused before any inference, with the longest length the model takes', async () => {
  assert.equal(longestAccepted(readModelFile(MODEL), 300), 32);
  assert.equal(longestAccepted(readModelFile(MODEL), 20), 20);
  const dir = tmp();
  const [n, length] = [8, 40];
  const ids = Array.from({ length: n * length }, (_, i) => (i % length === 0 ? 2 : 5 + ((i * 7) % 150)));
  fs.writeFileSync(path.join(dir, 'input_ids.npy'), npyBytes({ descr: '<i8', shape: [n, length], data: ids }));
  fs.writeFileSync(path.join(dir, 'attention_mask.npy'), npyBytes({ descr: '<i8', shape: [n, length], data: ids.map(() => 1) }));
  fs.writeFileSync(path.join(dir, 'labels.csv'), ['label,bias', ...Array.from({ length: n }, (_, i) => `${i % 2},${Math.floor(i / 2) % 2}`)].join('\n') + '\n');
  await assert.rejects(runEvalJob({ modelPath: MODEL, data: { kind: 'npy-folder', dir, seed: 0 }, split: 'train', threads: 2 }), (e: Error) => e.message.includes(MODEL) && /at most 32 tokens/.test(e.message) && /--max-length 32/.test(e.message));
});

test('an image model refuses text data, and a token model refuses the built-in image datasets, naming the model', async () => {
  await assert.rejects(runEvalJob({ modelPath: MODEL, data: { kind: 'biased-mnist', rho: 0.9, seed: 0 }, split: 'test' }), (e: Error) => e.message.includes(MODEL) && /token ids/.test(e.message));
  const cnn = path.join(tmp(), 'cnn.onnx');
  fs.writeFileSync(cnn, serializeModel(buildSmallCnn(DEMO_CNN)));
  await assert.rejects(runEvalJob({ modelPath: cnn, data: csvSpec, split: 'test' }), (e: Error) => e.message.includes(cnn) && e.message.includes(`'${CSV}' is text`));
});

/** The model with its data inputs renamed (graph inputs and every node reading them). */
function renamed(model: Model, names: Record<string, string>): Model {
  const rename = (n: string): string => names[n] ?? n;
  const graph = model.graph;
  return {
    ...model,
    graph: { ...graph, inputs: graph.inputs.map((v) => ({ ...v, name: rename(v.name) })), nodes: graph.nodes.map((n) => ({ ...n, inputs: n.inputs.map(rename) })) },
  };
}

test("the model's inputs are matched by name, by pattern and, for names that say nothing, by what the graph does with them", () => {
  const model = readModelFile(MODEL);
  const roles = (m: Model): string[] => tokenFeeds(m, declaredInputs(m), 'm.onnx').map((f) => `${f.name}=${f.role}`);
  assert.deepEqual(roles(model), ['input_ids=inputIds', 'attention_mask=attentionMask', 'token_type_ids=tokenTypeIds']);
  assert.deepEqual(roles(renamed(model, { input_ids: 'input_ids:0', attention_mask: 'input_mask:0', token_type_ids: 'segment_ids:0' })), [
    'input_ids:0=inputIds',
    'input_mask:0=attentionMask',
    'segment_ids:0=tokenTypeIds',
  ]);
  // torch.onnx.export without input_names: the ids index the word embeddings, the segments the type table, the mask no table.
  assert.deepEqual(roles(renamed(model, { input_ids: 'input.1', attention_mask: 'onnx::Cast_1', token_type_ids: 'input.3' })), ['input.1=inputIds', 'onnx::Cast_1=attentionMask', 'input.3=tokenTypeIds']);
  assert.throws(
    () => roles(renamed(model, { input_ids: 'mask_a', attention_mask: 'mask_b' })),
    (e: Error) => e.message.includes('m.onnx') && /mask_a: int64, mask_b: int64, token_type_ids: int64/.test(e.message) && /input_ids, attention_mask, token_type_ids/.test(e.message) && /'mask_a' and 'mask_b' would both take attention_mask/.test(e.message),
  );
});

test('a model exported with its sequence length fixed (only the batch dynamic) gets the texts padded to it: same logits as the dynamic export, and extract runs end to end', async () => {
  const fixedPath = path.join(TEXT, 'wordpiece', 'bert-tiny-fixed32.onnx');
  const fixedModel = readModelFile(fixedPath);
  const dynamicModel = readModelFile(MODEL);
  const fixed = loadDataForModel(csvSpec, fixedModel, modelSignature(fixedModel, fixedPath), fixedPath);
  const dynamic = loadDataForModel(csvSpec, dynamicModel, modelSignature(dynamicModel, MODEL), MODEL);
  const [wide, narrow] = [fixed.data.train as TokenDataset, dynamic.data.train as TokenDataset];
  assert.equal(wide.sequenceLength, 32);
  assert.ok(narrow.sequenceLength < 32, `the fixture texts tokenise to ${narrow.sequenceLength} tokens`);
  assert.equal(wide.meta.paddedFrom, narrow.sequenceLength);
  // The same weights: padding to 32 changes no logit (the model masks padded positions).
  const logitsOf = async (file: string, d: TokenDataset): Promise<Float32Array> => {
    const session = await ort.InferenceSession.create(file);
    const dims = [d.y.length, d.sequenceLength];
    const feeds = { input_ids: new ort.Tensor('int64', d.inputIds, dims), attention_mask: new ort.Tensor('int64', d.attentionMask, dims), token_type_ids: new ort.Tensor('int64', d.tokenTypeIds, dims) };
    const out = (await session.run(feeds)).logits.data as Float32Array;
    await session.release();
    return out;
  };
  const [a, b] = [await logitsOf(fixedPath, wide), await logitsOf(MODEL, narrow)];
  assert.equal(a.length, b.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-5, `logit ${i}: ${v} vs ${b[i]}`));
  // A --max-length above the fixed length is cut to it; one below stays, and the texts are padded up.
  assert.equal(loadDataForModel({ ...csvSpec, maxLength: 64 }, fixedModel, modelSignature(fixedModel, fixedPath), fixedPath).data.train.meta.maxLength, 32);
  const short = loadDataForModel({ ...csvSpec, maxLength: 8 }, fixedModel, modelSignature(fixedModel, fixedPath), fixedPath).data.train as TokenDataset;
  assert.equal(short.sequenceLength, 32);
  assert.equal(short.meta.maxLength, 8);

  const out = path.join(tmp(), 'report');
  await runExtractJob({
    modelPath: fixedPath,
    data: csvSpec,
    config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 4, tauPeriod: 1, maxEpochs: 1, auxEpochs: 1 },
    outDir: out,
    overwrite: false,
    randomSeeds: 1,
    probe: false,
    probeEpochs: 1,
    threads: 2,
  }, { onEvent: () => undefined });
  const report = parseReport(fs.readFileSync(path.join(out, 'report.json'), 'utf8'), 'report.json');
  assert.equal(report.pruning.paramsAfter, [...readModelFile(path.join(out, 'bert-tiny-fixed32.bise.onnx')).graph.initializers.values()].reduce((s, t) => s + t.data.length, 0));
});
