/**
 * Discovery gates a dependency group only if pruning can follow its channels to every consumer exactly: the
 * group's units are pruned on a trial basis (every second unit removed, the rest of the model untouched) with
 * the pruner itself, and a group the pruner refuses is left out, with the pruner's reason, before any mask is
 * learnt. So `bise info` lists what cannot be pruned (a LayerNorm over the channels, a Reshape that splits them, a
 * Softmax across them) instead of an extract failing after its epochs.
 *
 * One trial with every group cut at once is enough when the model prunes; only when it does not is each group
 * tried alone (then together again, in case two groups only fail in combination).
 */
import { Graph } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { PruneError } from '../prune/errors';
import { KeepMask, PruneAnalysis, analyseForPruning, checkPrunes } from '../prune/prune';
import type { Discovery, GateSite, UnitGroup } from './discover';

export interface PruneTrialGraph {
  /** The model as it will be pruned (when discovery ran on a rewritten form of it, e.g. with shapes folded). */
  readonly graph: Graph;
  /** Its tensors' shapes at concrete input shapes. */
  readonly shapes: ShapeMap;
}

/** The groups (by index in `groups`) that pruning refuses, with the pruner's message. */
export function unprunableGroups(
  target: PruneTrialGraph,
  groups: readonly UnitGroup[],
  sites: readonly (GateSite & { readonly group: number })[],
  opset: number,
): Map<number, string> {
  const refused = new Map<number, string>();
  if (groups.length === 0) return refused;
  const { graph, shapes } = target;
  const inputShapes = new Map<string, readonly number[]>();
  for (const v of graph.inputs) {
    const s = shapes.get(v.name);
    if (!s) return refused; // not analysable here; pruning itself will say why
    inputShapes.set(v.name, s);
  }
  let analysis: PruneAnalysis;
  try {
    analysis = analyseForPruning(graph, inputShapes, inputShapes);
  } catch (e) {
    if (e instanceof PruneError) return refused;
    throw e;
  }
  const discovery = { units: [], groups, sites, classifier: '', bottleneck: '', logits: '', skipped: [] } as Discovery;
  const trial = (cut: ReadonlySet<number>): string | undefined => {
    const masks: KeepMask[] = groups.map((g, k) => Array.from({ length: g.channels }, (_, u) => !cut.has(k) || u % 2 === 0));
    try {
      checkPrunes(graph, analysis, discovery, masks, opset);
      return undefined;
    } catch (e) {
      // Anything the pruner throws (a PruneError naming the node, or an internal error) keeps the group ungated,
      // with the message shown: the model still loads, and the user reads why these units are not pruned.
      if (e instanceof Error) return e.message;
      throw e;
    }
  };
  const candidates = groups.map((_, k) => k).filter((k) => groups[k].channels > 1);
  if (trial(new Set(candidates)) === undefined) return refused;
  for (const k of candidates) {
    const why = trial(new Set([k]));
    if (why !== undefined) refused.set(k, why);
  }
  const alone = candidates.filter((k) => !refused.has(k));
  if (trial(new Set(alone)) === undefined) return refused;
  // Groups that prune alone but not together: accept them one by one while the trial still passes.
  const accepted = new Set<number>();
  for (const k of alone) {
    const why = trial(new Set([...accepted, k]));
    if (why === undefined) accepted.add(k);
    else refused.set(k, why);
  }
  return refused;
}
