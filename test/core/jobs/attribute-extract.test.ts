/**
 * `bise extract|eval|audit --data <CelebA folder> --target-column Blond_Hair --bias-column Male`: the flags become an
 * attribute dataset spec, and a one-epoch extraction, an evaluation and an audit run on the committed fixture, with
 * the same report streamed or in memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseFlags } from '../../../src/cli/infra/flags';
import { auditCommand } from '../../../src/cli/commands/audit';
import { evalCommand } from '../../../src/cli/commands/eval';
import { extractCommand } from '../../../src/cli/commands/extract';
import { dataSpec } from '../../../src/cli/commands/shared-flags';
import { DEFAULT_EXTRACT_CONFIG } from '../../../src/core/bise/config';
import { runAuditJob } from '../../../src/core/jobs/audit-job';
import { BuiltinDatasetSpec } from '../../../src/core/jobs/builtin-datasets';
import { runEvalJob } from '../../../src/core/jobs/eval-job';
import { ExtractJobOptions, runExtractJob } from '../../../src/core/jobs/extract-job';
import { buildSmallCnn } from '../../../src/core/models/small-cnn';
import { serializeModel } from '../../../src/core/onnx/writer';

const CELEBA = path.resolve(__dirname, '../../fixtures/celeba-attributes');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-attribute-job-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const modelPath = path.join(dir, 'net.onnx');
fs.writeFileSync(modelPath, serializeModel(buildSmallCnn({ inputChannels: 3, height: 8, width: 8, blocks: [{ channels: 4, kernel: 3, stride: 1 }, { channels: 6, kernel: 3, stride: 2 }], classes: 2, seed: 1 })));
const roles = ['--target-column', 'Blond_Hair', '--bias-column', 'Male'];

test('extract, eval and audit read --data <folder or attribute file> with attribute names as the target and bias columns', () => {
  for (const [command, location] of [[extractCommand, CELEBA], [evalCommand, path.join(CELEBA, 'list_attr_celeba.txt')], [auditCommand, CELEBA]] as const) {
    const spec = dataSpec(parseFlags(command.spec, ['m.onnx', '--data', location, ...roles, '--stream']).flags);
    assert.deepEqual(spec, { kind: 'image-attributes', location, seed: 0, size: undefined, channels: 3, normalize: undefined, columns: { target: 'Blond_Hair', bias: ['Male'] }, stream: true }, command.name);
  }
});

test('a one-epoch extraction gives the same report streamed or in memory; eval and audit run on the same data', async () => {
  const data = (stream: boolean): BuiltinDatasetSpec => ({ kind: 'image-attributes', location: CELEBA, seed: 0, columns: { target: 'Blond_Hair', bias: ['Male'] }, stream, cacheMb: 1 });
  const options = (stream: boolean): ExtractJobOptions => ({
    modelPath,
    data: data(stream),
    config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 8, tauPeriod: 1, maxEpochs: 1, auxEpochs: 1 },
    outDir: path.join(dir, stream ? 'streamed' : 'memory'),
    overwrite: false,
    randomSeeds: 1,
    probe: false,
    probeEpochs: 1,
    threads: 1,
  });
  const memory = (await runExtractJob(options(false), { onEvent: () => undefined })).report;
  const streamed = (await runExtractJob(options(true), { onEvent: () => undefined })).report;
  assert.deepEqual(memory.data.biasAttributes, ['Male']);
  assert.match(memory.data.description, /images in img_align_celeba\/, attributes from list_attr_celeba\.txt, splits from list_eval_partition\.txt/);
  assert.equal(streamed.data.sha256, memory.data.sha256);
  assert.deepEqual(streamed.masks, memory.masks);
  assert.deepEqual(streamed.metrics, memory.metrics);

  const evaluated = await runEvalJob({ modelPath, data: data(true), split: 'test', threads: 1 });
  assert.deepEqual(evaluated.biasAttributes, ['Male']);
  const audit = await runAuditJob({ modelPath, data: data(false), outDir: path.join(dir, 'audit'), overwrite: false, probe: false, probeEpochs: 1, seed: 0, threads: 1 }, { onEvent: () => undefined });
  assert.ok(fs.existsSync(audit.folder));
});
