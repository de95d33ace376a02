/** The panel HTML: strict CSP with the nonce, the nonce on the only script and style, everything escaped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PANEL_CSS, contentSecurityPolicy, panelHtml } from '../../src/host/webview-html';
import { renderAccuracyChart } from '../../src/core/report';
import { ROLE } from '../../src/core/report/svg/theme';
import { panelFigure } from '../../webview/render';
import { sampleReport } from '../core/report/sample-report';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

test('the CSP allows only the nonce script, theme styles and local images', () => {
  assert.equal(
    contentSecurityPolicy(CSP_SOURCE, 'abc123=='),
    `default-src 'none'; script-src 'nonce-abc123=='; style-src ${CSP_SOURCE} 'nonce-abc123=='; img-src ${CSP_SOURCE} data:`,
  );
});

test('the HTML carries the CSP meta tag, and the nonce on every script and style element', () => {
  const html = panelHtml({ cspSource: CSP_SOURCE, nonce: 'N0nce+/==', scriptUri: `${CSP_SOURCE}/ext/dist/webview.js`, title: 'BISE: net.onnx', state: { view: 'setup', modelPath: '/ws/net.onnx' } });
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(meta, 'CSP meta tag');
  assert.equal(meta![1], `default-src 'none'; script-src 'nonce-N0nce+/=='; style-src ${CSP_SOURCE} 'nonce-N0nce+/=='; img-src ${CSP_SOURCE} data:`);
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.deepEqual(scripts, [`<script nonce="N0nce+/==" src="${CSP_SOURCE}/ext/dist/webview.js">`]);
  const styles = [...html.matchAll(/<style\b[^>]*>/g)].map((m) => m[0]);
  assert.deepEqual(styles, ['<style nonce="N0nce+/==">']);
  assert.ok(!/\son[a-z]+=/i.test(html), 'no inline event handlers');
  assert.ok(!/\sstyle=/i.test(html), 'no style attributes (the CSP blocks them)');
  assert.ok(!/https?:\/\/(?!file\+)/.test(html.replace(CSP_SOURCE, '')), 'nothing from the network');
});

test('title and state are escaped', () => {
  const html = panelHtml({ cspSource: CSP_SOURCE, nonce: 'n', scriptUri: 's.js', title: '</title><script>alert(1)</script>', state: { view: 'report', reportPath: '/x/"><script>/report.json' } });
  assert.equal([...html.matchAll(/<script\b/g)].length, 1);
  assert.match(html, /&lt;\/title&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /data-state="\{&quot;view&quot;:&quot;report&quot;,&quot;reportPath&quot;:&quot;\/x\/\\&quot;&gt;&lt;script&gt;\/report\.json&quot;\}"/);
});

test('figures take the VS Code theme: the panel stylesheet sets the figure variables from --vscode-* and carries every role rule', () => {
  assert.match(PANEL_CSS, /:root \{ --bise-figure-background: var\(--vscode-editor-background\); --bise-figure-ink: var\(--vscode-editor-foreground\); --bise-figure-muted: var\(--vscode-descriptionForeground\);/);
  for (const role of Object.values(ROLE)) assert.match(PANEL_CSS, new RegExp(`\\.${role}\\{(fill|stroke):var\\(--bise-figure-`), `rule for .${role}`);
  // The figure's own stylesheet would be refused by the CSP (style-src has no 'unsafe-inline'): the panel drops it.
  const svg = renderAccuracyChart(sampleReport().metrics);
  assert.match(svg, /<style>/);
  const shown = panelFigure(svg);
  assert.doesNotMatch(shown, /<style/);
  assert.equal(shown, svg.replace(/<style>[^<]*<\/style>\n/, ''));
  assert.match(shown, /class="fig-bg"/);
});
