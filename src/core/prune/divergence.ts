/**
 * Where a pruned model stops matching the gated one: runs the gated source on a batch with every tensor that lost
 * channels as an output, and finds the first (in graph order) whose removed channels do not hold what pruning
 * assumed (zero, or the constant it folded into a layer: PruneResult.removedChannels). That node is where a removed
 * channel became non-zero (or changed) without the pruner knowing, so the user (and a bug report) can be pointed
 * at it instead of at the logits.
 */
import * as ort from 'onnxruntime-node';
import { Model } from '../onnx/ir';
import { serializeModel } from '../onnx/writer';
import { buildGatedForward, gateInputsFor, gatedName } from '../graphs/gated-forward';
import { producedDtype } from '../ops/output-dtypes';
import { SessionConfig, createSession } from '../runtime/session';
import { Discovery } from '../units/discover';
import { KeepMask, RemovedChannels, keptIndices } from './prune';
import { ModelBatch, batchFeeds } from './verify';

export interface Divergence {
  /** The node whose output first holds removed channels that differ from what pruning assumed. */
  readonly node: string;
  readonly opType: string;
  readonly tensor: string;
  /** An original channel index (along the map's axis). */
  readonly channel: number;
  /** What pruning assumed it holds, and the largest deviation seen on the batch. */
  readonly expected: number;
  readonly actual: number;
}

/** Relative to the tensor's own scale, as the logits check is. */
const TOLERANCE = 1e-4;

export async function firstDivergence(
  source: Model,
  discovery: Discovery,
  masks: readonly KeepMask[],
  input: ModelBatch,
  removed: ReadonlyMap<string, RemovedChannels>,
  config: SessionConfig = {},
): Promise<Divergence | undefined> {
  const nodes = source.graph.nodes;
  const producer = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  // Sites are read gated: their removed channels are zero there, while the tensor itself holds the layer's values.
  const read = (tensor: string, r: RemovedChannels): string => (r.site ? gatedName(tensor) : tensor);
  const checked = [...removed].filter(([t, r]) => producer.has(t) && producedDtype(nodes, t) === 'float32' && hasExpectation(r));
  if (checked.length === 0) return undefined;
  const gates = gateInputsFor(discovery, 'group');
  const gated = buildGatedForward(source.graph, discovery, gates, checked.map(([t, r]) => read(t, r)));
  const { session } = await createSession(serializeModel({ ...source, graph: gated.graph }), config);
  try {
    const kept = keptIndices(discovery, masks);
    const feeds: Record<string, ort.Tensor> = batchFeeds(source, input);
    for (const g of gates) {
      const values = new Float32Array(g.channels);
      for (const i of kept[g.group]) values[i] = 1;
      feeds[g.name] = new ort.Tensor('float32', values, [...g.dims]);
    }
    const out = await session.run(feeds);
    for (const [tensor, r] of checked) {
      const t = out[read(tensor, r)];
      const found = deviation(t.data as Float32Array, t.dims, r);
      if (found) {
        const n = producer.get(tensor) as { name: string; opType: string };
        return { node: n.name, opType: n.opType, tensor, ...found };
      }
    }
    return undefined;
  } finally {
    await session.release();
  }
}

function hasExpectation(r: RemovedChannels): boolean {
  return !r.state || removedOf(r).some((c) => !Number.isNaN(r.state?.values[c] ?? 0));
}

function removedOf(r: RemovedChannels): number[] {
  const kept = new Set(r.map.kept);
  return Array.from({ length: r.map.size }, (_, c) => c).filter((c) => !kept.has(c));
}

/** The removed channel that strays furthest from its expected value, if any strays beyond the tolerance. */
function deviation(data: Float32Array, dims: readonly number[], r: RemovedChannels): { channel: number; expected: number; actual: number } | undefined {
  const axis = r.map.axis;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const size = dims[axis];
  const removed = new Set(removedOf(r));
  let scale = 0;
  for (const v of data) scale = Math.max(scale, Math.abs(v));
  let worst: { channel: number; expected: number; actual: number; off: number } | undefined;
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % size;
    if (!removed.has(c)) continue;
    const expected = r.state?.values[c] ?? 0;
    if (Number.isNaN(expected)) continue;
    const off = Math.abs(data[i] - expected);
    if (off > TOLERANCE * Math.max(1, scale) && (!worst || off > worst.off)) worst = { channel: c, expected, actual: data[i], off };
  }
  return worst && { channel: worst.channel, expected: worst.expected, actual: worst.actual };
}

/** What was found, e.g. for an error that already names the node. */
export function describeDivergence(d: Divergence): string {
  const assumed = d.expected === 0 ? 'zero' : `the constant ${d.expected.toPrecision(4)} that pruning folded into the layer that reads it`;
  return `channel ${d.channel} of its output '${d.tensor}' holds ${d.actual.toPrecision(4)} in the gated model where pruning assumes ${assumed}`;
}
