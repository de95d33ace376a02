/**
 * The message protocol: every message kind of each direction decodes, and malformed or unknown messages from
 * the worker and the webview are dropped with one log line naming the problem (never thrown).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_EXTRACT_CONFIG } from '../../src/core/bise/config';
import {
  FormValues,
  HostToWebview,
  HostToWorker,
  JobSpec,
  WebviewToHost,
  WorkerToHost,
  hostToWebviewDecoder,
  hostToWorkerDecoder,
  panelStateDecoder,
  receive,
  webviewToHostDecoder,
  workerToHostDecoder,
} from '../../src/protocol';

const form: FormValues = {
  dataset: 'builtin:biased-mnist',
  rho: '0.99',
  rhoLeft: '0.99',
  rhoRight: '0.95',
  dataSeed: '0',
  trainSize: '7000',
  valSize: '1000',
  testSize: '2000',
  biasFrom: 'given',
  biasNoise: '0',
  seed: '0',
  batchSize: '100',
  maskLr: '0.01',
  maskInit: '0',
  gamma: '1',
  auxEpochs: '50',
  tauPeriod: '10',
  maxEpochs: '200',
  selection: 'best-val-unbiased',
  probe: true,
  probeEpochs: '30',
  randomSeeds: '5',
  provider: 'cpu',
  threads: '',
  bottleneck: '',
};

const job: JobSpec = {
  kind: 'extract',
  modelPath: '/m/model.onnx',
  data: { kind: 'biased-mnist', rho: 0.99, seed: 0, trainSize: 300, valSize: 100, testSize: 100 },
  config: DEFAULT_EXTRACT_CONFIG,
  outDir: '/m/model.bise',
  overwrite: false,
  provider: 'cpu',
  randomSeeds: 2,
  probe: true,
  probeEpochs: 2,
};

/** JSON round trip, as IPC and postMessage deliver messages. */
const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function collect(): { log: (m: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { log: (m) => lines.push(m), lines };
}

test('every worker → host message kind decodes', () => {
  const messages: WorkerToHost[] = [
    { type: 'ready', pid: 42, providers: ['cpu', 'webgpu'] },
    { type: 'event', event: { type: 'progress', phase: 'extract', done: 1, total: 10 } },
    { type: 'event', event: { type: 'progress', phase: 'extract', done: 1, total: 10, message: 'step' } },
    {
      type: 'event',
      event: { type: 'epoch', epoch: 0, tau: 1, loss: 2.1, crossEntropy: 2, mutualInformation: 0.1, trainAccuracy: 0.5, auxAccuracy: 0.9, valUnbiasedAccuracy: null, keptUnits: 50, totalUnits: 60, seconds: 3, msPerStep: 12 },
    },
    { type: 'event', event: { type: 'masks', epoch: 1, groups: [{ group: 0, label: 'conv1', logits: [0.1, -0.2] }] } },
    { type: 'event', event: { type: 'log', level: 'warn', message: 'x' } },
    {
      type: 'event',
      event: { type: 'train-epoch', epoch: 0, lr: 0.1, loss: 1, trainAccuracy: 0.2, valUnbiasedAccuracy: 0.1, valAlignedAccuracy: null, valConflictingAccuracy: null, seconds: 1, msPerStep: 2 },
    },
    {
      type: 'done',
      result: {
        folder: '/a',
        reportPath: '/a/report.json',
        files: ['/a/report.json'],
        summary: { vanillaUnbiasedAccuracy: 0.3, subnetworkUnbiasedAccuracy: 0.6, unitsBefore: 60, unitsAfter: 40, paramsBefore: 100, paramsAfter: 70, flopsBefore: 1000, flopsAfter: 600, seconds: 12.5 },
      },
    },
    { type: 'cancelled' },
    { type: 'failed', message: 'boom', log: ['a', 'b'] },
  ];
  const { log, lines } = collect();
  for (const m of messages) assert.deepEqual(receive(workerToHostDecoder, wire(m), 'worker', log), m);
  assert.deepEqual(lines, []);
});

test('malformed or unknown worker messages are dropped and logged, never thrown', () => {
  const bad: [unknown, RegExp][] = [
    [null, /expected worker message, found null/],
    ['done', /found "done"/],
    [[], /found an array/],
    [{}, /unknown worker message type \(none\)/],
    [{ type: 'explode' }, /unknown worker message type "explode"; known: ready, event, done, cancelled, failed/],
    [{ type: 'failed', message: 'x' }, /log: missing/],
    [{ type: 'failed', message: 'x', log: [1] }, /log\[0\]: expected a string, found 1/],
    [{ type: 'cancelled', extra: true }, /extra: unexpected field/],
    [{ type: 'event', event: { type: 'epoch', epoch: 0 } }, /event\.tau: missing/],
    [{ type: 'event', event: { type: 'log', level: 'debug', message: 'x' } }, /event\.level: expected one of "info", "warn"/],
    [{ type: 'event', event: { type: 'masks', epoch: 0, groups: [{ group: 0, label: 'c', logits: [null] }] } }, /event\.groups\[0\]\.logits\[0\]: expected a number, found null/],
    [{ type: 'ready', pid: -1, providers: [] }, /pid: expected a positive integer/],
    [{ type: 'ready', pid: 1, providers: ['tpu'] }, /providers\[0\]: expected one of "cpu", "cuda", "webgpu"/],
    [{ type: 'done', result: { folder: '/a', reportPath: '/a/r', files: [], summary: {} } }, /result\.summary\.vanillaUnbiasedAccuracy: missing/],
    [JSON.parse('{"type":"cancelled","__proto__":{"polluted":true}}'), /__proto__: unexpected field/],
  ];
  for (const [value, expected] of bad) {
    const { log, lines } = collect();
    assert.equal(receive(workerToHostDecoder, value, 'worker', log), undefined, JSON.stringify(value));
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^dropped a malformed message from the worker: /);
    assert.match(lines[0], expected);
  }
  assert.equal(({} as { polluted?: boolean }).polluted, undefined);
});

