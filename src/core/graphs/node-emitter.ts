/**
 * Emits the nodes and constants of a graph rewrite under one name prefix (`prefix/what`), numbering them so that
 * names stay unique: the small builder the frequency-domain conv and training-mode batch norm share.
 */
import { Attribute, Node, Tensor, int64Tensor } from '../onnx/ir';

export class NodeEmitter {
  readonly nodes: Node[] = [];
  readonly initializers = new Map<string, Tensor>();
  private counter = 0;

  constructor(private readonly prefix: string) {}

  name(what: string): string {
    return `${this.prefix}/${what}`;
  }

  constant(what: string, tensor: Tensor): string {
    this.initializers.set(this.name(what), tensor);
    return this.name(what);
  }

  /** One single-output node; its output is `output` when given, else a fresh name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, output?: string, domain = ''): string {
    const out = output ?? this.name(`${opType.toLowerCase()}_${this.counter}`);
    this.nodes.push({ name: this.name(`${opType}_${this.counter++}`), opType, domain, inputs: [...inputs], outputs: [out], attributes });
    return out;
  }

  reshape(input: string, dims: readonly number[], output?: string): string {
    return this.op('Reshape', [input, this.constant(`shape_${this.counter}`, int64Tensor([dims.length], dims))], {}, output);
  }
}
