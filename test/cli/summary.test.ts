/** The lines `bise extract` prints at the end: per-attribute splits only when the dataset has several attributes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeExtraction } from '../../src/cli/commands/summary';
import { multiBiasReport } from '../core/report/multi-bias-report';
import { sampleReport } from '../core/report/sample-report';

const result = (report: ReturnType<typeof sampleReport>) => ({ folder: '/tmp/x.bise', report, files: [] });

test('two bias attributes: one line per attribute, vanilla → subnetwork', () => {
  const report = multiBiasReport();
  const lines = summarizeExtraction(result(report)).text.split('\n');
  const [v, s] = [report.metrics.vanilla.perBias!, report.metrics.subnetwork.perBias!];
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  report.data.biasAttributes.forEach((name, k) => {
    assert.ok(lines.includes(`  ${name}: aligned ${pct(v[k].alignedAccuracy)} → ${pct(s[k].alignedAccuracy)}, conflicting ${pct(v[k].conflictingAccuracy)} → ${pct(s[k].conflictingAccuracy)}`), lines.join('\n'));
  });
});

test('one bias attribute: no per-attribute lines', () => {
  const text = summarizeExtraction(result(sampleReport())).text;
  assert.ok(!/: aligned .* → .*, conflicting/.test(text), text);
});
