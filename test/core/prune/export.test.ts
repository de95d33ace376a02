/** writePrunedModel: the source file stays byte-identical, writing onto it is refused, the output loads and runs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readModelFile } from '../../../src/core/onnx/reader';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { serializeModel } from '../../../src/core/onnx/writer';
import { discoverUnits } from '../../../src/core/units/discover';
import { concreteInputShapes, pruneModel, verifyPruning, writePrunedModel } from '../../../src/core/prune';
import { fixturePath, loadReference } from '../../support/fixtures';

const sha256File = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

test('writePrunedModel leaves the source byte-identical and refuses to write over it', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-prune-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Work on a copy so that a failure can never damage the committed fixture.
  const source = path.join(dir, 'simple-convnet.onnx');
  fs.copyFileSync(fixturePath('simple-convnet'), source);
  const before = sha256File(source);
  const model = readModelFile(source);
  const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)));
  const masks = d.groups.map((g) => Uint8Array.from({ length: g.channels }, (_, i) => (i % 3 === 0 ? 1 : 0)));

  const target = path.join(dir, 'out', 'pruned.onnx');
  fs.mkdirSync(path.dirname(target));
  const result = writePrunedModel(source, target, masks);
  assert.equal(sha256File(source), before, 'source unchanged');
  assert.equal(result.target, target);
  assert.equal(result.bytes, fs.statSync(target).size);
  assert.ok(result.bytes < fs.statSync(source).size);
  assert.deepEqual(fs.readFileSync(target), Buffer.from(serializeModel(pruneModel(model, d, masks).model)));
  assert.equal(result.report.unitsAfter, masks.reduce((s, m) => s + m.filter(Boolean).length, 0));

  // The written file reads back and computes the gated model's logits.
  const written = readModelFile(target);
  const r = await verifyPruning(model, d, masks, loadReference('simple-convnet').input, { pruned: written, session: { threads: 2 } });
  assert.ok(r.maxAbsDiff <= 1e-4, `written model differs from the gated model by ${r.maxAbsDiff}`);

  // Overwriting the target is fine; writing over the source is not, by any path to it.
  writePrunedModel(source, target, masks);
  const link = path.join(dir, 'link.onnx');
  fs.symlinkSync(source, link);
  const relative = path.relative(process.cwd(), source);
  for (const onto of [source, relative, link, path.join(dir, '.', 'simple-convnet.onnx')]) {
    assert.throws(() => writePrunedModel(source, onto, masks), /refusing to write the pruned model over the source model/, onto);
  }
  assert.throws(() => writePrunedModel(link, source, masks), /refusing/);
  assert.equal(sha256File(source), before, 'source unchanged after the refusals');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['link.onnx', 'out', 'simple-convnet.onnx'], 'no temporary files left behind');
  assert.deepEqual(fs.readdirSync(path.dirname(target)), ['pruned.onnx']);
});

test('writePrunedModel on the committed fixture leaves it byte-identical', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-prune-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const source = fixturePath('mlp');
  const before = sha256File(source);
  const model = readModelFile(source);
  const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)));
  const masks = d.groups.map((g) => Uint8Array.from({ length: g.channels }, (_, i) => (i < g.channels / 2 ? 1 : 0)));
  writePrunedModel(source, path.join(dir, 'mlp-pruned.onnx'), masks, { discovery: d });
  assert.equal(sha256File(source), before);
  assert.throws(() => writePrunedModel(source, source, masks, { discovery: d }), /refusing/);
  assert.equal(sha256File(source), before);
});
