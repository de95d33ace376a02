/** --tokenizer, --text-column and --max-length on extract and eval: text data specs from the command line, and what they refuse. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseFlags } from '../../src/cli/infra/flags';
import { UsageError } from '../../src/cli/infra/usage-error';
import { extractCommand } from '../../src/cli/commands/extract';
import { evalCommand } from '../../src/cli/commands/eval';
import { trainCommand } from '../../src/cli/commands/train';
import { dataSpec } from '../../src/cli/commands/shared-flags';
import { runEvalJob } from '../../src/core/jobs/eval-job';

const TEXT = path.join(__dirname, '..', 'fixtures', 'text');
const spec = (argv: string[]) => dataSpec(parseFlags(evalCommand.spec, ['m.onnx', ...argv]).flags);

test('a CSV with text flags, or a JSON Lines file, is text; the label columns map as for an image CSV', () => {
  const flags = ['--data', 'comments.csv', '--text-column', 'comment_text', '--target-column', 'toxic', '--bias-column', 'identity, gender', '--tokenizer', 'tok/tokenizer.json', '--max-length', '12'];
  for (const command of [extractCommand, evalCommand]) {
    assert.deepEqual(dataSpec(parseFlags(command.spec, ['m.onnx', ...flags]).flags), {
      kind: 'text-file',
      file: 'comments.csv',
      seed: 0,
      tokenizer: path.resolve('tok/tokenizer.json'),
      maxLength: 12,
      columns: { target: 'toxic', bias: ['identity', 'gender'], text: 'comment_text' },
    });
  }
  assert.deepEqual(spec(['--data', 'c.jsonl']), { kind: 'text-file', file: 'c.jsonl', seed: 0 });
  // Without a text flag a CSV stays an image CSV; the job reads it as text when the model takes token ids.
  assert.equal(spec(['--data', 'c.csv']).kind, 'image-csv');
});

test('a folder holding input_ids.npy is pre-tokenised text', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-tokens-'));
  fs.writeFileSync(path.join(dir, 'input_ids.npy'), '');
  assert.deepEqual(spec(['--data', dir, '--max-length', '64', '--target-column', 'toxic']), { kind: 'token-npy-folder', dir, seed: 0, maxLength: 64, columns: { target: 'toxic' } });
  assert.throws(() => spec(['--data', dir, '--tokenizer', 't.json']), (e: Error) => e instanceof UsageError && /folder of token ids already/.test(e.message));
});

test('image flags with text, and text flags without --data or on a command without text, are refused', () => {
  assert.throws(() => spec(['--data', 'c.jsonl', '--image-size', '32', '--path-column', 'p']), (e: Error) => e instanceof UsageError && /--path-column, --image-size apply to images; 'c.jsonl' is read as text/.test(e.message));
  assert.throws(() => spec(['--max-length', '12']), (e: Error) => e instanceof UsageError && /apply to text given with --data/.test(e.message));
  // bise train takes text since bert-mini: its --tokenizer still needs text (--data, or --dataset spam-names).
  assert.throws(() => dataSpec(parseFlags(trainCommand.spec, ['--out', 'x.onnx', '--tokenizer', 't.json']).flags), (e: Error) => e instanceof UsageError && /apply to text given with --data/.test(e.message));
  assert.equal(dataSpec(parseFlags(trainCommand.spec, ['--out', 'x.onnx', '--dataset', 'spam-names', '--tokenizer', 't.json']).flags).kind, 'spam-names');
});

test('eval runs on what the command line gives: the fixture BERT, its comments and its tokenizer', async () => {
  const flags = parseFlags(evalCommand.spec, ['m.onnx', '--data', path.join(TEXT, 'comments.csv'), '--text-column', 'comment_text', '--target-column', 'toxic', '--bias-column', 'identity', '--max-length', '8']).flags;
  const r = await runEvalJob({ modelPath: path.join(TEXT, 'wordpiece', 'bert-tiny.onnx'), data: dataSpec(flags), split: 'train', threads: 2 });
  assert.equal(r.metrics.samples, 9);
  assert.deepEqual(r.biasAttributes, ['identity']);
  // A wrong text column is named with the file.
  const wrong = parseFlags(evalCommand.spec, ['m.onnx', '--data', path.join(TEXT, 'comments.csv'), '--text-column', 'body']).flags;
  await assert.rejects(runEvalJob({ modelPath: path.join(TEXT, 'wordpiece', 'bert-tiny.onnx'), data: dataSpec(wrong), split: 'test' }), (e: Error) => e.message.includes('comments.csv') && /body/.test(e.message));
});
