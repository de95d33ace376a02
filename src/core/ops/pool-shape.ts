/** Shape rules shared by the pooling ops (MaxPool, AveragePool and their global forms). */
import { Node, attrInts } from '../onnx/ir';
import { WindowGeometry, windowGeometry, windowOutputSize } from '../onnx/conv-geometry';
import { need } from './shape-rules';

/** The input [N, C, spatial…] of a pool, which needs at least one spatial axis. */
export function poolInput(node: Node, s: ReadonlyArray<readonly number[] | undefined>): readonly number[] {
  const x = need(s[0], node, 0);
  if (x.length < 3) throw new Error(`node '${node.name}' (${node.opType}): input [${x.join(', ')}] should be [N, C, spatial…] with at least one spatial axis`);
  return x;
}

/** The window geometry of a MaxPool / AveragePool node; kernel_shape is required and gives the spatial rank. */
export function poolGeometry(node: Node, x: readonly number[]): WindowGeometry {
  const kernel = attrInts(node, 'kernel_shape');
  if (!kernel) throw new Error(`node '${node.name}' (${node.opType}): the kernel_shape attribute is required`);
  if (kernel.length !== x.length - 2) {
    throw new Error(`node '${node.name}' (${node.opType}): kernel_shape [${kernel.join(', ')}] does not match the ${x.length - 2} spatial axes of input [${x.join(', ')}]`);
  }
  return windowGeometry(node, x.slice(2), kernel);
}

export function pooledShape(node: Node, x: readonly number[]): number[] {
  return [x[0], x[1], ...windowOutputSize(poolGeometry(node, x), x.slice(2))];
}

/** [N, C, 1, …]: the global pools reduce every spatial axis. */
export function globalPooledShape(node: Node, s: ReadonlyArray<readonly number[] | undefined>): number[][] {
  const x = poolInput(node, s);
  return [[x[0], x[1], ...x.slice(2).map(() => 1)]];
}
