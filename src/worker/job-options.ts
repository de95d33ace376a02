/** Turns a protocol job into the core's extract- or audit-job options, and a finished job into the protocol's result. */
import * as path from 'node:path';
import type { ExtractJobOptions, ExtractJobResult } from '../core/jobs/extract-job';
import { DEMO } from '../core/jobs/demo-setting';
import type { BuiltinDatasetSpec } from '../core/jobs/builtin-datasets';
import type { ExecutionProvider as CoreProvider } from '../core/runtime/session';
import type { AuditJobOptions, AuditJobResult } from '../core/jobs/audit-job';
import type { UnitKind } from '../core/units/attention-heads';
import { AuditJobSpec, AuditRunResult, BiasSource, DatasetChoice, ExecutionProvider, JobSpec, RunResult, UnitChoice } from '../protocol/jobs';

/** The protocol's provider list is the core's (compile-time check; see src/protocol/jobs.ts). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const providersAgree: Same<ExecutionProvider, CoreProvider> = true;
void providersAgree;

/** The protocol's bias-label sources are the core's (`--bias-from`). */
const biasSourcesAgree: Same<BiasSource, NonNullable<ExtractJobOptions['biasFrom']>> = true;
void biasSourcesAgree;

/** The protocol's unit choices are the core's (`--units`). */
const unitsAgree: Same<UnitChoice, UnitKind> = true;
void unitsAgree;

/** The protocol's dataset choice as the core's dataset spec (built-in generators or the user's files). */
function builtinData(d: DatasetChoice): BuiltinDatasetSpec {
  switch (d.kind) {
    case 'biased-mnist':
      return { kind: 'biased-mnist', rho: d.rho, seed: d.seed, trainSize: d.trainSize, valSize: d.valSize, testSize: d.testSize };
    case 'multi-color-mnist':
      return { kind: 'multi-color-mnist', rhoLeft: d.rhoLeft, rhoRight: d.rhoRight, seed: d.seed, trainSize: d.trainSize, valSize: d.valSize, testSize: d.testSize };
    case 'corrupted-fashion-mnist':
      return { kind: 'corrupted-fashion-mnist', rho: d.rho, seed: d.seed, trainSize: d.trainSize, valSize: d.valSize, testSize: d.testSize };
    case 'npy-folder':
      return { kind: 'npy-folder', dir: d.folder, seed: 0 };
    case 'image-csv':
      return { kind: 'image-csv', file: d.csv, seed: 0, ...(d.columns ? { columns: { path: d.columns.path, target: d.columns.target, bias: [...d.columns.bias] } } : {}) };
    case 'image-attributes':
      return { kind: 'image-attributes', location: d.attributes, seed: 0, ...(d.columns ? { columns: { path: d.columns.path, target: d.columns.target, bias: [...d.columns.bias] } } : {}) };
    case 'text-file':
      return {
        kind: 'text-file',
        file: d.file,
        seed: 0,
        ...(d.tokenizer !== undefined && { tokenizer: d.tokenizer }),
        ...(d.maxLength !== undefined && { maxLength: d.maxLength }),
        ...(d.columns && { columns: { text: d.columns.text, target: d.columns.target, bias: [...d.columns.bias] } }),
      };
    case 'token-npy-folder':
      return { kind: 'token-npy-folder', dir: d.folder, seed: 0, ...(d.maxLength !== undefined && { maxLength: d.maxLength }) };
  }
}

export function extractJobOptions(job: JobSpec): ExtractJobOptions {
  if (job.kind === 'audit') throw new Error('an audit job has no extract options (src/worker/serve.ts runs it with auditJobOptions)');
  if (job.kind === 'demo') {
    return {
      ...DEMO.job,
      modelPath: DEMO.modelPath,
      data: DEMO.data,
      config: { ...DEMO.job.config, seed: job.seed },
      outDir: path.resolve(job.outDir),
      overwrite: true,
      provider: job.provider,
      threads: job.threads,
      ...(job.memoryMb !== undefined && { memoryMb: job.memoryMb }),
    };
  }
  return {
    modelPath: job.modelPath,
    data: builtinData(job.data),
    config: job.config,
    outDir: path.resolve(job.outDir),
    overwrite: job.overwrite,
    bottleneck: job.bottleneck,
    provider: job.provider,
    threads: job.threads,
    ...(job.memoryMb !== undefined && { memoryMb: job.memoryMb }),
    randomSeeds: job.randomSeeds,
    probe: job.probe,
    probeEpochs: job.probeEpochs,
    // A spec from before these fields existed: the dataset's bias labels, none flipped.
    biasFrom: job.biasFrom ?? 'given',
    biasNoise: job.biasNoise ?? 0,
    ...(job.units !== undefined && { units: job.units }),
  };
}

export function runResult(r: ExtractJobResult): RunResult {
  const { metrics, pruning, timings } = r.report;
  return {
    folder: r.folder,
    reportPath: path.join(r.folder, 'report.json'),
    files: [...r.files],
    summary: {
      vanillaUnbiasedAccuracy: metrics.vanilla.unbiasedAccuracy,
      subnetworkUnbiasedAccuracy: metrics.subnetwork.unbiasedAccuracy,
      unitsBefore: pruning.unitsBefore,
      unitsAfter: pruning.unitsAfter,
      paramsBefore: pruning.paramsBefore,
      paramsAfter: pruning.paramsAfter,
      flopsBefore: pruning.flopsBefore,
      flopsAfter: pruning.flopsAfter,
      seconds: timings.totalSeconds,
    },
  };
}

export function auditJobOptions(job: AuditJobSpec): AuditJobOptions {
  return {
    modelPath: job.modelPath,
    data: builtinData(job.data),
    outDir: path.resolve(job.outDir),
    // The host gives every run a fresh folder of its own.
    overwrite: false,
    probe: job.probe,
    probeEpochs: job.probeEpochs,
    seed: job.seed,
    bottleneck: job.bottleneck,
    provider: job.provider,
    threads: job.threads,
  };
}

export function auditRunResult(r: AuditJobResult): AuditRunResult {
  const { metrics, fairness, probe, timings } = r.report;
  return {
    folder: r.folder,
    reportPath: path.join(r.folder, 'report.json'),
    files: [...r.files],
    summary: {
      unbiasedAccuracy: metrics.unbiasedAccuracy,
      worstGroupAccuracy: metrics.worstGroupAccuracy,
      demographicParityDifference: Math.max(...fairness.map((f) => f.worst.demographicParityDifference)),
      equalizedOddsDifference: Math.max(...fairness.map((f) => f.worst.equalizedOddsDifference)),
      probeAccuracy: probe?.linearAccuracy ?? null,
      probeChance: probe?.chance ?? null,
      seconds: timings.totalSeconds,
    },
  };
}
