/**
 * The audit through the extension's real path: the host's worker client forks the worker (through tsx, as the host
 * forks dist/worker.js), which runs the audit job and answers `audit-done` with the report folder and headline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEMO } from '../../src/core/jobs/demo-setting';
import { parseAuditReport } from '../../src/core/report/audit-schema';
import { startWorker } from '../../src/host/worker-client';
import { REAL_WORKER } from '../support/tiny-extract-job';
import type { AuditJobSpec } from '../../src/protocol';
import type { JobEvent } from '../../src/core/bise/events';

test('the worker runs an audit job and answers audit-done with the report and its headline numbers', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-worker-audit-'));
  const job: AuditJobSpec = {
    kind: 'audit',
    modelPath: DEMO.modelPath,
    data: { kind: 'biased-mnist', rho: 0.97, seed: 0, trainSize: 100, valSize: 100, testSize: 100 },
    outDir: path.join(dir, 'run.audit'),
    provider: 'cpu',
    threads: 2,
    probe: true,
    probeEpochs: 2,
    seed: 0,
  };
  const events: JobEvent[] = [];
  const run = startWorker(job, { ...REAL_WORKER, onEvent: (e) => events.push(e) });
  const outcome = await run.outcome;
  assert.equal(outcome.kind, 'audited', JSON.stringify(outcome));
  if (outcome.kind !== 'audited') return;
  assert.equal(outcome.result.reportPath, path.join(dir, 'run.audit', 'report.json'));
  const report = parseAuditReport(fs.readFileSync(outcome.result.reportPath, 'utf8'), 'report.json');
  const s = outcome.result.summary;
  assert.equal(s.unbiasedAccuracy, report.metrics.unbiasedAccuracy);
  assert.equal(s.demographicParityDifference, report.fairness[0].worst.demographicParityDifference);
  assert.equal(s.equalizedOddsDifference, report.fairness[0].worst.equalizedOddsDifference);
  assert.equal(s.probeAccuracy, report.probe?.linearAccuracy);
  assert.ok(events.some((e) => e.type === 'progress' && e.phase === 'audit'));
});
