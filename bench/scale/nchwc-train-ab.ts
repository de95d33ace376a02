/**
 * Before/after of graphs/nchwc-fed-convs.ts on the weight-training step as trainWeights runs it (train-step-timing.ts
 * benchTrainStep: one fused session, SGD on WebAssembly SIMD), alternating the two runners step by step in one process
 * (wall and process CPU per step, medians), so that a busy machine hits both alike.
 *
 * Usage: node --import tsx bench/scale/nchwc-train-ab.ts [resnet18|simple-convnet] [repeats]
 */
import { RESNET18_32, buildResNet18 } from '../../src/core/models/resnet18';
import { SIMPLE_CONVNET, buildSmallCnn } from '../../src/core/models/small-cnn';
import { buildTrainingGraphs } from '../../src/core/graphs/training-graphs';
import { createTrainStepRunner } from '../../src/core/runtime/train-step-runner';
import { median } from './stats';
import { benchTrainStep } from './train-step-timing';

async function main(): Promise<void> {
  const [name = 'resnet18', repeats = '9'] = process.argv.slice(2);
  const model = name === 'resnet18' ? buildResNet18(RESNET18_32) : buildSmallCnn(SIMPLE_CONVNET);
  const graphs = buildTrainingGraphs(model, 100, undefined, 'batch');
  const arms = [];
  for (const nchwcConvs of [false, true]) {
    const runner = await createTrainStepRunner(model, graphs, { threads: 2, nchwcConvs });
    arms.push({ nchwcConvs, runner, train: benchTrainStep(model, graphs, runner), wall: [] as number[], cpu: [] as number[] });
  }
  for (let r = 0; r < Number(repeats) + 2; r++) {
    for (const arm of arms) {
      const [t, c] = [performance.now(), process.cpuUsage()];
      await arm.train.step();
      const used = process.cpuUsage(c);
      if (r < 2) continue;
      arm.wall.push(performance.now() - t);
      arm.cpu.push((used.user + used.system) / 1000);
    }
  }
  for (const arm of arms) {
    console.log(`${name} nchwc ${arm.nchwcConvs ? 'on ' : 'off'}: step ${median(arm.wall).toFixed(1)} ms wall, ${median(arm.cpu).toFixed(1)} ms cpu`);
    await arm.runner.release();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
