/**
 * The weight-training step of ResNet-18 (or SimpleConvNet) against PyTorch's, in alternating rounds: ours
 * (timeTrainStep, this process) then PyTorch's (bench/torch-train-step.py, a child process), several times, each
 * round's median and fastest step and their ratios. The VM this was written on has fast and slow spells of tens of
 * seconds, longer than one `bench:scale` section: a single pair of runs can land in different spells, and the
 * fastest steps of rounds taken close together compare the two in the same state.
 *
 * Usage: node --import tsx bench/scale/train-rounds.ts [resnet18|simple-convnet] [rounds] [repeats]
 */
import { RESNET18_32, buildResNet18 } from '../../src/core/models/resnet18';
import { SIMPLE_CONVNET, buildSmallCnn } from '../../src/core/models/small-cnn';
import { timeTrainStep } from './train-step-timing';
import { isTorchResult, runTorchScript } from './torch-reference';

async function main(): Promise<void> {
  const [name = 'resnet18', rounds = '4', repeats = '9'] = process.argv.slice(2);
  const build = name === 'resnet18' ? () => buildResNet18(RESNET18_32) : () => buildSmallCnn(SIMPLE_CONVNET);
  const settings = { batch: 100, threads: 2, warmup: 2, repeats: Number(repeats) };
  const min = (a: readonly number[]): number => Math.min(...a);
  for (let k = 0; k < Number(rounds); k++) {
    const ours = await timeTrainStep(build(), settings);
    const torch = runTorchScript('torch-train-step.py', ['--model', name], settings);
    if (!isTorchResult(torch)) throw new Error(`PyTorch did not run: ${JSON.stringify(torch)}`);
    console.log(
      `round ${k + 1}: ours median ${ours.medianMs.toFixed(0)} ms, fastest ${min(ours.allMs).toFixed(0)} | PyTorch median ${torch.medianMs.toFixed(0)}, fastest ${min(torch.allMs).toFixed(0)} | ours / PyTorch: median ${(ours.medianMs / torch.medianMs).toFixed(2)}×, fastest ${(min(ours.allMs) / min(torch.allMs)).toFixed(2)}×`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
