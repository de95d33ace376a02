/**
 * `npm run bench`: every benchmark, one after the other, in child processes (so each one's memory is its own):
 *   1. bench/mask-step.ts  SimpleConvNet mask step dense and with units pruned, vs PyTorch; pruned-model inference
 *   2. bench/scale.ts      mask step of SimpleConvNet, MLP and ResNet-18; pruned inference; peak RSS; scaling with
 *                          batch and width; the weight-training step; the mask step of five torchvision families
 *
 *   npm run bench -- [--repeats N] [--threads N] [--batch N]        (passed to both)
 *                    [--pruned …] [--model …] [--no-direct] [--no-inference]           (mask-step only)
 *                    [--only …] [--warmup N] [--batches …] [--widths …] [--families …] [--no-torch]
 *                                                                                       (scale only)
 *
 * `npm run bench:step` and `npm run bench:scale` run one of them. Run on an idle machine: a second busy process
 * halves every figure.
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

function run(script: string, args: readonly string[]): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, script), ...args], { stdio: 'inherit' });
  return r.status ?? 1;
}

if (require.main === module) {
  try {
    const { step, scale } = splitBenchArgs(process.argv.slice(2));
    process.exitCode = run('mask-step.ts', step) || run('scale.ts', scale);
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 2;
  }
}
