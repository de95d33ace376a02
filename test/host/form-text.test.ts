/**
 * The form's text datasets (src/host/form.ts with tokenizer-options.ts): the job carries the text file, its columns,
 * the tokenizer and the length cap, and the units; the tokenizer is one the host offered (next to the model, or
 * picked in its dialog), never a path of the page's choosing; every bad field is named at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectWorkspaceDatasets } from '../../src/host/datasets';
import { buildExtractJob, defaultForm, FormContext } from '../../src/host/form';
import { savedTokenizer, tokenizerBesideModel, tokenizerOptions } from '../../src/host/tokenizer-options';
import { loadSavedChoice, saveChoice } from '../../src/host/saved-choice';
import { defaultTokenizer } from '../../src/core/jobs/text-data';
import type { FieldError, FormValues } from '../../src/protocol';

const TEXT = path.join(__dirname, '..', 'fixtures', 'text');

/** A workspace with the fixture texts, a token folder and a model with (or without) its tokenizer beside it. */
function setUp(withTokenizer = true): { ws: string; ctx: FormContext } {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-form-text-'));
  fs.mkdirSync(path.join(ws, 'model'));
  fs.mkdirSync(path.join(ws, 'data', 'tokens'), { recursive: true });
  fs.copyFileSync(path.join(TEXT, 'comments.csv'), path.join(ws, 'data', 'comments.csv'));
  for (const f of ['input_ids.npy', 'attention_mask.npy', 'labels.csv']) fs.writeFileSync(path.join(ws, 'data', 'tokens', f), '');
  if (withTokenizer) fs.copyFileSync(path.join(TEXT, 'wordpiece', 'tokenizer.json'), path.join(ws, 'model', 'tokenizer.json'));
  const datasets = detectWorkspaceDatasets(ws);
  return { ws, ctx: { modelPath: path.join(ws, 'model', 'bert.onnx'), datasets, providers: ['cpu'], outDir: path.join(ws, 'out') } };
}

function errorsOf(patch: Partial<FormValues>, ctx: FormContext): FieldError[] {
  const r = buildExtractJob({ ...defaultForm(), ...patch }, ctx);
  assert.equal(r.ok, false, 'expected the form to be refused');
  return r.ok ? [] : r.errors;
}

test('a text CSV with the suggested columns and the tokenizer next to the model makes a text job (units and length when set)', () => {
  const { ws, ctx } = setUp();
  const r = buildExtractJob({ ...defaultForm(), dataset: 'text:data/comments.csv' }, ctx);
  assert.ok(r.ok, JSON.stringify(r));
  if (!r.ok) return;
  assert.deepEqual(r.job.data, { kind: 'text-file', file: path.join(ws, 'data', 'comments.csv'), columns: { text: 'comment_text', target: 'toxic', bias: ['identity'] } });
  assert.equal('units' in r.job, false, 'mlp, the default, leaves the job as before');
  const both = buildExtractJob({ ...defaultForm(), dataset: 'text:data/comments.csv', units: 'both', maxLength: ' 32 ', textColumns: { text: 'comment_text', target: 'identity', bias: ['toxic'] } }, ctx);
  assert.ok(both.ok, JSON.stringify(both));
  if (!both.ok) return;
  assert.equal(both.job.units, 'both');
  assert.deepEqual(both.job.data, { kind: 'text-file', file: path.join(ws, 'data', 'comments.csv'), columns: { text: 'comment_text', target: 'identity', bias: ['toxic'] }, maxLength: 32 });
  const folder = buildExtractJob({ ...defaultForm(), dataset: 'tokens:data/tokens', maxLength: '64' }, ctx);
  assert.ok(folder.ok, JSON.stringify(folder));
  if (folder.ok) assert.deepEqual(folder.job.data, { kind: 'token-npy-folder', folder: path.join(ws, 'data', 'tokens'), maxLength: 64 });
});

