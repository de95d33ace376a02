/**
 * `bise audit` (and the extension's "BISE: Audit Model for Bias"): measure a model as it is, without learning a
 * mask — accuracy per group, Fairlearn's group-fairness metrics per bias attribute, and the latent bias probe per
 * layer — and write an audit report folder (same schema, writer and export as an extraction's). One forward pass
 * over the validation and test splits and a few small probes: minutes on a CPU, not the hour of an extraction.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { readJobModel } from './job-model';
import { Model } from '../onnx/ir';
import { gateInputsFor } from '../graphs/gated-forward';
import { GatedInference } from '../bise/gated-inference';
import { predictDataset } from '../bise/predict';
import { probeSummary, ProbeSummary } from '../bise/assess';
import { throwIfCancelled } from '../bise/events';
import { Dataset } from '../data/dataset';
import { Discovery } from '../units/discover';
import { ExecutionProvider, SessionConfig } from '../runtime/session';
import { multiBiasBreakdown } from '../metrics/breakdown';
import { attributeFairness } from '../metrics/fairness';
import { AUDIT_KIND, AUDIT_REPORT_VERSION, AuditReport } from '../report/audit-schema';
import { auditFigures } from '../report/audit-figures';
import { REPORT_SCHEMA } from '../report/schema';
import { whyNotReplaceable, writeReportFolder } from '../report/write-report';
import { BuiltinDatasetSpec, LoadedData, datasetSha256, fileSha256, loadBuiltinDataset, withModelNormalisation } from './builtin-datasets';
import { fitDataToModel } from './data-fits-model';
import { flatSpec } from './extract-job';
import { JobContext } from './job-context';
import { discoverModelUnits, modelIo } from './model-analysis';
import { TOOL_NAME, TOOL_VERSION } from './tool-version';

export interface AuditJobOptions {
  readonly modelPath: string;
  readonly data: BuiltinDatasetSpec;
  /** Report folder (default: `<model folder>/<model name>.audit`). */
  readonly outDir?: string;
  readonly overwrite: boolean;
  /** Run the latent bias probe (needs the model's units; without it any ONNX classifier can be audited). */
  readonly probe: boolean;
  readonly probeEpochs: number;
  /** Seed of the probes. */
  readonly seed: number;
  readonly bottleneck?: string;
  readonly provider?: ExecutionProvider;
  readonly threads?: number;
}

export interface AuditJobResult {
  readonly folder: string;
  readonly report: AuditReport;
  readonly files: readonly string[];
}

export function defaultAuditFolder(modelPath: string): string {
  const parsed = path.parse(path.resolve(modelPath));
  return path.join(parsed.dir, `${parsed.name}.audit`);
}

const STEPS = 4;

