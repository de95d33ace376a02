/**
 * Process faults around a real worker: killed in the middle of a run, out of heap, cancelled in each stage of
 * the job. Each time the host gets one outcome that says what happened (with the job's last log lines), no
 * report folder is left, the error notification leads with the cause, and the next run works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExtractJobSpec } from '../../src/protocol';
import { RunOutcome, startWorker, WorkerOptions } from '../../src/host/worker-client';
import { failureNotice } from '../../src/host/failure-notice';
import { RunRegistry } from '../../src/host/run-registry';
import { REAL_WORKER, tinyExtractJob } from '../support/tiny-extract-job';

const REAL: WorkerOptions = REAL_WORKER;

function tinyJob(name: string): ExtractJobSpec {
  return tinyExtractJob(`bise-faults-${name}-`).job;
}

/** Only the model is left in the job's folder: no report folder, no temporary files. */
function assertNothingWritten(job: ExtractJobSpec): void {
  assert.deepEqual(fs.readdirSync(path.dirname(job.modelPath)), ['net.onnx']);
}

function assertFailed(outcome: RunOutcome, message: RegExp): asserts outcome is Extract<RunOutcome, { kind: 'failed' }> {
  assert.equal(outcome.kind, 'failed', JSON.stringify(outcome));
  if (outcome.kind === 'failed') assert.match(outcome.message, message);
}

test('a worker killed mid-run is a failed run naming the signal, with the last log lines; the next run works', async () => {
  const registry = new RunRegistry<unknown>();
  const job = tinyJob('kill');
  let killed = false;
  const run = startWorker(job, {
    ...REAL,
    onEvent: (e) => {
      if (!killed && e.type === 'progress' && e.phase === 'extract' && run.pid) {
        killed = true;
        process.kill(run.pid, 'SIGKILL');
      }
    },
  });
  const entry = registry.begin(job.modelPath, run);
  assert.ok(entry.ok);
  const outcome = await run.outcome;
  if (entry.ok) entry.release();
  assertFailed(outcome, /stopped unexpectedly \(it was killed by SIGKILL before reporting a result\)/);
  assert.ok(outcome.log.some((l) => /phase extract/.test(l)), `last log lines: ${JSON.stringify(outcome.log)}`);
  assert.match(failureNotice(outcome.message, outcome.log).text, /^BISE failed: the BISE worker stopped unexpectedly .* — last log lines: .*phase extract/);
  assertNothingWritten(job);

  // The same model again: the registry lets it start, and it finishes.
  const again = startWorker(job, REAL);
  assert.ok(registry.begin(job.modelPath, again).ok);
  const next = await again.outcome;
  assert.equal(next.kind, 'done', JSON.stringify(next));
});

test('a worker past its heap limit is reported as out of memory, without a stack trace in the notification', async () => {
  const job = tinyJob('oom');
  // 40 MB of heap is enough to start the worker and take the job, not to build the dataset.
  const outcome = await startWorker(job, { ...REAL, execArgv: [...(REAL.execArgv ?? []), '--max-old-space-size=40'] }).outcome;
  assertFailed(outcome, /ran out of memory \(it was killed by SIGABRT\); try a smaller batch size/);
  assert.ok(outcome.log.some((l) => /heap out of memory/.test(l)), 'the log keeps V8\'s own words');
  const notice = failureNotice(outcome.message, outcome.log).text;
  assert.ok(!/0x[0-9a-f]{6}|JS stacktrace|\n/.test(notice), notice);
  assertNothingWritten(job);
});

for (const stage of ['aux-head', 'extract', 'assess'] as const) {
  test(`cancel during ${stage}: cancelled, nothing written`, async () => {
    const job = tinyJob(`cancel-${stage}`);
    const seen: string[] = [];
    const run = startWorker(job, {
      ...REAL,
      onEvent: (e) => {
        if (e.type === 'progress' && !seen.includes(e.phase)) {
          seen.push(e.phase);
          if (e.phase === stage) run.cancel();
        }
      },
    });
    assert.deepEqual(await run.outcome, { kind: 'cancelled' });
    assert.ok(seen.includes(stage), `reached ${stage}: ${seen.join(', ')}`);
    assertNothingWritten(job);
  });
}
