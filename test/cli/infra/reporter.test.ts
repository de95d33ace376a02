/** createReporter: the terminal bar, throttled log lines, epoch and log lines, and --json's one-object-per-line stdout. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, type EpochEvent, type JobEvent, type TrainEpochEvent } from '../../../src/core/bise/events';
import { createReporter, type ReporterOptions } from '../../../src/cli/infra/reporter';
import { UsageError } from '../../../src/cli/infra/usage-error';
import { FakeStream } from './fake-stream';

const epoch: EpochEvent = {
  type: 'epoch', epoch: 3, tau: 0.5, loss: 1.23456, crossEntropy: 0.4567, mutualInformation: 0.000012, trainAccuracy: 0.9,
  auxAccuracy: 0.8, valUnbiasedAccuracy: 0.875, keptUnits: 120, totalUnits: 256, seconds: 4.2, msPerStep: 12.345,
};
const trainEpoch: TrainEpochEvent = {
  type: 'train-epoch', epoch: 2, lr: 0.001, loss: 0.5, trainAccuracy: 0.951, valUnbiasedAccuracy: 0.802,
  valAlignedAccuracy: 0.99, valConflictingAccuracy: 0.601, seconds: 3, msPerStep: 8,
};

function setup(options: Partial<ReporterOptions> & { tty?: boolean; columns?: number } = {}) {
  const stdout = new FakeStream();
  const stderr = new FakeStream(options.tty ?? false, options.columns ?? 100);
  let clock = 0;
  const reporter = createReporter({ json: false, stdout, stderr, now: () => clock, ...options });
  return { reporter, stdout, stderr, advance: (ms: number) => (clock += ms) };
}

const step = (done: number, total = 10, phase = 'extract', message?: string): JobEvent => ({ type: 'progress', phase, done, total, ...(message ? { message } : {}) });

test('on a terminal the bar is redrawn in place with \\r on one line, with done/total, %, ETA and message', () => {
  const { reporter, stdout, stderr, advance } = setup({ tty: true });
  for (let done = 0; done <= 5; done++) {
    reporter.onEvent(step(done, 10, 'extract', 'epoch 1, τ = 1'));
    advance(1000);
  }
  assert.ok(!stderr.text.includes('\n'), 'the bar never starts a new line');
  assert.ok(stderr.chunks.every((c) => c.startsWith('\r')), 'every redraw returns to the line start');
  assert.deepEqual(stderr.screen, ['extract  ██████████░░░░░░░░░░  5/10  50%  ETA 5s  epoch 1, τ = 1']);
  assert.equal(stdout.text, '');
  reporter.onEvent(step(10));
  reporter.close();
  assert.deepEqual(stderr.screen, ['extract  ████████████████████  10/10  100%  in 6s', ''], 'close leaves the last bar and moves below it');
});

test('the bar redraws at most ~10 times a second, but always for a new phase and for completion', () => {
  const { reporter, stderr, advance } = setup({ tty: true });
  for (let done = 1; done <= 1000; done++) {
    reporter.onEvent(step(done, 1000));
    advance(0.1);
  }
  assert.ok(stderr.chunks.length <= 3, `${stderr.chunks.length} redraws for 100 ms of events`);
  assert.match(stderr.screen[0], /1000\/1000/);
  reporter.onEvent(step(1, 5, 'assess'));
  assert.match(stderr.screen[0], /^assess .* 1\/5/);
});

test('the bar is cut to the terminal width so \\r can still redraw it', () => {
  const { reporter, stderr } = setup({ tty: true, columns: 40 });
  reporter.onEvent(step(1, 10, 'extract', 'a very long message that would wrap the terminal line'));
  assert.equal(Array.from(stderr.screen[0]).length, 39);
  assert.ok(stderr.screen[0].endsWith('…'));
});

test('epoch and log lines print above an unfinished bar, which is then redrawn', () => {
  const { reporter, stderr } = setup({ tty: true });
  reporter.onEvent(step(4));
  reporter.onEvent({ type: 'log', level: 'warn', message: 'falling back to the CPU' });
  assert.deepEqual(stderr.screen, ['warning: falling back to the CPU', 'extract  ████████░░░░░░░░░░░░  4/10  40%']);
  reporter.onEvent(step(10));
  reporter.onEvent(epoch);
  assert.equal(stderr.screen.at(-1), '', 'a finished bar gives way to the epoch line that summarises it');
  assert.match(stderr.screen.at(-2)!, /^epoch 3 /);
});

test('without a terminal, progress is a plain line at most every few seconds, and at once for a new phase', () => {
  const { reporter, stderr, advance } = setup({ tty: false, intervalMs: 3000 });
  for (let done = 1; done <= 100; done++) {
    reporter.onEvent(step(done, 100, 'train', 'epoch 1/2'));
    advance(100);
  }
  reporter.onEvent(step(1, 4, 'assess'));
  assert.ok(!stderr.text.includes('\r') && !stderr.text.includes('\x1b'), 'no terminal control codes in logs');
  const lines = stderr.text.trimEnd().split('\n');
  assert.deepEqual(lines, [
    'train  1/100  1%  epoch 1/2',
    'train  31/100  31%  ETA 7s  epoch 1/2',
    'train  61/100  61%  ETA 4s  epoch 1/2',
    'train  91/100  91%  ETA 1s  epoch 1/2',
    'assess  1/4  25%',
  ]);
});

test('epoch summaries are one compact line; null accuracies print as –', () => {
  const { reporter, stderr } = setup();
  reporter.onEvent(epoch);
  reporter.onEvent({ ...epoch, valUnbiasedAccuracy: null });
  reporter.onEvent(trainEpoch);
  reporter.onEvent({ type: 'log', level: 'info', message: 'pruned model verified' });
  reporter.onEvent({ type: 'masks', epoch: 3, groups: [{ group: 0, label: 'conv1', logits: [0.1, -2] }] });
  assert.deepEqual(stderr.text.split('\n'), [
    'epoch 3  τ 0.5  loss 1.235  CE 0.4567  MI 1.20e-5  val unbiased 87.5%  kept 120/256  12.35 ms/step',
    'epoch 3  τ 0.5  loss 1.235  CE 0.4567  MI 1.20e-5  val unbiased –  kept 120/256  12.35 ms/step',
    'epoch 2  lr 0.001  loss 0.5  train 95.1%  val unbiased 80.2% (aligned 99.0%, conflicting 60.1%)  8 ms/step',
    'pruned model verified',
    '',
  ]);
});

test('human mode: print() goes to stdout, result() prints nothing, errors go to stderr with a pointer to --help', () => {
  const { reporter, stdout, stderr } = setup({ command: 'bise train' });
  reporter.print('accuracy: 91.2%\n');
  reporter.result({ accuracy: 0.912 });
  reporter.error(new UsageError('unknown flag --rhoo; did you mean --rho?'));
  assert.equal(stdout.text, 'accuracy: 91.2%\n');
  assert.equal(stderr.text, "error: unknown flag --rhoo; did you mean --rho?\nrun 'bise train --help' to see the arguments and flags\n");
});

test('an error while a bar is up leaves the bar and starts a new line', () => {
  const { reporter, stderr } = setup({ tty: true });
  reporter.onEvent(step(3));
  reporter.error(new CancelledError());
  assert.deepEqual(stderr.screen.slice(1), ['cancelled: nothing was written', '']);
});

test('--json: one parseable JSON object per line on stdout for every event, the result and the error; nothing else there', () => {
  const stdout = new FakeStream();
  const stderr = new FakeStream(true);
  const reporter = createReporter({ json: true, stdout, stderr, now: () => 0 });
  const events: JobEvent[] = [step(1), epoch, trainEpoch, { type: 'masks', epoch: 1, groups: [{ group: 0, label: 'fc', logits: [1, -1] }] }, { type: 'log', level: 'warn', message: 'slow' }];
  events.forEach(reporter.onEvent);
  reporter.print('human text must not reach stdout in --json mode');
  reporter.result({ type: 'not-result', out: 'model.pruned.onnx', accuracy: 0.9 });
  reporter.result([1, 2]);
  reporter.error(new Error('disk full'));
  reporter.close();
  reporter.onEvent(step(2));

  assert.ok(stdout.text.endsWith('\n'));
  const lines = stdout.text.slice(0, -1).split('\n');
  assert.equal(lines.length, events.length + 3);
  const parsed = lines.map((l) => JSON.parse(l));
  assert.deepEqual(parsed.slice(0, events.length), events);
  assert.deepEqual(parsed[events.length], { type: 'result', out: 'model.pruned.onnx', accuracy: 0.9 });
  assert.deepEqual(parsed[events.length + 1], { type: 'result', value: [1, 2] });
  assert.deepEqual(parsed[events.length + 2], { type: 'error', kind: 'error', message: 'disk full' });
  assert.ok(lines.every((l) => l.startsWith('{"type":')), 'type is the first key of every line');
  assert.equal(stderr.text, 'error: disk full\n', 'a human still sees the error; no bar in --json mode');
});
