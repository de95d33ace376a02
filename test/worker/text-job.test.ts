/**
 * A text model through the extension's path, for real: the workspace scan finds the fixture texts, the form builds
 * the job (text columns, the tokenizer next to the model, units both), the worker process (forked through tsx, as the
 * host forks dist/worker.js) runs one epoch on bert-tiny, and the report says which heads and neurons each block
 * lost. Also the worker's `describe` of a text model: its token inputs and attention blocks, for the form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectWorkspaceDatasets } from '../../src/host/datasets';
import { buildExtractJob, defaultForm } from '../../src/host/form';
import { describeForForm } from '../../src/worker/describe';
import { parseReport } from '../../src/core/report/schema';
import { JobSpec, WorkerToHost, receive, workerToHostDecoder } from '../../src/protocol';

const TEXT = path.join(__dirname, '..', 'fixtures', 'text');
const WORKER = path.join(__dirname, '../../src/worker/main.ts');

function runWorker(job: JobSpec): Promise<{ messages: WorkerToHost[]; code: number | null; stderr: string }> {
  const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const messages: WorkerToHost[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('message', (value) => {
    const m = receive(workerToHostDecoder, value, 'worker', (line) => assert.fail(line));
    if (!m) return;
    messages.push(m);
    if (m.type === 'ready') child.send({ type: 'start', job });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`worker did not exit; messages: ${messages.map((m) => m.type).join(', ')}; stderr: ${stderr}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ messages, code, stderr });
    });
  });
}

test('describe: a text model reports its token inputs and its attention blocks; an image model neither', () => {
  const bert = describeForForm(path.join(TEXT, 'wordpiece', 'bert-tiny.onnx'));
  assert.equal(bert.error, null);
  assert.deepEqual(bert.model?.tokenInputs, ['input_ids', 'attention_mask', 'token_type_ids']);
  assert.deepEqual(bert.model?.attention, [
    { label: '/bert/encoder/layer.0/attention/self heads', heads: 4 },
    { label: '/bert/encoder/layer.1/attention/self heads', heads: 4 },
  ]);
  // The groups are those a default run gates (MLP neurons and the pooler), not the heads.
  assert.deepEqual(
    bert.model?.groups.map((g) => g.units),
    [64, 64, 32],
  );
  const mlp = describeForForm(path.join(__dirname, '..', 'fixtures', 'mlp.onnx'));
  assert.ok(mlp.model && !('tokenInputs' in mlp.model) && !('attention' in mlp.model), JSON.stringify(mlp));
  // An image transformer (torchvision's ViT: nn.MultiheadAttention) has heads too, so the form offers the units.
  const vit = describeForForm(path.join(__dirname, '..', 'fixtures', 'zoo', 'vit-op17.onnx'));
  assert.ok(vit.model && !('tokenInputs' in vit.model), JSON.stringify(vit.error));
  assert.deepEqual(
    vit.model?.attention?.map((a) => a.heads),
    [2, 2],
  );
});

test('the form’s text job runs in the worker: one epoch on bert-tiny with heads and neurons gated, reported per block', async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-worker-text-'));
  for (const f of ['bert-tiny.onnx', 'tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(TEXT, 'wordpiece', f), path.join(ws, f));
  fs.copyFileSync(path.join(TEXT, 'comments.csv'), path.join(ws, 'comments.csv'));
  const form = { ...defaultForm(), dataset: 'text:comments.csv', units: 'both', maxLength: '24', batchSize: '4', maxEpochs: '1', auxEpochs: '1', tauPeriod: '1', probe: false, randomSeeds: '0', threads: '2' };
  const built = buildExtractJob(form, { modelPath: path.join(ws, 'bert-tiny.onnx'), datasets: detectWorkspaceDatasets(ws), providers: ['cpu'], outDir: path.join(ws, 'run') });
  assert.ok(built.ok, JSON.stringify(built));
  if (!built.ok) return;

  const run = await runWorker(built.job);
  const last = run.messages[run.messages.length - 1];
  assert.equal(last.type, 'done', `${JSON.stringify(last)}\n${run.stderr}`);
  assert.equal(run.code, 0);
  if (last.type !== 'done') return;
  const events = run.messages.flatMap((m) => (m.type === 'event' ? [m.event] : []));
  const masks = events.find((e) => e.type === 'masks');
  assert.ok(masks && masks.type === 'masks');
  assert.deepEqual(
    masks.groups.map((g) => g.logits.length),
    [4, 64, 4, 64, 32],
  );
  const report = parseReport(fs.readFileSync(last.result.reportPath, 'utf8'), 'report.json');
  assert.equal(report.config.units, 'both');
  assert.equal(report.config['data.maxLength'], 24);
  assert.deepEqual(report.metrics.baselines.map((b) => b.name), ['magnitude'], '--random-seeds 0: no random baseline');
  assert.deepEqual(
    report.transformerBlocks?.map((b) => [b.block, b.groups.map((g) => `${g.kind} ${g.units}`)]),
    [
      ['/bert/encoder/layer.0', ['heads 4', 'neurons 64']],
      ['/bert/encoder/layer.1', ['heads 4', 'neurons 64']],
    ],
  );
  const removed = report.transformerBlocks!.flatMap((b) => b.groups.map((g) => g.removed.length)).reduce((s, n) => s + n, 0);
  assert.equal(removed, report.pruning.unitsBefore - report.pruning.unitsAfter - (32 - report.masks[4].keep.filter(Boolean).length));
  const md = fs.readFileSync(path.join(last.result.folder, 'report.md'), 'utf8');
  assert.match(md, /### Transformer blocks[\s\S]*\| Block \| Attention heads removed \| MLP neurons removed \|\n\|---\|---:\|---:\|\n\| layer\.0 \| \d+ of 4/);
});
