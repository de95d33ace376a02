/**
 * The panel for a text model (webview/text-fields.ts, render.ts, render-blocks.ts; DOM-free): the form offers the
 * texts to a model that takes token ids and images to the others, with the text columns, tokenizer, length and units;
 * the heatmap names its rows by block with heads as their own labelled rows; the report shows the block table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellInfo, placeGroups, renderForm, renderHeatmap, renderModelSummary } from '../../webview/render';
import { fittingDataset, modalityMismatch } from '../../webview/text-fields';
import { renderBlocksTable } from '../../webview/render-blocks';
import { reportFolderEntries } from '../../src/core/report/report-files';
import { BUILTIN_DATASETS } from '../../src/host/datasets';
import { defaultForm } from '../../src/host/form';
import type { DatasetOption, ModelSummary, SetupView } from '../../src/protocol';
import { sampleReport } from '../core/report/sample-report';

const texts: DatasetOption = {
  id: 'text:data/c.csv',
  kind: 'text-file',
  label: 'data/c.csv (texts)',
  detail: 'data/c.csv: texts',
  supported: true,
  reason: null,
  text: { columns: ['comment_text', 'toxic', 'identity', '<b>x</b>'], suggested: { text: 'comment_text', target: 'toxic', bias: ['identity'] } },
};
const tokens: DatasetOption = { id: 'tokens:data/t', kind: 'token-npy-folder', label: 'data/t (token ids)', detail: 'data/t/', supported: true, reason: null };

const bert: ModelSummary = {
  inputShape: 'batch×sequence',
  parameters: 24354,
  classifier: '/classifier/Gemm',
  bottleneck: 'pooled',
  groups: [{ id: 0, label: '/bert/encoder/layer.0/intermediate/dense/MatMul', units: 64 }],
  tokenInputs: ['input_ids', 'attention_mask'],
  attention: [
    { label: '/bert/encoder/layer.0/attention/self heads', heads: 4 },
    { label: '/bert/encoder/layer.1/attention/self heads', heads: 4 },
  ],
};

const setup: SetupView = {
  modelPath: '/ws/model/bert.onnx',
  modelName: 'bert.onnx',
  model: bert,
  modelError: null,
  datasets: [...BUILTIN_DATASETS.map((d) => d.option), texts, tokens],
  providers: ['cpu'],
  form: { ...defaultForm(), dataset: texts.id },
  savedChoice: null,
  busy: false,
  trusted: true,
  tokenizers: [
    { id: '', label: 'tokenizer.json next to the model', detail: '/ws/model/tokenizer.json', found: false },
    { id: '/ws/tok/tokenizer.json', label: 'tok/tokenizer.json', detail: '/ws/tok/tokenizer.json', found: true },
  ],
};

test('a token model is offered texts, an image model images; the form switches to a dataset that fits', () => {
  const html = renderForm(setup, setup.form, [], false);
  assert.match(html, /<vscode-option value="builtin:biased-mnist" disabled>BiasedMNIST \(built in\) — needs an image model; this one takes token ids<\/vscode-option>/);
  assert.match(html, /<vscode-option value="text:data\/c\.csv" selected>data\/c\.csv \(texts\)<\/vscode-option>/);
  const image = { ...setup, model: { ...bert, tokenInputs: undefined, attention: undefined } };
  assert.equal(modalityMismatch(texts, image.model), 'texts need a model that takes token ids');
  assert.equal(modalityMismatch(texts, null), null, 'nothing is refused while the model is being read');
  assert.equal(fittingDataset(setup, 'builtin:biased-mnist'), texts.id);
  assert.equal(fittingDataset(image, texts.id), 'builtin:biased-mnist');
  assert.equal(fittingDataset(setup, tokens.id), tokens.id);
  assert.doesNotMatch(html, /No text datasets were found/);
  const none = renderForm({ ...setup, datasets: BUILTIN_DATASETS.map((d) => d.option) }, { ...setup.form, dataset: 'builtin:biased-mnist' }, [], false);
  assert.match(none, /No text datasets were found in the workspace\. BISE reads a CSV or JSON Lines file with a text column/);
  assert.match(none, /<span class="error">needs an image model; this one takes token ids<\/span>/);
  assert.match(renderModelSummary(setup), /Takes token ids \(input_ids, attention_mask\).* · 2 attention blocks, 8 heads \(gated with units heads or both\)/);
});

test('a text file: column dropdowns with the suggestion, the tokenizer with Browse…, the length and the units', () => {
  const html = renderForm(setup, setup.form, [], false);
  assert.match(html, /<vscode-single-select id="f-text-text" data-text="text"><vscode-option value="comment_text" selected>comment_text<\/vscode-option>/);
  assert.match(html, /data-text="target">.*<vscode-option value="toxic" selected>toxic<\/vscode-option>/);
  assert.match(html, /<vscode-multi-select id="f-text-bias" data-text="bias">.*<vscode-option value="identity" selected>identity<\/vscode-option>/);
  assert.ok(html.includes('<vscode-option value="&lt;b&gt;x&lt;/b&gt;">&lt;b&gt;x&lt;/b&gt;</vscode-option>') && !html.includes('<b>x'), 'column names are escaped');
  assert.match(html, /<vscode-single-select id="f-tokenizer" data-field="tokenizer"><vscode-option value="" selected>tokenizer\.json next to the model \(not found\)<\/vscode-option><vscode-option value="\/ws\/tok\/tokenizer\.json">tok\/tokenizer\.json<\/vscode-option>/);
  assert.match(html, /<vscode-button id="pick-tokenizer" secondary>Browse…<\/vscode-button>/);
  assert.match(html, /not found: \/ws\/model\/tokenizer\.json/);
  assert.match(html, /<vscode-textfield id="f-maxLength" data-field="maxLength" value=""/);
  assert.match(html, /<vscode-single-select id="f-units" data-field="units"><vscode-option value="mlp" selected>/);
  assert.match(html, /2 attention blocks with 8 heads in all/);
  const chosen = renderForm(setup, { ...setup.form, tokenizer: '/ws/tok/tokenizer.json', units: 'both', textColumns: { text: 'comment_text', target: 'identity', bias: ['toxic'] } }, [{ field: 'textColumns', message: 'Bias column: <bad>' }], false);
  assert.match(chosen, /<vscode-option value="\/ws\/tok\/tokenizer\.json" selected>/);
  assert.match(chosen, /<vscode-option value="both" selected>/);
  assert.match(chosen, /data-text="target">.*<vscode-option value="identity" selected>/);
  assert.match(chosen, /<div class="field-error" role="alert">Bias column: &lt;bad&gt;<\/div>/);
  // A token folder needs only the length; a model without heads gets no units choice.
  const folder = renderForm({ ...setup, model: { ...bert, attention: [] } }, { ...setup.form, dataset: tokens.id }, [], true);
  assert.ok(folder.includes('data-field="maxLength"') && !folder.includes('data-text=') && !folder.includes('data-field="tokenizer"'));
  assert.ok(!folder.includes('data-field="units"'));
  assert.match(folder, /data-field="maxLength" value="" placeholder="from tokenizer_config\.json" disabled>/);
  assert.ok(!/\sstyle=/.test(html + chosen + folder));
});

const bertGroups = [
  { group: 0, label: '/bert/encoder/layer.0/attention/self heads', logits: [1, -1, 0.5, -0.2] },
  { group: 1, label: '/bert/encoder/layer.0/intermediate/dense/MatMul', logits: Array.from({ length: 64 }, (_, i) => (i % 3 ? 1 : -1)) },
  { group: 2, label: '/bert/encoder/layer.1/attention/self heads', logits: [1, 1, 1, -1], keep: [true, true, true, true] },
  { group: 3, label: '/bert/encoder/layer.1/intermediate/dense/MatMul', logits: Array.from({ length: 64 }, () => 1) },
  { group: 4, label: '/bert/pooler/dense/Gemm', logits: [1, -1] },
];

test('the heatmap of a transformer: rows named by block, heads as their own rows with numbered cells, a rule between blocks', () => {
  const placed = placeGroups(bertGroups);
  const svg = renderHeatmap(placed);
  assert.match(svg, />layer\.0 · heads<\/text><text[^>]*>2\/4 heads kept<\/text>/);
  assert.match(svg, />layer\.0 · MLP neurons<\/text><text[^>]*>42\/64 kept<\/text>/);
  assert.match(svg, />layer\.1 · heads<\/text><text[^>]*>4\/4 heads kept/);
  assert.match(svg, />4: \/bert\/pooler\/dense\/Gemm<\/text>/, 'a group outside the blocks keeps its label');
  // Heads: a 20-pixel cell per head, numbered, the removed ones struck through.
  assert.match(svg, /<rect data-g="0" data-u="1" x="230" y="\d+" width="19" height="19" fill="[^"]+"\/><text [^>]*text-decoration="line-through">1<\/text>/);
  assert.equal((svg.match(/class="block-rule"/g) ?? []).length, 1);
  assert.match(svg, /aria-label="layer\.0 attention heads \(group 0\), 2 of 4 heads kept; show the histogram of its mask logits"/);
  assert.equal(cellInfo(placed, 0, 1), 'layer.0 attention heads (group 0) · head 1 · mask logit -1 · pruned');
  assert.equal(cellInfo(placed, 1, 3), 'layer.0 MLP (group 1) · neuron 3 · mask logit -1 · pruned');
  assert.equal(cellInfo(placed, 4, 0), '/bert/pooler/dense/Gemm (group 4) · unit 0 · mask logit 1 · kept');
  // A text model gated on MLP neurons only: its rows are still named by block when the panel knows it takes tokens.
  const mlpOnly = renderHeatmap(placeGroups([bertGroups[1], bertGroups[3]], true));
  assert.match(mlpOnly, />layer\.1 · MLP neurons</);
  assert.doesNotMatch(renderHeatmap(placeGroups([bertGroups[1], bertGroups[3]])), /MLP neurons</, 'without heads or a token model, labels as before');
});

test('the report view lists the heads and neurons each block lost; other reports show no block table', () => {
  const base = sampleReport();
  const masks = bertGroups.slice(0, 4).map((g) => ({ group: g.group, label: g.label, producers: [g.label], sites: ['s'], logits: g.logits, keep: g.logits.map((v) => v >= 0) }));
  const { report } = reportFolderEntries({ ...base, config: { ...base.config, dataset: 'text-file', units: 'both' }, masks }, { prunedModel: new Uint8Array([1]), masksJson: '{}' });
  const html = renderBlocksTable(report);
  assert.match(html, /<h3>Transformer blocks<\/h3><table class="metrics"><thead><tr><th>Block<\/th><th>Attention heads removed<\/th><th>MLP neurons removed<\/th><\/tr><\/thead>/);
  assert.match(html, /<tr><td>layer\.0<\/td><td>2 of 4 \(heads 1, 3\)<\/td><td>22 of 64<\/td><\/tr>/);
  assert.match(html, /<tr><td>layer\.1<\/td><td>1 of 4 \(head 3\)<\/td><td>0 of 64<\/td><\/tr>/);
  assert.equal(renderBlocksTable(sampleReport()), '');
});

test('the messages of the tokenizer pick and a text form are validated like the others', async () => {
  const { hostToWebviewDecoder, webviewToHostDecoder, decodeProblem } = await import('../../src/protocol');
  const tokenizers = { type: 'tokenizers', modelPath: '/ws/m.onnx', tokenizers: setup.tokenizers, selected: '/ws/tok/tokenizer.json' };
  assert.ok(decodeProblem(hostToWebviewDecoder, tokenizers).ok);
  assert.deepEqual(decodeProblem(hostToWebviewDecoder, { ...tokenizers, tokenizers: [{ id: '', label: 'x', detail: 'y' }] }), { ok: false, problem: 'tokenizers[0].found: missing (expected a boolean)' });
  assert.ok(decodeProblem(webviewToHostDecoder, { type: 'pick-tokenizer' }).ok);
  assert.equal(decodeProblem(webviewToHostDecoder, { type: 'pick-tokenizer', path: '/etc/passwd' }).ok, false, 'the page cannot send a path with it');
  const run = { type: 'run', form: { ...setup.form, textColumns: { text: 't', target: 'y', bias: [] }, units: 'both' } };
  assert.deepEqual(decodeProblem(webviewToHostDecoder, run), { ok: false, problem: 'form.textColumns: bias: expected at least one bias column' });
  assert.ok(decodeProblem(hostToWebviewDecoder, { type: 'setup', setup }).ok, 'a setup with text datasets, a token model and tokenizers');
});
