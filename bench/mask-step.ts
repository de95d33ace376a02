/**
 * `npm run bench:step` (the first part of `npm run bench`): ms per BISE mask-learning step (gated forward +
 * backward to the gates, batch 100) on the BiasedMNIST SimpleConvNet, onnxruntime-node vs PyTorch CPU on the same
 * machine in the same run, dense and with a fraction of units pruned. Run it on an idle machine: a second busy process halves every figure.
 *
 *   npm run bench:step -- [--repeats 10] [--threads N] [--batch 100] [--model test/fixtures/simple-convnet.onnx]
 *                    [--pruned 0,0.25,0.5,0.75] [--no-direct] [--no-inference]
 *
 * The step runs as the engine runs it (large convs in the frequency domain, graphs/frequency-conv); the
 * "direct convs" column is the same step with that lowering off.
 */
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { readModelFile } from '../src/core/onnx/reader';
import { GateGradientRunner } from '../src/core/runtime/gate-gradient-runner';
import * as ort from 'onnxruntime-node';
import { Model } from '../src/core/onnx/ir';
import { serializeModel } from '../src/core/onnx/writer';
import { inferShapes } from '../src/core/onnx/shape-inference';
import { discoverUnits } from '../src/core/units/discover';
import { batchShape } from '../src/core/graphs/gate-gradient-graphs';
import { pruneModel } from '../src/core/prune/prune';
import { createSession, defaultThreads } from '../src/core/runtime/session';

interface Options {
  readonly repeats: number;
  readonly threads: number;
  readonly batch: number;
  readonly model: string;
  readonly fractions: readonly number[];
  /** Also time the step with every conv computed directly (frequency-domain lowering off). */
  readonly compareDirect: boolean;
  readonly inference: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    repeats: Number(get('--repeats') ?? 10),
    threads: Number(get('--threads') ?? defaultThreads()),
    batch: Number(get('--batch') ?? 100),
    model: get('--model') ?? 'test/fixtures/simple-convnet.onnx',
    fractions: (get('--pruned') ?? '0,0.25,0.5,0.75').split(',').map(Number),
    compareDirect: !argv.includes('--no-direct'),
    inference: !argv.includes('--no-inference'),
  };
}

/** Deterministic gates with round(f·C) zeros per gate vector (same units as the PyTorch side is not needed: cost only). */
function gatesWithPruned(channels: readonly number[], fraction: number): Float32Array[] {
  return channels.map((c) => {
    const g = new Float32Array(c).fill(1);
    const pruned = Math.round(fraction * c);
    for (let k = 0; k < pruned; k++) g[(k * 7919) % c] = 0; // 7919 is prime, so this visits distinct units
    return g;
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function onnxruntimeStep(o: Options, fraction: number, frequencyConv = true): Promise<{ median: number; specializeMs: number }> {
  const runner = await GateGradientRunner.create(readModelFile(o.model), { batchSize: o.batch }, { threads: o.threads, frequencyConv });
  try {
    const g = runner.graphs;
    const x = new Float32Array(g.inputDims.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i));
    const gates = gatesWithPruned(g.gates.map((v) => v.channels), fraction);
    const t0 = performance.now();
    // As extract runs: pruned units skipped, and gate vectors with none pruned (all of them at 0%) without their Muls.
    await runner.specialize(gates.map((v) => new Set([...v.keys()].filter((c) => v[c] === 0))));
    const specializeMs = performance.now() - t0;
    const dLogits = new Float32Array(g.logitsDims.reduce((a, b) => a * b, 1)).fill(0.01);
    const dZ = new Float32Array(g.bottleneckDims.reduce((a, b) => a * b, 1)).fill(0.01);
    const times: number[] = [];
    for (let r = 0; r < o.repeats + 2; r++) {
      const start = performance.now();
      const fwd = await runner.forward(x, gates);
      await runner.backward(fwd, dLogits, dZ);
      if (r >= 2) times.push(performance.now() - start);
    }
    return { median: median(times), specializeMs };
  } finally {
    await runner.release();
  }
}

function torchStep(o: Options, fraction: number): { median: number; version: string } | string {
  const python = '/usr/bin/python3';
  if (!fs.existsSync(python)) return 'no /usr/bin/python3';
  const r = spawnSync(python, ['bench/torch-mask-step.py', o.model, String(o.batch), String(o.threads), String(o.repeats), String(fraction)], { encoding: 'utf8' });
  if (r.status !== 0) return `PyTorch not available (${(r.stderr || '').trim().split('\n').pop()})`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { median_ms: number; torch: string };
  return { median: out.median_ms, version: out.torch };
}

/** Inference latency (batch `o.batch`) of the dense model and of physically pruned copies (random units removed). */
async function inferenceLatency(o: Options): Promise<void> {
  const model = readModelFile(o.model);
  const { input, dims } = batchShape(model, o.batch);
  const discovery = discoverUnits(model.graph, inferShapes(model.graph, new Map([[input, dims]])));
  const x = new Float32Array(dims.reduce((a, b) => a * b, 1)).map((_, i) => Math.cos(i));
  const time = async (m: Model): Promise<number> => {
    const { session } = await createSession(serializeModel(m), { threads: o.threads });
    const feeds = { [input]: new ort.Tensor('float32', x, dims) };
    const times: number[] = [];
    for (let r = 0; r < o.repeats + 2; r++) {
      const t0 = performance.now();
      await session.run(feeds);
      if (r >= 2) times.push(performance.now() - t0);
    }
    await session.release();
    return median(times);
  };
  const dense = await time(model);
  console.log(`\ninference, batch ${o.batch}: pruned units | params | ms | speed-up`);
  console.log(`    0% | ${model.graph.initializers.size > 0 ? countParams(model).toLocaleString('en-US') : 0} | ${dense.toFixed(1)} | 1.00x`);
  for (const f of o.fractions.filter((v) => v > 0)) {
    const keep = gatesWithPruned(discovery.groups.map((g) => g.channels), f).map((g) => Array.from(g, (v) => v === 1));
    const pruned = pruneModel(model, discovery, keep, { inputShapes: new Map([[input, dims]]) }).model;
    const t = await time(pruned);
    console.log(`${(f * 100).toFixed(0).padStart(5)}% | ${countParams(pruned).toLocaleString('en-US')} | ${t.toFixed(1)} | ${(dense / t).toFixed(2)}x`);
  }
}

function countParams(m: Model): number {
  let n = 0;
  for (const t of m.graph.initializers.values()) n += t.data.length;
  return n;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  console.log(`BISE mask step: ${o.model}, batch ${o.batch}, ${o.threads} threads, median of ${o.repeats}`);
  console.log(`pruned | onnxruntime-node ms |${o.compareDirect ? ' direct convs ms |' : ''} PyTorch ms | ratio | specialise ms`);
  for (const f of o.fractions) {
    const ours = await onnxruntimeStep(o, f);
    const direct = o.compareDirect ? await onnxruntimeStep(o, f, false) : undefined;
    const torch = torchStep(o, f);
    const torchCell = typeof torch === 'string' ? torch : `${torch.median.toFixed(0)} (torch ${torch.version})`;
    const ratio = typeof torch === 'string' ? '-' : `${(ours.median / torch.median).toFixed(2)}x`;
    const directCell = direct ? ` ${direct.median.toFixed(0).padStart(15)} |` : '';
    console.log(`${(f * 100).toFixed(0).padStart(5)}% | ${ours.median.toFixed(0).padStart(19)} |${directCell} ${torchCell} | ${ratio} | ${ours.specializeMs.toFixed(0)}`);
  }
  if (o.inference) await inferenceLatency(o);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
