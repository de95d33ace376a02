/**
 * Every configuration a memory budget can choose (runtime/memory-budget.ts) computes the same step: SimpleConvNet's (half
 * width) logits and gate gradients with every qualifying conv in the frequency domain, with only the smaller ones, and with
 * every conv direct and onnxruntime's arena off, agree within 1e-5 of their largest magnitude.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIMPLE_CONVNET, buildSmallCnn } from '../../../src/core/models/small-cnn';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { SessionConfig } from '../../../src/core/runtime/session';
import { buildGateGradientGraphs } from '../../../src/core/graphs/gate-gradient-graphs';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { estimateStepMemory, loweredWorkspaces } from '../../../src/core/runtime/memory-estimate';
import { configurationBytes } from '../../../src/core/runtime/memory-budget';
import { Rng } from '../../support/random';

const BATCH = 2;
/** SimpleConvNet at half width (8/16/32/64): its three wider 7×7 convs and their input gradients are lowered, at a quarter of the spectra. */
const MODEL = buildSmallCnn({ ...SIMPLE_CONVNET, seed: 4, blocks: SIMPLE_CONVNET.blocks.map((b) => ({ ...b, channels: b.channels / 2 })) });

async function step(config: SessionConfig): Promise<{ results: Float32Array[]; said: string[] }> {
  const said: string[] = [];
  const runner = await GateGradientRunner.create(MODEL, { batchSize: BATCH }, { threads: 1, ...config, onMemoryChoice: (m) => said.push(m) });
  try {
    const g = runner.graphs;
    const rng = new Rng(3);
    const x = Float32Array.from({ length: g.inputDims.reduce((a, b) => a * b, 1) }, () => rng.normal());
    const gates = g.gates.map((v) => Float32Array.from({ length: v.channels }, (_, i) => (i % 3 === 0 ? 0 : 1)));
    const fwd = await runner.forward(x, gates);
    const dLogits = Float32Array.from({ length: fwd.logits.length }, (_, i) => Math.sin(i));
    const dZ = Float32Array.from({ length: fwd.z.length }, (_, i) => Math.cos(i) * 0.1);
    return { results: [Float32Array.from(fwd.logits), ...(await runner.backward(fwd, dLogits, dZ))], said };
  } finally {
    await runner.release();
  }
}

/** A budget between the estimates of the fastest configuration and of every conv direct. */
function middleBudget(): number {
  const g = buildGateGradientGraphs(MODEL, { batchSize: BATCH });
  const bwd = g.backward.graph;
  const [forward, backward] = [{ graph: g.forward, shapes: g.forwardShapes }, { graph: bwd, shapes: inferShapes(bwd, new Map(bwd.inputs.map((v) => [v.name, v.shape as number[]]))) }];
  const workspaces = loweredWorkspaces(forward, backward);
  const limit = workspaces[Math.floor(workspaces.length / 2)];
  return configurationBytes(estimateStepMemory(forward, backward, { maxWorkspaceBytes: limit }), { memoryArena: true, memoryPattern: false });
}

function maxRelativeDifference(a: Float32Array, b: Float32Array): number {
  const scale = Math.max(...b.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
}

test('the step gives the same logits and gate gradients in every configuration a memory budget can choose', async () => {
  const fast = await step({ memoryBudgetBytes: 2 ** 40 });
  assert.match(fast.said[0], /the fastest configuration fits: all \d+ qualifying convs in the frequency domain, onnxruntime's memory arena on, memory pattern on/);
  const lean = await step({ memoryBudgetBytes: 1 });
  assert.match(lean.said[0], /chose the leanest, 0 of \d+ qualifying convs in the frequency domain, onnxruntime's memory arena off/);
  // Only the convs with the smaller activation spectra lowered (half of them, the choice of a budget in between).
  const some = await step({ memoryBudgetBytes: middleBudget() });
  assert.match(some.said[0], /chose [1-9]\d* of \d+ qualifying convs in the frequency domain, onnxruntime's memory arena on, memory pattern off/);
  for (const other of [lean.results, some.results]) {
    fast.results.forEach((values, k) => {
      const err = maxRelativeDifference(other[k], values);
      assert.ok(err <= 1e-5, `${k === 0 ? 'logits' : `gate ${k - 1}`}: relative difference ${err}`);
    });
  }
});
