/**
 * Child process of the scale bench: times one model's mask step and reports this process's memory, so that each
 * model's peak RSS is its own. Prints one JSON line (a StepChildResult).
 *
 *   node --import tsx bench/scale/step-child.ts --model KEY --batch N --threads N --warmup N --repeats N [--direct-convs]
 *                                               [--memory-mb N] [--gates-out FILE]
 *
 * --gates-out also writes what the engine gated and the step's loss (a GateLayout, ./gate-layout.ts) to FILE, for
 * the PyTorch twin (bench/torch-family-step.py).
 */
import * as fs from 'node:fs';
import { loadBenchModel } from './models';
import { timeMaskStep } from './mask-step-timing';
import { gateLayout } from './gate-layout';
import { MIB } from './stats';
import type { StepChildResult } from './run-step-child';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (flag: string): string => {
    const i = argv.indexOf(flag);
    if (i < 0 || argv[i + 1] === undefined) throw new Error(`step-child: missing ${flag}`);
    return argv[i + 1];
  };
  const startRssMiB = process.memoryUsage().rss / MIB;
  const model = loadBenchModel(arg('--model'));
  const timing = await timeMaskStep(model, {
    batch: Number(arg('--batch')),
    threads: Number(arg('--threads')),
    warmup: Number(arg('--warmup')),
    repeats: Number(arg('--repeats')),
    frequencyConv: !argv.includes('--direct-convs'),
    ...(argv.includes('--memory-mb') ? { memoryMb: Number(arg('--memory-mb')) } : {}),
  }, argv.includes('--gates-out') ? (step) => fs.writeFileSync(arg('--gates-out'), JSON.stringify(gateLayout(model, step.graphs, step.gateGrads, step))) : undefined);
  // maxRSS is in KiB on Linux and macOS.
  const result: StepChildResult = { ...timing, startRssMiB, peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MIB };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
