/**
 * The model view reads a model in a worker process (`describe-model` → `model-description`), never on the extension
 * host's thread: the real worker through tsx (bad files: test/worker/describe-model.test.ts), a worker that never
 * answers (bounded wait, killed), and a view closed while its worker reads (killed at once).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { requestModelDescription } from '../../src/host/model-editor-worker';

const REAL = { workerPath: path.join(__dirname, '../../src/worker/main.ts'), execArgv: ['--import', 'tsx'] };
const MODEL = path.join(__dirname, '../../models/biased-mnist-rho0.97-cnn.onnx');
const SILENT = { workerPath: path.join(__dirname, 'fixtures/silent-describer.js') };

test('the worker describes the model while the host’s event loop keeps running', async () => {
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 5);
  try {
    const r = await requestModelDescription(MODEL, REAL).result;
    assert.equal(r.error, null);
    assert.ok(r.description);
    assert.equal(r.description.path, MODEL);
    assert.equal(r.description.units?.groups.length, 4);
    assert.ok(ticks > 0, 'the host’s timers ran while the model was read');
  } finally {
    clearInterval(ticker);
  }
});

test('a worker that never answers is stopped after the time limit, with a message the view shows', async () => {
  const r = await requestModelDescription(MODEL, { ...SILENT, timeoutMs: 500 }).result;
  assert.equal(r.description, null);
  assert.match(r.error ?? '', /took longer than 0\.5 s; close and reopen the file to try again/);
});

test('closing the view kills its worker at once', async () => {
  const started = Date.now();
  const request = requestModelDescription(MODEL, { ...SILENT, timeoutMs: 60_000 });
  setTimeout(() => request.dispose(), 200);
  const r = await request.result;
  assert.equal(r.error, 'the model view was closed');
  assert.ok(Date.now() - started < 10_000);
  assert.ok(request.pid);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.throws(() => process.kill(request.pid as number, 0), /ESRCH/, 'the worker process is gone');
});
