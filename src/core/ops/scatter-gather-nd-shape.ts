/** The shape ScatterND's updates must have and GatherND produces: indices.shape[:-1] + data.shape[k:], k = indices.shape[-1]. */
import { Node } from '../onnx/ir';

export function indexedSliceShape(node: Node, data: readonly number[], indices: readonly number[]): number[] {
  const k = indices[indices.length - 1];
  if (indices.length === 0 || k > data.length) {
    throw new Error(`node '${node.name}' (${node.opType}): indices [${indices.join(', ')}] do not index a [${data.join(', ')}] tensor (their last axis must be at most its rank ${data.length})`);
  }
  return [...indices.slice(0, -1), ...data.slice(k)];
}
