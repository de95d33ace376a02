/**
 * Measures the peak memory of the engine's steps in each configuration a memory budget can choose, next to the
 * parts of the estimate (src/core/runtime/memory-estimate.ts), to fit and check the factors of
 * src/core/runtime/memory-budget.ts. One child process per measurement, so that each peak RSS is its own.
 *
 *   node --import tsx bench/memory-fit.ts measure --step fused|train --models simple-convnet,resnet18,mlp,file:… \
 *        --batches 100,32 [--threads 2] [--out results/memory-fit.jsonl]
 *   node --import tsx bench/memory-fit.ts report [--in results/memory-fit.jsonl]
 *
 * The measurements the factors were fitted to: bench/memory-fit-data/fused-step.jsonl and training-step.jsonl
 * (2-core machine under other load, December 2026; peaks are RSS, which the load hardly moves, unlike the CPU ms).
 * `measure` appends one JSON line per measurement: the model, batch, step, configuration, the estimate's parts (bytes),
 * and the peak RSS the step added to its process (MiB: peak minus the RSS before the model was read). `report` prints
 * each measurement against the estimate of the factors now in the code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Model } from '../src/core/onnx/ir';
import { inferShapes } from '../src/core/onnx/shape-inference';
import { buildGateGradientGraphs } from '../src/core/graphs/gate-gradient-graphs';
import { buildTrainingGraphs } from '../src/core/graphs/training-graphs';
import { FusedStepRunner } from '../src/core/runtime/fused-step-runner';
import { createTrainStepRunner } from '../src/core/runtime/train-step-runner';
import { SessionGraph, estimateFusedStepMemory, fusedStepGraph, loweredWorkspaces } from '../src/core/runtime/memory-estimate';
import { MIB, MemoryConfiguration, fusedConfigurationBytes, fusedMemoryConfigurations } from '../src/core/runtime/memory-budget';
import { TrainingConfiguration, trainingConfigurationBytes, trainingConfigurations, trainingStepEstimate } from '../src/core/runtime/training-memory-budget';
import { loadBenchModel } from './scale/models';
import { timeFusedSteps } from './scale/mask-step-timing';
import { benchTrainStep } from './scale/train-step-timing';

type Step = 'fused' | 'train';
type Configuration = MemoryConfiguration | TrainingConfiguration;

interface Measurement {
  readonly model: string;
  readonly batch: number;
  readonly step: Step;
  readonly configuration: Configuration;
  /** The estimate's parts, bytes (memory-estimate.ts). */
  readonly parts: Readonly<Record<string, number>>;
  readonly peakMiB: number;
  readonly cpuMs: number;
}

const WARMUP = 2;
const REPEATS = 2;

function sessionGraphs(model: Model, batch: number): [SessionGraph, SessionGraph] {
  const g = buildGateGradientGraphs(model, { batchSize: batch });
  const bwd = g.backward.graph;
  return [
    { graph: g.forward, shapes: g.forwardShapes },
    { graph: bwd, shapes: inferShapes(bwd, new Map(bwd.inputs.map((v) => [v.name, v.shape as number[]]))) },
  ];
}

/** Every configuration of the step with the estimate's parts for it (computed here, without sessions). */
function plannedConfigurations(model: Model, batch: number, step: Step): { configuration: Configuration; parts: Record<string, number> }[] {
  if (step === 'fused') {
    const joined = fusedStepGraph(...sessionGraphs(model, batch));
    return fusedMemoryConfigurations(loweredWorkspaces(joined)).map((configuration) => {
      const lowering = configuration.frequencyConvMaxBytes > 0 ? { maxWorkspaceBytes: configuration.frequencyConvMaxBytes } : undefined;
      return { configuration, parts: { ...estimateFusedStepMemory(joined, lowering) } };
    });
  }
  return trainingConfigurations(true).map((configuration) => ({ configuration, parts: { ...trainingStepEstimate(trainingGraphs(model, batch, configuration)) } }));
}

function trainingGraphs(model: Model, batch: number, c: TrainingConfiguration): ReturnType<typeof buildTrainingGraphs> {
  return buildTrainingGraphs(model, batch, undefined, 'batch', { frequencyConvs: c.frequencyConvs, weightGradientGemms: c.weightGradientGemms });
}

function estimateMiB(m: Pick<Measurement, 'step' | 'configuration' | 'parts'>): number {
  const bytes = m.step === 'fused' ? fusedConfigurationBytes(m.parts as never) : trainingConfigurationBytes(m.parts as never, m.configuration as TrainingConfiguration);
  return bytes / MIB;
}

/** The child: one step in one configuration, warmed up and repeated; prints { peakMiB, cpuMs }. */
async function child(modelKey: string, batch: number, step: Step, configuration: Configuration, threads: number): Promise<void> {
  const startRss = process.memoryUsage().rss;
  const model = loadBenchModel(modelKey);
  let cpuMs: number;
  if (step === 'fused') {
    const classes = model.graph.outputs[0]?.shape?.[1];
    const k = typeof classes === 'number' ? classes : 10;
    const runner = await FusedStepRunner.create(model, { batchSize: batch }, { headClasses: [k], gamma: 1 }, { threads, ...configuration }, 'open-gates');
    cpuMs = (await timeFusedSteps(runner, k, { warmup: WARMUP, repeats: REPEATS }, 0)).cpuMs ?? NaN;
  } else {
    const c = configuration as TrainingConfiguration;
    cpuMs = await trainSteps(model, batch, c, threads);
  }
  // maxRSS is in KiB on Linux and macOS.
  const peakMiB = (process.resourceUsage().maxRSS * 1024 - startRss) / MIB;
  process.stdout.write(`${JSON.stringify({ peakMiB, cpuMs })}\n`);
}

