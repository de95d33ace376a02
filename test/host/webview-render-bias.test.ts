/** The panel's tables beyond bias attribute 0 (webview/render-bias.ts): per-attribute accuracies, joint cells, substitute bias labels. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderBiasLabelsTable, renderPerBiasTables } from '../../webview/render-bias';
import { renderMarkdown } from '../../src/core/report';
import { multiBiasReport } from '../core/report/multi-bias-report';
import { sampleReport } from '../core/report/sample-report';

/** The cells of every row (header first) of each table in `html`, tags inside cells kept. */
function tables(html: string): string[][][] {
  return [...html.matchAll(/<table class="metrics">(.*?)<\/table>/g)].map((t) => [...t[1].matchAll(/<tr>(.*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<t[hd]>(.*?)<\/t[hd]>/g)].map((c) => c[1])));
}

test('two bias attributes: each attribute per model, sample sizes, and the aligned/conflicting combinations', () => {
  const html = renderPerBiasTables(multiBiasReport());
  assert.match(html, /<h3>Per bias attribute<\/h3>/);
  assert.ok(html.includes('Test samples: left background colour: 100 aligned, 900 conflicting; right background colour: 100 aligned, 900 conflicting.'));
  const [perBias, cells, ...rest] = tables(html);
  assert.equal(rest.length, 0);
  assert.deepEqual(perBias[0], [
    'model',
    'left background colour: aligned',
    'left background colour: conflicting',
    'left background colour: worst group',
    'right background colour: aligned',
    'right background colour: conflicting',
    'right background colour: worst group',
  ]);
  // Vanilla cells (A·A, A·C, C·A, C·C) = 100%, 90%, 30%, 10% over 10 / 90 / 90 / 810 samples.
  assert.deepEqual(perBias[1], ['vanilla', '91.0%', '12.0%', '5.0%', '37.0%', '18.0%', '5.0%']);
  assert.deepEqual(
    perBias.slice(1).map((r) => r[0]),
    ['vanilla', 'BISE subnetwork', 'random (5 seeds)', 'magnitude'],
  );
  assert.deepEqual(cells, [
    ['model', 'A·A', 'A·C', 'C·A', 'C·C'],
    ['vanilla', '100.0%', '90.0%', '30.0%', '10.0%'],
    ['BISE subnetwork', '95.0%', '85.0%', '50.0%', '30.0%'],
    ['random (5 seeds)', '90.0%', '70.0%', '20.0%', '10.0%'],
    ['magnitude', '90.0%', '70.0%', '20.0%', '10.0%'],
    ['<em>test samples</em>', '10', '90', '90', '810'],
  ]);
  assert.ok(!/\sstyle=/.test(html), 'no inline styles: the CSP forbids them');
});

test('a joint cell without test samples shows —; without joint cells only the per-attribute table', () => {
  const empty = multiBiasReport();
  empty.metrics.subnetwork.alignmentCells![0] = { aligned: [true, true], accuracy: 0, samples: 0 };
  empty.metrics.subnetwork.alignmentCells![3].samples += 10;
  assert.deepEqual(tables(renderPerBiasTables(empty))[1][2], ['BISE subnetwork', '—', '85.0%', '50.0%', '30.0%']);
  const noCells = multiBiasReport();
  delete noCells.metrics.baselines[1].metrics.alignmentCells;
  const html = renderPerBiasTables(noCells);
  assert.equal(tables(html).length, 1);
  assert.ok(!html.includes('A·A') && !html.includes('combinations'));
});

test('one bias attribute, or a model without per-attribute metrics: nothing extra', () => {
  assert.equal(renderPerBiasTables(sampleReport()), '');
  const partial = multiBiasReport();
  delete partial.metrics.baselines[0].metrics.perBias;
  assert.equal(renderPerBiasTables(partial), '');
  const single = multiBiasReport();
  single.data.biasAttributes = ['left background colour'];
  assert.equal(renderPerBiasTables(single), '');
});

test('substitute training bias labels: where they came from and the quality table; nothing for given labels', () => {
  const r = sampleReport();
  r.config.biasFrom = 'identify';
  r.biasLabels = [{ attribute: 'colour', samples: 1000, agreement: 0.93, trueConflicting: 1234, flaggedConflicting: 80, conflictingRecall: 0.6, conflictingPrecision: 0.225 }];
  const html = renderBiasLabelsTable(r);
  assert.match(html, /<h3>Training bias labels<\/h3>/);
  assert.ok(html.includes('trained with the predictions of an identification model (a fresh copy of the architecture trained for one epoch; no bias labels were read).'));
  assert.deepEqual(tables(html), [
    [
      ['Attribute', 'Agreement', 'Truly conflicting', 'Flagged conflicting', 'Recall', 'Precision'],
      ['colour', '93.0%', '1,234', '80', '60.0%', '22.5%'],
    ],
  ]);
  r.config.biasFrom = 'given';
  r.config.biasNoise = 0.2;
  assert.ok(renderBiasLabelsTable(r).includes('trained with the dataset&#39;s bias labels, with 20.0% of them replaced by another value.'));
  // The same sentence as report.md's.
  assert.ok(renderMarkdown(r).includes("trained with the dataset's bias labels, with 20.0% of them replaced by another value."));
  assert.equal(renderBiasLabelsTable(sampleReport()), '');
  r.biasLabels = [];
  assert.equal(renderBiasLabelsTable(r), '');
});

test('attribute and model names from the report are escaped', () => {
  const r = multiBiasReport();
  r.data.biasAttributes = ['<img src=x onerror=alert(1)>', 'a & "b"'];
  r.metrics.baselines[0].name = '<script>x</script>';
  r.biasLabels = [{ attribute: "<b>it's</b>", samples: 10, agreement: 1, trueConflicting: 1, flaggedConflicting: 1, conflictingRecall: 1, conflictingPrecision: 1 }];
  const html = renderPerBiasTables(r) + renderBiasLabelsTable(r);
  assert.ok(!html.includes('<img') && !html.includes('<script') && !html.includes('<b>'));
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;: aligned'));
  assert.ok(html.includes('a &amp; &quot;b&quot;: worst group'));
  assert.ok(html.includes('in the order &lt;img src=x onerror=alert(1)&gt;, a &amp; &quot;b&quot;.'));
  assert.ok(html.includes('<td>&lt;script&gt;x&lt;/script&gt; (5 seeds)</td>'));
  assert.ok(html.includes('<td>&lt;b&gt;it&#39;s&lt;/b&gt;</td>'));
});
