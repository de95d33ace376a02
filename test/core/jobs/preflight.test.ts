/**
 * The preflight (jobs/preflight.ts): a model that cannot finish a run — its backward graph cannot be built, or
 * a pruned subnetwork of it cannot be exported — is refused by `bise info` and by the extract job in seconds,
 * naming the node, before any data is read or any epoch runs. A model that can finish passes, quickly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Model, floatAttr, intAttr } from '../../../src/core/onnx/ir';
import { serializeModel } from '../../../src/core/onnx/writer';
import { readModelFile } from '../../../src/core/onnx/reader';
import { OnnxModelError } from '../../../src/core/onnx/errors';
import { describeAndCheckModel } from '../../../src/core/jobs/info-job';
import { discoverModelUnits, modelIo } from '../../../src/core/jobs/model-analysis';
import { preflightModel } from '../../../src/core/jobs/preflight';
import { runExtractJob } from '../../../src/core/jobs/extract-job';
import { DEFAULT_EXTRACT_CONFIG } from '../../../src/core/bise/config';
import { JobEvent } from '../../../src/core/bise/events';
import { fixturePath } from '../../support/fixtures';
import { GraphBuilder } from '../prune/ir-builder';
import { k3 } from '../prune/mobile-blocks';

/** x [1, 28, 28] → conv (4) → `middle` → Relu → GAP → Flatten → Gemm (10 classes), as BiasedMNIST needs. */
function mnistNet(middle: (b: GraphBuilder, h: string) => string): Model {
  const b = new GraphBuilder(3);
  const x = b.input('x', ['batch', 1, 28, 28]);
  const h = b.node('Conv', [x, b.weight('w', [4, 1, 3, 3]), b.weight('bias', [4])], k3, 'conv');
  const t = b.node('Relu', [middle(b, h)], {}, 'relu');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [t])], { axis: intAttr(1) });
  return b.model(b.node('Gemm', [z, b.weight('fc', [10, 4]), b.weight('fcb', [10])], { transB: intAttr(1) }, 'fc'));
}

/**
 * A BatchNormalization exported in training mode (opset 15), after the conv's gate: it loads and runs, but the
 * gradient to the gate would pass through it, and it has no gradient rule.
 */
function trainingModeBn(): Model {
  const model = mnistNet((b, h) =>
    b.node(
      'BatchNormalization',
      [b.node('Relu', [h], {}, 'gate_relu'), b.weight('s', [4], undefined, 0.5, 1.5), b.weight('o', [4]), b.weight('m', [4]), b.weight('v', [4], undefined, 0.5, 1.5)],
      { training_mode: intAttr(1), epsilon: floatAttr(1e-5) },
      'bn',
    ),
  );
  return { ...model, opsetImports: [{ domain: '', version: 15 }] };
}

/** A Softmax over the channels after the gate: any pruned subnetwork is refused there. */
const channelSoftmax = (): Model => mnistNet((b, h) => b.node('Softmax', [b.node('Relu', [h], {}, 'gate_relu')], { axis: intAttr(1) }, 'softmax'));

function saved(model: Model): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-preflight-'));
  const file = path.join(dir, 'model.onnx');
  fs.writeFileSync(file, serializeModel(model));
  return file;
}

async function assertRefused(file: string, why: RegExp): Promise<void> {
  await assert.rejects(describeAndCheckModel(file), (e: unknown) => {
    assert.ok(e instanceof OnnxModelError, String(e));
    assert.match(e.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    assert.match(e.message, why);
    return true;
  });
}

test('bise info refuses a model whose backward graph cannot be built, naming the node', async () => {
  await assertRefused(saved(trainingModeBn()), /node 'bn' \(BatchNormalization\).*training_mode 1/);
});

test('bise info refuses a model whose pruned subnetworks cannot be exported, naming the node', async () => {
  await assertRefused(saved(channelSoftmax()), /node 'softmax' \(Softmax\)/);
});

test('the extract job refuses such a model before reading data or running an epoch, and writes nothing', async () => {
  for (const model of [trainingModeBn(), channelSoftmax()]) {
    const file = saved(model);
    const events: JobEvent[] = [];
    const started = performance.now();
    await assert.rejects(
      runExtractJob(
        {
          modelPath: file,
          data: { kind: 'biased-mnist', rho: 0.9, seed: 1, trainSize: 200, valSize: 100, testSize: 100 },
          config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 50, maxEpochs: 1 },
          overwrite: false,
          randomSeeds: 1,
          probe: false,
          probeEpochs: 1,
          threads: 1,
        },
        { onEvent: (e) => events.push(e) },
      ),
      (e: unknown) => e instanceof OnnxModelError && /node '(bn|softmax)'/.test(e.message),
    );
    assert.deepEqual(events.filter((e) => e.type !== 'log'), [], 'no progress, epoch or mask event: nothing ran');
    assert.ok(!fs.existsSync(path.join(path.dirname(file), 'model.bise')), 'no report folder');
    assert.ok(performance.now() - started < 30_000, 'refused in seconds');
  }
});

test('ResNet-18 passes the preflight in a few seconds', async () => {
  const file = fixturePath('resnet18');
  const model = readModelFile(file);
  const io = modelIo(model, file);
  const d = discoverModelUnits(model, file, io);
  const r = await preflightModel(model, file, d, { session: { threads: 2 } });
  assert.ok(r.keptUnits > 0 && r.keptUnits < r.totalUnits, 'a real subnetwork was pruned');
  assert.ok(r.relativeDifference < 1e-4, `relative logit difference ${r.relativeDifference}`);
  // Measured 1.9 s on a 2-core machine; the bound only catches a preflight that grew into minutes.
  assert.ok(r.seconds < 30, `preflight took ${r.seconds.toFixed(1)} s`);
});
