/**
 * One mask-learning step run twice, with the engine's conv lowering on (and a pruned-specialised pair) and with
 * every conv direct: the logits and every gate gradient must agree. Shared by the conv-lowering tests.
 */
import assert from 'node:assert/strict';
import { Model } from '../../src/core/onnx/ir';
import { GateGradientRunner } from '../../src/core/runtime/gate-gradient-runner';
import { Rng } from './random';

export interface LoweredStepCase {
  readonly model: Model;
  readonly batchSize: number;
  /** Unit `i` of every gate vector is pruned (gate 0) when this says so. */
  readonly pruned: (unit: number) => boolean;
  /** Checks on the lowered runner's graphs (e.g. that the expected convs qualify). */
  readonly checkLowered: (graphs: GateGradientRunner['graphs']) => void;
}

export async function assertLoweredStepMatchesDirect(c: LoweredStepCase): Promise<void> {
  const results: Float32Array[][] = [];
  const rng = new Rng(5);
  let x: Float32Array | undefined;
  for (const lowered of [true, false]) {
    const runner = await GateGradientRunner.create(c.model, { batchSize: c.batchSize }, { threads: 1, frequencyConv: lowered });
    try {
      const g = runner.graphs;
      if (lowered) c.checkLowered(g);
      x ??= Float32Array.from({ length: g.inputDims.reduce((a, b) => a * b, 1) }, () => rng.normal());
      const gates = g.gates.map((v) => Float32Array.from({ length: v.channels }, (_, i) => (c.pruned(i) ? 0 : 1)));
      // The lowered run also skips the pruned channels (a specialised pair, itself lowered).
      if (lowered) await runner.specialize(gates.map((v) => new Set([...v.keys()].filter((k) => v[k] === 0))));
      const fwd = await runner.forward(x, gates);
      const dLogits = Float32Array.from({ length: fwd.logits.length }, (_, i) => Math.sin(i));
      const dZ = Float32Array.from({ length: fwd.z.length }, (_, i) => Math.cos(i) * 0.1);
      results.push([Float32Array.from(fwd.logits), ...(await runner.backward(fwd, dLogits, dZ))]);
    } finally {
      await runner.release();
    }
  }
  const [lowered, direct] = results;
  lowered.forEach((values, k) => {
    const scale = Math.max(...direct[k].map(Math.abs));
    const err = Math.max(...values.map((v, i) => Math.abs(v - direct[k][i]))) / scale;
    assert.ok(err <= 1e-4, `${k === 0 ? 'logits' : `gate ${k - 1}`}: relative difference ${err}`);
  });
}
