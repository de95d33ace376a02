/**
 * Helpers for the elementwise / activation op tests: the float64 reference kernels against onnxruntime (at a
 * given opset, e.g. 20 for Gelu), and a gradient check that also requires the backward graph to pass the engine's
 * own shape inference (every op a rule emits must be registered: the MobileNetV2 'And' failure).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { BuiltGraph, GraphBuilder } from '../../support/graph-builder';
import { DrawnCase, GradCheckOptions, GradCheckResult, assertClose, gradCheckDraws } from '../../support/gradcheck';
import { fromOrt, runOnnx, toOrtFloat32 } from '../../support/ort';
import { Rng, seedFor } from '../../support/random';

const REFERENCE_TOLERANCE = 1e-5;

/** Our float64 kernels and onnxruntime's float32 ones on the same (float32-exact) inputs. */
export async function compareWithOnnxRuntime(label: string, built: BuiltGraph, opset = 17): Promise<void> {
  const ours = evaluate(built.graph, built.feeds);
  const feeds = Object.fromEntries(built.graph.inputs.map((v) => [v.name, toOrtFloat32(built.feeds.get(v.name)!)]));
  const theirs = await runOnnx(built.graph, feeds, { opset });
  for (const out of built.graph.outputs) {
    const expected = fromOrt(theirs[out.name]);
    const got = ours.get(out.name)!;
    assert.deepEqual(got.dims, expected.dims, `${label}: shape of '${out.name}'`);
    assertClose(got.data, expected.data, REFERENCE_TOLERANCE, `${label}: '${out.name}'`);
  }
}

/** A test comparing the reference kernels with onnxruntime on `draws` random graphs from `make`. */
export function refTest(name: string, make: (rng: Rng, b: GraphBuilder) => { outputs: string[]; describe?: string }, options: { opset?: number; draws?: number } = {}): void {
  test(`reference ${name} matches onnxruntime`, async () => {
    for (let draw = 0; draw < (options.draws ?? 5); draw++) {
      const seed = seedFor(`reference ${name}`, draw);
      const rng = new Rng(seed);
      const b = new GraphBuilder(rng);
      const { outputs, describe = '' } = make(rng, b);
      await compareWithOnnxRuntime(`${name} draw ${draw} (seed ${seed}) ${describe}`, b.build(outputs), options.opset);
    }
  });
}

/**
 * gradCheckDraws (float64 finite differences, and onnxruntime float32 running forward and backward at opset 17),
 * plus: the backward graph passes the engine's own shape inference, as the zero-channel specialisation needs
 * (the reference interpreter has already run it, so every op it emits has a kernel too).
 */
export async function gradCheckOps(name: string, draws: number, make: (rng: Rng) => DrawnCase, options: GradCheckOptions = {}): Promise<GradCheckResult[]> {
  const results = await gradCheckDraws(name, draws, make, options);
  for (const r of results) {
    const g = r.backward.graph;
    inferShapes(g, new Map(g.inputs.map((v) => [v.name, v.shape as number[]])));
  }
  return results;
}
