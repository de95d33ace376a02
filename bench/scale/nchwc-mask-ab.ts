/**
 * Before/after of graphs/nchwc-fed-convs.ts on extract's fused mask step (its strided 3×3 input gradients with
 * constant weights), ResNet-18 at 32×32, batch 100, 2 threads: both runners built, then timed one after the other
 * (median wall and process CPU per step).
 *
 * Usage: node --import tsx bench/scale/nchwc-mask-ab.ts [repeats]
 */
import { RESNET18_32, buildResNet18 } from '../../src/core/models/resnet18';
import { FusedStepRunner } from '../../src/core/runtime/fused-step-runner';
import { timeFusedSteps } from './mask-step-timing';

async function main(): Promise<void> {
  const repeats = Number(process.argv[2] ?? '9');
  const model = buildResNet18(RESNET18_32);
  const settings = { batch: 100, threads: 2, warmup: 3, repeats };
  for (let round = 0; round < 2; round++) {
    for (const nchwcConvs of [false, true]) {
      const runner = await FusedStepRunner.create(model, { batchSize: 100 }, { headClasses: [10], gamma: 1 }, { threads: 2, nchwcConvs }, 'open-gates');
      const t = await timeFusedSteps(runner, 10, settings, 0);
      console.log(`round ${round} nchwc ${nchwcConvs ? 'on ' : 'off'}: ${t.medianMs.toFixed(1)} ms wall, ${t.cpuMs?.toFixed(1)} ms cpu`);
      await runner.release();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
