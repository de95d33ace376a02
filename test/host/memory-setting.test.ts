/** The bise.memoryMb setting: declared as bise.threads is (0 = automatic), and turned into the job's field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memoryMbSetting } from '../../src/host/memory-setting';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { type: string; default: unknown; minimum?: number; scope?: string }> } };
};

test('bise.memoryMb is a machine-overridable whole number ≥ 0, default 0 (automatic), like bise.threads', () => {
  const { type, default: d, minimum, scope } = manifest.contributes.configuration.properties['bise.memoryMb'];
  assert.deepEqual({ type, d, minimum, scope }, { type: 'integer', d: 0, minimum: 0, scope: 'machine-overridable' });
});

test('a whole number of MiB ≥ 1 becomes the budget; 0 and values VS Code let through by hand leave the default', () => {
  assert.deepEqual(memoryMbSetting(768), { memoryMb: 768 });
  for (const v of [0, -5, 1.5, '512', undefined, null, Number.NaN]) assert.deepEqual(memoryMbSetting(v), {}, String(v));
});
