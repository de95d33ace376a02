/**
 * Child process of the scale bench's `transformers` section: times the mask step of a token model (an ONNX file)
 * on a token batch (JSON, as bench/torch-transformer-export.py writes it) and reports this process's memory, as
 * ./step-child.ts does for image models. Prints one JSON line (a StepChildResult).
 *
 *   node --import tsx bench/scale/token-step-child.ts --model FILE.onnx --inputs FILE.json --units mlp|heads|both
 *                                                     --threads N --warmup N --repeats N [--gates-out FILE]
 *
 * --gates-out also writes what the engine gated (a GateLayout, ./gate-layout.ts) to FILE, for the PyTorch twin.
 */
import * as fs from 'node:fs';
import { readModelFile } from '../../src/core/onnx/reader';
import { UNIT_KINDS, UnitKind } from '../../src/core/units/attention-heads';
import { TokenInput, timeTokenMaskStep } from './token-step-timing';
import { gateLayout } from './gate-layout';
import { MIB } from './stats';
import type { StepChildResult } from './run-step-child';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (flag: string): string => {
    const i = argv.indexOf(flag);
    if (i < 0 || argv[i + 1] === undefined) throw new Error(`token-step-child: missing ${flag}`);
    return argv[i + 1];
  };
  const units = arg('--units');
  if (!(UNIT_KINDS as readonly string[]).includes(units)) throw new Error(`token-step-child: --units must be one of ${UNIT_KINDS.join(', ')}, got '${units}'`);
  const startRssMiB = process.memoryUsage().rss / MIB;
  const model = readModelFile(arg('--model'));
  const inputs = JSON.parse(fs.readFileSync(arg('--inputs'), 'utf8')) as Record<string, TokenInput>;
  const timing = await timeTokenMaskStep(
    model,
    inputs,
    { threads: Number(arg('--threads')), warmup: Number(arg('--warmup')), repeats: Number(arg('--repeats')), units: units as UnitKind },
    argv.includes('--gates-out') ? (graphs, grads) => fs.writeFileSync(arg('--gates-out'), JSON.stringify(gateLayout(model, graphs, grads))) : undefined,
  );
  // maxRSS is in KiB on Linux and macOS.
  const result: StepChildResult = { ...timing, startRssMiB, peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MIB };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