export async function runAuditJob(o: AuditJobOptions, ctx: JobContext): Promise<AuditJobResult> {
  const started = performance.now();
  const folder = path.resolve(o.outDir ?? defaultAuditFolder(o.modelPath));
  refuseTakenFolder(folder, o.overwrite);
  const { bytes, model } = readJobModel(o.modelPath);
  // The model is refused (naming the file) before any data is read.
  const io = modelIo(model, o.modelPath);
  const discovery = o.probe ? discoverModelUnits(model, o.modelPath, io, o.bottleneck) : null;
  const progress = (done: number, message?: string): void => ctx.onEvent({ type: 'progress', phase: 'audit', done, total: STEPS, ...(message && { message }) });
  progress(0, 'loading the data');
  const data = fitDataToModel(io, loadBuiltinDataset(withModelNormalisation(o.data, model.metadata, o.modelPath)), o.modelPath);
  throwIfCancelled(ctx.signal);
  const session: SessionConfig = { provider: o.provider, threads: o.threads, onNote: (m: string) => ctx.onEvent({ type: 'log', level: 'warn', message: m }) };
  const measured = discovery ? await withProbe(model, discovery, data, o, session, progress, ctx.signal) : { predictions: await predictions(model, data.test, session, progress), probe: null };
  throwIfCancelled(ctx.signal);
  progress(3, 'group accuracy and fairness');
  const test = data.test;
  const metrics = multiBiasBreakdown(measured.predictions, test.y, test.biases, test.numClasses, test.biasClasses);
  const fairness = test.biases.map((b, k) => ({ attribute: data.biasAttributes[k], ...attributeFairness(measured.predictions, test.y, b, test.numClasses) }));
  const measuredReport: AuditReport = {
    schema: REPORT_SCHEMA,
    kind: AUDIT_KIND,
    version: AUDIT_REPORT_VERSION,
    createdAt: new Date().toISOString(),
    tool: { name: TOOL_NAME, version: TOOL_VERSION, onnxruntime: ort.env.versions.common ?? 'unknown', node: process.versions.node, executionProvider: session.provider ?? 'cpu' },
    model: {
      path: path.relative(folder, path.resolve(o.modelPath)).split(path.sep).join('/'),
      sha256: fileSha256(bytes),
      bottleneck: discovery?.bottleneck ?? null,
      classifier: discovery?.classifier ?? null,
    },
    data: {
      name: data.name,
      description: data.description,
      sha256: await datasetSha256(data),
      trainSize: data.train.y.length,
      valSize: data.val.y.length,
      testSize: test.y.length,
      biasAttributes: [...data.biasAttributes],
    },
    config: { dataset: o.data.kind, ...flatSpec(o.data), probe: o.probe, probeEpochs: o.probeEpochs, ...(o.bottleneck && { bottleneck: o.bottleneck }) },
    seed: o.seed,
    metrics,
    fairness,
    probe: measured.probe,
    outputs: { figures: [] },
    timings: { totalSeconds: (performance.now() - started) / 1000 },
  };
  const report: AuditReport = { ...measuredReport, outputs: { figures: auditFigures(measuredReport).map((f) => f.file) } };
  throwIfCancelled(ctx.signal);
  const files = writeReportFolder(folder, report, null, { protect: [path.resolve(o.modelPath)], overwrite: o.overwrite });
  progress(STEPS);
  return { folder, report, files };
}

/**
 * An existing folder is refused now, in a second, rather than when the report is written: without overwrite, and
 * with it when the folder is not an earlier report (the writer would refuse it then too).
 */
function refuseTakenFolder(folder: string, overwrite: boolean): void {
  if (!fs.existsSync(folder)) return;
  if (!overwrite) throw new Error(`the report folder '${folder}' already exists; pass --overwrite to replace it, or --out to choose another`);
  const why = fs.statSync(folder).isDirectory() ? whyNotReplaceable(folder) : 'it is a file, not a folder; choose another with --out';
  if (why !== null) throw new Error(`cannot replace '${folder}': ${why}`);
}

/** Predictions on the test split from the gated forward pass (all gates open) that also feeds the probe. */
async function withProbe(
  model: Model,
  discovery: Discovery,
  data: LoadedData,
  o: AuditJobOptions,
  session: SessionConfig,
  progress: (done: number, message?: string) => void,
  signal: AbortSignal | undefined,
): Promise<{ predictions: Int32Array; probe: ProbeSummary }> {
  const gates = gateInputsFor(discovery, 'group');
  const inference = await GatedInference.create(model, discovery, gates, { ...session, pooledSites: true });
  try {
    const open = gates.map((g) => new Float32Array(g.channels).fill(1));
    progress(1, 'running the model on the test and validation splits');
    const test = await inference.run(data.test, open);
    throwIfCancelled(signal);
    const val = await inference.run(data.val, open);
    throwIfCancelled(signal);
    progress(2, `latent bias probe on the bottleneck and ${discovery.sites.length} layers`);
    return { predictions: test.predictions, probe: probeSummary(discovery, val, test, data.val, data.test, { seed: o.seed, epochs: o.probeEpochs }) };
  } finally {
    await inference.release();
  }
}

async function predictions(model: Model, test: Dataset, session: SessionConfig, progress: (done: number, message?: string) => void): Promise<Int32Array> {
  progress(1, 'running the model on the test split');
  return (await predictDataset(model, test, session)).predictions;
}