test('host → worker messages decode, and a start with a bad job is refused with the field named', () => {
  const csvJob: JobSpec = { ...job, data: { kind: 'image-csv', csv: '/ws/l.csv', columns: { path: 'file', target: 'digit', bias: ['colour', 'shape'] } } };
  const good: HostToWorker[] = [{ type: 'start', job }, { type: 'start', job: csvJob }, { type: 'cancel' }, { type: 'start', job: { kind: 'demo', outDir: '/x', seed: 0, provider: 'cpu', threads: 2, memoryMb: 256 } }, { type: 'start', job: { ...job, memoryMb: 512 } }];
  for (const m of good) assert.deepEqual(receive(hostToWorkerDecoder, wire(m), 'host', () => assert.fail()), m);
  const { log, lines } = collect();
  assert.equal(receive(hostToWorkerDecoder, { type: 'start', job: { ...job, config: { ...job.config, batchSize: 0 } } }, 'host', log), undefined);
  assert.equal(receive(hostToWorkerDecoder, { type: 'start', job: { ...job, data: { kind: 'cifar' } } }, 'host', log), undefined);
  assert.equal(receive(hostToWorkerDecoder, { type: 'start', job: { ...job, provider: 'tpu' } }, 'host', log), undefined);
  assert.equal(receive(hostToWorkerDecoder, { type: 'start', job: { ...job, memoryMb: 0 } }, 'host', log), undefined);
  assert.match(lines[0], /job\.config\.batchSize: expected a positive integer, found 0/);
  assert.match(lines[1], /job\.data: unknown dataset kind "cifar"/);
  assert.match(lines[2], /job\.provider: expected one of "cpu", "cuda", "webgpu"/);
  assert.match(lines[3], /job\.memoryMb: expected a positive integer, found 0/);
});

test('webview → host messages decode; malformed ones are dropped', () => {
  const good: WebviewToHost[] = [
    { type: 'ready' },
    { type: 'run', form },
    { type: 'run', form: { ...form, csvColumns: { path: 'file', target: 'digit', bias: ['colour'] } } },
    { type: 'cancel' },
    { type: 'export-report' },
    { type: 'open-markdown' },
  ];
  for (const m of good) assert.deepEqual(receive(webviewToHostDecoder, wire(m), 'webview', () => assert.fail()), m);
  const bad: [unknown, RegExp][] = [
    [{ type: 'run' }, /form: missing/],
    [{ type: 'run', form: { ...form, probe: 'yes' } }, /form\.probe: expected a boolean/],
    [{ type: 'run', form: { ...form, rho: 0.99 } }, /form\.rho: expected a string, found 0.99/],
    [{ type: 'run', form: { ...form, script: '<x>' } }, /form\.script: unexpected field/],
    [{ type: 'run', form: { ...form, csvColumns: { path: 'p', target: 't', bias: 'b' } } }, /form\.csvColumns\.bias: expected an array/],
    [{ type: 'run', form: { ...form, csvColumns: { path: 'p', target: 't', bias: [] } } }, /form\.csvColumns: bias: expected at least one bias column/],
    [{ type: 'eval', code: '1' }, /unknown webview message type "eval"/],
    [42, /found 42/],
  ];
  for (const [value, expected] of bad) {
    const { log, lines } = collect();
    assert.equal(receive(webviewToHostDecoder, value, 'webview', log), undefined);
    assert.match(lines[0], /^dropped a malformed message from the webview: /);
    assert.match(lines[0], expected);
  }
});

