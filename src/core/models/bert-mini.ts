/**
 * A small BERT-style text classifier as ONNX IR, node for node as torch.onnx.export (opset 17) writes Hugging
 * Face's BertForSequenceClassification, so that the engine meets it as it meets a user's exported model:
 * word + position embeddings (Gather on int64 ids, positions sliced from a position_ids buffer by the sequence
 * length read with Shape), LayerNormalization; per layer, Q/K/V as MatMul + Add (the weight stored [in, out] as
 * torch writes nn.Linear on 3-D inputs), heads split by a Reshape whose target is assembled from Shape/Gather/
 * Unsqueeze/Concat and a Transpose, scores / √head + the additive mask (1 − mask) · float32 min, Softmax, context,
 * heads merged, output dense + residual + LayerNormalization; intermediate dense + GELU written with Erf, output
 * dense + residual + LayerNormalization; pooler Gemm + Tanh on token 0; classifier Gemm. Inputs input_ids and
 * attention_mask (int64 [batch, sequence], dynamic), output logits [batch, classes] (no token_type_ids: one
 * segment). Initialised as Hugging Face initialises BERT (normal(0, 0.02) weights, zero biases, LayerNorm 1 and 0),
 * seeded.
 */
import { Attribute, Model, Node, Tensor, ValueInfo, floatAttr, floatTensor, intAttr, intsAttr, makeTensor } from '../onnx/ir';
import { builtinModel } from './classifier-model';
import { Rng, createRng, fillNormal } from '../data/random';

export interface BertMiniSpec {
  /** Rows of the word embedding table: the tokenizer's vocabulary size. */
  readonly vocabulary: number;
  /** Most tokens per text (rows of the position table). */
  readonly positions: number;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly classes: number;
  readonly seed: number;
}

/** Sizes for the built-in text benchmark: small enough to train in minutes on two cores. */
export const BERT_MINI: Omit<BertMiniSpec, 'vocabulary' | 'seed'> = { positions: 128, hidden: 64, layers: 2, heads: 4, intermediate: 256, classes: 2 };

const FLOAT32_MIN = -3.4028234663852886e38;
const EPSILON = 1e-12;
const INIT_STD = 0.02;

class Builder {
  readonly nodes: Node[] = [];
  readonly initializers = new Map<string, Tensor>();
  private count = 0;
  constructor(private readonly rng: Rng) {}

  node(scope: string, opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, output?: string): string {
    const name = `${scope}/${opType}_${this.count++}`;
    const out = output ?? `${name}_output_0`;
    this.nodes.push({ name, opType, domain: '', inputs: [...inputs], outputs: [out], attributes });
    return out;
  }

  /** A Constant node, as torch.onnx writes scalars and small index lists. */
  constant(scope: string, tensor: Tensor): string {
    return this.node(scope, 'Constant', [], { value: { type: 'tensor', value: tensor } });
  }

  int64(scope: string, values: readonly number[], scalar = false): string {
    return this.constant(scope, makeTensor('int64', scalar ? [] : [values.length], BigInt64Array.from(values, BigInt)));
  }

  float(scope: string, value: number): string {
    return this.constant(scope, floatTensor([], [value]));
  }

  weight(name: string, dims: readonly number[], init: 'normal' | 'zeros' | 'ones'): string {
    const size = dims.reduce((a, b) => a * b, 1);
    const data = init === 'normal' ? fillNormal(new Float32Array(size), this.rng, 0, INIT_STD) : new Float32Array(size).fill(init === 'ones' ? 1 : 0);
    this.initializers.set(name, floatTensor(dims, data));
    return name;
  }

  /** nn.Linear on a 3-D input: MatMul with the weight stored [in, out], then Add(bias, ·). */
  linear(scope: string, name: string, x: string, inputs: number, outputs: number): string {
    const product = this.node(scope, 'MatMul', [x, this.weight(`${name}.weight`, [inputs, outputs], 'normal')]);
    return this.node(scope, 'Add', [this.weight(`${name}.bias`, [outputs], 'zeros'), product]);
  }

  /** nn.Linear on a 2-D input: Gemm with the weight [out, in] (transB). */
  gemm(scope: string, name: string, x: string, inputs: number, outputs: number, output?: string): string {
    const w = this.weight(`${name}.weight`, [outputs, inputs], 'normal');
    const b = this.weight(`${name}.bias`, [outputs], 'zeros');
    return this.node(scope, 'Gemm', [x, w, b], { alpha: floatAttr(1), beta: floatAttr(1), transB: intAttr(1) }, output);
  }

  layerNorm(scope: string, name: string, x: string, width: number): string {
    const inputs = [x, this.weight(`${name}.weight`, [width], 'ones'), this.weight(`${name}.bias`, [width], 'zeros')];
    return this.node(scope, 'LayerNormalization', inputs, { axis: intAttr(-1), epsilon: floatAttr(EPSILON) });
  }

  /** x.size(axis) as a 1-element int64 tensor (Shape, Gather, Unsqueeze), as torch writes a size in a view. */
  size(scope: string, x: string, axis: number): string {
    const shape = this.node(scope, 'Shape', [x]);
    const picked = this.node(scope, 'Gather', [shape, this.int64(scope, [axis], true)], { axis: intAttr(0) });
    return this.node(scope, 'Unsqueeze', [picked, this.int64(scope, [0])]);
  }

  /** x.view(x.size(0), x.size(1), ...rest): the target assembled per call, batch and sequence kept dynamic. */
  view(scope: string, x: string, source: string, rest: readonly number[]): string {
    const target = this.node(scope, 'Concat', [this.size(scope, source, 0), this.size(scope, source, 1), ...rest.map((d) => this.int64(scope, [d]))], { axis: intAttr(0) });
    return this.node(scope, 'Reshape', [x, target], { allowzero: intAttr(0) });
  }
}

