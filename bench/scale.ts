/**
 * `npm run bench:scale`: how the BISE mask step scales (issue 6, item 8), and what a weight-training step costs.
 * Prints eight tables:
 *   1. step     ms per mask step at batch 100 for SimpleConvNet, MLP 3×100 and ResNet-18, onnxruntime-node vs PyTorch
 *   2. pruned   inference latency of physically pruned (25/50/75% of units) vs dense models
 *   3. memory   peak RSS and step time of the mask-step process of each model (one child process per measurement), ours
 *               with no budget and under a tight --memory-mb (PyTorch's peak less ours at start), vs PyTorch
 *   4. scaling  SimpleConvNet step time vs batch size (25/50/100/200) and vs channel width (×0.5/×1/×2)
 *   5. train    ms per weight-training step (train-mode forward + backward to every weight + SGD with momentum) at
 *               batch 100 for SimpleConvNet and ResNet-18 (BN on batch statistics), as trainWeights runs it, vs PyTorch
 *   6. families mask step at batch 100 of torchvision's ResNet-50, MobileNetV2, EfficientNet-B0, DenseNet-121 and
 *               ConvNeXt-T (32×32), exported by /usr/bin/python3 at bench time, vs PyTorch gating the same tensors of
 *               the same weights, with both peak RSS
 *   7. imagenet the same for torchvision's ResNet-18 and ResNet-50 at 224×224, batch 32 (issue 14, item 4)
 *   8. transformers the same for bert-mini's architecture (batch 32, sequence 128; MLP neurons, then MLP neurons
 *               and heads) and a ViT at 32×32 (batch 32), against issue 13's ≤ 1.0× PyTorch
 *
 *   npm run bench:scale -- [--repeats 5] [--warmup 2] [--threads N]
 *                          [--only step,pruned,memory,scaling,train,families,imagenet,transformers]
 *                          [--batch 100] [--batches 25,50,100,200] [--widths 0.5,1,2] [--families resnet50,…]
 *                          [--imagenet-batch 32] [--transformer-batch 32] [--sequence 128] [--no-torch]
 *
 * Medians of --repeats timed runs, warm-up runs excluded. Run it on an idle machine: a second busy process
 * halves every figure. Progress goes to stderr, tables to stdout. `npm run bench` (bench/mask-step.ts) is the
 * SimpleConvNet step with pruned units, and the frequency-domain vs direct convs.
 */
import * as os from 'node:os';
import { parseScaleBenchArgs } from './scale/options';
import { StepMeasurements } from './scale/step-measurements';
import { stepTimeSection } from './scale/sections/step-time';
import { prunedLatencySection } from './scale/sections/pruned-latency';
import { peakMemorySection } from './scale/sections/peak-memory';
import { scalingSection } from './scale/sections/scaling';
import { trainStepSection } from './scale/sections/train-step';
import { IMAGENET_TARGET, familiesSection } from './scale/sections/families';
import { IMAGENET_FAMILIES } from './scale/families';
import { transformersSection } from './scale/sections/transformers';

async function main(): Promise<void> {
  const o = parseScaleBenchArgs(process.argv.slice(2));
  const progress = (m: string): void => void process.stderr.write(`  measuring ${m}\n`);
  const steps = new StepMeasurements({ threads: o.threads, warmup: o.warmup, repeats: o.repeats, torch: o.torch });
  const started = performance.now();
  console.log(`# BISE scale bench: ${o.threads} threads, median of ${o.repeats} (after ${o.warmup} warm-up), cpu ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, node ${process.version}`);
  for (const section of o.sections) {
    let text: string;
    switch (section) {
      case 'step': text = stepTimeSection(steps, o.batch, progress); break;
      case 'pruned': text = await prunedLatencySection({ batch: o.batch, threads: o.threads, warmup: o.warmup, repeats: o.repeats }, progress); break;
      case 'memory': text = peakMemorySection(steps, o.batch, progress); break;
      case 'scaling': text = scalingSection(steps, o.batches, o.widths, o.batch, progress); break;
      case 'train': text = await trainStepSection({ batch: o.batch, threads: o.threads, warmup: o.warmup, repeats: o.repeats, torch: o.torch }, progress); break;
      case 'families': text = familiesSection(o.families, { batch: o.batch, threads: o.threads, warmup: o.warmup, repeats: o.repeats, torch: o.torch }, progress); break;
      case 'imagenet': text = familiesSection(IMAGENET_FAMILIES, { batch: o.imagenetBatch, threads: o.threads, warmup: o.warmup, repeats: o.repeats, torch: o.torch }, progress, IMAGENET_TARGET); break;
      case 'transformers': text = transformersSection({ batch: o.transformerBatch, sequence: o.sequence, threads: o.threads, warmup: o.warmup, repeats: o.repeats, torch: o.torch }, progress); break;
    }
    console.log(`\n${text}`);
  }
  console.log(`\n(bench took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