test('the tokenizer is the one next to the model (where the engine looks) or one the host offered; any other id is refused', () => {
  const { ws, ctx } = setUp(false);
  assert.equal(tokenizerBesideModel(ctx.modelPath), defaultTokenizer(ctx.modelPath));
  const missing = errorsOf({ dataset: 'text:data/comments.csv' }, ctx);
  assert.deepEqual(
    missing.map((e) => e.field),
    ['tokenizer'],
  );
  assert.match(missing[0].message, new RegExp(`Tokenizer: ${path.join(ws, 'model', 'tokenizer.json').replace(/[.\\]/g, '\\$&')} not found; put the model's tokenizer.json`));
  const picked = path.join(TEXT, 'wordpiece', 'tokenizer.json');
  const withPick = { ...ctx, tokenizers: [picked] };
  assert.deepEqual(
    tokenizerOptions(ctx.modelPath, [picked, picked]).map((t) => [t.id, t.found]),
    [
      ['', false],
      [picked, true],
    ],
  );
  const r = buildExtractJob({ ...defaultForm(), dataset: 'text:data/comments.csv', tokenizer: picked }, withPick);
  assert.ok(r.ok, JSON.stringify(r));
  if (r.ok) assert.equal(r.job.data.kind === 'text-file' && r.job.data.tokenizer, picked);
  // A path the host did not offer, however it is spelled, is refused on the tokenizer field.
  for (const id of [path.join(TEXT, 'bytelevel-bpe', 'tokenizer.json'), '/etc/passwd', `${picked}/..`, 'tokenizer.json']) {
    const errors = errorsOf({ dataset: 'text:data/comments.csv', tokenizer: id }, withPick);
    assert.ok(
      errors.some((e) => e.field === 'tokenizer' && /is not one of the tokenizers offered/.test(e.message)),
      `${id}: ${JSON.stringify(errors)}`,
    );
  }
});

test('bad text fields are all named: columns, length, units, and bias labels the engine cannot make for texts', () => {
  const { ctx } = setUp();
  const errors = errorsOf(
    { dataset: 'text:data/comments.csv', textColumns: { text: 'comment_text', target: 'comment_text', bias: ['nope'] }, maxLength: '0', units: 'layers', biasFrom: 'identify', biasNoise: '0.1' },
    ctx,
  );
  const fields = errors.map((e) => e.field);
  for (const f of ['textColumns', 'maxLength', 'units', 'biasFrom', 'biasNoise']) assert.ok(fields.includes(f as FieldError['field']), `${f}: ${JSON.stringify(errors)}`);
  const messages = errors.map((e) => e.message).join('\n');
  assert.match(messages, /Bias column: data\/comments\.csv has no column "nope" \(its columns: comment_text, toxic, identity, split\)/);
  assert.match(messages, /Column "comment_text" of data\/comments\.csv is chosen as both the text and the target column/);
  assert.match(messages, /Max tokens per text: expected a whole number ≥ 1 \(e\.g\. 128\), got 0/);
  assert.match(messages, /Units to gate: expected one of mlp, heads, both/);
});

test('a saved choice keeps the text fields and its picked tokenizer, which the host offers again', () => {
  const { ctx } = setUp();
  const picked = path.join(TEXT, 'wordpiece', 'tokenizer.json');
  const form: FormValues = { ...defaultForm(), dataset: 'text:data/comments.csv', tokenizer: picked, maxLength: '16', units: 'heads', textColumns: { text: 'comment_text', target: 'toxic', bias: ['identity'] } };
  saveChoice(ctx.modelPath, form);
  const loaded = loadSavedChoice(ctx.modelPath);
  assert.equal(loaded.kind, 'loaded');
  if (loaded.kind !== 'loaded') return;
  assert.deepEqual(loaded.form, form);
  const offered = tokenizerOptions(ctx.modelPath, savedTokenizer(loaded.form));
  assert.deepEqual(
    offered.map((t) => t.id),
    ['', picked],
  );
  assert.ok(buildExtractJob(loaded.form, { ...ctx, tokenizers: savedTokenizer(loaded.form) }).ok);
  // The default ('' = next to the model) is no path to offer again.
  assert.deepEqual(savedTokenizer({ tokenizer: '' }), []);
});
