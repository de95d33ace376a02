/**
 * The PyTorch CPU reference (a bench/torch-*.py script under /usr/bin/python3, Debian's torch): the same step on
 * the same architecture with random weights, one python process per measurement so that its peak RSS is that
 * model's own. bench/torch-scale-step.py times the mask step, bench/torch-train-step.py the weight-training step,
 * bench/torch-family-step.py the mask step of the families section.
 * Returns a reason string when PyTorch cannot run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BenchModelKey, torchArchitectureArgs } from './models';
import { MaskStepSettings } from './mask-step-timing';

export interface TorchStepResult {
  readonly torch: string;
  readonly medianMs: number;
  readonly allMs: readonly number[];
  /** Median CPU time of the python process per timed step (all threads), ms, where the script reports it (bench/torch_timing.py). */
  readonly cpuMs?: number;
  /** RSS once torch is imported, before the model is built, MiB. */
  readonly startRssMiB: number;
  /** Peak RSS of the python process (resource.getrusage ru_maxrss), MiB. */
  readonly peakRssMiB: number;
  /** Trainable parameters of the PyTorch model, where the script reports them (torch-train-step.py). */
  readonly parameters?: number;
  /** max |ours − PyTorch| / max |ours| of the gate gradients, where the script compares them (torch-family-step.py). */
  readonly gradMaxRelDiff?: number;
  /**
   * The MI terms alone (a step with α = 0; torch-family-step.py): the same ratio, how far float32 rounding alone moves
   * dMI/dz there (the floor that ratio can reach), and max |dMI/dgate| / max |dL/dgate| (ours).
   */
  readonly miGrad?: { readonly maxRelDiff: number; readonly float32Noise: number; readonly share: number };
  /** torch's BLAS_INFO build setting, where the script reports it (torch-family-step.py). */
  readonly blas?: string;
}

export type TorchOutcome = TorchStepResult | { readonly unavailable: string };

const PYTHON = '/usr/bin/python3';
const BENCH_DIR = path.join(__dirname, '..');

export function torchMaskStep(model: BenchModelKey, s: MaskStepSettings): TorchOutcome {
  return runTorchScript('torch-scale-step.py', torchArchitectureArgs(model), s);
}

/** Runs bench/<script> with the model's flags plus the step settings, and parses its one JSON line. */
export function runTorchScript(script: string, modelArgs: readonly string[], s: Omit<MaskStepSettings, 'frequencyConv'>): TorchOutcome {
  if (!fs.existsSync(PYTHON)) return { unavailable: `no ${PYTHON}` };
  const args = [path.join(BENCH_DIR, script), ...modelArgs, '--batch', String(s.batch), '--threads', String(s.threads), '--warmup', String(s.warmup), '--repeats', String(s.repeats)];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) return { unavailable: `PyTorch failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}` };
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
    torch: string; median_ms: number; all_ms: number[]; cpu_ms?: number; start_rss_mib: number; peak_rss_mib: number; parameters?: number; grad_max_rel_diff?: number; blas?: string;
    mi_grad_max_rel_diff?: number; mi_grad_float32_noise?: number; mi_grad_share?: number;
  };
  return {
    torch: out.torch,
    medianMs: out.median_ms,
    allMs: out.all_ms,
    cpuMs: out.cpu_ms,
    startRssMiB: out.start_rss_mib,
    peakRssMiB: out.peak_rss_mib,
    parameters: out.parameters,
    gradMaxRelDiff: out.grad_max_rel_diff,
    miGrad: out.mi_grad_max_rel_diff === undefined ? undefined : { maxRelDiff: out.mi_grad_max_rel_diff, float32Noise: out.mi_grad_float32_noise ?? NaN, share: out.mi_grad_share ?? NaN },
    blas: out.blas,
  };
}

export function isTorchResult(o: TorchOutcome | undefined): o is TorchStepResult {
  return o !== undefined && !('unavailable' in o);
}
