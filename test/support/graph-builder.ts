/** Builds small IR graphs for tests: graph inputs with fed values, float32 initializers, nodes with fresh names. */
import { Attribute, Graph, Node, Tensor, ValueInfo, int64Tensor, makeTensor } from '../../src/core/onnx/ir';
import { evaluate } from '../../src/core/ops/reference/interpret';
import { RefTensor, sizeOf } from '../../src/core/ops/reference/tensor';
import { Rng, ValueGen, float32Values, normal } from './random';

export interface BuiltGraph {
  readonly graph: Graph;
  /** Values of the graph inputs (float32-exact). */
  readonly feeds: ReadonlyMap<string, RefTensor>;
}

export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly initializers = new Map<string, Tensor>();
  private readonly feeds = new Map<string, RefTensor>();
  private counter = 0;

  constructor(private readonly rng: Rng) {}

  /** A float32 graph input, fed with values from `gen`. */
  input(name: string, dims: readonly number[], gen: ValueGen = normal()): string {
    this.inputs.push({ name, dtype: 'float32', shape: [...dims] });
    this.feeds.set(name, { dims: [...dims], data: float32Values(this.rng, sizeOf(dims), gen) });
    return name;
  }

  /** A float32 initializer (a constant the rules may read). */
  weight(name: string, dims: readonly number[], gen: ValueGen = normal()): string {
    this.initializers.set(name, makeTensor('float32', dims, Float32Array.from(float32Values(this.rng, sizeOf(dims), gen))));
    return name;
  }

  /** Either a graph input or an initializer, so both code paths of a rule get exercised. */
  tensor(name: string, dims: readonly number[], asInitializer: boolean, gen: ValueGen = normal()): string {
    return asInitializer ? this.weight(name, dims, gen) : this.input(name, dims, gen);
  }

  /** An int64 initializer (shapes, axes, indices). */
  ints(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    this.initializers.set(name, int64Tensor(dims, values));
    return name;
  }

  bool(name: string, value: boolean): string {
    this.initializers.set(name, makeTensor('bool', [], Uint8Array.of(value ? 1 : 0)));
    return name;
  }

  node(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, outputCount = 1): string[] {
    const id = this.counter++;
    const outputs = Array.from({ length: outputCount }, (_, i) => `${opType}_${id}_out${i}`);
    this.nodes.push({ name: `${opType}_${id}`, opType, domain: '', inputs: [...inputs], outputs, attributes });
    return outputs;
  }

  op(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}): string {
    return this.node(opType, inputs, attributes)[0];
  }

  /** The graph without evaluating it (outputs unshaped): for graphs that only have to reach buildBackward. */
  unevaluated(outputs: readonly string[]): Graph {
    const outs: ValueInfo[] = outputs.map((name) => ({ name, dtype: 'float32', shape: null }));
    return { name: 'test', nodes: [...this.nodes], inputs: [...this.inputs], outputs: outs, initializers: new Map(this.initializers), valueInfo: new Map() };
  }

  /**
   * `int64Outputs` names outputs that are int64 (MaxPool's Indices); the rest are float32. Output shapes come
   * from the reference interpreter, so graphs may use ops the engine's shape inference does not know.
   */
  build(outputs: readonly string[], int64Outputs: readonly string[] = []): BuiltGraph {
    const partial: Graph = { name: 'test', nodes: [...this.nodes], inputs: [...this.inputs], outputs: [], initializers: new Map(this.initializers), valueInfo: new Map() };
    const values = evaluate(partial, this.feeds);
    const graph: Graph = {
      ...partial,
      outputs: [...outputs, ...int64Outputs].map((name) => ({ name, dtype: int64Outputs.includes(name) ? 'int64' : 'float32', shape: values.get(name)?.dims ?? null })),
    };
    return { graph, feeds: new Map(this.feeds) };
  }
}
