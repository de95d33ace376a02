/** Small helpers to build IR models in tests. */
import { Attribute, Graph, Model, Node, Tensor, ValueInfo } from '../../src/core/onnx/ir';

export function node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, Attribute> = {}, name?: string): Node {
  return { name: name ?? `${opType}_${outputs[0]}`, opType, domain: '', inputs, outputs, attributes };
}

export function valueInfo(name: string, shape: (number | string)[] | null, dtype: ValueInfo['dtype'] = 'float32'): ValueInfo {
  return { name, dtype, shape };
}

export function graphOf(parts: {
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers?: Record<string, Tensor>;
}): Graph {
  return {
    name: 'test',
    nodes: parts.nodes,
    inputs: parts.inputs,
    outputs: parts.outputs,
    initializers: new Map(Object.entries(parts.initializers ?? {})),
    valueInfo: new Map(),
  };
}

export function modelOf(graph: Graph, opset = 13, irVersion = 8): Model {
  return { irVersion, opsetImports: [{ domain: '', version: opset }], producerName: 'test', producerVersion: '', graph, metadata: {} };
}
