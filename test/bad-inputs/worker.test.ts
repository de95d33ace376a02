/**
 * The bad-input corpus through the extension's path: the host's worker client forks the real worker (through
 * tsx, as the extension forks dist/worker.js), which runs the case as an extract job. Each must end in a failed
 * outcome whose message names the file and the problem, shown as an error notification without stack frames,
 * with the inputs untouched and no report folder written.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_EXTRACT_CONFIG } from '../../src/core/bise/config';
import type { DatasetChoice, ExtractJobSpec } from '../../src/protocol';
import { RunOutcome, startWorker } from '../../src/host/worker-client';
import { failureNotice } from '../../src/host/failure-notice';
import { BadCase, PreparedCase, leftovers, loadCases, prepareCase, removeCase, stackLines } from './bad-cases';
import { mapLimited } from './run-cli';
import { REAL_WORKER, extractJob } from '../support/tiny-extract-job';

const WORKER = REAL_WORKER;
const cases = loadCases().filter((c) => c.worker !== null);

function jobFor(c: BadCase, p: PreparedCase): ExtractJobSpec {
  const w = c.worker as NonNullable<BadCase['worker']>;
  const data: DatasetChoice =
    w.data.kind === 'biased-mnist'
      ? { kind: 'biased-mnist', rho: 0.9, seed: 1, trainSize: 200, valSize: 50, testSize: 50 }
      : w.data.kind === 'npy-folder'
        ? { kind: 'npy-folder', folder: p.fill(w.data.folder) }
        : { kind: 'image-csv', csv: p.fill(w.data.csv) };
  return extractJob(p.fill(w.model), p.out, { data, config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 4, maxEpochs: 1, auxEpochs: 1 } });
}

const results = new Map<string, { prepared: PreparedCase; outcome: RunOutcome; left: string[] }>();

before(async () => {
  await mapLimited(cases, 3, async (c) => {
    const prepared = prepareCase(c);
    const outcome = await startWorker(jobFor(c, prepared), WORKER).outcome;
    results.set(c.id, { prepared, outcome, left: leftovers(prepared) });
    removeCase(prepared);
  });
});

test('every case the extension can be given goes through the worker (the rest say why not)', () => {
  assert.ok(cases.length >= 30, `${cases.length} worker cases`);
  for (const c of loadCases().filter((x) => x.worker === null)) assert.ok(c.workerSkip, `${c.id} says why the extension cannot take it`);
});

for (const c of cases) {
  test(`the worker fails ${c.id} with an error notification naming the file: ${c.summary}`, () => {
    const { prepared, outcome, left } = results.get(c.id) as { prepared: PreparedCase; outcome: RunOutcome; left: string[] };
    assert.equal(outcome.kind, 'failed', JSON.stringify(outcome));
    if (outcome.kind !== 'failed') return;
    const [file, ...problem] = c.expect;
    const notice = failureNotice(outcome.message, outcome.log);
    assert.equal(notice.severity, 'error');
    const shown = notice.text.replaceAll(prepared.dir, '{case}');
    assert.ok(shown.startsWith('BISE failed: '), shown);
    assert.ok(shown.includes(`/${file}`), `names ${file}: ${shown}`);
    for (const fragment of problem) assert.ok(shown.includes(fragment), `says '${fragment}': ${shown}`);
    assert.deepEqual(stackLines(notice.text), []);
    assert.ok(!/\n/.test(notice.text), 'one line');
    assert.deepEqual(left, [], 'inputs untouched, nothing written');
  });
}