/** Weight-training steps as trainWeights runs them (bench/scale/train-step-timing.ts, with fixed labels); median CPU ms. */
async function trainSteps(model: Model, batch: number, c: TrainingConfiguration, threads: number): Promise<number> {
  const graphs = trainingGraphs(model, batch, c);
  // As trainWeights: the configuration is the budget's choice, the caller asked for threads only (train-step-runner.ts).
  const runner = await createTrainStepRunner(model, graphs, { threads, memoryArena: c.memoryArena, memoryPattern: c.memoryPattern }, { threads });
  const train = benchTrainStep(model, graphs, runner);
  const cpu: number[] = [];
  for (let i = 0; i < WARMUP + REPEATS; i++) {
    const c0 = process.cpuUsage();
    await train.step();
    const used = process.cpuUsage(c0);
    cpu.push((used.user + used.system) / 1000);
  }
  await runner.release();
  const timed = cpu.slice(WARMUP).sort((a, b) => a - b);
  return timed[Math.floor(timed.length / 2)];
}

function measure(models: readonly string[], batches: readonly number[], step: Step, threads: number, out: string): void {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  for (const model of models) {
    for (const batch of batches) {
      let planned: ReturnType<typeof plannedConfigurations>;
      try {
        planned = plannedConfigurations(loadBenchModel(model), batch, step);
      } catch (e) {
        console.error(`${model} batch ${batch}: skipped: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      for (const { configuration, parts } of planned) {
        const args = ['--import', 'tsx', __filename, 'child', '--model', model, '--batch', String(batch), '--step', step, '--configuration', JSON.stringify(configuration), '--threads', String(threads)];
        const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (r.status !== 0) {
          console.error(`${model} batch ${batch} ${JSON.stringify(configuration)}: child failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
          continue;
        }
        const { peakMiB, cpuMs } = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { peakMiB: number; cpuMs: number };
        const m: Measurement = { model, batch, step, configuration, parts, peakMiB, cpuMs };
        fs.appendFileSync(out, `${JSON.stringify(m)}\n`);
        console.log(line(m));
      }
    }
  }
}

/** The fused step runs with the arena on: the budget no longer chooses the arena off there (memory-budget.ts says why). */
function chosenByBudget(m: Measurement): boolean {
  return m.step === 'train' || m.configuration.memoryArena;
}

function line(m: Measurement): string {
  if (!chosenByBudget(m)) return [m.step, path.basename(m.model), `b${m.batch}`, JSON.stringify(m.configuration), `measured ${m.peakMiB.toFixed(0)} MiB`, '(not a configuration the budget chooses)'].join('  ');
  const est = estimateMiB(m);
  return [m.step, path.basename(m.model), `b${m.batch}`, JSON.stringify(m.configuration), `measured ${m.peakMiB.toFixed(0)} MiB`, `estimated ${est.toFixed(0)} MiB`, `${(((est - m.peakMiB) / m.peakMiB) * 100).toFixed(1)}%`, `${m.cpuMs.toFixed(0)} CPU ms`].join('  ');
}

function report(file: string): void {
  const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Measurement);
  for (const m of rows) console.log(line(m));
  const errors = rows.filter(chosenByBudget).map((m) => (estimateMiB(m) - m.peakMiB) / m.peakMiB);
  const within = errors.filter((e) => Math.abs(e) <= 0.1).length;
  console.log(`estimate − measured: ${(Math.min(...errors) * 100).toFixed(1)}% … +${(Math.max(...errors) * 100).toFixed(1)}% over ${errors.length} measurements, ${within} within ±10%`);
}

async function main(): Promise<void> {
  const [mode, ...argv] = process.argv.slice(2);
  const arg = (flag: string, fallback?: string): string => {
    const i = argv.indexOf(flag);
    const v = i >= 0 ? argv[i + 1] : fallback;
    if (v === undefined) throw new Error(`memory-fit: missing ${flag}`);
    return v;
  };
  const step = arg('--step', 'fused') as Step;
  if (step !== 'fused' && step !== 'train') throw new Error(`memory-fit: --step is fused or train, not '${step}'`);
  const threads = Number(arg('--threads', '2'));
  if (mode === 'child') return child(arg('--model'), Number(arg('--batch')), step, JSON.parse(arg('--configuration')) as Configuration, threads);
  if (mode === 'measure') return measure(arg('--models').split(','), arg('--batches').split(',').map(Number), step, threads, arg('--out', 'results/memory-fit.jsonl'));
  if (mode === 'report') return report(arg('--in', 'results/memory-fit.jsonl'));
  throw new Error(`memory-fit: the mode is measure, report or child, not '${mode}'`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
