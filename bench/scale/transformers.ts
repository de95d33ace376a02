/**
 * The `transformers` section's measurements (issue 13, "Speed and memory"): bert-mini's architecture (plain-torch
 * BERT, bench/torch_transformers.py) at batch × sequence, gating its MLP neurons and then its MLP neurons and
 * attention heads, and torchvision's ViT at 32×32 gating its MLP neurons. Each model is exported with Debian's torch
 * into a temp folder (bench/torch-transformer-export.py: random weights seed 0, opset 17, and for bert-mini the token
 * batch both sides feed), our mask step is timed on that file in a child process (./token-step-child.ts for
 * bert-mini, ./step-child.ts for ViT), which also writes what the engine gated, then PyTorch's step gating the same
 * tensors of the same weights (bench/torch-transformer-step.py). A row the engine cannot run keeps its error.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { UnitKind } from '../../src/core/units/attention-heads';
import { fileModelKey } from './models';
import { MaskStepSettings } from './mask-step-timing';
import { StepChildResult, runStepChild } from './run-step-child';
import { TorchOutcome, runTorchScript } from './torch-reference';
import { EngineGating, gatingOf } from './families';
import { GateLayout } from './gate-layout';

export type TransformerModel = 'bert-mini' | 'vit';

export interface TransformerRow {
  readonly model: TransformerModel;
  readonly label: string;
  /** What the engine gates (its --units). */
  readonly units: UnitKind;
}

/** The section's rows, in print order; rows of one model share its export. */
export const TRANSFORMER_ROWS: readonly TransformerRow[] = [
  { model: 'bert-mini', label: 'bert-mini, MLP neurons', units: 'mlp' },
  { model: 'bert-mini', label: 'bert-mini, MLP neurons + heads', units: 'both' },
  { model: 'vit', label: 'ViT-6×192 (32×32)', units: 'mlp' },
];

export interface TransformerSettings {
  readonly batch: number;
  /** bert-mini's tokens per row (ViT's 65 tokens follow from its 32×32 input and 4×4 patches). */
  readonly sequence: number;
  readonly threads: number;
  readonly warmup: number;
  readonly repeats: number;
  readonly torch: boolean;
}

export interface TransformerMeasurement {
  readonly row: TransformerRow;
  readonly exportMs: number;
  /** Why there is no export (no Python, torch failed): then nothing else was run. */
  readonly exportError?: string;
  readonly ours?: StepChildResult & { readonly gating: EngineGating };
  /** The engine's error when it could not build or run the step. */
  readonly oursError?: string;
  /** Undefined when PyTorch was switched off or the engine failed (nothing to gate the same way). */
  readonly torch?: TorchOutcome;
}

interface Exported {
  readonly onnx: string;
  readonly weights: string;
  /** bert-mini's token batch (JSON); null for ViT, which is fed x[i] = sin(i). */
  readonly inputs: string | null;
}

const PYTHON = '/usr/bin/python3';
const BENCH_DIR = path.join(__dirname, '..');
const REPO_ROOT = path.join(__dirname, '..', '..');

function exportTransformer(model: TransformerModel, dir: string, s: TransformerSettings): Exported | string {
  if (!fs.existsSync(PYTHON)) return `no ${PYTHON} to export it with`;
  const r = spawnSync(PYTHON, [path.join(BENCH_DIR, 'torch-transformer-export.py'), '--model', model, '--out', dir, '--batch', String(s.batch), '--sequence', String(s.sequence)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) return `export failed: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Exported;
}

/** Runs ./token-step-child.ts in a fresh node process, as runStepChild does ./step-child.ts. */
export function runTokenStepChild(onnx: string, inputs: string, units: UnitKind, s: Omit<MaskStepSettings, 'batch' | 'frequencyConv'>, gatesOut?: string): StepChildResult {
  const args = ['--import', 'tsx', path.join(__dirname, 'token-step-child.ts'), '--model', onnx, '--inputs', inputs, '--units', units, '--threads', String(s.threads), '--warmup', String(s.warmup), '--repeats', String(s.repeats)];
  if (gatesOut !== undefined) args.push('--gates-out', gatesOut);
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status ?? r.signal}`).trim().split('\n').slice(-3).join(' | ');
    throw new Error(`mask step of ${path.basename(onnx)} (--units ${units}) failed in its child process: ${why}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as StepChildResult;
}

function measureRow(row: TransformerRow, exported: Exported, dir: string, s: TransformerSettings, exportMs: number): TransformerMeasurement {
  const gatesFile = path.join(dir, `${row.model}-${row.units}.gates.json`);
  const steps = { threads: s.threads, warmup: s.warmup, repeats: s.repeats };
  let ours: TransformerMeasurement['ours'];
  try {
    const timing = exported.inputs === null ? runStepChild(fileModelKey(exported.onnx), { ...steps, batch: s.batch }, gatesFile) : runTokenStepChild(exported.onnx, exported.inputs, row.units, steps, gatesFile);
    ours = { ...timing, gating: gatingOf(JSON.parse(fs.readFileSync(gatesFile, 'utf8')) as GateLayout) };
  } catch (e) {
    return { row, exportMs, oursError: (e as Error).message.replace(/^mask step of .* failed in its child process: /, '') };
  }
  if (!s.torch) return { row, exportMs, ours };
  const modelArgs = ['--model', row.model, '--weights', exported.weights, '--gates', gatesFile, ...(exported.inputs === null ? [] : ['--inputs', exported.inputs])];
  return { row, exportMs, ours, torch: runTorchScript('torch-transformer-step.py', modelArgs, { ...steps, batch: s.batch }) };
}

/** Measures the rows, one export per model in a temp folder of its own, removed afterwards. */
export function measureTransformers(rows: readonly TransformerRow[], s: TransformerSettings, progress: (m: string) => void): TransformerMeasurement[] {
  const out: TransformerMeasurement[] = [];
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bise-bench-${model}-`));
    try {
      const t0 = performance.now();
      const exported = exportTransformer(model, dir, s);
      const exportMs = performance.now() - t0;
      for (const row of rows.filter((r) => r.model === model)) {
        progress(`transformers: ${row.label}, batch ${s.batch}${model === 'bert-mini' ? ` × sequence ${s.sequence}` : ''}`);
        out.push(typeof exported === 'string' ? { row, exportMs, exportError: exported } : measureRow(row, exported, dir, s, exportMs));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}
