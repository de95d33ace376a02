/**
 * Shared by layout-ops.test.ts and reductions.test.ts: the reference kernel and the shape rule against
 * onnxruntime at a chosen opset (the forms these ops take change with it), and pruned-vs-gated checks on small
 * conv models (test/core/prune/ir-builder.ts).
 */
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Model } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { serializeModel } from '../../../src/core/onnx/writer';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { Discovery, discoverUnits } from '../../../src/core/units/discover';
import { PruneError, concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { BuiltGraph } from '../../support/graph-builder';
import { assertClose } from '../../support/gradcheck';
import { fromOrt, modelOf, toOrtFloat32 } from '../../support/ort';
import { GraphBuilder as ModelBuilder } from '../prune/ir-builder';

/** Our float64 kernel and our shape rule against onnxruntime (float32) running the graph at `opset`. */
export async function matchesOnnxRuntime(label: string, built: BuiltGraph, opset: number, tolerance = 1e-5): Promise<void> {
  const ours = evaluate(built.graph, built.feeds);
  const shapes = inferShapes(built.graph, new Map([...built.feeds].map(([name, t]) => [name, t.dims])));
  const model = { ...modelOf(built.graph), opsetImports: [{ domain: '', version: opset }] };
  const session = await ort.InferenceSession.create(serializeModel(model));
  let theirs: Record<string, ort.Tensor>;
  try {
    theirs = await session.run(Object.fromEntries(built.graph.inputs.map((v) => [v.name, toOrtFloat32(built.feeds.get(v.name)!)])));
  } finally {
    await session.release();
  }
  for (const out of built.graph.outputs) {
    const expected = fromOrt(theirs[out.name]);
    const got = ours.get(out.name)!;
    assert.deepEqual(got.dims, expected.dims, `${label}: reference shape of '${out.name}'`);
    assert.deepEqual(shapes.get(out.name), expected.dims, `${label}: shape rule for '${out.name}'`);
    assertClose(got.data, expected.data, tolerance, `${label}: '${out.name}'`);
  }
}

/** A keep-mask of `channels` entries keeping exactly `keep`. */
export function only(channels: number, keep: readonly number[]): Uint8Array {
  const m = new Uint8Array(channels);
  for (const k of keep) m[k] = 1;
  return m;
}

/** `checkPruning: false` hands the pruner groups it must refuse (discovery would leave them out: units/prunable-groups.ts). */
export function discover(model: Model, checkPruning = true): Discovery {
  return discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)), { checkPruning });
}

export const conv3x3 = { kernel_shape: { type: 'ints' as const, value: [3, 3] }, pads: { type: 'ints' as const, value: [1, 1, 1, 1] } };

/** Prunes with `masks` and checks the pruned model computes what the gated model computes; returns the pruned model. */
export async function prunedMatchesGated(model: Model, keep: Readonly<Record<string, readonly number[]>>, batchDims: readonly number[], seed = 3): Promise<Model> {
  const d = discover(model);
  const masks = masksByProducer(d, keep);
  const { model: pruned } = pruneModel(model, d, masks);
  const batch = new ModelBuilder(seed).batch(batchDims);
  const r = await verifyPruning(model, d, masks, batch, { pruned, session: { threads: 1 } });
  assert.ok(r.maxAbsDiff <= 1e-5, `pruned vs gated logits differ by ${r.maxAbsDiff}`);
  return pruned;
}

/** Pruning with `masks` is refused by node `node` (op `op`), with a message matching `why`. */
export function assertRefused(model: Model, keep: Readonly<Record<string, readonly number[]>>, node: string, op: string, why: RegExp): void {
  const d = discover(model, false);
  assert.throws(
    () => pruneModel(model, d, masksByProducer(d, keep)),
    (e: unknown) => {
      assert.ok(e instanceof PruneError, String(e));
      assert.equal(e.node, node);
      assert.equal(e.opType, op);
      assert.match(e.message, new RegExp(`node '${node}' \\(${op}\\)`));
      assert.match(e.message, why);
      return true;
    },
  );
}

/** A model with its default opset set to `opset`. */
export function atOpset(model: Model, opset: number): Model {
  return { ...model, opsetImports: [{ domain: '', version: opset }] };
}

/** Gives node `name` the outputs `outputs` (the prune test builder makes single-output nodes). */
export function withOutputs(model: Model, name: string, outputs: readonly string[]): Model {
  return { ...model, graph: { ...model.graph, nodes: model.graph.nodes.map((n) => (n.name === name ? { ...n, outputs: [...outputs] } : n)) } };
}

/** One keep-mask per group of `d`: the group whose first producer is named in `keep` keeps those units, others keep all. */
export function masksByProducer(d: Discovery, keep: Readonly<Record<string, readonly number[]>>): Uint8Array[] {
  return d.groups.map((g) => {
    const k = g.producers.map((p) => keep[p]).find((v) => v !== undefined);
    return k ? only(g.channels, k) : new Uint8Array(g.channels).fill(1);
  });
}
