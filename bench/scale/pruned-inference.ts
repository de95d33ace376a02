/**
 * Inference latency of a dense model and of physically pruned copies (src/core/prune): a deterministic fraction
 * of every dependency group's units removed, the pruned graph run as a plain onnxruntime-node session.
 */
import * as ort from 'onnxruntime-node';
import { Model } from '../../src/core/onnx/ir';
import { serializeModel } from '../../src/core/onnx/writer';
import { inferShapes } from '../../src/core/onnx/shape-inference';
import { discoverUnits } from '../../src/core/units/discover';
import { batchShape } from '../../src/core/graphs/gate-gradient-graphs';
import { pruneModel } from '../../src/core/prune';
import { createSession } from '../../src/core/runtime/session';
import { median, timeRepeated } from './stats';

export interface InferenceSettings {
  readonly batch: number;
  readonly threads: number;
  readonly warmup: number;
  readonly repeats: number;
}

export interface InferenceRow {
  /** Fraction of each group's units removed (0 = the dense model). */
  readonly prunedFraction: number;
  readonly params: number;
  /** Multiply-adds × 2 of Conv/Gemm/MatMul for one batch. */
  readonly flops: number;
  readonly medianMs: number;
}

/** Keep-masks removing round(fraction·C) units of each group, spread over the group (7919 is prime). */
export function keepMasks(channels: readonly number[], fraction: number): boolean[][] {
  return channels.map((c) => {
    const keep = new Array<boolean>(c).fill(true);
    const removed = Math.min(c - 1, Math.round(fraction * c));
    for (let k = 0; k < removed; k++) keep[(k * 7919) % c] = false;
    return keep;
  });
}

export function countParams(m: Model): number {
  let n = 0;
  for (const t of m.graph.initializers.values()) n += t.data.length;
  return n;
}

async function timeInference(m: Model, input: string, dims: readonly number[], s: InferenceSettings): Promise<number> {
  const { session } = await createSession(serializeModel(m), { threads: s.threads });
  try {
    const x = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i));
    const feeds = { [input]: new ort.Tensor('float32', x, dims) };
    return median(await timeRepeated(async () => void (await session.run(feeds)), s.warmup, s.repeats));
  } finally {
    await session.release();
  }
}

/** One row per fraction (0 first = dense), in the order given. */
export async function prunedInferenceLatency(model: Model, fractions: readonly number[], s: InferenceSettings): Promise<InferenceRow[]> {
  const { input, dims } = batchShape(model, s.batch);
  const inputShapes = new Map([[input, dims]]);
  const discovery = discoverUnits(model.graph, inferShapes(model.graph, inputShapes));
  const rows: InferenceRow[] = [];
  for (const fraction of fractions) {
    const pruned = pruneModel(model, discovery, keepMasks(discovery.groups.map((g) => g.channels), fraction), { inputShapes });
    const m = fraction === 0 ? model : pruned.model;
    rows.push({ prunedFraction: fraction, params: countParams(m), flops: pruned.report.flopsAfter, medianMs: await timeInference(m, input, dims, s) });
  }
  return rows;
}
