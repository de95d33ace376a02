/**
 * The e2e's light-theme check reads chart colours with colour-contrast.ts: the parser must read what Chromium's
 * getComputedStyle returns, refuse what it cannot judge, and the ratio must match WCAG's reference values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contrastRatio, parseCssColour } from './colour-contrast';

test('computed colours parse: rgb(), opaque rgba(), #rrggbb', () => {
  assert.deepEqual(parseCssColour('rgb(31, 35, 40)'), { r: 31, g: 35, b: 40 });
  assert.deepEqual(parseCssColour('rgba(255, 255, 255, 1)'), { r: 255, g: 255, b: 255 });
  assert.deepEqual(parseCssColour('#0d1117'), { r: 13, g: 17, b: 23 });
});

test('transparent colours and keywords are refused, naming the value', () => {
  assert.throws(() => parseCssColour('rgba(0, 0, 0, 0)'), /rgba\(0, 0, 0, 0\) is not opaque/);
  assert.throws(() => parseCssColour('currentcolor'), /"currentcolor"/);
});

test('contrast ratios match WCAG: black on white 21, same colour 1, #767676 on white about 4.54', () => {
  const white = parseCssColour('#ffffff');
  assert.equal(contrastRatio(parseCssColour('#000000'), white), 21);
  assert.equal(contrastRatio(white, white), 1);
  assert.ok(Math.abs(contrastRatio(parseCssColour('#767676'), white) - 4.54) < 0.01);
  // The order of the arguments does not matter.
  assert.equal(contrastRatio(white, parseCssColour('#1f2328')), contrastRatio(parseCssColour('#1f2328'), white));
});
