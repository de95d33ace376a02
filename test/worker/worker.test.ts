/**
 * The worker process for real: forked with an IPC channel (through tsx, as the host forks dist/worker.js),
 * running a tiny extract job. Checks the message sequence, cancellation mid-run (nothing written), a bad
 * model path (failed, naming the file) and a start message the worker cannot read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSmallCnn, DEMO_CNN } from '../../src/core/models/small-cnn';
import { serializeModel } from '../../src/core/onnx/writer';
import { DEFAULT_EXTRACT_CONFIG } from '../../src/core/bise/config';
import { parseReport } from '../../src/core/report/schema';
import { ExtractJobSpec, HostToWorker, WorkerToHost, receive, workerToHostDecoder } from '../../src/protocol';

const WORKER = path.join(__dirname, '../../src/worker/main.ts');

interface Run {
  readonly messages: WorkerToHost[];
  readonly code: number | null;
  readonly stderr: string;
}

/** Forks the worker, sends `start`, lets `onMessage` react (e.g. cancel), and resolves when it exits. */
function runWorker(first: HostToWorker | unknown, onMessage?: (m: WorkerToHost, send: (m: HostToWorker) => void) => void): Promise<Run> {
  const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const messages: WorkerToHost[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const send = (m: HostToWorker): void => {
    if (child.connected) child.send(m);
  };
  child.on('message', (value) => {
    const m = receive(workerToHostDecoder, value, 'worker', (line) => assert.fail(line));
    if (!m) return;
    messages.push(m);
    if (m.type === 'ready') child.send(first as object);
    onMessage?.(m, send);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`worker did not exit; messages: ${messages.map((m) => m.type).join(', ')}; stderr: ${stderr}`));
    }, 25_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ messages, code, stderr });
    });
  });
}

function tinyJob(): { dir: string; job: ExtractJobSpec } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-worker-'));
  const modelPath = path.join(dir, 'vanilla.onnx');
  fs.writeFileSync(modelPath, serializeModel(buildSmallCnn({ ...DEMO_CNN, blocks: DEMO_CNN.blocks.map((b) => ({ ...b, channels: b.channels / 4 })) })));
  const job: ExtractJobSpec = {
    kind: 'extract',
    modelPath,
    data: { kind: 'biased-mnist', rho: 0.9, seed: 1, trainSize: 300, valSize: 100, testSize: 100 },
    config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 50, tauPeriod: 1, maxEpochs: 2, auxEpochs: 1 },
    outDir: path.join(dir, 'vanilla.bise'),
    overwrite: false,
    provider: 'cpu',
    threads: 2,
    randomSeeds: 2,
    probe: true,
    probeEpochs: 2,
  };
  return { dir, job };
}

test('the worker runs an extract job: ready, events, done with the report folder, exit 0', async () => {
  const { dir, job } = tinyJob();
  const run = await runWorker({ type: 'start', job: { ...job, memoryMb: 1 } });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.messages[0].type, 'ready');
  const last = run.messages[run.messages.length - 1];
  assert.equal(last.type, 'done', JSON.stringify(last));
  if (last.type !== 'done') return;
  assert.equal(last.result.folder, path.join(dir, 'vanilla.bise'));
  assert.equal(last.result.reportPath, path.join(dir, 'vanilla.bise', 'report.json'));
  const report = parseReport(fs.readFileSync(last.result.reportPath, 'utf8'), 'report.json');
  assert.equal(last.result.summary.unitsAfter, report.pruning.unitsAfter);
  assert.equal(last.result.summary.subnetworkUnbiasedAccuracy, report.metrics.subnetwork.unbiasedAccuracy);
  const events = run.messages.flatMap((m) => (m.type === 'event' ? [m.event] : []));
  assert.equal(events.filter((e) => e.type === 'epoch').length, 2);
  assert.ok(events.some((e) => e.type === 'masks' && e.groups.length === 4));
  assert.ok(events.some((e) => e.type === 'progress'));
  assert.ok(events.some((e) => e.type === 'log' && /pruned model verified/.test(e.message)));
  // bise.memoryMb reaches the engine: under 1 MiB nothing fits, and it says that it took the leanest configuration.
  assert.ok(events.some((e) => e.type === 'log' && /^memory budget 1 MiB: .*none fits; chose the leanest/.test(e.message)), JSON.stringify(events.filter((e) => e.type === 'log')));
  assert.equal(run.messages.filter((m) => m.type === 'done' || m.type === 'failed' || m.type === 'cancelled').length, 1);
});

test('cancel mid-run: the worker answers cancelled, writes no report folder and exits 0', async () => {
  const { dir, job } = tinyJob();
  let steps = 0;
  const run = await runWorker({ type: 'start', job }, (m, send) => {
    if (m.type === 'event' && m.event.type === 'progress' && m.event.phase === 'extract' && ++steps === 2) send({ type: 'cancel' });
  });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(steps >= 2);
  assert.equal(run.messages[run.messages.length - 1].type, 'cancelled');
  assert.ok(!run.messages.some((m) => m.type === 'done'));
  assert.deepEqual(fs.readdirSync(dir), ['vanilla.onnx']);
});

test('a bad model path fails with a message naming the file and the last log lines', async () => {
  const { dir, job } = tinyJob();
  const missing = path.join(dir, 'no-such-model.onnx');
  const run = await runWorker({ type: 'start', job: { ...job, modelPath: missing } });
  assert.equal(run.code, 1);
  const last = run.messages[run.messages.length - 1];
  assert.equal(last.type, 'failed');
  if (last.type !== 'failed') return;
  assert.ok(last.message.includes(missing), last.message);
  assert.match(last.message, /ENOENT/);
  assert.ok(last.log.some((l) => l.includes(missing)));
});

test('a start the worker cannot read is answered with failed, naming the bad field', async () => {
  const { job } = tinyJob();
  const run = await runWorker({ type: 'start', job: { ...job, config: { ...job.config, maxEpochs: -1 } } });
  assert.equal(run.code, 1);
  const last = run.messages[run.messages.length - 1];
  assert.equal(last.type, 'failed');
  if (last.type === 'failed') assert.match(last.message, /job\.config\.maxEpochs: expected a positive integer, found -1/);
});

test('a user dataset folder without its arrays fails with a message naming the missing file', async () => {
  const { dir, job } = tinyJob();
  const run = await runWorker({ type: 'start', job: { ...job, data: { kind: 'npy-folder', folder: path.join(dir, 'data') } } });
  const last = run.messages[run.messages.length - 1];
  assert.equal(last.type, 'failed');
  if (last.type === 'failed') assert.match(last.message, /x_train\.npy/);
});