test('host → webview messages decode (the webview checks them too)', () => {
  const good: HostToWebview[] = [
    {
      type: 'setup',
      setup: {
        modelPath: '/m/model.onnx',
        modelName: 'model.onnx',
        model: { inputShape: '1×3×28×28', parameters: 1234, classifier: 'fc', bottleneck: 'z', groups: [{ id: 0, label: 'conv1', units: 16 }] },
        modelError: null,
        datasets: [{ id: 'builtin:biased-mnist', kind: 'biased-mnist', label: 'BiasedMNIST', detail: 'built in', supported: true, reason: null }],
        providers: ['cpu', 'webgpu'],
        form,
        savedChoice: null,
        busy: false,
        trusted: true,
      },
    },
    { type: 'form-errors', errors: [{ field: 'rho', message: 'bad' }, { field: 'form', message: 'x' }] },
    { type: 'run-started', title: 't', maxEpochs: 200 },
    { type: 'job-event', event: { type: 'log', level: 'info', message: 'hi' } },
    { type: 'run-ended', outcome: 'failed', message: 'boom', log: ['l1'] },
    { type: 'report', json: '{}', folder: '/r', exportedTo: null },
  ];
  for (const m of good) assert.deepEqual(receive(hostToWebviewDecoder, wire(m), 'host', () => assert.fail()), m);
  const { log, lines } = collect();
  assert.equal(receive(hostToWebviewDecoder, { type: 'form-errors', errors: [{ field: 'nope', message: 'x' }] }, 'host', log), undefined);
  assert.match(lines[0], /errors\[0\]\.field: expected one of/);
});

test('panel state (restored after a reload) is validated', () => {
  assert.deepEqual(panelStateDecoder.decode({ view: 'report', reportPath: '/r/report.json' }, null), { view: 'report', reportPath: '/r/report.json' });
  const { log, lines } = collect();
  assert.equal(receive(panelStateDecoder, { view: 'report' }, 'saved panel state', log), undefined);
  assert.equal(receive(panelStateDecoder, undefined, 'saved panel state', log), undefined);
  assert.equal(lines.length, 2);
});

test('an extract job carries where its bias labels come from and how many are flipped; a job without them (older host) still decodes', () => {
  const withBias: JobSpec = { ...job, biasFrom: 'identify', biasNoise: 0.2 };
  const good: HostToWorker[] = [{ type: 'start', job }, { type: 'start', job: withBias }, { type: 'start', job: { ...job, biasFrom: 'given', biasNoise: 0 } }];
  for (const m of good) assert.deepEqual(receive(hostToWorkerDecoder, wire(m), 'host', () => assert.fail()), m);
  const decoded = receive(hostToWorkerDecoder, wire({ type: 'start', job }), 'host', () => assert.fail());
  assert.ok(decoded?.type === 'start' && decoded.job.kind === 'extract');
  assert.ok(decoded?.type === 'start' && !('biasFrom' in decoded.job) && !('biasNoise' in decoded.job), 'absent fields stay absent (the worker applies the defaults)');
  const bad: [unknown, RegExp][] = [
    [{ ...job, biasFrom: 'labels' }, /job\.biasFrom: expected one of "given", "identify"/],
    [{ ...job, biasFrom: null }, /job\.biasFrom: expected one of/],
    [{ ...job, biasNoise: 1 }, /job\.biasNoise: expected a number in \[0, 1\), found 1/],
    [{ ...job, biasNoise: -0.1 }, /job\.biasNoise: expected a number in \[0, 1\), found -0\.1/],
    [{ ...job, biasNoise: '0.1' }, /job\.biasNoise: expected a number in \[0, 1\), found "0\.1"/],
  ];
  for (const [spec, expected] of bad) {
    const { log, lines } = collect();
    assert.equal(receive(hostToWorkerDecoder, { type: 'start', job: spec }, 'host', log), undefined, JSON.stringify(spec));
    assert.match(lines[0], expected);
  }
});

test('the form carries the bias-label fields as typed; the panel always sends them', () => {
  const typed = { ...form, biasFrom: 'identify', biasNoise: ' 0,2 ' };
  assert.deepEqual(receive(webviewToHostDecoder, wire({ type: 'run', form: typed }), 'webview', () => assert.fail()), { type: 'run', form: typed });
  const { biasFrom, ...withoutSource } = form;
  void biasFrom;
  const bad: [unknown, RegExp][] = [
    [{ type: 'run', form: withoutSource }, /form\.biasFrom: missing/],
    [{ type: 'run', form: { ...form, biasNoise: 0.1 } }, /form\.biasNoise: expected a string, found 0\.1/],
    [{ type: 'run', form: { ...form, biasFrom: ['given'] } }, /form\.biasFrom: expected a string/],
  ];
  for (const [value, expected] of bad) {
    const { log, lines } = collect();
    assert.equal(receive(webviewToHostDecoder, value, 'webview', log), undefined);
    assert.match(lines[0], expected);
  }
  const { log, lines } = collect();
  assert.equal(receive(hostToWebviewDecoder, { type: 'form-errors', errors: [{ field: 'biasNoise', message: 'x' }, { field: 'biasFrom', message: 'y' }] }, 'host', log)?.type, 'form-errors');
  assert.deepEqual(lines, []);
});
