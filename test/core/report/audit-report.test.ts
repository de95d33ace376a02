/**
 * The audit report kind: it round-trips through the writer and the readers, each reader says what it got when
 * handed the other kind, damage is named by its JSON path, and the folder holds report.json, report.md and figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAnyReport, parseAuditReport } from '../../../src/core/report/audit-schema';
import { auditFolderEntries } from '../../../src/core/report/audit-files';
import { parseReport, ReportParseError, stableStringify, writeReportFolder } from '../../../src/core/report';
import { sampleReport } from './sample-report';
import { sampleAuditReport } from './sample-audit-report';

function damaged(edit: (r: Record<string, any>) => void): string {
  const json = JSON.parse(JSON.stringify(sampleAuditReport())) as Record<string, any>;
  edit(json);
  return JSON.stringify(json);
}

function assertParseError(json: string, message: string | RegExp): void {
  assert.throws(
    () => parseAuditReport(json, 'report.json'),
    (e: unknown) => {
      assert.ok(e instanceof ReportParseError, String(e));
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

test('an audit report round-trips; each reader tells the two kinds apart', () => {
  const report = sampleAuditReport();
  const json = stableStringify(report);
  assert.deepEqual(parseAuditReport(json, 'report.json'), report);
  assert.deepEqual(parseAnyReport(json, 'report.json'), report);
  const extraction = stableStringify(sampleReport());
  assert.deepEqual(parseAnyReport(extraction, 'report.json'), sampleReport());
  assert.throws(() => parseReport(json, 'report.json'), /^ReportParseError: report\.json: kind: this is an audit report \(bise audit, or "BISE: Audit Model for Bias"\), not an extraction report; open its report\.md$/);
  assert.throws(() => parseAuditReport(extraction, 'report.json'), /^ReportParseError: report\.json: kind: this is an extraction report \(no "kind"\), not an audit report$/);
  assert.throws(() => parseAnyReport(damaged((r) => (r.kind = 'sweep')), 'report.json'), /kind: unknown report kind "sweep"; this build writes extraction reports \(no kind\) and audit reports/);
  assertParseError(damaged((r) => (r.version = 4)), 'report.json: version: this report has version 4, written by a newer BISE; this build reads version 3 and older. Update the BISE extension to read it');
  // A null ratio (no group selects the class) is valid; a NaN cannot be written.
  const none = sampleAuditReport();
  none.fairness[0].perClass[0].demographicParityRatio = null;
  none.fairness[0].worst.demographicParityRatio = null;
  assert.deepEqual(parseAuditReport(stableStringify(none), 'r.json'), none);
});

test('damaged fairness and probe fields are named by their JSON path', () => {
  assertParseError(damaged((r) => (r.fairness[0].perClass[0].groups[1].truePositiveRate = 1.5)), 'report.json: fairness[0].perClass[0].groups[1].truePositiveRate: expected a number in [0, 1], found 1.5');
  assertParseError(damaged((r) => (r.fairness[0].perClass[0].groups[0].positives = 3)), 'report.json: fairness[0].perClass[0].groups[0].negatives: positives (3) + negatives (2) differ from samples (4)');
  assertParseError(damaged((r) => (r.fairness[0].perClass[0].groups[0].samples = 5)), /^report\.json: fairness\[0\]\.perClass\[0\]\.groups\[0\]\.negatives: positives/);
  assertParseError(damaged((r) => r.fairness[0].perClass[0].groups.pop()), 'report.json: fairness[0].perClass[0].groups: hold 4 samples, expected metrics.samples (10)');
  assertParseError(damaged((r) => (r.fairness[0].attribute = 'age')), 'report.json: fairness[0].attribute: is "age", expected "sex" (data.biasAttributes[0])');
  assertParseError(damaged((r) => (r.fairness[0].perClass[0].positiveClass = 0)), 'report.json: fairness[0].perClass: has positive classes [0], expected [1]');
  assertParseError(damaged((r) => (r.fairness[0].mode = 'one-vs-rest')), 'report.json: fairness[0].perClass: has positive classes [1], expected [0, 1]');
  assertParseError(damaged((r) => (r.metrics.perClassAccuracy = [0.5, 0.5, 0.5])), 'report.json: fairness[0].mode: is "binary", but the target has 3 classes (binary needs 2)');
  assertParseError(damaged((r) => r.fairness.pop()), 'report.json: fairness: has 0 entries, expected one per bias attribute (1)');
  assertParseError(damaged((r) => (r.probe.perBias = [{ attribute: 1, linearAccuracy: 0.5, mlpAccuracy: 0.5, mutualInformation: 0, chance: 0.5 }])), 'report.json: probe.perBias: has 1 entries, expected one per bias attribute after the first (0)');
  assertParseError(damaged((r) => (r.metrics.perBias = [])), 'report.json: metrics.perBias: has 0 entries, expected one per bias attribute (1)');
  assertParseError(damaged((r) => delete r.fairness), 'report.json: fairness: missing (expected an array (each an object))');
  assertParseError(damaged((r) => (r.outputs.prunedModel = 'm.onnx')), /^report\.json: outputs\.prunedModel: unexpected field \(known fields here: figures\)$/);
});

test('the writer puts report.json, report.md and the figures in the folder, never over the model', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-audit-report-'));
  const folder = path.join(dir, 'model.audit');
  fs.writeFileSync(path.join(dir, 'model.onnx'), 'model');
  const report = { ...sampleAuditReport(), outputs: { figures: [] } };
  const files = writeReportFolder(folder, report, null);
  assert.deepEqual(files.map((f) => path.relative(folder, f).split(path.sep).join('/')).sort(), ['figures/accuracy.svg', 'figures/fairness.svg', 'figures/probe.svg', 'report.json', 'report.md']);
  const written = parseAuditReport(fs.readFileSync(path.join(folder, 'report.json'), 'utf8'), 'report.json');
  assert.deepEqual(written.outputs.figures, ['figures/accuracy.svg', 'figures/fairness.svg', 'figures/probe.svg']);
  // Overwriting an earlier audit folder is allowed, like an extraction's.
  writeReportFolder(folder, { ...report, probe: null }, null, { overwrite: true });
  assert.deepEqual(fs.readdirSync(path.join(folder, 'figures')).sort(), ['accuracy.svg', 'fairness.svg']);
  assert.equal(fs.readFileSync(path.join(dir, 'model.onnx'), 'utf8'), 'model');
  assert.throws(() => writeReportFolder(folder, sampleReport(), null as never, { overwrite: true }), /needs its pruned model and masks file/);
});

test('report.md leads with the answer, escapes user text and states how the target is measured', () => {
  const { entries } = auditFolderEntries(sampleAuditReport());
  const md = String(entries.find((e) => e.path === 'report.md')!.content);
  assert.match(md, /^# BISE audit: model\.onnx on toy \\\| data\n/);
  assert.match(md, /> \*\*Unbiased accuracy 70\.0%\*\*; worst group 50\.0%; bias-aligned 80\.0% vs bias-conflicting 60\.0% \(-20\.0 pts\)/);
  assert.match(md, /> By sex: demographic parity difference 0\.000, equalized odds difference 0\.500 \(positive class 1\)/);
  assert.match(md, /binary target, positive class 1/);
  assert.match(md, /\| 1 \| 0\.000 \| 1\.000 \| 0\.500 \|/);
  assert.match(md, /\| 1 \| 1 \| 6 \| 3 \| 0\.500 \| 1\.000 \| 0\.000 \|/);
  assert.match(md, /\| layer conv1 \| 85\.0% \|/);
  assert.match(md, /Report schema: bise-report, kind audit, version 3/);
  const svg = String(entries.find((e) => e.path === 'figures/fairness.svg')!.content);
  assert.match(svg, /^<svg/);
  assert.match(svg, /Group fairness by sex/);
});
