/**
 * Small models with the blocks of mobile and grouped CNNs (seeded weights, symbolic batch): depthwise and grouped
 * convolutions between two dense convs, and an EfficientNet-style block with SiLU and squeeze-and-excitation,
 * for the discovery, pruning and gate-gradient tests.
 */
import { Model, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { buildGatedForward, gateInputsFor } from '../../../src/core/graphs/gated-forward';
import { RefTensor, sizeOf } from '../../../src/core/ops/reference/tensor';
import { Discovery } from '../../../src/core/units/discover';
import { gradCheckDraws } from '../../support/gradcheck';
import { float32Values, normal, uniform } from '../../support/random';
import { GraphBuilder } from './ir-builder';

export const k3 = { kernel_shape: intsAttr([3, 3]), pads: intsAttr([1, 1, 1, 1]) };

export interface GroupedConvSpec {
  /** Channels of the dense conv before the grouped one. */
  readonly channels: number;
  readonly group: number;
  /** Output channels of the grouped conv. */
  readonly outChannels: number;
  readonly bias?: boolean;
  readonly seed?: number;
}

/**
 * x [2ch] → conv0 (+bias) → Relu → grouped conv (group G) → Relu → 1×1 proj (16) → Relu → GAP → Flatten → Gemm.
 * Depthwise: group = channels.
 */
export function groupedConvNet(spec: GroupedConvSpec): Model {
  const { channels: c, group, outChannels: m } = spec;
  const b = new GraphBuilder(spec.seed ?? 1);
  const x = b.input('x', ['batch', 2, 5, 5]);
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w0', [c, 2, 3, 3]), b.weight('b0', [c])], k3, 'conv0')], {}, 'relu0');
  const gInputs = [h, b.weight('gw', [m, c / group, 3, 3]), ...(spec.bias === false ? [] : [b.weight('gb', [m])])];
  const g = b.node('Relu', [b.node('Conv', gInputs, { ...k3, group: intAttr(group) }, 'grouped')], {}, 'grouped_relu');
  const p = b.node('Relu', [b.node('Conv', [g, b.weight('pw', [16, m, 1, 1]), b.weight('pb', [16])], {}, 'proj')], {}, 'proj_relu');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [p])], { axis: intAttr(1) });
  return b.model(b.node('Gemm', [z, b.weight('fc', [3, 16]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
}

/**
 * EfficientNet's MBConv: expand conv → SiLU → depthwise → SiLU → squeeze-and-excitation (GAP, reduce 1×1, SiLU,
 * expand 1×1, Sigmoid, Mul) → 1×1 projection (linear) → residual Add with the block's input → GAP → Gemm.
 * SiLU is exported as x·Sigmoid(x).
 */
export function seBlock(seed = 1, c = 6, reduced = 3): Model {
  const b = new GraphBuilder(seed);
  const x = b.input('x', ['batch', 4, 5, 5]);
  const silu = (t: string, name: string): string => b.node('Mul', [t, b.node('Sigmoid', [t], {}, `${name}_sigmoid`)], {}, name);
  const stem = silu(b.node('Conv', [x, b.weight('ws', [4, 4, 3, 3]), b.weight('bs', [4])], k3, 'stem'), 'stem_silu');
  const h = silu(b.node('Conv', [stem, b.weight('w0', [c, 4, 1, 1]), b.weight('b0', [c])], {}, 'expand'), 'expand_silu');
  const dw = silu(b.node('Conv', [h, b.weight('dw', [c, 1, 3, 3]), b.weight('dwb', [c])], { ...k3, group: intAttr(c) }, 'dw'), 'dw_silu');
  const squeezed = b.node('GlobalAveragePool', [dw], {}, 'se_pool');
  const r = silu(b.node('Conv', [squeezed, b.weight('se_w1', [reduced, c, 1, 1]), b.weight('se_b1', [reduced])], {}, 'se_reduce'), 'se_reduce_silu');
  const s = b.node('Sigmoid', [b.node('Conv', [r, b.weight('se_w2', [c, reduced, 1, 1]), b.weight('se_b2', [c])], {}, 'se_expand')], {}, 'se_scale');
  const scaled = b.node('Mul', [s, dw], {}, 'se_mul');
  const p = b.node('Conv', [scaled, b.weight('pw', [4, c, 1, 1]), b.weight('pb', [4])], {}, 'project');
  const out = b.node('Add', [p, stem], {}, 'residual');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [out])], { axis: intAttr(1) });
  return b.model(b.node('Gemm', [z, b.weight('fc', [3, 4]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
}

/**
 * Gate gradients of the gated forward graph the engine trains with (one gate vector per group, repeated over a
 * unit's channels where a unit spans several), finite-difference checked in float64 and in onnxruntime.
 */
export async function checkGateGradients(name: string, model: Model, discovery: Discovery): Promise<void> {
  await gradCheckDraws(name, 1, (rng) => {
    const gates = gateInputsFor(discovery, 'group');
    const gated = buildGatedForward(model.graph, discovery, gates);
    const x = model.graph.inputs[0];
    const dims = [2, ...(x.shape ?? []).slice(1).map(Number)];
    const feeds = new Map<string, RefTensor>([[x.name, { dims, data: float32Values(rng, sizeOf(dims), normal()) }]]);
    for (const g of gates) feeds.set(g.name, { dims: [...g.dims], data: float32Values(rng, g.channels, uniform(0.5, 1.5)) });
    return { built: { graph: gated.graph, feeds }, seeds: [gated.logits, gated.bottleneck], targets: gates.map((g) => g.name) };
  });
}
