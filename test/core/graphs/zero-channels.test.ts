/**
 * Specialising the step for pruned units must not change any number: logits and every gate gradient (pruned
 * units included) equal the dense step's, and a specialisation the gates do not satisfy is never used.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelFile } from '../../../src/core/onnx/reader';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { liveChannels, sliceAxis } from '../../../src/core/graphs/zero-channels';
import { floatTensor } from '../../../src/core/onnx/ir';
import { FIXTURE_MODELS, fixturePath, loadReference, maxAbsDiff, relativeError } from '../../support/fixtures';

function seededGates(channels: readonly number[], keep: number, seed: number): Float32Array[] {
  let s = seed >>> 0;
  const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return channels.map((c) => new Float32Array(c).map(() => (next() < keep ? 1 : 0)));
}

test('live channels are padded with zero channels up to the block size', () => {
  assert.deepEqual(liveChannels(8, new Set([1, 3, 5]), 1), [0, 2, 4, 6, 7]);
  assert.deepEqual(liveChannels(8, new Set([1, 3, 5]), 4), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(liveChannels(16, new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 4), [0, 1, 10, 11, 12, 13, 14, 15]);
  assert.deepEqual(liveChannels(4, new Set([0, 1, 2, 3]), 16), []);
  const t = floatTensor([2, 3, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual([...sliceAxis(t, 1, [0, 2]).data], [0, 1, 4, 5, 6, 7, 10, 11]);
});

for (const name of FIXTURE_MODELS) {
  test(`${name}: the specialised step equals the dense step`, async () => {
    const ref = loadReference(name);
    const runner = await GateGradientRunner.create(readModelFile(fixturePath(name)), { batchSize: ref.input.dims[0] }, { threads: 2 });
    try {
      const x = Float32Array.from(ref.input.data);
      const dLogits = Float32Array.from(ref.upstream_logits.data);
      const dZ = Float32Array.from(ref.upstream_z.data);
      const gates = seededGates(runner.graphs.gates.map((g) => g.channels), 0.4, 7);
      const zero = gates.map((g) => new Set([...g.keys()].filter((c) => g[c] === 0)));
      const step = async (gs: Float32Array[]) => {
        const f = await runner.forward(x, gs);
        const logits = Float32Array.from(f.logits);
        return { logits, grads: await runner.backward(f, dLogits, dZ), pair: f.result };
      };
      const dense = await step(gates);
      await runner.specialize(zero, { channelBlock: 1 });
      const sparse = await step(gates);
      assert.notEqual(sparse.pair.sessions, dense.pair.sessions, 'the specialised sessions were used');
      assert.ok(maxAbsDiff(sparse.logits, dense.logits) <= 1e-4);
      dense.grads.forEach((g, i) => assert.ok(relativeError(sparse.grads[i], g) <= 1e-5, `gate ${i}: ${relativeError(sparse.grads[i], g)}`));
      // Re-opening a pruned unit invalidates the specialisation: the dense pair must be used.
      const reopened = gates.map((g) => Float32Array.from(g));
      const [gi, c] = [zero.findIndex((z) => z.size > 0), 0];
      reopened[gi][[...zero[gi]][c]] = 1;
      const back = await step(reopened);
      assert.notEqual(back.pair.sessions, sparse.pair.sessions, 'a dense pair ran (rebuilt: specialising released the first)');
      const denseAgain = await step(reopened);
      assert.equal(denseAgain.pair.sessions, back.pair.sessions, 'the rebuilt dense pair is kept');
    } finally {
      await runner.release();
    }
  });
}
