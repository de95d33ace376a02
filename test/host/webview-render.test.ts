/** The panel's markup (webview/render.ts, DOM-free): heatmap rows and hover data, tables, the form's errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellInfo, epochRecord, renderForm, renderHeatmap, renderProbeTable } from '../../webview/render';
import { multiBiasReport } from '../core/report/multi-bias-report';
import { sampleReport } from '../core/report/sample-report';
import { BUILTIN_DATASETS } from '../../src/host/datasets';
import { defaultForm } from '../../src/host/form';
import type { SetupView } from '../../src/protocol';

const groups = [
  { group: 0, label: 'conv1', logits: [0.5, -0.25, 0] },
  { group: 1, label: '<b>conv2</b>', logits: Array.from({ length: 70 }, (_, i) => (i % 2 ? 1 : -1)), keep: Array.from({ length: 70 }, (_, i) => i !== 3) },
];

test('heatmap: one row per gated layer, one cell per unit with its group and unit for the tooltip', () => {
  const svg = renderHeatmap(groups);
  assert.equal((svg.match(/class="mask-row"/g) ?? []).length, 2);
  assert.equal((svg.match(/<rect data-g=/g) ?? []).length, 73);
  assert.match(svg, /data-g="1" data-u="69"/);
  assert.match(svg, /1: &lt;b&gt;conv2&lt;\/b&gt;/);
  assert.ok(!svg.includes('<b>'));
  assert.ok(!/\sstyle=/.test(svg), 'no inline styles: the CSP forbids them');
  // Pruned units are crossed: by the keep flags when given, by the logit sign otherwise.
  assert.equal((svg.match(/<path /g) ?? []).length, 1 + 1);
  assert.match(svg, /0: conv1<\/text><text[^>]*>2\/3 kept/);
  assert.match(svg, />69\/70 kept/);
  assert.equal(cellInfo(groups, 0, 1), 'conv1 (group 0) · unit 1 · mask logit -0.25 · pruned');
  assert.equal(cellInfo(groups, 1, 3), '<b>conv2</b> (group 1) · unit 3 · mask logit 1 · pruned');
  assert.equal(cellInfo(groups, 1, 2), '<b>conv2</b> (group 1) · unit 2 · mask logit -1 · kept');
  assert.equal(cellInfo(groups, 2, 0), null);
  assert.equal(cellInfo(groups, 0, 3), null);
  assert.match(renderHeatmap([]), /No masks yet/);
});

test('an epoch event becomes a history record for the training curves', () => {
  const r = epochRecord({ type: 'epoch', epoch: 3, tau: 0.5, loss: 1, crossEntropy: 0.9, mutualInformation: 0.1, trainAccuracy: 0.8, auxAccuracy: 0.7, valUnbiasedAccuracy: 0.4, keptUnits: 5, totalUnits: 9, seconds: 2, msPerStep: 12 });
  assert.deepEqual(Object.keys(r).sort(), ['auxAccuracy', 'crossEntropy', 'epoch', 'keptUnits', 'loss', 'mutualInformation', 'seconds', 'tau', 'totalUnits', 'trainAccuracy', 'valUnbiasedAccuracy']);
});

const setup: SetupView = {
  modelPath: '/ws/net.onnx',
  modelName: 'net.onnx',
  model: { inputShape: '1×3×28×28', parameters: 1000, classifier: 'fc', bottleneck: 'z', groups: [{ id: 0, label: 'conv1', units: 4 }] },
  modelError: null,
  datasets: [...BUILTIN_DATASETS.map((d) => d.option), { id: 'npy:d', kind: 'npy-folder', label: 'd', detail: 'd/', supported: false, reason: 'not yet' }],
  providers: ['cpu'],
  form: defaultForm(),
  savedChoice: null,
  busy: false,
  trusted: true,
};

test('the form shows each error under its field, the data fields of the chosen dataset, and disables itself when it must', () => {
  const html = renderForm(setup, { ...setup.form, rho: 'x"><img>' }, [{ field: 'rho', message: 'ρ: bad <value>' }, { field: 'form', message: 'already running' }], false);
  assert.match(html, /id="f-rho" data-field="rho" value="x&quot;&gt;&lt;img&gt;" invalid>/);
  assert.match(html, /<div class="field-error" role="alert">ρ: bad &lt;value&gt;<\/div>/);
  assert.match(html, /<div class="banner" role="alert">already running<\/div>/);
  assert.ok(!html.includes('data-field="rhoLeft"'), 'Multi-Color fields hidden for BiasedMNIST');
  assert.match(html, /<vscode-option value="npy:d" disabled>d — not runnable yet<\/vscode-option>/);
  assert.match(html, /<vscode-button id="start-run">/);
  assert.ok(!/\sstyle=/.test(html));
  const multi = renderForm(setup, { ...setup.form, dataset: 'builtin:multi-color-mnist' }, [], false);
  assert.ok(multi.includes('data-field="rhoLeft"') && !multi.includes('data-field="rho"'));
  const untrusted = renderForm({ ...setup, trusted: false }, setup.form, [], false);
  assert.match(untrusted, /Restricted Mode/);
  assert.match(untrusted, /<vscode-button id="start-run" disabled>/);
  const broken = renderForm({ ...setup, model: null, modelError: "cannot read the model '/ws/net.onnx' (ENOENT)" }, setup.form, [], false);
  assert.match(broken, /The model cannot be used: cannot read the model &#39;\/ws\/net\.onnx&#39; \(ENOENT\)/);
  assert.match(broken, /<vscode-button id="start-run" disabled>/);
});

test('the probe table: one attribute as before; with several, a second table of the probe on z per attribute', () => {
  const single = renderProbeTable(sampleReport());
  assert.equal((single.match(/<table/g) ?? []).length, 1);
  assert.ok(!single.includes('per attribute'));
  const multi = renderProbeTable(multiBiasReport());
  assert.ok(multi.startsWith(single.slice(0, single.indexOf('</table>'))), 'the first table is unchanged');
  assert.ok(multi.includes('<h3>Bias probe per attribute</h3>'));
  assert.ok(multi.includes('<tr><td>left background colour</td><td>98.1% → 35.2%</td><td>99.3% → 41.8%</td><td>10.0%</td></tr>'));
  assert.ok(multi.includes('<tr><td>right background colour</td><td>96.2% → 51.4%</td><td>97.7% → 60.3%</td><td>10.4%</td></tr>'));
  const hostile = multiBiasReport();
  hostile.data.biasAttributes = ['left', '<img src=x onerror=alert(1)>'];
  const html = renderProbeTable(hostile);
  assert.ok(!html.includes('<img') && html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(!/\sstyle=/.test(html));
});

test('the training bias labels: a select (dataset’s or identified) and a flipped fraction, with help, for every dataset', () => {
  const html = renderForm(setup, setup.form, [], false);
  assert.match(html, /<vscode-label for="f-biasFrom">Training bias labels<\/vscode-label><vscode-single-select id="f-biasFrom" data-field="biasFrom">/);
  assert.match(html, /<vscode-option value="given" selected>from the dataset<\/vscode-option><vscode-option value="identify">identified, no bias labels \(unsupervised\)<\/vscode-option>/);
  assert.match(html, /data-field="biasFrom">.*<\/vscode-single-select><vscode-form-helper>identified: the predicted class of a fresh copy of the model trained for 1 epoch/);
  assert.match(html, /<vscode-label for="f-biasNoise">Flip bias labels \(fraction\)<\/vscode-label><vscode-textfield id="f-biasNoise" data-field="biasNoise" value="0"><\/vscode-textfield><vscode-form-helper>robustness check: /);
  const identified = renderForm(setup, { ...setup.form, biasFrom: 'identify', biasNoise: '0.25' }, [], false);
  assert.match(identified, /<vscode-option value="given">from the dataset<\/vscode-option><vscode-option value="identify" selected>/);
  assert.match(identified, /data-field="biasNoise" value="0\.25">/);
  for (const dataset of ['builtin:multi-color-mnist', 'npy:d']) {
    const other = renderForm(setup, { ...setup.form, dataset }, [], false);
    assert.ok(other.includes('data-field="biasFrom"') && other.includes('data-field="biasNoise"'), dataset);
  }
  const running = renderForm(setup, setup.form, [], true);
  assert.match(running, /id="f-biasFrom" data-field="biasFrom" disabled>/);
  assert.match(running, /id="f-biasNoise" data-field="biasNoise" value="0" disabled>/);
});

test('the bias-label fields escape what they show and mark their errors', () => {
  const hostile = { ...setup.form, biasFrom: '"><script>x</script>', biasNoise: '"><img src=x onerror=alert(1)>' };
  const errors = [
    { field: 'biasFrom' as const, message: "Training bias labels: expected one of given, identify, got '<b>'" },
    { field: 'biasNoise' as const, message: 'Flip bias labels (fraction): expected a number ≥ 0 and < 1 (e.g. 0.1), got <i>' },
  ];
  const html = renderForm(setup, hostile, errors, false);
  assert.ok(!html.includes('<script>') && !html.includes('<img') && !html.includes('<b>') && !html.includes('<i>'));
  assert.match(html, /data-field="biasNoise" value="&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;" invalid>/);
  assert.match(html, /id="f-biasFrom" data-field="biasFrom" invalid>/);
  assert.ok(!/<vscode-option value="[^"]*" selected>/.test(html.slice(html.indexOf('f-biasFrom'), html.indexOf('</vscode-single-select>', html.indexOf('f-biasFrom')))), 'an unknown source selects no option');
  assert.match(html, /<div class="field-error" role="alert">Training bias labels: expected one of given, identify, got &#39;&lt;b&gt;&#39;<\/div>/);
  assert.match(html, /<div class="field-error" role="alert">Flip bias labels \(fraction\): expected a number ≥ 0 and &lt; 1 \(e\.g\. 0\.1\), got &lt;i&gt;<\/div>/);
  assert.ok(!/\sstyle=/.test(html));
});
