/** The Runs view's text: one line per report folder, newest first, unreadable files named; two runs compared. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareRunsMarkdown, isUnreadable, readRunSummary, sortRuns, summariseRun } from '../../src/host/run-summaries';
import { stableStringify } from '../../src/core/report';
import { sampleReport } from '../core/report/sample-report';
import { sampleAuditReport } from '../core/report/sample-audit-report';

test('an extraction reads as unbiased accuracy before → after and units removed; an audit as its accuracy and worst group', () => {
  const report = sampleReport();
  const run = summariseRun(report, '/ws/bise-reports/net/report.json');
  const { vanilla, subnetwork } = report.metrics;
  const removed = report.pruning.unitsBefore - report.pruning.unitsAfter;
  assert.equal(run.kind, 'extraction');
  assert.equal(run.label, `${path.basename(report.model.path)} · extraction`);
  assert.equal(run.description, `unbiased ${(100 * vanilla.unbiasedAccuracy).toFixed(1)}% → ${(100 * subnetwork.unbiasedAccuracy).toFixed(1)}%, ${removed} of ${report.pruning.unitsBefore} units removed · 2026-03-14 09:26 UTC`);
  assert.match(run.tooltip, /bias-conflicting \d+\.\d% → \d+\.\d%\n\/ws\/bise-reports\/net\/report\.json$/);
  const audit = summariseRun(sampleAuditReport(), 'C:\\ws\\model.audit\\report.json');
  assert.deepEqual([audit.kind, audit.label, audit.description], ['audit', 'model.onnx · audit', 'unbiased 70.0%, worst group 50.0% · 2026-03-01 12:00 UTC']);
});

test('runs sort newest first; a damaged report.json is listed with its reason, not dropped', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-runs-'));
  try {
    const good = path.join(dir, 'a', 'report.json');
    const bad = path.join(dir, 'b', 'report.json');
    fs.mkdirSync(path.dirname(good));
    fs.mkdirSync(path.dirname(bad));
    fs.writeFileSync(good, stableStringify(sampleReport()));
    fs.writeFileSync(bad, '{"schema": "bise-report", "version": 2}');
    const read = [good, bad].map(readRunSummary);
    assert.equal(isUnreadable(read[0]), false);
    assert.ok(isUnreadable(read[1]));
    assert.match((read[1] as { error: string }).error, /report\.json/);
    const older = summariseRun(sampleAuditReport(), '/x/old/report.json');
    const newer = summariseRun(sampleReport(), '/x/new/report.json');
    assert.deepEqual(sortRuns([older, newer]).map((r) => r.reportPath), ['/x/new/report.json', '/x/old/report.json']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('two runs compared: metrics with B − A in points, units and parameters, both heatmaps linked from the comparison file', () => {
  const a = sampleReport();
  const b = sampleReport(a.masks.map((m) => ({ ...m, keep: m.keep.map(() => true) })));
  const out = path.join('/store', 'comparison-a-vs-b.md');
  const md = compareRunsMarkdown({ report: a, folder: '/store/runs/a' }, { report: b, folder: '/ws/bise-reports/b' }, out);
  const row = (label: string): string[] => {
    const line = md.split('\n').find((l) => l.startsWith(`| ${label} |`));
    assert.ok(line, `row ${label}`);
    return line.split('|').slice(2, -1).map((c) => c.trim());
  };
  const points = (x: number): string => `${x > 0 ? '+' : x < 0 ? '-' : '±'}${Math.abs(Number((100 * x).toFixed(1))).toFixed(1)} pts`;
  assert.deepEqual(row('unbiased accuracy'), [`${(100 * a.metrics.subnetwork.unbiasedAccuracy).toFixed(1)}%`, `${(100 * b.metrics.subnetwork.unbiasedAccuracy).toFixed(1)}%`, points(b.metrics.subnetwork.unbiasedAccuracy - a.metrics.subnetwork.unbiasedAccuracy)]);
  assert.equal(row('units kept')[1], String(b.pruning.unitsAfter));
  assert.equal(row('units kept')[2], `+${b.pruning.unitsAfter - a.pruning.unitsAfter}`);
  assert.match(md, /!\[A: mask logits per layer\]\(runs\/a\/figures\/mask-heatmap\.svg\)/);
  assert.match(md, /!\[B: mask logits per layer\]\(\.\.\/ws\/bise-reports\/b\/figures\/mask-heatmap\.svg\)/);
  // An audit beside an extraction: no masks, no units; its accuracy is compared with the subnetwork's.
  const mixed = compareRunsMarkdown({ report: sampleAuditReport(), folder: '/store/runs/audit' }, { report: a, folder: '/store/runs/a' }, out);
  assert.match(mixed, /An audit learns no masks\./);
  assert.deepEqual(row.call(null, 'parameters').length, 3);
  assert.match(mixed, /\| units kept \| — \| \d+ \| — \|/);
});
