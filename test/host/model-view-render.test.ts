/**
 * The model view's page and markup: the strict CSP with the nonce, and everything the view shows about a model.
 * Names come from the model file, which anyone may have written: a model whose nodes, inputs, ops and producer are
 * HTML (described by the worker's own code, then rendered) must give inert text, never an element or a handler.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Model } from '../../src/core/onnx/ir';
import { readModelFile } from '../../src/core/onnx/reader';
import { serializeModel } from '../../src/core/onnx/writer';
import { modelViewHtml, MODEL_VIEW_CSS } from '../../src/host/model-editor-html';
import { contentSecurityPolicy } from '../../src/host/webview-html';
import { hostToModelViewDecoder } from '../../src/protocol/model-view';
import { describeModelFile } from '../../src/worker/describe-model';
import { dynamicAxes, formatBytes, renderDescription, renderLoading, renderUnreadable, shapeText } from '../../webview/model-view-render';

const DEMO = path.join(__dirname, '../../models/biased-mnist-rho0.97-cnn.onnx');
const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
/** The elements the view's markup is made of; anything else came from a name. */
const VIEW_TAGS = new Set(['h1', 'h2', 'h3', 'p', 'div', 'span', 'code', 'button', 'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);

function tags(html: string): { name: string; attributes: string }[] {
  return [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)].map((m) => ({ name: m[1].toLowerCase(), attributes: m[2] }));
}

/** Writes `edit(demo CNN)` to a temporary file and describes it as the worker does. */
function describeEdited(edit: (m: Model) => Model): ReturnType<typeof describeModelFile> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-view-'));
  try {
    const file = path.join(dir, '<img src=x onerror=alert(6)>.onnx');
    fs.writeFileSync(file, serializeModel(edit(readModelFile(DEMO))));
    return describeModelFile(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const HOSTILE_INPUT = '<img src=x onerror=alert(2)>';
const HOSTILE_NODE = 'conv1"><script>alert(1)</script>';

/** The demo CNN with HTML for its first conv's name, its input's name and its producer. */
const hostileNames = (m: Model): Model => ({
  ...m,
  producerName: '</code><script>alert(3)</script>',
  graph: {
    ...m.graph,
    inputs: m.graph.inputs.map((v) => ({ ...v, name: HOSTILE_INPUT })),
    nodes: m.graph.nodes.map((n) => ({ ...n, name: n.name === 'conv1' ? HOSTILE_NODE : n.name, inputs: n.inputs.map((i) => (i === 'input' ? HOSTILE_INPUT : i)) })),
  },
});

/** An op the engine does not know, named and typed with HTML. */
const hostileOp = (m: Model): Model => ({
  ...m,
  opsetImports: [...m.opsetImports, { domain: 'x"<svg onload=alert(5)>', version: 1 }],
  graph: { ...m.graph, nodes: m.graph.nodes.map((n) => (n.name === 'relu2' ? { ...n, name: '<iframe src=javascript:alert(4)>', opType: '<svg onload=alert(5)>', domain: 'x"<svg onload=alert(5)>' } : n)) },
});

function assertInert(html: string): void {
  for (const t of tags(html)) {
    assert.ok(VIEW_TAGS.has(t.name), `<${t.name}> came from a name: ${t.name}${t.attributes}`);
    assert.ok(!/\son[a-z]+\s*=/i.test(t.attributes), `no handler attribute: <${t.name}${t.attributes}>`);
  }
}

test('a model whose names are HTML renders them as text: its nodes, input, producer and file name are inert', () => {
  const d = describeEdited(hostileNames);
  assert.ok(d.units, 'the engine still reads the model');
  const html = renderDescription(d, true);
  assertInert(html);
  assert.ok(html.includes('conv1&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'), 'the node name is shown, escaped');
  assert.ok(html.includes('&lt;img src=x onerror=alert(2)&gt;'), 'the input name is shown, escaped');
  assert.ok(html.includes('&lt;/code&gt;&lt;script&gt;alert(3)&lt;/script&gt;'), 'the producer is shown, escaped');
  assert.ok(html.includes('<h1>&lt;img src=x onerror=alert(6)&gt;.onnx</h1>'), 'the file name is shown, escaped');
});

test('nodes the engine cannot handle are listed with op, node and reason, all escaped', () => {
  const d = describeEdited(hostileOp);
  assert.equal(d.unsupported.length, 1);
  const html = renderDescription(d, true);
  assertInert(html);
  assert.match(html, /<h2>Nodes the engine cannot handle \(1\)<\/h2>/);
  assert.ok(html.includes('<td><code>x&quot;&lt;svg onload=alert(5)&gt;.&lt;svg onload=alert(5)&gt;</code></td><td><code>&lt;iframe src=javascript:alert(4)&gt;</code></td>'));
  assert.match(html, /class="warning" role="alert">BISE cannot use this model as it is: the engine cannot run node &#39;&lt;iframe/);
  assert.match(html, /FLOPs<\/dt><dd><span class="muted">not counted/);
  assert.ok(!html.includes('What BISE gates'));
});

test('the view shows signature, opset, producer, size, parameters, FLOPs with what they count, and every gated layer', () => {
  const d = describeModelFile(DEMO);
  const html = renderDescription(d, true);
  assertInert(html);
  assert.match(html, /<td><code>input<\/code><\/td><td>float32<\/td><td><code>\[batch, 3, 28, 28\]<\/code><\/td><td>axis 0 \(&#39;batch&#39;\)<\/td>/);
  assert.match(html, /<dt>Opset<\/dt><dd>ai\.onnx 17<\/dd>/);
  assert.match(html, /<dt>Producer<\/dt><dd>bise-vscode 0\.1\.0<\/dd>/);
  assert.match(html, /<dt>File size<\/dt><dd>396\.6 kB \(396,633 bytes\)<\/dd>/);
  assert.match(html, /<dt>Parameters<\/dt><dd>98,730<\/dd>/);
  assert.match(html, /<dt>FLOPs<\/dt><dd>[\d.]+ M per sample: 2 × [\d,]+ multiply-adds of Conv, ConvTranspose, Gemm and MatMul at input \[1, 3, 28, 28\]; other ops are not counted<\/dd>/);
  assert.match(html, /<dt>Gated layers<\/dt><dd>4 dependency groups, 240 units<\/dd>/);
  assert.match(html, /<tr><td class="number">3<\/td><td class="number">128<\/td><td><code>conv4<\/code><\/td>/);
  assert.match(html, /<button id="audit" type="button">Audit for bias<\/button><button id="extract" type="button" class="secondary">Extract unbiased subnetwork<\/button>/);
  assert.ok(!html.includes('class="warning"'), 'no problem shown for a model BISE can use');
});

test('in Restricted Mode the buttons are off and the view says why', () => {
  const html = renderDescription(describeModelFile(DEMO), false);
  assert.equal([...html.matchAll(/<button [^>]*disabled>/g)].length, 2);
  assert.match(html, /Restricted Mode/);
});

test('shapes and dynamic axes as declared; file sizes; loading and unreadable states escape the path and error', () => {
  assert.equal(shapeText(['batch', 'sequence']), '[batch, sequence]');
  assert.equal(shapeText([null, 3]), '[?, 3]');
  assert.equal(shapeText(null), 'not declared');
  assert.equal(dynamicAxes(['batch', 3, '', null]), "axis 0 ('batch'), axis 2 (unnamed), axis 3 (unnamed)");
  assert.equal(dynamicAxes([1, 3]), '');
  assert.equal(formatBytes(512), '512 bytes');
  assert.equal(formatBytes(524_288_000), '524.3 MB (524,288,000 bytes)');
  const unreadable = renderUnreadable('/w/<x>.onnx', '/w/<x>.onnx: is not a valid ONNX protobuf (<script>)');
  assertInert(unreadable);
  assert.match(unreadable, /<h1>&lt;x&gt;\.onnx<\/h1><div class="banner" role="alert">BISE cannot read this file: \/w\/&lt;x&gt;\.onnx: is not a valid ONNX protobuf \(&lt;script&gt;\)<\/div>/);
  assert.match(renderLoading('C:\\models\\net.onnx'), /<h1>net\.onnx<\/h1><p class="muted">Reading the model in the BISE worker…<\/p>/);
});

test('the host’s description message passes the view’s decoder; a tampered one does not', () => {
  const description = JSON.parse(JSON.stringify(describeModelFile(DEMO)));
  assert.equal(hostToModelViewDecoder.decode({ type: 'description', description, trusted: true }, null).type, 'description');
  assert.throws(() => hostToModelViewDecoder.decode({ type: 'description', description: { ...description, fileBytes: -1 }, trusted: true }, null), /fileBytes/);
  assert.throws(() => hostToModelViewDecoder.decode({ type: 'description', description: { ...description, html: '<b>' }, trusted: true }, null), /unexpected field/);
});

test('the page: the panel’s CSP, the nonce on its one script and style, the title escaped, theme colours only', () => {
  const html = modelViewHtml({ cspSource: CSP_SOURCE, nonce: 'N0nce+/==', scriptUri: `${CSP_SOURCE}/ext/dist/model-view.js`, title: '</title><script>alert(1)</script>.onnx' });
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.equal(meta?.[1], contentSecurityPolicy(CSP_SOURCE, 'N0nce+/=='));
  assert.deepEqual([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]), [`<script nonce="N0nce+/==" src="${CSP_SOURCE}/ext/dist/model-view.js">`]);
  assert.deepEqual([...html.matchAll(/<style\b[^>]*>/g)].map((m) => m[0]), ['<style nonce="N0nce+/==">']);
  assert.match(html, /<title>&lt;\/title&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;\.onnx<\/title>/);
  assert.ok(!/\son[a-z]+=|\sstyle=/i.test(html), 'no inline handlers or style attributes (the CSP blocks them)');
  const colours = MODEL_VIEW_CSS.match(/#[0-9a-f]{3,8}\b|rgba?\(/gi) ?? [];
  assert.deepEqual(colours, [], 'every colour is a --vscode-* theme variable');
  assert.ok((MODEL_VIEW_CSS.match(/var\(--vscode-[\w-]+/g) ?? []).length > 10);
});
