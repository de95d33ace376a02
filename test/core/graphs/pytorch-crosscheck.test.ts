/**
 * The engine against PyTorch: logits (≤ 1e-4) and per-site gate gradients (relative error ≤ 1e-3) on the
 * fixtures exported by scripts/export-fixtures.py (float64 references, fixed batch and upstream gradients).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelFile } from '../../../src/core/onnx/reader';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { FIXTURE_MODELS, fixturePath, loadReference, maxAbsDiff, relativeError } from '../../support/fixtures';

for (const name of FIXTURE_MODELS) {
  test(`${name}: logits and gate gradients match PyTorch`, async () => {
    const ref = loadReference(name);
    const model = readModelFile(fixturePath(name));
    for (const sharing of ['site', 'group'] as const) {
      const runner = await GateGradientRunner.create(model, { batchSize: ref.input.dims[0], sharing }, { threads: 2 });
      try {
        const gates = runner.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
        const fwd = await runner.forward(Float32Array.from(ref.input.data), gates);
        assert.ok(maxAbsDiff(fwd.logits, ref.logits.data) <= 1e-4, `logits differ by ${maxAbsDiff(fwd.logits, ref.logits.data)}`);
        assert.ok(maxAbsDiff(fwd.z, ref.z.data) <= 1e-4, `z differs by ${maxAbsDiff(fwd.z, ref.z.data)}`);
        const grads = await runner.backward(fwd, Float32Array.from(ref.upstream_logits.data), Float32Array.from(ref.upstream_z.data));
        const sites = runner.graphs.discovery.sites;
        assert.equal(sites.length, ref.sites.length, 'number of gate sites');
        if (sharing === 'site') {
          ref.sites.forEach((s, k) => {
            const err = relativeError(grads[k], s.grad);
            assert.ok(err <= 1e-3, `site ${k} (${s.description}, engine: ${sites[k].tensor}): relative error ${err}`);
          });
        } else {
          // A shared gate's gradient is the sum over its sites (reference sites are in graph order).
          runner.graphs.gates.forEach((g, i) => {
            const expected = new Float64Array(g.channels);
            sites.forEach((s, k) => s.group === g.group && ref.sites[k].grad.forEach((v, c) => (expected[c] += v)));
            const err = relativeError(grads[i], expected);
            assert.ok(err <= 1e-3, `group ${g.group}: relative error ${err}`);
          });
        }
      } finally {
        await runner.release();
      }
    }
  });
}
