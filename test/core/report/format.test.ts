/** Number formatting used by report.md and the figures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConfigValue, formatCount, formatDecimal, formatDuration, formatFlops, formatPercent, formatPoints, formatRemoved } from '../../../src/core/report/format';
import { escapeMarkdown, markdownImage, markdownTable } from '../../../src/core/report/markdown-text';

test('accuracies, differences and counts', () => {
  assert.equal(formatPercent(0.3344), '33.4%');
  assert.equal(formatPercent(1), '100.0%');
  assert.equal(formatPercent(null), '—');
  assert.equal(formatPercent(Number.NaN), '—');
  assert.equal(formatPoints(0.378), '+37.8 pts');
  assert.equal(formatPoints(-0.021), '-2.1 pts');
  assert.equal(formatPoints(-0.0001), '±0.0 pts');
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(999), '999');
  assert.equal(formatCount(1000), '1,000');
  assert.equal(formatCount(-1234), '-1,234');
  assert.equal(formatCount(0), '0');
  assert.equal(formatRemoved(1000, 375), '62.5%');
  assert.equal(formatRemoved(0, 0), '—');
  assert.equal(formatDecimal(0.12345), '0.123');
  assert.equal(formatDecimal(-0.0001), '0.000');
});

test('FLOPs pick their unit after rounding', () => {
  assert.equal(formatFlops(512), '512');
  assert.equal(formatFlops(1500), '1.5 k');
  assert.equal(formatFlops(3687936), '3.7 M');
  assert.equal(formatFlops(999_960), '1.0 M');
  assert.equal(formatFlops(1.82e9), '1.82 G');
  assert.equal(formatFlops(3.6e15), '3600.00 T');
});

test('durations and config values', () => {
  assert.equal(formatDuration(9.54), '9.5 s');
  assert.equal(formatDuration(75.4), '1 min 15 s');
  assert.equal(formatDuration(3725), '1 h 02 min');
  assert.equal(formatConfigValue(0.0001), '0.0001');
  assert.equal(formatConfigValue(1e-7), '1e-7');
  assert.equal(formatConfigValue(null), 'none');
  assert.equal(formatConfigValue(true), 'true');
});

test('markdown text stays inert', () => {
  assert.equal(escapeMarkdown('<script>&"\'|*_x_*\nnext'), '\\<script\\>\\&"\'\\|\\*\\_x\\_\\* next');
  assert.equal(markdownImage('a [b]', 'figures/my fig (1).svg'), '![a \\[b\\]](figures/my%20fig%20%281%29.svg)');
  assert.equal(markdownTable(['a', 'b'], [['1', '']], ['left', 'right']), '| a | b |\n|---|---:|\n| 1 |   |');
  assert.throws(() => markdownTable(['a', 'b'], [['1']]), /row 0 has 1 cells/);
});
