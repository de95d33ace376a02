/**
 * Before/after of graphs/nchwc-fed-convs.ts on the weight-training step, alternating the two runners in one process
 * (wall and process CPU per step, medians), so a busy machine hits both alike.
 *
 * Usage: node --import tsx bench/scale/nchwc-train-ab.ts [resnet18|simple-convnet] [repeats]
 */
import { RESNET18_32, buildResNet18 } from '../../src/core/models/resnet18';
import { SIMPLE_CONVNET, buildSmallCnn } from '../../src/core/models/small-cnn';
import { buildTrainingGraphs } from '../../src/core/graphs/training-graphs';
import { DifferentiableRunner } from '../../src/core/runtime/differentiable-runner';
import { median } from './stats';
import { Sgd } from '../../src/core/bise/sgd';
import { Model } from '../../src/core/onnx/ir';
import { TrainingGraphs } from '../../src/core/graphs/training-graphs';

async function main(): Promise<void> {
  const [name = 'resnet18', repeats = '7'] = process.argv.slice(2);
  const model = name === 'resnet18' ? buildResNet18(RESNET18_32) : buildSmallCnn(SIMPLE_CONVNET);
  const graphs = buildTrainingGraphs(model, 100, undefined, 'batch');
  const arms = await Promise.all(
    [false, true].map(async (nchwcConvs) => {
      const runner = await DifferentiableRunner.create(model, graphs, { nchwcConvs });
      return { nchwcConvs, runner, train: twoSessionStep(model, graphs, runner), wall: [] as number[], cpu: [] as number[] };
    }),
  );
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

/** Forward, backward from a constant dL/dlogits, SGD: the two-session step (the BN running statistics left out). */
function twoSessionStep(model: Model, graphs: TrainingGraphs, runner: DifferentiableRunner): { step(): Promise<void> } {
  const params = new Map(graphs.parameters.map((p) => [p, Float32Array.from(model.graph.initializers.get(p)?.data as Float32Array)]));
  const size = (name: string): number => (graphs.shapes.get(name) as readonly number[]).reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: size(graphs.input) }, (_, i) => Math.sin(i));
  const upstream = new Float32Array(size(graphs.logits)).fill(0.01);
  const sgd = new Sgd({ lr: 0.01, momentum: 0.9, weightDecay: 1e-4 });
  return {
    step: async () => {
      const fwd = await runner.forward({ [graphs.input]: x, ...Object.fromEntries(params) });
      const grads = await runner.backwardViews(fwd, { [graphs.logits]: upstream });
      graphs.parameters.forEach((p, i) => sgd.step(params.get(p) as Float32Array, grads[i]));
    },
  };
}
