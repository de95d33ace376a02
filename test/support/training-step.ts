/**
 * One training step of a model's training graphs (forward, then the backward from upstream gradients sin(i + 1) on
 * the logits), for tests that compare two ways of building those graphs: the logits and every parameter gradient.
 */
import assert from 'node:assert/strict';
import { Model } from '../../src/core/onnx/ir';
import { TrainingGraphs } from '../../src/core/graphs/training-graphs';
import { DifferentiableRunner } from '../../src/core/runtime/differentiable-runner';
import { SessionConfig } from '../../src/core/runtime/session';

/** [logits, ...parameter gradients], copied. */
export async function trainingStepOutputs(model: Model, graphs: TrainingGraphs, x: Float32Array, config: SessionConfig = {}): Promise<Float32Array[]> {
  const runner = await DifferentiableRunner.create(model, graphs, { threads: 1, ...config });
  try {
    const feeds: Record<string, Float32Array> = { [graphs.input]: x };
    for (const p of graphs.parameters) feeds[p] = model.graph.initializers.get(p)?.data as Float32Array;
    const fwd = await runner.forward(feeds);
    const logits = Float32Array.from(fwd.outputs[graphs.logits]);
    const grads = await runner.backward(fwd, { [graphs.logits]: Float32Array.from(logits, (_, i) => Math.sin(i + 1)) });
    return [logits, ...grads];
  } finally {
    await runner.release();
  }
}

/** Each of `got` within `tolerance` of `expected`'s largest magnitude (same order: logits first, then gradients). */
export function assertSameStep(got: readonly Float32Array[], expected: readonly Float32Array[], tolerance: number): void {
  assert.equal(got.length, expected.length);
  got.forEach((values, k) => {
    const scale = Math.max(...expected[k].map(Math.abs), 1e-6);
    const err = Math.max(...values.map((v, i) => Math.abs(v - expected[k][i]))) / scale;
    assert.ok(err <= tolerance, `${k === 0 ? 'logits' : `gradient ${k - 1}`}: relative difference ${err}`);
  });
}
