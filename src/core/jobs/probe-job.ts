/**
 * `bise probe`: how predictable the bias is from a model's bottleneck z and from each gated layer, for the
 * vanilla model and, given a masks.json from `bise extract`, for the subnetwork.
 */
import * as fs from 'node:fs';
import { readModelFile } from '../onnx/reader';
import { gateInputsFor } from '../graphs/gated-forward';
import { GatedInference } from '../bise/gated-inference';
import { ProbeSummary, probeSummary } from '../bise/assess';
import { ExecutionProvider } from '../runtime/session';
import { BuiltinDatasetSpec, loadBuiltinDataset, withModelNormalisation } from './builtin-datasets';
import { discoverModelUnits, modelIo } from './model-analysis';
import { fitDataToModel } from './data-fits-model';

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

export function readMasksFile(file: string, groups: readonly { id: number; channels: number; label: string }[]): boolean[][] {
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
    if (!entry.keep.some((k) => k === true)) {
      throw new Error(`${file}: group ${g.id} (${g.label}) keeps no unit: pruning would remove the whole group and disconnect the network; keep at least one unit of every group`);
    }
    return entry.keep as boolean[];
  });
}

/**
 * `perBias` of each summary (two or more bias attributes) holds the probe on z for attributes 1, 2, …;
 * `biasAttributes` names them all, in the dataset's order.
 */
export async function runProbeJob(o: ProbeJobOptions): Promise<{ biasAttributes: string[]; vanilla: ProbeSummary; subnetwork: ProbeSummary | null }> {
  const model = readModelFile(o.modelPath);
  const io = modelIo(model, o.modelPath);
  const discovery = discoverModelUnits(model, o.modelPath, io, o.bottleneck);
  const keep = o.masksPath ? readMasksFile(o.masksPath, discovery.groups) : undefined;
  const data = fitDataToModel(io, loadBuiltinDataset(withModelNormalisation(o.data, model.metadata, o.modelPath)), o.modelPath);
  const gates = gateInputsFor(discovery, 'group');
  const inference = await GatedInference.create(model, discovery, gates, { provider: o.provider, threads: o.threads, pooledSites: true });
  try {
    const summary = async (values: Float32Array[]): Promise<ProbeSummary> =>
      probeSummary(discovery, await inference.run(data.val, values), await inference.run(data.test, values), data.val, data.test, o);
    const vanilla = await summary(gates.map((g) => new Float32Array(g.channels).fill(1)));
    const subnetwork = keep ? await summary(keep.map((k) => Float32Array.from(k, (v) => (v ? 1 : 0)))) : null;
    return { biasAttributes: [...data.biasAttributes], vanilla, subnetwork };
  } finally {
    await inference.release();
  }
}
