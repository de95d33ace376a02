/**
 * The `families` section's measurements: for each torchvision family, export it with Debian's torch into a temp
 * folder (bench/torch-family-export.py: random weights, eval mode, BatchNorms folded, dynamic batch), time our mask
 * step on that file in a child process (bench/scale/step-child.ts: the fused step extract runs, BISE loss included, as
 * in the ResNet-18 row), which also writes what the engine gated and the step's loss, then time PyTorch's step gating
 * the same tensors of the same weights under the same loss (bench/torch-family-step.py). A family the engine cannot
 * run yet keeps its error instead of stopping the bench.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileModelKey } from './models';
import { MaskStepSettings } from './mask-step-timing';
import { StepChildResult, runStepChild } from './run-step-child';
import { TorchOutcome, runTorchScript } from './torch-reference';
import { GateLayout } from './gate-layout';

export interface Family {
  /** torchvision.models builder name, as bench/torch_families.py knows it. */
  readonly name: string;
  readonly label: string;
  readonly opset: number;
  /** Input height and width, fixed in the export (the batch stays dynamic). */
  readonly size: number;
}

/** 32×32 input, 10 classes. Opset 13 for all: torch 1.13 writes ConvNeXt's LayerNorm as primitive ops there. */
export const FAMILIES: readonly Family[] = [
  { name: 'resnet50', label: 'ResNet-50', opset: 13, size: 32 },
  { name: 'mobilenet_v2', label: 'MobileNetV2', opset: 13, size: 32 },
  { name: 'efficientnet_b0', label: 'EfficientNet-B0', opset: 13, size: 32 },
  { name: 'densenet121', label: 'DenseNet-121', opset: 13, size: 32 },
  { name: 'convnext_tiny', label: 'ConvNeXt-T', opset: 13, size: 32 },
];

/** Issue 14's ImageNet-resolution rows: torchvision's ResNets at 224×224 (10 classes), timed at batch 32. */
export const IMAGENET_FAMILIES: readonly Family[] = [
  { name: 'resnet18', label: 'ResNet-18 (224×224)', opset: 13, size: 224 },
  { name: 'resnet50', label: 'ResNet-50 (224×224)', opset: 13, size: 224 },
];

export interface EngineGating {
  readonly gateVectors: number;
  readonly units: number;
  readonly sites: number;
  /** Units the engine saw and left ungated. */
  readonly leftOut: number;
}

export interface FamilyMeasurement {
  readonly family: Family;
  readonly exportMs: number;
  /** Why there is no export (no Python, torch failed): then nothing else was run. */
  readonly exportError?: string;
  readonly ours?: StepChildResult & { readonly gating: EngineGating };
  /** The engine's error when it could not build or run the step. */
  readonly oursError?: string;
  /** Undefined when PyTorch was switched off or the engine failed (nothing to gate the same way). */
  readonly torch?: TorchOutcome;
}

const PYTHON = '/usr/bin/python3';
const BENCH_DIR = path.join(__dirname, '..');

function exportFamily(f: Family, dir: string): { onnx: string; weights: string } | string {
  if (!fs.existsSync(PYTHON)) return `no ${PYTHON} to export it with`;
  const r = spawnSync(PYTHON, [path.join(BENCH_DIR, 'torch-family-export.py'), '--model', f.name, '--out', dir, '--opset', String(f.opset), '--size', String(f.size)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) return `export failed: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as { onnx: string; weights: string };
}

export function gatingOf(layout: GateLayout): EngineGating {
  return {
    gateVectors: layout.gates.length,
    units: layout.gates.reduce((n, g) => n + g.units, 0),
    sites: layout.gates.reduce((n, g) => n + g.sites.length, 0),
    leftOut: layout.skipped.length,
  };
}

/** Measures one family in a temp folder of its own, removed afterwards (the exports are up to ~110 MB each). */
export function measureFamily(f: Family, s: MaskStepSettings, withTorch: boolean): FamilyMeasurement {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bise-bench-${f.name}-${f.size}-`));
  try {
    const t0 = performance.now();
    const exported = exportFamily(f, dir);
    const exportMs = performance.now() - t0;
    if (typeof exported === 'string') return { family: f, exportMs, exportError: exported };
    const gatesFile = path.join(dir, `${f.name}.gates.json`);
    let ours: FamilyMeasurement['ours'];
    try {
      const timing = runStepChild(fileModelKey(exported.onnx), s, gatesFile);
      ours = { ...timing, gating: gatingOf(JSON.parse(fs.readFileSync(gatesFile, 'utf8')) as GateLayout) };
    } catch (e) {
      return { family: f, exportMs, oursError: (e as Error).message.replace(/^mask step of .* failed in its child process: /, '') };
    }
    const torch = withTorch ? runTorchScript('torch-family-step.py', ['--model', f.name, '--weights', exported.weights, '--gates', gatesFile, '--size', String(f.size)], s) : undefined;
    return { family: f, exportMs, ours, torch };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
