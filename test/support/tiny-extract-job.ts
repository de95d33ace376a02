/** A quick extract job for the worker's process-level tests: a quarter-width demo CNN and small BiasedMNIST splits. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSmallCnn, DEMO_CNN } from '../../src/core/models/small-cnn';
import { serializeModel } from '../../src/core/onnx/writer';
import { DEFAULT_EXTRACT_CONFIG } from '../../src/core/bise/config';
import type { ExtractJobSpec } from '../../src/protocol';
import type { WorkerOptions } from '../../src/host/worker-client';

/** The real worker, run through tsx as the extension runs dist/worker.js. */
export const REAL_WORKER: WorkerOptions = { workerPath: path.join(__dirname, '../../src/worker/main.ts'), execArgv: ['--import', 'tsx'] };

/** The job's common fields; `modelPath` and `outDir` are filled by the caller. */
export function extractJob(modelPath: string, outDir: string, overrides: Partial<ExtractJobSpec> = {}): ExtractJobSpec {
  return {
    kind: 'extract',
    modelPath,
    data: { kind: 'biased-mnist', rho: 0.9, seed: 1, trainSize: 300, valSize: 100, testSize: 100 },
    config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 50, tauPeriod: 1, maxEpochs: 2, auxEpochs: 1 },
    outDir,
    overwrite: false,
    provider: 'cpu',
    threads: 1,
    randomSeeds: 1,
    probe: false,
    probeEpochs: 1,
    ...overrides,
  };
}

/** A fresh temporary folder holding net.onnx (a quarter-width demo CNN) and the job that extracts it. */
export function tinyExtractJob(prefix: string, overrides: Partial<ExtractJobSpec> = {}): { dir: string; job: ExtractJobSpec } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const modelPath = path.join(dir, 'net.onnx');
  fs.writeFileSync(modelPath, serializeModel(buildSmallCnn({ ...DEMO_CNN, blocks: DEMO_CNN.blocks.map((b) => ({ ...b, channels: b.channels / 4 })) })));
  return { dir, job: extractJob(modelPath, path.join(dir, 'runs', 'net-1'), overrides) };
}
