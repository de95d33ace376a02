/**
 * The host's worker client with real processes: the real worker (through tsx) for done and cancel, and a fake
 * worker that crashes, sends garbage, or ignores cancel — the extension must get one clear outcome every time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JobEvent } from '../../src/core/bise/events';
import type { ExtractJobSpec } from '../../src/protocol';
import { startWorker, WorkerOptions } from '../../src/host/worker-client';
import { RunRegistry } from '../../src/host/run-registry';
import { REAL_WORKER, tinyExtractJob } from '../support/tiny-extract-job';

const REAL: WorkerOptions = REAL_WORKER;
const FAKE = path.join(__dirname, 'fixtures/fake-worker.js');

function tinyJob(): { dir: string; job: ExtractJobSpec } {
  return tinyExtractJob('bise-client-', { threads: 2 });
}

test('a run through the client: providers on ready, events, done; the registry refuses a second run meanwhile', async () => {
  const { job } = tinyJob();
  const events: JobEvent[] = [];
  let providers: readonly string[] = [];
  const registry = new RunRegistry<unknown>();
  const run = startWorker(job, { ...REAL, onEvent: (e) => events.push(e), onReady: (p) => (providers = p) });
  const entry = registry.begin(job.modelPath, run);
  assert.ok(entry.ok);
  assert.equal(registry.begin(job.modelPath, run).ok, false);
  const outcome = await run.outcome;
  if (entry.ok) entry.release();
  assert.equal(outcome.kind, 'done', JSON.stringify(outcome));
  if (outcome.kind === 'done') assert.ok(fs.existsSync(outcome.result.reportPath));
  assert.ok(providers.includes('cpu'));
  assert.ok(events.some((e) => e.type === 'epoch'));
  assert.ok(registry.begin(job.modelPath, run).ok);
});

test('cancel through the client ends in cancelled with nothing written, even before the worker is ready', async () => {
  const { dir, job } = tinyJob();
  let steps = 0;
  const run = startWorker(job, {
    ...REAL,
    onEvent: (e) => {
      if (e.type === 'progress' && e.phase === 'extract' && ++steps === 2) run.cancel();
    },
  });
  assert.deepEqual(await run.outcome, { kind: 'cancelled' });
  assert.ok(!fs.existsSync(job.outDir));
  const early = startWorker({ ...job, outDir: path.join(dir, 'runs', 'net-2') }, REAL);
  early.cancel();
  assert.deepEqual(await early.outcome, { kind: 'cancelled' });
  assert.ok(!fs.existsSync(path.join(dir, 'runs', 'net-2')));
});

test('a worker that dies is a failed run with its last stderr lines', async () => {
  const { job } = tinyJob();
  const logged: string[] = [];
  const run = startWorker(job, { workerPath: FAKE, env: { ...process.env, BISE_FAKE_MODE: 'crash' }, onLog: (l) => logged.push(l) });
  const outcome = await run.outcome;
  assert.deepEqual(outcome, {
    kind: 'failed',
    message: 'the BISE worker stopped unexpectedly (it exited with code 3 before reporting a result)',
    log: ['loading the model', 'Segmentation fault in a native call'],
  });
  assert.ok(logged.includes('[worker] Segmentation fault in a native call'));
});

test('malformed worker messages are dropped and logged; the valid ones still count', async () => {
  const { job } = tinyJob();
  const logged: string[] = [];
  const events: JobEvent[] = [];
  const run = startWorker(job, { workerPath: FAKE, env: { ...process.env, BISE_FAKE_MODE: 'garbage' }, onLog: (l) => logged.push(l), onEvent: (e) => events.push(e) });
  const outcome = await run.outcome;
  assert.equal(outcome.kind, 'failed');
  if (outcome.kind === 'failed') assert.equal(outcome.message, 'it broke');
  assert.deepEqual(events, [{ type: 'log', level: 'info', message: 'still fine' }]);
  const dropped = logged.filter((l) => l.startsWith('dropped a malformed message from the worker'));
  assert.equal(dropped.length, 2);
  assert.match(dropped[0], /unknown worker message type "explode"/);
  assert.match(dropped[1], /result\.folder: expected a string, found 1/);
});

test('a worker that ignores cancel is killed after the grace period', async () => {
  const { job } = tinyJob();
  const logged: string[] = [];
  const run = startWorker(job, { workerPath: FAKE, env: { ...process.env, BISE_FAKE_MODE: 'hang' }, cancelGraceMs: 300, onLog: (l) => logged.push(l) });
  setTimeout(() => run.cancel(), 200);
  assert.deepEqual(await run.outcome, { kind: 'cancelled' });
  assert.ok(logged.some((l) => /did not stop in time after cancel; killing it/.test(l)));
});

test('a worker file that does not exist fails with a message, not an exception', async () => {
  const { job } = tinyJob();
  const run = startWorker(job, { workerPath: path.join(os.tmpdir(), 'no-such-worker.js') });
  const outcome = await run.outcome;
  assert.equal(outcome.kind, 'failed');
  if (outcome.kind === 'failed') assert.ok(outcome.log.some((l) => /Cannot find module/.test(l)), JSON.stringify(outcome));
});
