/**
 * The two runs the bench compares, each in its own child process: our `bise extract --json` (through the CLI, as
 * a user runs it, its event lines timestamped on arrival) and the authors' loop in PyTorch
 * (bench/torch-bise-loop.py under Debian's /usr/bin/python3).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { spawn, spawnSync } from 'node:child_process';
import { TimedEvent } from './timeline';

const ROOT = path.join(__dirname, '..', '..');
const PYTHON = '/usr/bin/python3';

export interface OursRun {
  readonly wallMs: number;
  readonly events: readonly TimedEvent[];
  /** report.json of the run. */
  readonly report: {
    readonly data: { readonly sha256: string };
    readonly selection: { readonly epoch: number };
    readonly metrics: { readonly vanilla: Accuracy; readonly subnetwork: Accuracy };
    readonly masks: readonly { readonly keep: readonly boolean[] }[];
    readonly history: readonly unknown[];
  };
}

export interface Accuracy {
  readonly unbiasedAccuracy: number;
  readonly alignedAccuracy: number;
  readonly conflictingAccuracy: number;
}

/** Runs `bise extract MODEL --json …` and waits for it; throws with its last stderr lines when it fails. */
export function runOurs(model: string, flags: readonly string[], outDir: string): Promise<OursRun> {
  const args = ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'extract', model, '--json', '--overwrite', '--out', outDir, ...flags];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: TimedEvent[] = [];
  const stderr: string[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const t = performance.now() - started;
    try {
      events.push({ t, event: JSON.parse(line) as TimedEvent['event'] });
    } catch {
      stderr.push(`(not JSON on stdout) ${line}`);
    }
  });
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`bise extract failed (exit ${code}): ${stderr.join('').trim().split('\n').slice(-5).join('\n')}`));
        return;
      }
      const report = JSON.parse(fs.readFileSync(path.join(outDir, 'report.json'), 'utf8')) as OursRun['report'];
      resolve({ wallMs, events, report });
    });
  });
}

export interface TorchRun {
  readonly wallMs: number;
  readonly torch: string;
  readonly threads: number;
  readonly steps: number;
  readonly medianStepMs: number;
  readonly medianIterationMs: number;
  readonly epochs: number;
  readonly refits: number;
  /** Seconds per phase as the script measured them (import, load, pretrain_head, steps, data, val_eval, refits, test_eval, authors_evals). */
  readonly phasesS: Readonly<Record<string, number>>;
  readonly totalS: number;
  readonly selectedEpoch: number;
  readonly keptUnits: number;
  readonly totalUnits: number;
  readonly test: { readonly unbiased: number; readonly aligned: number; readonly conflicting: number };
  readonly vanillaTest: { readonly unbiased: number; readonly aligned: number; readonly conflicting: number };
}

/** Runs the PyTorch loop (its JSON line also written to `jsonOut` when given); returns a reason string when it cannot run here. */
export function runTorch(model: string, dataDir: string, gatesFile: string, flags: readonly string[], jsonOut?: string): TorchRun | string {
  if (!fs.existsSync(PYTHON)) return `no ${PYTHON} (Debian python3 with torch and onnx)`;
  const args = [path.join(ROOT, 'bench', 'torch-bise-loop.py'), '--model', model, '--data', dataDir, '--gates', gatesFile, ...flags];
  const started = performance.now();
  const r = spawnSync(PYTHON, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - started;
  if (r.status !== 0) return `the PyTorch loop failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' / ')}`;
  const line = r.stdout.trim().split('\n').pop() as string;
  if (jsonOut) fs.writeFileSync(jsonOut, `${line}\n`);
  const o = JSON.parse(line) as Record<string, unknown>;
  return {
    wallMs,
    torch: String(o.torch),
    threads: Number(o.threads),
    steps: Number(o.steps),
    medianStepMs: Number(o.median_step_ms),
    medianIterationMs: Number(o.median_iteration_ms),
    epochs: Number(o.epochs),
    refits: Number(o.refits),
    phasesS: o.phases_s as Record<string, number>,
    totalS: Number(o.total_s),
    selectedEpoch: Number(o.selected_epoch),
    keptUnits: Number(o.kept_units),
    totalUnits: Number(o.total_units),
    test: o.test as TorchRun['test'],
    vanillaTest: o.vanilla_test as TorchRun['vanillaTest'],
  };
}
