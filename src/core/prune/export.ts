/** Writes a pruned model next to (never over) the source model. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModelFile } from '../onnx/reader';
import { defaultOpset } from '../onnx/ir';
import { checkSupported, inferShapes } from '../onnx/shape-inference';
import { serializeModel, writeFileAtomic } from '../onnx/writer';
import { DiscoverOptions, Discovery, discoverUnits } from '../units/discover';
import { PruneError } from './errors';
import { KeepMask, PruneOptions, PruneResult, concreteInputShapes, pruneModel } from './prune';

export interface WritePrunedOptions extends PruneOptions, DiscoverOptions {
  /** The discovery the masks refer to (default: discoverUnits on the source model with these options). */
  readonly discovery?: Discovery;
}

export interface WritePrunedResult extends PruneResult {
  readonly target: string;
  /** Size of the written file. */
  readonly bytes: number;
}

function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  return fs.existsSync(a) && fs.existsSync(b) && fs.realpathSync(a) === fs.realpathSync(b);
}

/**
 * Read `sourcePath`, prune it with one keep-mask per dependency group (group ids as discoverUnits numbers them)
 * and write the result atomically to `targetPath`. The source file is only read; a target that is the source
 * (same path or the same file through a link) is refused before anything is written.
 */
export function writePrunedModel(sourcePath: string, targetPath: string, masks: readonly KeepMask[], options: WritePrunedOptions = {}): WritePrunedResult {
  if (sameFile(sourcePath, targetPath)) {
    throw new PruneError(`refusing to write the pruned model over the source model '${sourcePath}'; choose another output path`);
  }
  const model = readModelFile(sourcePath);
  let discovery = options.discovery;
  if (!discovery) {
    checkSupported(model.graph);
    discovery = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph, options.inputShapes)), { opset: defaultOpset(model), ...options });
  }
  const result = pruneModel(model, discovery, masks, options);
  const bytes = serializeModel(result.model);
  writeFileAtomic(targetPath, bytes, [sourcePath]);
  return { ...result, target: path.resolve(targetPath), bytes: bytes.length };
}
