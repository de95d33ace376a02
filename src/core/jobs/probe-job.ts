/**
 * `bise probe`: how predictable the bias is from a model's bottleneck z and from each gated layer, for the
 * vanilla model and, given a masks.json from `bise extract`, for the subnetwork.
 */
import * as fs from 'node:fs';
import { readModelFile } from '../onnx/reader';
import { batchShape } from '../graphs/gate-gradient-graphs';
import { gateInputsFor } from '../graphs/gated-forward';
import { inferShapes } from '../onnx/shape-inference';
import { discoverUnits } from '../units/discover';
import { GatedInference } from '../bise/gated-inference';
import { ProbeSummary, probeSummary } from '../bise/assess';
import { ExecutionProvider } from '../runtime/session';
import { BuiltinDatasetSpec, loadBuiltinDataset, withModelNormalisation } from './builtin-datasets';

export interface ProbeJobOptions {
  readonly modelPath: string;
  /** masks.json written by `bise extract` (keep flags per group); without it only the vanilla model is probed. */
  readonly masksPath?: string;
  readonly data: BuiltinDatasetSpec;
  readonly seed: number;
  readonly epochs: number;
  readonly bottleneck?: string;
  readonly provider?: ExecutionProvider;
  readonly threads?: number;
}

export function readMasksFile(file: string, groups: readonly { id: number; channels: number }[]): boolean[][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot be read as JSON (${(e as Error).message})`);
  }
  const list = (parsed as { groups?: { group: number; keep: unknown }[] }).groups;
  if (!Array.isArray(list)) throw new Error(`${file}: expected {"groups": [{"group": id, "keep": [true, false, …]}, …]}`);
  return groups.map((g) => {
    const entry = list.find((e) => e.group === g.id);
    if (!entry || !Array.isArray(entry.keep) || entry.keep.length !== g.channels || !entry.keep.every((k) => typeof k === 'boolean')) {
      throw new Error(`${file}: group ${g.id} needs a "keep" list of ${g.channels} booleans (does this mask file belong to this model?)`);
    }
    return entry.keep as boolean[];
  });
}

export async function runProbeJob(o: ProbeJobOptions): Promise<{ vanilla: ProbeSummary; subnetwork: ProbeSummary | null }> {
  const model = readModelFile(o.modelPath);
  const { input, dims } = batchShape(model, 1);
  const discovery = discoverUnits(model.graph, inferShapes(model.graph, new Map([[input, dims]])), o.bottleneck ? { bottleneck: o.bottleneck } : {});
  const keep = o.masksPath ? readMasksFile(o.masksPath, discovery.groups) : undefined;
  const data = loadBuiltinDataset(withModelNormalisation(o.data, model.metadata, o.modelPath));
  const gates = gateInputsFor(discovery, 'group');
  const inference = await GatedInference.create(model, discovery, gates, { provider: o.provider, threads: o.threads, pooledSites: true });
  try {
    const summary = async (values: Float32Array[]): Promise<ProbeSummary> =>
      probeSummary(discovery, await inference.run(data.val, values), await inference.run(data.test, values), data.val, data.test, o);
    const vanilla = await summary(gates.map((g) => new Float32Array(g.channels).fill(1)));
    const subnetwork = keep ? await summary(keep.map((k) => Float32Array.from(k, (v) => (v ? 1 : 0)))) : null;
    return { vanilla, subnetwork };
  } finally {
    await inference.release();
  }
}
