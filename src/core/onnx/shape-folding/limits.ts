/**
 * How large a tensor a model may ask for through values in its file, and how much the shape folding evaluates.
 *
 * Range, ConstantOfShape, Expand, Tile and Reshape take their output size from data (a count, a shape, repeats),
 * so a 1 KB file can ask for 2^40 elements. Shape inference refuses such a request, naming the node, before
 * anything is allocated (by the folding here or by onnxruntime later): an output with more elements than the
 * limit, or with a single axis larger than it (an empty [2^40, 0] holds nothing but hands 2^40 to whatever reads
 * its shape; a Reshape keeps its input's element count, so only its axes are checked). The limit is relative to
 * the model itself, so that the engine's own graphs at large batches (a gradient expanded to an activation's
 * shape, a MaxPool gradient's zeros) stay within it:
 *
 *     limit = max(2^28, 16 × the largest tensor the graph is given: a graph input at its concrete shape, or an initializer)
 *
 * 2^28 elements is 1 GiB of float32: far above any mask or broadcast a vision model computes (a ViT's attention
 * mask at batch 256 is 10^7), far below what would exhaust memory. The margin of 16 covers the engine's backward
 * graphs, whose inputs include the activations they expand gradients to.
 */
import { Graph, Node, elementCount } from '../ir';

/** Ops whose output size is read from values in the file rather than implied by their inputs' sizes. */
export const COMPUTED_SIZE_OPS: ReadonlySet<string> = new Set(['Range', 'ConstantOfShape', 'Expand', 'Tile', 'Reshape']);

export const COMPUTED_SIZE_FLOOR = 2 ** 28;
export const COMPUTED_SIZE_MARGIN = 16;

/**
 * The folding evaluates (in float64, in the extension's process) tensors of at most this many elements (a 256 × 256
 * mask)… Shape arithmetic is tiny; a larger computed tensor (a mask expanded over the batch, the zeros of a
 * gradient in the engine's own graphs) keeps its node and onnxruntime computes it.
 */
export const FOLD_TENSOR_LIMIT = 2 ** 16;
/** …and at most this many elements in all, per graph. */
export const FOLD_TOTAL_LIMIT = 2 ** 20;

/** The largest tensor a computed-size op of `graph` may produce, for graph inputs of `inputShapes`. */
export function computedSizeLimit(graph: Graph, inputShapes: ReadonlyMap<string, readonly number[]>): number {
  let largest = 0;
  for (const dims of inputShapes.values()) largest = Math.max(largest, elementCount(dims));
  for (const t of graph.initializers.values()) largest = Math.max(largest, elementCount(t.dims));
  return Math.max(COMPUTED_SIZE_FLOOR, COMPUTED_SIZE_MARGIN * largest);
}

/** Refuses an output of a computed-size op larger than `limit`, naming the node and what it asked for. */
export function checkComputedSize(node: Node, outputs: readonly (readonly number[])[], limit: number): void {
  if (!COMPUTED_SIZE_OPS.has(node.opType)) return;
  outputs.forEach((dims, i) => {
    // A Reshape holds as many elements as its input, however large a legitimate activation is: only its axes count.
    const count = node.opType === 'Reshape' ? 0 : elementCount(dims);
    const largest = Math.max(0, ...dims);
    if (count <= limit && largest <= limit) return;
    const what = count <= limit ? `an axis of size ${largest}` : `${count} elements`;
    throw new Error(
      `node '${node.name}' (${node.opType}): output ${i} would have shape [${dims.join(', ')}], ${what}, more than the ${limit} this model may ask for ` +
        '(2^28, or 16 × its largest input or weight); a size this large comes from a value in the file, not from a real model',
    );
  });
}
