/**
 * No eval, no new Function, no string timers, no node:vm anywhere in the extension's, the CLI's and the
 * webview's sources (a lint rule on the TypeScript syntax tree; see dynamic-code.ts). The rule itself is
 * checked on a sample that breaks it in every way it knows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findDynamicCode } from './dynamic-code';

const ROOT = path.join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return /\.(ts|mts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

test('src/ and webview/ build no code from strings', () => {
  const files = [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'webview'))];
  assert.ok(files.length > 100, `${files.length} source files`);
  const findings = files.flatMap((f) => findDynamicCode(path.relative(ROOT, f), fs.readFileSync(f, 'utf8')));
  assert.deepEqual(findings, []);
});

test('the rule finds every form of dynamic code it knows, and leaves ordinary code alone', () => {
  const bad = [
    "eval('1 + 1');",
    '(0, eval)(text);',
    'globalThis.eval(text);',
    "window['eval'](text);",
    "new Function('a', 'return a');",
    'Function(body)();',
    "setTimeout('alert(1)', 10);",
    'setInterval(`tick(${n})`, 10);',
    "window.setTimeout('x' + y, 0);",
    "import * as vm from 'node:vm';",
    "const vm2 = require('vm');",
  ].join('\n');
  const found = findDynamicCode('sample.ts', bad);
  assert.deepEqual(
    found.map((f) => `${f.line}: ${f.what}`),
    ['1: eval', '2: eval', '3: eval', '4: eval', '5: new Function', '6: Function(...)', '7: setTimeout with a string', '8: setInterval with a string', '9: setTimeout with a string', '10: import of node:vm', '11: require of node:vm'],
  );
  const fine = ["setTimeout(() => run(), 10);", 'const evaluate = (x: number) => x;', 'evaluate(2);', "obj.eval('x');", 'class F extends Function {}', 'setInterval(tick, 5);'].join('\n');
  assert.deepEqual(findDynamicCode('fine.ts', fine), []);
});
