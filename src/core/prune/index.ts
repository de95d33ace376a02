/** Physical pruning and export: the public surface of src/core/prune. */
export type { ChannelMap } from './channel-map';
export type { GraphCost, LayerCostEntry } from './cost';
export { COUNTED_OPS, graphCost } from './cost';
export { PruneError } from './errors';
export type { WritePrunedOptions, WritePrunedResult } from './export';
export { writePrunedModel } from './export';
export type { GroupReport, KeepMask, LayerReport, PruneOptions, PruneReport, PruneResult } from './prune';
export { concreteInputShapes, formatPruneReport, keptIndices, prunableOps, pruneModel } from './prune';
export type { PruneContext, PruneRule } from './rule';
export type { InputBatch, ModelBatch, NamedInput, NamedInputBatch, VerifyOptions, VerifyResult } from './verify';
export { PruneVerifier, maxAbsDifference, runModel, verifyPruning } from './verify';
