/**
 * `npm run bench`: every benchmark, one after the other, in child processes (so each one's memory is its own):
 *   1. bench/mask-step.ts  SimpleConvNet mask step dense and with units pruned, vs PyTorch; pruned-model inference
 *   2. bench/scale.ts      mask step of SimpleConvNet, MLP and ResNet-18; pruned inference; peak RSS; scaling with
 *                          batch and width; the weight-training step; the mask step of five torchvision families
 *   3. bench/whole-run.ts  a whole `bise extract` at a short fixed schedule next to the authors' loop in PyTorch:
 *                          wall time, ms per step, where the time went, both subnetworks' accuracy (gets --threads
 *                          only; its own flags through `npm run bench:run -- …`)
 *
 *   npm run bench -- [--repeats N] [--threads N] [--batch N]        (passed to both)
 *                    [--pruned …] [--model …] [--no-direct] [--no-inference]           (mask-step only)
 *                    [--only …] [--warmup N] [--batches …] [--widths …] [--families …] [--no-torch]
 *                                                                                       (scale only)
 *
 * `npm run bench:step`, `npm run bench:scale` and `npm run bench:run` run one of them. Run on an idle machine: a
 * second busy process halves every figure.
 */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const SHARED = ['--repeats', '--threads', '--batch'];
const STEP_ONLY = ['--pruned', '--model', '--no-direct', '--no-inference'];
const SCALE_ONLY = ['--only', '--warmup', '--batches', '--widths', '--families', '--no-torch'];
const SWITCHES = new Set(['--no-direct', '--no-inference', '--no-torch']);

/** argv split into (flag, value?) pairs, kept for the scripts that know the flag. */
export function splitBenchArgs(argv: readonly string[]): { step: string[]; scale: string[] } {
  const step: string[] = [];
  const scale: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const pair = SWITCHES.has(flag) ? [flag] : [flag, argv[++i] ?? ''];
    if (SHARED.includes(flag)) {
      step.push(...pair);
      scale.push(...pair);
    } else if (STEP_ONLY.includes(flag)) step.push(...pair);
    else if (SCALE_ONLY.includes(flag)) scale.push(...pair);
    else throw new Error(`unknown flag ${flag} (known: ${[...SHARED, ...STEP_ONLY, ...SCALE_ONLY].join(', ')})`);
  }
  return { step, scale };
}

/** The whole-run bench shares only --threads with the others. */
export function wholeRunArgs(argv: readonly string[]): string[] {
  const i = argv.indexOf('--threads');
  return i >= 0 ? ['--threads', argv[i + 1] ?? ''] : [];
}

function run(script: string, args: readonly string[]): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, script), ...args], { stdio: 'inherit' });
  return r.status ?? 1;
}

if (require.main === module) {
  try {
    const { step, scale } = splitBenchArgs(process.argv.slice(2));
    process.exitCode = run('mask-step.ts', step) || run('scale.ts', scale) || run('whole-run.ts', wholeRunArgs(process.argv.slice(2)));
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 2;
  }
}
