/** The form's model line (webview/render.ts): pending while the worker reads the model, then the summary or the error. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderForm, renderModelSummary, startDisabled } from '../../webview/render';
import { BUILTIN_DATASETS } from '../../src/host/datasets';
import { defaultForm } from '../../src/host/form';
import type { SetupView } from '../../src/protocol';

const pending: SetupView = {
  modelPath: '/ws/net.onnx',
  modelName: 'net.onnx',
  model: null,
  modelError: null,
  datasets: BUILTIN_DATASETS.map((d) => d.option),
  providers: ['cpu'],
  form: defaultForm(),
  savedChoice: null,
  busy: false,
  trusted: true,
};

test('while the model is read the form says so and can start; an unreadable model disables the start', () => {
  assert.match(renderForm(pending, pending.form, [], false), /<div id="model-summary" aria-live="polite"><p class="muted">Reading the model…<\/p><\/div>/);
  assert.equal(startDisabled(pending, false), false);
  const read = { ...pending, model: { inputShape: '1×3×28×28', parameters: 1234, classifier: 'fc', bottleneck: 'z', groups: [{ id: 0, label: 'conv1', units: 8 }] } };
  assert.match(renderModelSummary(read), /Input 1×3×28×28 · 1,234 parameters · classifier fc · bottleneck z · 1 gated layers, 8 units \(conv1 8\)/);
  const broken = { ...pending, modelError: 'net.onnx: not an ONNX file' };
  assert.match(renderModelSummary(broken), /The model cannot be used: net\.onnx: not an ONNX file/);
  assert.equal(startDisabled(broken, false), true);
  assert.equal(startDisabled(pending, true), true);
  assert.equal(startDisabled({ ...pending, trusted: false }, false), true);
});