export function buildBertMini(spec: BertMiniSpec): Model {
  const { vocabulary, positions, hidden, layers, heads, intermediate, classes } = spec;
  for (const [what, value] of Object.entries({ vocabulary, positions, hidden, layers, heads, intermediate, classes })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`bert-mini: ${what} must be a positive integer, got ${value}`);
  }
  if (hidden % heads !== 0) throw new Error(`bert-mini: hidden ${hidden} must be a multiple of heads ${heads}`);
  const headSize = hidden / heads;
  const b = new Builder(createRng(spec.seed));

  // The additive mask, [batch, 1, 1, sequence]: 0 where a token is, float32's min where padding is.
  const scope = '/bert';
  const expanded = b.node(scope, 'Unsqueeze', [b.node(scope, 'Unsqueeze', ['attention_mask', b.int64(scope, [1])]), b.int64(scope, [2])]);
  const inverted = b.node(scope, 'Sub', [b.float(scope, 1), b.node(scope, 'Cast', [expanded], { to: intAttr(1) })]);
  const additiveMask = b.node(scope, 'Mul', [inverted, b.float(scope, FLOAT32_MIN)]);

  const emb = '/bert/embeddings';
  b.initializers.set('bert.embeddings.position_ids', makeTensor('int64', [1, positions], BigInt64Array.from({ length: positions }, (_, i) => BigInt(i))));
  const sequence = b.node(emb, 'Unsqueeze', [b.node(emb, 'Gather', [b.node(emb, 'Shape', ['input_ids']), b.int64(emb, [1], true)], { axis: intAttr(0) }), b.int64(emb, [0])]);
  const positionIds = b.node(emb, 'Slice', ['bert.embeddings.position_ids', b.int64(emb, [0]), sequence, b.int64(emb, [1]), b.int64(emb, [1])]);
  const words = b.node(emb, 'Gather', [b.weight('bert.embeddings.word_embeddings.weight', [vocabulary, hidden], 'normal'), 'input_ids']);
  const place = b.node(emb, 'Gather', [b.weight('bert.embeddings.position_embeddings.weight', [positions, hidden], 'normal'), positionIds]);
  let x = b.layerNorm(emb, 'bert.embeddings.LayerNorm', b.node(emb, 'Add', [words, place]), hidden);

  for (let l = 0; l < layers; l++) {
    const name = `bert.encoder.layer.${l}`;
    const at = `/bert/encoder/layer.${l}`;
    const self = `${at}/attention/self`;
    const heads4d = (which: 'query' | 'key' | 'value'): string => {
      const projected = b.linear(`${self}/${which}`, `${name}.attention.self.${which}`, x, hidden, hidden);
      return b.view(self, projected, projected, [heads, headSize]);
    };
    const query = b.node(self, 'Transpose', [heads4d('query')], { perm: intsAttr([0, 2, 1, 3]) });
    const keyT = b.node(self, 'Transpose', [heads4d('key')], { perm: intsAttr([0, 2, 3, 1]) });
    const value = b.node(self, 'Transpose', [heads4d('value')], { perm: intsAttr([0, 2, 1, 3]) });
    const scores = b.node(self, 'Div', [b.node(self, 'MatMul', [query, keyT]), b.float(self, Math.sqrt(headSize))]);
    const probs = b.node(self, 'Softmax', [b.node(self, 'Add', [scores, additiveMask])], { axis: intAttr(-1) });
    const context = b.node(self, 'Transpose', [b.node(self, 'MatMul', [probs, value])], { perm: intsAttr([0, 2, 1, 3]) });
    const merged = b.view(self, context, context, [hidden]);
    const attended = b.node(`${at}/attention/output`, 'Add', [b.linear(`${at}/attention/output/dense`, `${name}.attention.output.dense`, merged, hidden, hidden), x]);
    const attention = b.layerNorm(`${at}/attention/output/LayerNorm`, `${name}.attention.output.LayerNorm`, attended, hidden);
    // GELU as torch writes F.gelu (erf form): 0.5 · h · (1 + erf(h / √2)).
    const inner = `${at}/intermediate`;
    const h = b.linear(`${inner}/dense`, `${name}.intermediate.dense`, attention, hidden, intermediate);
    const erf = b.node(inner, 'Erf', [b.node(inner, 'Div', [h, b.float(inner, Math.SQRT2)])]);
    const gelu = b.node(inner, 'Mul', [b.node(inner, 'Mul', [h, b.node(inner, 'Add', [erf, b.float(inner, 1)])]), b.float(inner, 0.5)]);
    const out = b.node(`${at}/output`, 'Add', [b.linear(`${at}/output/dense`, `${name}.output.dense`, gelu, intermediate, hidden), attention]);
    x = b.layerNorm(`${at}/output/LayerNorm`, `${name}.output.LayerNorm`, out, hidden);
  }

  const first = b.node('/bert/pooler', 'Gather', [x, b.int64('/bert', [0], true)], { axis: intAttr(1) });
  const pooled = b.node('/bert/pooler/activation', 'Tanh', [b.gemm('/bert/pooler/dense', 'bert.pooler.dense', first, hidden, hidden)]);
  b.gemm('/classifier', 'classifier', pooled, hidden, classes, 'logits');

  const inputs: ValueInfo[] = [
    { name: 'input_ids', dtype: 'int64', shape: ['batch', 'sequence'] },
    { name: 'attention_mask', dtype: 'int64', shape: ['batch', 'sequence'] },
  ];
  return builtinModel('bert_mini', inputs, classes, b.nodes, b.initializers);
}
