/**
 * The panel's Content Security Policy is strict: nothing by default, scripts only with the per-render nonce,
 * no inline script or eval allowance, no origin but the webview's own resource origin, and a fresh 128-bit
 * nonce from the OS's CSPRNG each time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, panelHtml } from '../../src/host/webview-html';
import { makeNonce } from '../../src/host/nonce';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0] !== '')
      .map(([name, ...values]) => [name, values]),
  );
}

test('the policy denies by default and allows no inline code, eval, wildcard or remote origin', () => {
  const nonce = makeNonce();
  const policy = directives(contentSecurityPolicy(CSP_SOURCE, nonce));
  assert.deepEqual(policy.get('default-src'), ["'none'"]);
  assert.deepEqual(policy.get('script-src'), [`'nonce-${nonce}'`]);
  for (const [name, values] of policy) {
    for (const v of values) {
      assert.ok(!/unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval|strict-dynamic/.test(v), `${name} ${v}`);
      assert.ok(!v.includes('*') || v === CSP_SOURCE, `${name}: no wildcard (${v})`);
      assert.ok(v === CSP_SOURCE || !/^(https?|wss?|ftp):/i.test(v), `${name}: no remote origin (${v})`);
    }
  }
  for (const name of ['connect-src', 'frame-src', 'child-src', 'object-src', 'worker-src', 'form-action']) assert.ok(!policy.has(name), `${name} falls back to 'none'`);
});

test('each render gets a fresh 128-bit nonce, carried by the policy and by the one script and style', () => {
  const nonces = new Set(Array.from({ length: 200 }, makeNonce));
  assert.equal(nonces.size, 200);
  for (const n of nonces) assert.equal(Buffer.from(n, 'base64').length, 16);
  const [a, b] = [...nonces];
  const html = panelHtml({ cspSource: CSP_SOURCE, nonce: a, scriptUri: `${CSP_SOURCE}/ext/dist/webview.js`, title: 't', state: { view: 'setup', modelPath: '/ws/m.onnx' } });
  assert.ok(html.includes(`'nonce-${a}'`) && !html.includes(b));
  const tagged = [...html.matchAll(/<(script|style)\b([^>]*)>/g)];
  assert.ok(tagged.length >= 2);
  for (const t of tagged) assert.match(t[2], new RegExp(`nonce="${a.replace(/[+/=]/g, (c) => `\\${c}`)}"`));
  const origins = [...html.matchAll(/\b(https?|wss?):\/\/[^\s"'<>;]+/g)].map((m) => m[0]);
  for (const o of origins) assert.ok(o.startsWith(CSP_SOURCE), `only the webview resource origin appears: ${o}`);
});
