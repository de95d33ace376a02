/**
 * The whole mask step (extract's fused forward + loss + backward, all gates open, as bench/scale/mask-step-timing.ts
 * builds it) of an ONNX model with the strided input-gradient rule of src/core/ops/defs/Conv.ts and with the rule
 * before it (BISE_STRIDED_DX=conv-transpose: every strided dX a ConvTranspose), both in this process, stepping them
 * alternately, so that the machine's load falls on both alike. Reports process CPU ms and wall ms per step (median
 * and 20th percentile) and the largest difference of the gate gradients between the two.
 *
 *   /usr/bin/python3 bench/torch-family-export.py --model mobilenet_v2 --out /tmp/families
 *   node --import tsx bench/strided-dx-step.ts /tmp/families/mobilenet_v2.onnx [--batch 100] [--steps 30] [--threads 2]
 */
import { parseArgs } from 'node:util';
import { readModelFile } from '../src/core/onnx/reader';
import { Model } from '../src/core/onnx/ir';
import { FusedStepRunner } from '../src/core/runtime/fused-step-runner';
import { lossFeeds } from '../src/core/graphs/loss-graph';
import { AuxHead } from '../src/core/bise/aux-head';
import { createRng } from '../src/core/data/random';
import { median } from './scale/stats';

const quantile = (xs: readonly number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function buildRunner(model: Model, batch: number, threads: number, rule: 'new' | 'conv-transpose'): Promise<FusedStepRunner> {
  // The gradient rule reads the switch while the graphs are built (in create), not while they run.
  if (rule === 'conv-transpose') process.env.BISE_STRIDED_DX = 'conv-transpose';
  else delete process.env.BISE_STRIDED_DX;
  try {
    const classes = model.graph.outputs[0]?.shape?.[1];
    const k = typeof classes === 'number' ? classes : 10;
    return await FusedStepRunner.create(model, { batchSize: batch }, { headClasses: [k], gamma: 1 }, { threads, frequencyConv: true }, 'open-gates');
  } finally {
    delete process.env.BISE_STRIDED_DX;
  }
}

/** One step's feeds: x[i] = sin(i), labels spread over the classes, one bias head (as mask-step-timing's loss). */
function stepInputs(runner: FusedStepRunner, classes: number) {
  const g = runner.graphs;
  const n = g.logitsDims[0];
  const x = Float32Array.from({ length: g.inputDims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i));
  const zDim = g.bottleneckDims.slice(1).reduce((a, b) => a * b, 1);
  const head = new AuxHead(zDim, classes, createRng(1), { lr: 0.1, momentum: 0.9, weightDecay: 0 });
  const y = Array.from({ length: n }, (_, i) => i % classes);
  const bias = y.map((v, i) => (i % 2 === 0 ? v : (v + 1) % classes));
  const feeds = lossFeeds(runner.loss, {
    y,
    alpha: 1,
    sampleWeights: y.map(() => 1),
    miSamples: 'conflicting',
    biases: [bias],
    heads: [{ weight: Float32Array.from(head.weight), bias: Float32Array.from(head.bias) }],
  });
  const gates = g.gates.map((v) => new Float32Array(v.channels).fill(1));
  return { data: { [g.input]: x }, gates, feeds };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { batch: { type: 'string', default: '100' }, steps: { type: 'string', default: '30' }, threads: { type: 'string', default: '2' } },
  });
  if (positionals.length !== 1) throw new Error('usage: strided-dx-step.ts <model.onnx> [--batch 100] [--steps 30] [--threads 2]');
  const model = readModelFile(positionals[0]);
  const [batch, steps, threads] = [Number(values.batch), Number(values.steps), Number(values.threads)];
  const classes = typeof model.graph.outputs[0]?.shape?.[1] === 'number' ? (model.graph.outputs[0].shape[1] as number) : 10;
  const runners = { new: await buildRunner(model, batch, threads, 'new'), old: await buildRunner(model, batch, threads, 'conv-transpose') };
  try {
    const inputs = { new: stepInputs(runners.new, classes), old: stepInputs(runners.old, classes) };
    const cpu = { new: [] as number[], old: [] as number[] };
    const wall = { new: [] as number[], old: [] as number[] };
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < steps + 2; i++) {
      const grads: Partial<Record<'new' | 'old', Float32Array[]>> = {};
      for (const which of i % 2 === 0 ? (['new', 'old'] as const) : (['old', 'new'] as const)) {
        const { data, gates, feeds } = inputs[which];
        const [t0, c0] = [performance.now(), process.cpuUsage()];
        const result = await runners[which].step(data, gates, feeds);
        const c = process.cpuUsage(c0);
        if (i >= 2) {
          wall[which].push(performance.now() - t0);
          cpu[which].push((c.user + c.system) / 1000);
        }
        grads[which] = result.gateGrads.slice(0, runners[which].graphs.gates.length).map((g) => Float32Array.from(g));
      }
      (grads.new ?? []).forEach((g, v) => g.forEach((value, j) => {
        worst = Math.max(worst, Math.abs(value - (grads.old?.[v][j] ?? NaN)));
        scale = Math.max(scale, Math.abs(value));
      }));
    }
    const row = (which: 'new' | 'old') =>
      `${which === 'new' ? 'new rule' : 'ConvTranspose'}: CPU ms median ${median(cpu[which]).toFixed(1)} p20 ${quantile(cpu[which], 0.2).toFixed(1)}, ` +
      `wall ms median ${median(wall[which]).toFixed(1)} p20 ${quantile(wall[which], 0.2).toFixed(1)}`;
    console.log(`${positionals[0]} batch ${batch}, ${threads} threads, ${steps} steps each, alternating`);
    console.log(row('old'));
    console.log(row('new'));
    console.log(`gate gradients: max |new − old| ${worst.toExponential(2)} (largest |gradient| ${scale.toExponential(2)})`);
  } finally {
    await runners.new.release();
    await runners.old.release();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
