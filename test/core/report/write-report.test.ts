/** The report folder writer: exactly the expected files, atomic replacement, protected paths, no debris on failure. */
import { test, TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseReport, writeFolderAtomic, writeReportFolder } from '../../../src/core/report';
import { sampleReport } from './sample-report';

const MODEL_BYTES = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff);
const MASKS_JSON = '{"groups": []}\n';
const FILES = { prunedModel: MODEL_BYTES, masksJson: MASKS_JSON };
const EXPECTED = [
  'figures/accuracy.svg',
  'figures/mask-heatmap.svg',
  'figures/probe.svg',
  'figures/training-curves.svg',
  'masks.json',
  'report.json',
  'report.md',
  'simple-convnet.bise.onnx',
];

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-report-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file under `dir`, relative, '/'-separated, sorted. */
function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((p) => fs.statSync(path.join(dir, p)).isFile())
    .map((p) => p.split(path.sep).join('/'))
    .sort();
}

/** The entries of `dir` (non-recursive) that are staging or aside folders. */
function debris(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.includes('.tmp-') || n.includes('.old-'));
}

test('writes exactly the expected files, and report.json reads back as the report', (t) => {
  const dir = tempDir(t);
  const folder = path.join(dir, 'simple-convnet.bise');
  const report = sampleReport();
  const written = writeReportFolder(folder, report, FILES);
  assert.deepEqual(listFiles(folder), EXPECTED);
  assert.deepEqual([...written].sort(), EXPECTED.map((f) => path.join(folder, ...f.split('/'))).sort());
  assert.deepEqual(fs.readdirSync(dir), ['simple-convnet.bise'], 'no staging folder left beside it');
  assert.deepEqual(parseReport(fs.readFileSync(path.join(folder, 'report.json'), 'utf8'), 'report.json'), report);
  assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(folder, 'simple-convnet.bise.onnx'))), MODEL_BYTES);
  assert.equal(fs.readFileSync(path.join(folder, 'masks.json'), 'utf8'), MASKS_JSON);
  const md = fs.readFileSync(path.join(folder, 'report.md'), 'utf8');
  for (const f of EXPECTED.filter((e) => e.startsWith('figures/'))) assert.ok(md.includes(`](${f})`), `report.md links ${f}`);
  assert.ok(fs.readFileSync(path.join(folder, 'figures/mask-heatmap.svg'), 'utf8').startsWith('<svg '));

  // Byte-stable: the same report written again gives the same files.
  const again = path.join(dir, 'again');
  writeReportFolder(again, report, FILES);
  for (const f of EXPECTED) assert.ok(fs.readFileSync(path.join(folder, f)).equals(fs.readFileSync(path.join(again, f))), f);
});

test('outputs.figures is filled in with the figures written (none for a missing probe)', (t) => {
  const dir = tempDir(t);
  const report = sampleReport();
  report.outputs.figures = [];
  report.probe = null;
  writeReportFolder(path.join(dir, 'r'), report, FILES);
  const back = parseReport(fs.readFileSync(path.join(dir, 'r', 'report.json'), 'utf8'), 'report.json');
  assert.deepEqual(back.outputs.figures, ['figures/accuracy.svg', 'figures/mask-heatmap.svg', 'figures/training-curves.svg']);
  assert.ok(!fs.existsSync(path.join(dir, 'r', 'figures', 'probe.svg')));
});

test('an existing folder is refused without overwrite and replaced atomically with it', (t) => {
  const dir = tempDir(t);
  const folder = path.join(dir, 'out');
  writeReportFolder(folder, sampleReport(), FILES);
  fs.writeFileSync(path.join(folder, 'stale.txt'), 'from the previous run');
  const before = fs.readFileSync(path.join(folder, 'report.json'));

  assert.throws(() => writeReportFolder(folder, sampleReport(), FILES), /already exists; choose another folder or allow overwriting/);
  assert.ok(fs.readFileSync(path.join(folder, 'report.json')).equals(before));
  assert.ok(fs.existsSync(path.join(folder, 'stale.txt')));
  assert.deepEqual(debris(dir), []);

  const changed = sampleReport();
  changed.seed = 7;
  writeReportFolder(folder, changed, FILES, { overwrite: true });
  assert.deepEqual(listFiles(folder), EXPECTED, 'the old folder is gone, stale file included');
  assert.equal(parseReport(fs.readFileSync(path.join(folder, 'report.json'), 'utf8'), 'report.json').seed, 7);
  assert.deepEqual(debris(dir), [], 'no staging or aside folder left');
});

