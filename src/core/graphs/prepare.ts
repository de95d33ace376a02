import { Node } from '../onnx/ir';

export const indicesName = (output: string): string => `${output}::indices`;

/** MaxPool's gradient rule needs the Indices output: add it where the model left it out. */
export function withMaxPoolIndices(nodes: readonly Node[]): Node[] {
  return nodes.map((n) => (n.opType === 'MaxPool' && !n.outputs[1] ? { ...n, outputs: [n.outputs[0], indicesName(n.outputs[0])] } : n));
}
