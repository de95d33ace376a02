/**
 * The form's model summary is read by a worker process (`describe` → `model-summary`), never on the extension
 * host's thread: the real worker through tsx, a missing model, a worker that never answers (bounded wait, killed),
 * the cache, and the summary folded into the form a reloaded panel replays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ModelSummaryCache, ModelSummaryResult, requestModelSummary } from '../../src/host/model-summary';
import { RunView } from '../../src/host/run-view';
import { defaultForm } from '../../src/host/form';
import { receive, workerToHostDecoder } from '../../src/protocol';

const REAL = { workerPath: path.join(__dirname, '../../src/worker/main.ts'), execArgv: ['--import', 'tsx'] };
const MODEL = path.join(__dirname, '../../models/biased-mnist-rho0.97-cnn.onnx');

test('the worker describes the model while the host’s event loop keeps running, and reports its providers', async () => {
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 5);
  let providers: readonly string[] = [];
  try {
    const r = await requestModelSummary(MODEL, { ...REAL, onReady: (p) => (providers = p) });
    assert.equal(r.error, null);
    assert.ok(r.model);
    assert.equal(r.model.groups.length, 4, 'the demo CNN has 4 gated layers');
    assert.match(r.model.inputShape, /×3×28×28$/);
    assert.ok(r.model.parameters > 0);
    assert.ok(ticks > 0, 'the host’s timers ran while the model was read');
    assert.ok(providers.includes('cpu'));
  } finally {
    clearInterval(ticker);
  }
});

test('a model that cannot be read is an error naming the file, not an exception', async () => {
  const missing = path.join(__dirname, 'no-such-model.onnx');
  const r = await requestModelSummary(missing, REAL);
  assert.equal(r.model, null);
  assert.match(r.error ?? '', /no-such-model\.onnx/);
});

test('a worker that never answers is stopped after the time limit, with a message the form can show', async () => {
  const started = Date.now();
  const r = await requestModelSummary(MODEL, { workerPath: path.join(__dirname, 'fixtures/silent-describer.js'), timeoutMs: 800 });
  assert.equal(r.model, null);
  assert.match(r.error ?? '', /reading the model took longer than 0\.8 s/);
  assert.ok(Date.now() - started < 10_000);
});

test('a worker that dies is reported with its last words', async () => {
  const r = await requestModelSummary(MODEL, { workerPath: path.join(__dirname, 'fixtures/fake-worker.js'), execArgv: ['--eval', 'process.stderr.write("out of memory\\n"); process.exit(7)'] });
  assert.equal(r.model, null);
  assert.match(r.error ?? '', /stopped before it read the model \(exit code 7\): out of memory/);
});

test('the model-summary message carries a summary or an error, never both or neither', () => {
  const drop: string[] = [];
  assert.equal(receive(workerToHostDecoder, { type: 'model-summary', model: null, error: null }, 'worker', (l) => drop.push(l)), undefined);
  assert.match(drop[0], /expected either a model summary or an error/);
  assert.ok(receive(workerToHostDecoder, { type: 'model-summary', model: null, error: 'x' }, 'worker', () => assert.fail()));
});

test('summaries are cached per file version, shared while pending, and failures are asked again', async () => {
  const asked: string[] = [];
  let stamp = 'v1';
  let answer: ModelSummaryResult = { model: null, error: 'worker killed' };
  const cache = new ModelSummaryCache(
    async (p) => {
      asked.push(p);
      return answer;
    },
    () => stamp,
  );
  const [a, b] = [cache.get('/m.onnx'), cache.get('/m.onnx')];
  assert.equal(a, b, 'one worker for concurrent requests');
  await a;
  await new Promise((r) => setImmediate(r));
  answer = { model: { inputShape: '1', parameters: 1, classifier: 'fc', bottleneck: 'z', groups: [] }, error: null };
  await cache.get('/m.onnx');
  await cache.get('/m.onnx');
  assert.equal(asked.length, 2, 'the failure was asked again, the success kept');
  stamp = 'v2';
  await cache.get('/m.onnx');
  assert.equal(asked.length, 3, 'a changed file is read again');
});

test('a reloaded panel gets one setup with the summary folded in (for its own model only)', () => {
  const v = new RunView();
  const setup = { modelPath: '/m.onnx', modelName: 'm.onnx', model: null, modelError: null, datasets: [], providers: ['cpu' as const], form: defaultForm(), savedChoice: null, busy: false, trusted: true };
  v.showSetup({ type: 'setup', setup });
  v.showModelSummary({ type: 'model-summary', modelPath: '/other.onnx', model: null, error: 'x' });
  v.showModelSummary({ type: 'model-summary', modelPath: '/m.onnx', model: null, error: 'cannot read' });
  assert.deepEqual(v.replay(), [{ type: 'setup', setup: { ...setup, modelError: 'cannot read' } }]);
});