test('overwrite replaces only an empty folder or an earlier report folder', (t) => {
  const dir = tempDir(t);
  const project = path.join(dir, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'notes.txt'), 'keep me');
  assert.throws(() => writeReportFolder(project, sampleReport(), FILES, { overwrite: true }), /does not look like a BISE report folder/);
  assert.equal(fs.readFileSync(path.join(project, 'notes.txt'), 'utf8'), 'keep me');

  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'x');
  assert.throws(() => writeReportFolder(file, sampleReport(), FILES, { overwrite: true }), /exists and is not a folder/);

  const empty = path.join(dir, 'empty');
  fs.mkdirSync(empty);
  writeReportFolder(empty, sampleReport(), FILES, { overwrite: true });
  assert.deepEqual(listFiles(empty), EXPECTED);
  assert.deepEqual(debris(dir), []);
});

test('a protected path is never written over, nor deleted with a replaced folder', (t) => {
  const dir = tempDir(t);
  const source = path.join(dir, 'model.onnx');
  fs.writeFileSync(source, 'the user model');

  // The folder is the source model itself.
  assert.throws(() => writeReportFolder(source, sampleReport(), FILES, { overwrite: true, protect: [source] }), /which is protected \(the source model\)/);
  assert.equal(fs.readFileSync(source, 'utf8'), 'the user model');

  // The source model lives inside the folder an overwrite would replace.
  const folder = path.join(dir, 'experiment');
  writeReportFolder(folder, sampleReport(), FILES);
  const inside = path.join(folder, 'model.onnx');
  fs.writeFileSync(inside, 'the user model');
  assert.throws(() => writeReportFolder(folder, sampleReport(), FILES, { overwrite: true, protect: [inside] }), /which is protected/);
  assert.equal(fs.readFileSync(inside, 'utf8'), 'the user model');

  // The model named by report.model.path (relative to the folder) is protected without being listed.
  const report = sampleReport();
  report.model.path = 'model.onnx';
  assert.throws(() => writeReportFolder(folder, report, FILES, { overwrite: true }), /which is protected/);
  assert.equal(fs.readFileSync(inside, 'utf8'), 'the user model');

  // Through a symbolic link to the parent folder.
  const link = path.join(dir, 'link');
  fs.symlinkSync(dir, link, 'dir');
  assert.throws(() => writeReportFolder(path.join(link, 'experiment'), sampleReport(), FILES, { overwrite: true, protect: [inside] }), /which is protected/);
  assert.equal(fs.readFileSync(inside, 'utf8'), 'the user model');
  assert.deepEqual(debris(dir), []);
});

test('a failure while staging removes the staging folder and keeps the old folder', (t) => {
  const dir = tempDir(t);
  const target = path.join(dir, 'out');
  // The second entry needs 'a.txt' to be a folder: writing it fails after the first file is staged.
  const clashing = [
    { path: 'a.txt', content: 'first' },
    { path: 'a.txt/b.txt', content: 'second' },
  ];
  assert.throws(() => writeFolderAtomic(target, clashing), /ENOTDIR|EEXIST/);
  assert.ok(!fs.existsSync(target));
  assert.deepEqual(fs.readdirSync(dir), [], 'no staging folder left');

  writeReportFolder(target, sampleReport(), FILES);
  assert.throws(() => writeFolderAtomic(target, clashing, { overwrite: true }), /ENOTDIR|EEXIST/);
  assert.deepEqual(listFiles(target), EXPECTED, 'the previous folder is untouched');
  assert.deepEqual(fs.readdirSync(dir), ['out']);
});

test('a report that cannot be written faithfully is refused before anything is written', (t) => {
  const dir = tempDir(t);
  const folder = path.join(dir, 'out');
  const nan = sampleReport();
  nan.probe!.vanilla.mlpAccuracy = Number.NaN;
  assert.throws(() => writeReportFolder(folder, nan, FILES), /^Error: cannot write report\.json: probe\.vanilla\.mlpAccuracy is NaN, which JSON cannot represent$/);
  const invalid = sampleReport();
  invalid.metrics.subnetwork.worstGroupAccuracy = 1.5;
  assert.throws(() => writeReportFolder(folder, invalid, FILES), /report\.json \(about to be written\): metrics\.subnetwork\.worstGroupAccuracy: expected a number in \[0, 1\], found 1\.5/);
  const clash = sampleReport();
  clash.outputs.prunedModel = 'report.md';
  assert.throws(() => writeReportFolder(folder, clash, FILES), /collides with the report's own files/);
  const nested = sampleReport();
  nested.outputs.masks = 'model';
  nested.outputs.prunedModel = 'model/pruned.onnx';
  assert.throws(() => writeReportFolder(folder, nested, FILES), /would collide: 'model\/pruned\.onnx' and 'model'|would collide: 'model' and 'model\/pruned\.onnx'/);
  assert.throws(() => writeReportFolder(folder, sampleReport(), { ...FILES, masksJson: '{' }), /masks file content is not valid JSON/);
  assert.deepEqual(fs.readdirSync(dir), [], 'nothing was created');
});
