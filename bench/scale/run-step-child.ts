/** Runs bench/scale/step-child.ts in a fresh node process for one model and parses its JSON line. */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BenchModelKey } from './models';
import { MaskStepSettings, MaskStepTiming } from './mask-step-timing';

export interface StepChildResult extends MaskStepTiming {
  /** RSS once node, tsx and onnxruntime-node are loaded, before the model is read, MiB. */
  readonly startRssMiB: number;
  /** The child's peak RSS over its life (process.resourceUsage().maxRSS), MiB. */
  readonly peakRssMiB: number;
}

const REPO_ROOT = path.join(__dirname, '..', '..');

/** `gatesOut`: a file to write what the engine gated to (bench/scale/gate-layout.ts). */
export function runStepChild(model: BenchModelKey, s: MaskStepSettings, gatesOut?: string): StepChildResult {
  const args = ['--import', 'tsx', path.join(__dirname, 'step-child.ts'), '--model', model, '--batch', String(s.batch), '--threads', String(s.threads), '--warmup', String(s.warmup), '--repeats', String(s.repeats)];
  if (s.frequencyConv === false) args.push('--direct-convs');
  if (s.memoryMb !== undefined) args.push('--memory-mb', String(s.memoryMb));
  if (gatesOut !== undefined) args.push('--gates-out', gatesOut);
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status ?? r.signal}`).trim().split('\n').slice(-3).join(' | ');
    throw new Error(`mask step of ${model} (batch ${s.batch}) failed in its child process: ${why}`);
  }
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as StepChildResult;
}
