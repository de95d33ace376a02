/** Replaying a panel from the host's record, and coalescing per-step progress. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobEvent } from '../../src/core/bise/events';
import { ProgressThrottle, RunView } from '../../src/host/run-view';
import { defaultForm } from '../../src/host/form';

const epoch = (n: number): JobEvent => ({ type: 'epoch', epoch: n, tau: 1, loss: 1, crossEntropy: 1, mutualInformation: 0, trainAccuracy: 0.5, auxAccuracy: 0.5, valUnbiasedAccuracy: null, keptUnits: 5, totalUnits: 6, seconds: 1, msPerStep: 1 });
const progress = (done: number): JobEvent => ({ type: 'progress', phase: 'extract', done, total: 10 });
const masks = (n: number): JobEvent => ({ type: 'masks', epoch: n, groups: [{ group: 0, label: 'c', logits: [n] }] });

test('a reloaded panel gets the form, every epoch, the latest masks and progress, the end and the report', () => {
  const v = new RunView();
  assert.deepEqual(v.replay(), []);
  const setup = {
    type: 'setup' as const,
    setup: { modelPath: '/m.onnx', modelName: 'm.onnx', model: null, modelError: 'x', datasets: [], providers: ['cpu' as const], form: defaultForm(), savedChoice: null, busy: false, trusted: true },
  };
  v.showSetup(setup);
  v.startRun({ type: 'run-started', title: 't', maxEpochs: 2 });
  for (const e of [progress(1), epoch(1), masks(1), progress(2), { type: 'log', level: 'info', message: 'hi' } as JobEvent, epoch(2), masks(2), progress(3)]) v.record(e);
  assert.ok(v.running);
  assert.deepEqual(
    v.replay().map((m) => (m.type === 'job-event' ? `${m.event.type}${'epoch' in m.event ? m.event.epoch : ''}` : m.type)),
    ['setup', 'run-started', 'log', 'epoch1', 'epoch2', 'masks2', 'progress'],
  );
  v.endRun({ type: 'run-ended', outcome: 'done', message: 'ok', log: [] });
  v.showReport({ type: 'report', json: '{}', folder: '/r', exportedTo: null });
  assert.ok(!v.running);
  assert.deepEqual(
    v.replay().map((m) => m.type),
    ['setup', 'run-started', 'job-event', 'job-event', 'job-event', 'job-event', 'run-ended', 'report'],
  );
  v.startRun({ type: 'run-started', title: 'again', maxEpochs: null });
  assert.deepEqual(v.replay().map((m) => m.type), ['setup', 'run-started']);
});

test('progress is coalesced (latest wins, the last is delivered); other events pass at once, in order', async () => {
  let now = 0;
  const out: string[] = [];
  const name = (e: JobEvent): string => (e.type === 'progress' ? `p${e.done}` : e.type === 'epoch' ? `e${e.epoch}` : e.type);
  const t = new ProgressThrottle((e) => out.push(name(e)), 100, () => now);
  t.push(progress(1));
  now = 10;
  t.push(progress(2));
  now = 20;
  t.push(progress(3));
  t.push(epoch(1));
  assert.deepEqual(out, ['p1', 'p3', 'e1']);
  now = 30;
  t.push(progress(4));
  now = 200;
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual(out, ['p1', 'p3', 'e1', 'p4']);
  now = 250;
  t.push(progress(5));
  assert.deepEqual(out, ['p1', 'p3', 'e1', 'p4'], 'within the interval: held');
  t.flush();
  assert.deepEqual(out, ['p1', 'p3', 'e1', 'p4', 'p5'], 'flush at the end of a run delivers it');
  now = 1000;
  t.push(progress(6));
  assert.equal(out[out.length - 1], 'p6', 'after the interval: at once');
});
