/**
 * Section "train": ms per weight-training step (forward in train mode + backward to every weight + SGD with
 * momentum) at the bench batch for SimpleConvNet and ResNet-18, ours (in this process) vs PyTorch.
 */
import { Model } from '../../../src/core/onnx/ir';
import { SIMPLE_CONVNET, buildSmallCnn } from '../../../src/core/models/small-cnn';
import { RESNET18_32, buildResNet18 } from '../../../src/core/models/resnet18';
import { TrainStepSettings, TrainStepTiming, timeTrainStep } from '../train-step-timing';
import { TorchOutcome, isTorchResult, runTorchScript } from '../torch-reference';
import { count, formatTable, ms, ratio } from '../table';
import { oursOverTorchCell, torchMsCell, torchNote } from './torch-cells';

interface TrainModel {
  readonly label: string;
  /** --model of bench/torch-train-step.py. */
  readonly torch: string;
  readonly build: () => Model;
}

const TRAIN_MODELS: readonly TrainModel[] = [
  { label: 'SimpleConvNet', torch: 'simple-convnet', build: () => buildSmallCnn(SIMPLE_CONVNET) },
  { label: 'ResNet-18 (32×32, BN)', torch: 'resnet18', build: () => buildResNet18(RESNET18_32) },
];

export async function trainStepSection(s: TrainStepSettings & { readonly torch: boolean }, progress: (m: string) => void): Promise<string> {
  const rows: { m: TrainModel; ours: TrainStepTiming; torch?: TorchOutcome }[] = [];
  for (const m of TRAIN_MODELS) {
    progress(`train: ${m.label}, batch ${s.batch}`);
    const ours = await timeTrainStep(m.build(), s);
    const torch = s.torch ? runTorchScript('torch-train-step.py', ['--model', m.torch], s) : undefined;
    rows.push({ m, ours, torch });
  }
  const table = formatTable(
    ['model', 'parameters', 'onnxruntime-node ms (CPU ms)', 'PyTorch ms (CPU ms)', 'ours / PyTorch', 'CPU ours / PyTorch', 'graph setup ms'],
    rows.map(({ m, ours, torch }) => {
      const torchCpu = isTorchResult(torch) ? torch.cpuMs : undefined;
      return [
        m.label,
        count(ours.parameters),
        `${ms(ours.medianMs)} (${ms(ours.cpuMs)})`,
        torchCpu === undefined ? torchMsCell(torch) : `${torchMsCell(torch)} (${ms(torchCpu)})`,
        oursOverTorchCell(ours.medianMs, torch),
        torchCpu === undefined ? '-' : ratio(ours.cpuMs, torchCpu),
        ms(ours.setupMs),
      ];
    }),
  );
  // The twins should hold the same weights; say so when they do not.
  const mismatches = rows.flatMap(({ m, ours, torch }) =>
    isTorchResult(torch) && torch.parameters !== undefined && torch.parameters !== ours.parameters ? [`parameter counts differ for ${m.label}: ours ${count(ours.parameters)}, PyTorch ${count(torch.parameters)}`] : [],
  );
  const note = [
    'ours: as trainWeights runs it (training graphs with batch-statistics BN; forward, the cross-entropy gradient for fixed labels and backward in one onnxruntime session; running statistics updated; SGD on WebAssembly SIMD over every parameter, bise/weight-optimizer.ts). PyTorch: zero_grad + forward in .train() + sum(logits·0.01).backward() + optim.SGD step. Both SGD momentum 0.9, weight decay 1e-4; graph setup: once per run. CPU ms: the CPU time of each side per step over all its threads, less sensitive than wall time to the fast and slow spells of a virtual machine.',
    ...mismatches,
    torchNote(rows.map((r) => r.torch)),
  ].filter(Boolean).join('\n');
  return [`## 5. Weight-training step (forward in train mode + backward to every weight + SGD), batch ${s.batch}`, table, note].filter(Boolean).join('\n\n');
}
