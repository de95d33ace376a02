import { testAccuracyLines } from './train-summary';
import { defineCommand } from '../infra/command';
import { defineSpec } from '../infra/flag-spec';
import { runCommand } from '../infra/run-command';
import { runTrainJob } from '../../core/jobs/train-job';
import { DEFAULT_TRAIN_CONFIG as D } from '../../core/bise/train';
import { trainingFlags, trainConfig } from './training-flags';
import { DATA_FLAGS, MEMORY_FLAG, RUNTIME_FLAGS, dataSpec, runtimeOptions } from './shared-flags';
import { TEXT_FLAGS } from './text-flags';

export const trainCommand = defineCommand({
  name: 'train',
  summary: "train a model's weights on a built-in dataset (a fresh built-in CNN, MLP or BERT-style text model, or --model to continue from an ONNX file)",
  spec: defineSpec({
    flags: [
      { name: 'out', type: 'path', required: true, help: 'where to write the trained ONNX model (atomically; never over --model)' },
      { name: 'model', type: 'path', help: 'start from this ONNX model instead of a fresh --architecture' },
      { name: 'architecture', type: 'enum', choices: ['demo-cnn', 'simple-convnet', 'mlp-3x100', 'resnet18', 'bert-mini'], default: 'demo-cnn', help: 'built-in network to train from scratch (mlp-3x100: the paper\'s Multi-Color MNIST MLP; resnet18: torchvision\'s ResNet-18 for 32×32 RGB, e.g. corrupted-fashion-mnist; bert-mini: a 2-layer BERT-style text classifier for --dataset spam-names, written with its tokenizer.json next to --out)' },
      ...trainingFlags({ epochs: D.epochs, lr: D.lr, lrHelp: 'learning rate', schedule: D.schedule }),
      { name: 'reweighted', type: 'boolean', help: 'group-reweighted cross-entropy (as BISE+FT), instead of plain' },
      ...DATA_FLAGS,
      ...TEXT_FLAGS,
      ...RUNTIME_FLAGS,
      MEMORY_FLAG,
    ],
  }),
});

export function main(argv: readonly string[]): Promise<number> {
  return runCommand(trainCommand, argv, async (ctx) => {
    const f = ctx.flags;
    const result = await runTrainJob(
      {
        modelPath: f.model,
        architecture: f.architecture,
        data: dataSpec(f),
        config: trainConfig(f, f.reweighted),
        out: f.out,
        overwrite: f.overwrite,
        commandLine: `bise train ${argv.join(' ')}`,
        ...runtimeOptions(f),
        memoryMb: f.memoryMb,
      },
      ctx,
    );
    ctx.reporter.print([`wrote ${result.out} (${result.seconds.toFixed(0)} s, ${result.msPerStep.toFixed(1)} ms/step)`, ...testAccuracyLines(result)].join('\n'));
    return result;
  });
}
