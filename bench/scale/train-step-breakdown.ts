/**
 * Where a weight-training step's time goes (speed work, not part of `npm run bench:scale`): the step of
 * train-step-timing.ts split into the runner's step (forward, loss gradient and backward: one session where the
 * model's opset allows, so they are not timed apart), running statistics and SGD, each a median over the repeats,
 * for SimpleConvNet and ResNet-18 at batch 100.
 *
 * Usage: node --import tsx bench/scale/train-step-breakdown.ts [resnet18|simple-convnet] [repeats]
 * With BISE_ORT_PROFILE=/tmp/p, onnxruntime writes per-node timings; scripts/ort-profile-summary.py summarises them.
 */
import { Model } from '../../src/core/onnx/ir';
import { SIMPLE_CONVNET, buildSmallCnn } from '../../src/core/models/small-cnn';
import { RESNET18_32, buildResNet18 } from '../../src/core/models/resnet18';
import { buildTrainingGraphs } from '../../src/core/graphs/training-graphs';
import { createTrainStepRunner } from '../../src/core/runtime/train-step-runner';
import { median } from './stats';
import { benchTrainStep } from './train-step-timing';

const MODELS: Record<string, () => Model> = { resnet18: () => buildResNet18(RESNET18_32), 'simple-convnet': () => buildSmallCnn(SIMPLE_CONVNET) };

async function breakdown(name: string, repeats: number): Promise<void> {
  const model = MODELS[name]();
  const graphs = buildTrainingGraphs(model, 100, undefined, 'batch');
  const runner = await createTrainStepRunner(model, graphs, {});
  const train = benchTrainStep(model, graphs, runner);
  const parts: Record<string, number[]> = { run: [], statistics: [], sgd: [], step: [] };
  for (let r = 0; r < repeats + 2; r++) {
    const t = [performance.now()];
    const result = await train.run();
    t.push(performance.now());
    train.statistics(result);
    t.push(performance.now());
    train.sgd(result.gradients);
    t.push(performance.now());
    if (r < 2) continue;
    ['run', 'statistics', 'sgd'].forEach((k, i) => parts[k].push(t[i + 1] - t[i]));
    parts.step.push(t[3] - t[0]);
  }
  await runner.release();
  const cpu = process.cpuUsage();
  console.log(`${name}: ${Object.entries(parts).map(([k, v]) => `${k} ${median(v).toFixed(1)}`).join(', ')} ms (median of ${repeats}); process cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
}

const [name = 'resnet18', repeats = '5'] = process.argv.slice(2);
breakdown(name, Number(repeats)).catch((e) => {
  console.error(e);
  process.exit(1);
});
