/**
 * The host's path handling with Windows paths (node's path.win32 rules, run on any OS): drive letters, `\` and
 * `/`, names that differ only in case, other drives and UNC shares, device names and trailing dots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathsFor, relativeInside } from '../../src/host/platform-paths';
import { exportFolder, runFolder, safeSegment } from '../../src/host/report-location';
import { modelKey } from '../../src/host/run-registry';

const W = path.win32;
const WS = 'C:\\Users\\ana\\proj';

test('pathsFor: Windows rules on win32, POSIX rules elsewhere', () => {
  assert.equal(pathsFor('win32'), path.win32);
  assert.equal(pathsFor('darwin'), path.posix);
  assert.equal(pathsFor('linux'), path.posix);
});

test('relativeInside on Windows: case-insensitive, either separator, other drives and shares outside', () => {
  assert.equal(relativeInside(WS, 'c:\\users\\ANA\\proj\\models\\net.onnx', W), 'models\\net.onnx');
  assert.equal(relativeInside(WS, 'C:/Users/ana/proj/bise-reports', W), 'bise-reports');
  assert.equal(relativeInside(WS, 'C:\\Users\\ana\\proj\\', W), '');
  assert.equal(relativeInside(WS, 'C:\\Users\\ana\\proj\\..reports', W), '..reports', 'a name starting with two dots is a child');
  assert.equal(relativeInside(WS, 'C:\\Users\\ana\\proj\\..\\other', W), null);
  assert.equal(relativeInside(WS, 'C:\\Users\\ana', W), null);
  assert.equal(relativeInside(WS, 'D:\\Users\\ana\\proj\\net.onnx', W), null, 'another drive');
  assert.equal(relativeInside('\\\\srv\\share\\ws', '\\\\srv\\share\\ws\\m.onnx', W), 'm.onnx');
  assert.equal(relativeInside('\\\\srv\\share\\ws', '\\\\other\\share\\ws\\m.onnx', W), null, 'another UNC server');
  assert.equal(relativeInside('\\\\srv\\share\\ws', 'C:\\ws\\m.onnx', W), null);
});

test('relativeInside on POSIX: case-sensitive, and a child named ..x is inside', () => {
  assert.equal(relativeInside('/ws', '/ws/..reports/a', path.posix), '..reports/a');
  assert.equal(relativeInside('/ws', '/WS/a', path.posix), null);
  assert.equal(relativeInside('/ws', '/ws/../a', path.posix), null);
});

test('export folder in a Windows workspace: the setting with either separator, any case, never another drive', () => {
  assert.equal(exportFolder(WS, undefined, 'C:\\Users\\ana\\proj\\models\\net.onnx', W), 'C:\\Users\\ana\\proj\\bise-reports\\net');
  assert.equal(exportFolder(WS, 'docs/audits', 'D:\\models\\net.onnx', W), 'C:\\Users\\ana\\proj\\docs\\audits\\net');
  assert.equal(exportFolder(WS, 'c:\\users\\ana\\proj\\out', 'C:\\m\\net.onnx', W), 'c:\\users\\ana\\proj\\out\\net');
  assert.equal(exportFolder(WS, '..reports', 'C:\\m\\net.onnx', W), 'C:\\Users\\ana\\proj\\..reports\\net');
  assert.throws(() => exportFolder(WS, 'D:\\reports', 'C:\\m\\net.onnx', W), /bise\.reportsFolder \('D:\\reports'\) points outside the workspace folder C:\\Users\\ana\\proj/);
  assert.throws(() => exportFolder(WS, '..\\out', 'C:\\m\\net.onnx', W), /points outside the workspace folder/);
  assert.throws(() => exportFolder(WS, '\\\\srv\\share\\reports', 'C:\\m\\net.onnx', W), /points outside the workspace folder/);
});

test('report folder names Windows can create: no device names, no trailing dot, no colon in the time stamp', () => {
  assert.equal(exportFolder(WS, undefined, 'C:\\m\\CON.onnx', W), 'C:\\Users\\ana\\proj\\bise-reports\\_CON');
  assert.equal(exportFolder(WS, undefined, 'C:\\m\\net..onnx', W), 'C:\\Users\\ana\\proj\\bise-reports\\net_');
  const storage = 'C:\\Users\\ana\\AppData\\Roaming\\Code\\User\\globalStorage\\bise-vscode.bise-vscode';
  const run = runFolder(storage, 'D:\\models\\aux.onnx', new Date('2026-03-01T12:34:56.789Z'), W);
  assert.equal(run, `${storage}\\runs\\_aux-20260301T123456Z`);
  assert.ok(!run.slice(2).includes(':'), run);
});

test('safeSegment: Windows device names (any case, any extension) and trailing dots or spaces are renamed', () => {
  for (const [name, safe] of [
    ['CON', '_CON'],
    ['nul.tar', '_nul.tar'],
    ['com1', '_com1'],
    ['LPT9', '_LPT9'],
    ['console', 'console'],
    ['nullable', 'nullable'],
    ['net.', 'net_'],
    ['net. . ', 'net_'],
    ['a<b>c|d?', 'a_b_c_d_'],
    ['..\\x', '__x'],
    ['', 'model'],
  ]) {
    assert.equal(safeSegment(name), safe, name);
  }
  assert.equal(safeSegment(`${'a'.repeat(119)}.b`), `${'a'.repeat(119)}_`, 'cut to 120 characters, then no trailing dot');
});

test('modelKey on Windows: one key for spellings that differ in case, separator or a . segment', () => {
  const key = modelKey('C:\\Models\\Net.onnx', 'win32');
  assert.equal(modelKey('c:/models/net.onnx', 'win32'), key);
  assert.equal(modelKey('C:\\Models\\.\\NET.ONNX', 'win32'), key);
  assert.notEqual(modelKey('D:\\Models\\Net.onnx', 'win32'), key);
  assert.notEqual(modelKey('/ws/Net.onnx', 'linux'), modelKey('/ws/net.onnx', 'linux'));
});
