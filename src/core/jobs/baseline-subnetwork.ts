/**
 * `bise extract --baseline random|magnitude --like <BISE report>`: a subnetwork chosen without learning, keeping
 * exactly as many units per group as a BISE run kept (random units, seeded; or the largest L1 norms), and then
 * measured, physically pruned, verified and reported through the same path as a BISE subnetwork — so a baseline
 * is a model a user can run and compare, not only a row of a table.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Model } from '../onnx/ir';
import { Discovery } from '../units/discover';
import { gateInputsFor } from '../graphs/gated-forward';
import { ExtractResult } from '../bise/extract';
import { keptCounts, magnitudeMasks, randomMasks } from '../bise/baselines';
import { readMasksFile } from './probe-job';

export type BaselineKind = 'random' | 'magnitude';
export const BASELINE_KINDS: readonly BaselineKind[] = ['random', 'magnitude'];

export interface BaselineSpec {
  readonly kind: BaselineKind;
  /** masks.json of a `bise extract` run on the same model, or its report folder. */
  readonly like: string;
}

/** The masks.json a --like path names: the file itself, or the one inside a report folder. */
export function likeMasksFile(like: string): string {
  const file = fs.existsSync(like) && fs.statSync(like).isDirectory() ? path.join(like, 'masks.json') : like;
  if (!fs.existsSync(file)) throw new Error(`--like ${like}: no masks.json there (give a bise extract report folder, or its masks.json)`);
  return file;
}

/** Keep decisions of the baseline, with the per-group kept counts of the --like masks. */
export function baselineKeep(spec: BaselineSpec, model: Model, discovery: Discovery, seed: number): boolean[][] {
  const counts = keptCounts(readMasksFile(likeMasksFile(spec.like), discovery.groups));
  return spec.kind === 'random' ? randomMasks(discovery, counts, seed) : magnitudeMasks(model, discovery, counts);
}

/** The baseline as an extraction result (logits ±1 for kept/pruned, no training history), for the extract job. */
export function baselineExtraction(spec: BaselineSpec, model: Model, discovery: Discovery, seed: number): ExtractResult {
  const keep = baselineKeep(spec, model, discovery, seed);
  return {
    discovery,
    gates: gateInputsFor(discovery, 'group'),
    masks: keep.map((k) => Float32Array.from(k, (v) => (v ? 1 : -1))),
    history: [],
    selectedEpoch: 0,
    msPerStep: 0,
    seconds: 0,
  };
}
