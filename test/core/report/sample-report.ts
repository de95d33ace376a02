/**
 * A realistic report of a SimpleConvNet (BiasedMNIST, 4 convs 3→16→32→64→128, kernel 7, padding 3, 28×28,
 * BatchNorm folded, linear 128→10): 4 mask groups, 12 epochs, 2 baselines, a probe. Deterministic; its
 * parameter and FLOP counts follow from the kept units, as the pruner would count them.
 */
import * as crypto from 'node:crypto';
import type { GroupReport, LayerReport, PruneReport } from '../../../src/core/prune/prune';
import type { BiseReport, EpochRecord, EvalMetrics, MaskRecord } from '../../../src/core/report/schema';

export const GROUP_SIZES = [16, 32, 64, 128] as const;
const KERNEL = 7;
const SPATIAL = 28 * 28;
const CLASSES = 10;

/** Park–Miller generator: the same logits on every machine. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
}

export const sha256 = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

function sampleMasks(): MaskRecord[] {
  const next = lcg(12345);
  return GROUP_SIZES.map((units, g) => {
    // Deeper layers lose more units, as in the paper's figures.
    const logits = Array.from({ length: units }, () => Number((next() * 6 - 2 - g * 0.5).toFixed(4)));
    return {
      group: g,
      label: `conv${g + 1}`,
      producers: [`/conv${g + 1}/Conv`],
      sites: [`/relu${g + 1}/Relu_output_0`],
      logits,
      keep: logits.map((l) => l >= 0),
    };
  });
}

function convLayer(index: number, inBefore: number, inAfter: number, outBefore: number, outAfter: number): LayerReport {
  const params = (o: number, i: number): number => o * i * KERNEL * KERNEL + o;
  const flops = (o: number, i: number): number => 2 * o * i * KERNEL * KERNEL * SPATIAL;
  return {
    node: `/conv${index}/Conv`,
    opType: 'Conv',
    weight: `conv${index}.weight`,
    weightDimsBefore: [outBefore, inBefore, KERNEL, KERNEL],
    weightDimsAfter: [outAfter, inAfter, KERNEL, KERNEL],
    paramsBefore: params(outBefore, inBefore),
    paramsAfter: params(outAfter, inAfter),
    flopsBefore: flops(outBefore, inBefore),
    flopsAfter: flops(outAfter, inAfter),
  };
}

export function samplePruning(masks: readonly MaskRecord[]): PruneReport {
  const kept = masks.map((m) => m.keep.filter(Boolean).length);
  const sizes = masks.map((m) => m.keep.length);
  const layers: LayerReport[] = masks.map((_, g) => convLayer(g + 1, g === 0 ? 3 : sizes[g - 1], g === 0 ? 3 : kept[g - 1], sizes[g], kept[g]));
  const last = sizes.length - 1;
  layers.push({
    node: '/fc/Gemm',
    opType: 'Gemm',
    weight: 'fc.weight',
    weightDimsBefore: [CLASSES, sizes[last]],
    weightDimsAfter: [CLASSES, kept[last]],
    paramsBefore: CLASSES * sizes[last] + CLASSES,
    paramsAfter: CLASSES * kept[last] + CLASSES,
    flopsBefore: 2 * CLASSES * sizes[last],
    flopsAfter: 2 * CLASSES * kept[last],
  });
  const groups: GroupReport[] = masks.map((m, g) => ({
    group: m.group,
    label: m.label,
    producers: [...m.producers],
    channels: sizes[g],
    kept: kept[g],
    removed: sizes[g] - kept[g],
    removedIndices: m.keep.flatMap((k, i) => (k ? [] : [i])),
  }));
  const sum = (f: (l: LayerReport) => number): number => layers.reduce((s, l) => s + f(l), 0);
  return {
    inputShapes: { input: [1, 3, 28, 28] },
    paramsBefore: sum((l) => l.paramsBefore),
    paramsAfter: sum((l) => l.paramsAfter),
    flopsBefore: sum((l) => l.flopsBefore),
    flopsAfter: sum((l) => l.flopsAfter),
    unitsBefore: sizes.reduce((a, b) => a + b, 0),
    unitsAfter: kept.reduce((a, b) => a + b, 0),
    layers,
    groups,
  };
}

function metrics(unbiased: number, aligned: number, conflicting: number, worst: number, classShift: number): EvalMetrics {
  return {
    unbiasedAccuracy: unbiased,
    alignedAccuracy: aligned,
    conflictingAccuracy: conflicting,
    worstGroupAccuracy: worst,
    perClassAccuracy: Array.from({ length: CLASSES }, (_, c) => Number(Math.min(1, Math.max(0, unbiased + classShift * (c - 4.5) / 10)).toFixed(4))),
    samples: 10000,
  };
}

function sampleHistory(totalUnits: number, finalKept: number): EpochRecord[] {
  return Array.from({ length: 12 }, (_, i) => {
    const epoch = i + 1;
    const progress = i / 11;
    return {
      epoch,
      tau: 0.5 ** Math.floor(i / 3),
      loss: Number((2.3 - 1.6 * progress + 0.35 * (1 - progress)).toFixed(4)),
      crossEntropy: Number((2.3 - 1.6 * progress).toFixed(4)),
      mutualInformation: Number((0.35 * (1 - progress)).toFixed(4)),
      trainAccuracy: Number((0.2 + 0.6 * progress).toFixed(4)),
      auxAccuracy: Number((0.98 - 0.7 * progress).toFixed(4)),
      // Epoch 1 has no validation pass: the curve must show a gap, the table a dash.
      valUnbiasedAccuracy: epoch === 1 ? null : Number(Math.min(0.705, 0.3 + 0.45 * progress).toFixed(4)),
      keptUnits: Math.round(totalUnits - (totalUnits - finalKept) * progress),
      totalUnits,
      seconds: 9.5 + (i % 3) * 0.25,
    };
  });
}

/** The sample report; `masks` replaces the four standard groups (pruning, history and units follow). */
export function sampleReport(masks: MaskRecord[] = sampleMasks()): BiseReport {
  const pruning = samplePruning(masks);
  const history = sampleHistory(pruning.unitsBefore, pruning.unitsAfter);
  return {
    schema: 'bise-report',
    version: 1,
    createdAt: '2026-03-14T09:26:53.589Z',
    tool: { name: 'bise', version: '0.1.0', onnxruntime: '1.30.0', node: '20.20.2', executionProvider: 'cpu' },
    model: { path: '../simple-convnet.onnx', sha256: sha256('simple-convnet.onnx'), bottleneck: '/pool/GlobalAveragePool_output_0', classifier: '/fc/Gemm' },
    data: {
      name: 'BiasedMNIST ρ=0.997',
      description: 'MNIST digits on a background colour correlated with the class (ReBias protocol)',
      sha256: sha256('biased-mnist-0.997'),
      trainSize: 54000,
      valSize: 6000,
      testSize: 10000,
      biasAttributes: ['background colour'],
    },
    config: {
      alpha: 1,
      gamma: 1,
      maskLr: 0.01,
      maskMomentum: 0.9,
      maskWeightDecay: 0.0001,
      batchSize: 100,
      tauStart: 1,
      tauHalveEvery: 3,
      tauStop: 0.001,
      auxPretrainEpochs: 50,
      miOnConflictingOnly: true,
      selection: 'best-val-unbiased',
      'data.rho': 0.997,
      bottleneckOverride: null,
    },
    seed: 42,
    history,
    selection: { criterion: 'best-val-unbiased', epoch: 11 },
    masks,
    metrics: {
      vanilla: metrics(0.334, 0.998, 0.26, 0.12, 0.1),
      subnetwork: metrics(0.712, 0.901, 0.691, 0.55, 0.05),
      baselines: [
        { name: 'random', metrics: metrics(0.301, 0.97, 0.227, 0.08, 0.1), seeds: 5 },
        { name: 'magnitude', metrics: metrics(0.352, 0.985, 0.282, 0.1, 0.1) },
      ],
    },
    pruning,
    probe: {
      vanilla: {
        linearAccuracy: 0.981,
        mlpAccuracy: 0.993,
        mutualInformation: 0.874,
        chance: 0.1,
        perLayer: masks.map((m, i) => ({ site: m.sites[0], label: m.label, accuracy: Math.min(1, 0.9 + 0.02 * i) })),
      },
      subnetwork: {
        linearAccuracy: 0.352,
        mlpAccuracy: 0.418,
        mutualInformation: 0.121,
        chance: 0.1,
        perLayer: masks.map((m, i) => ({ site: m.sites[0], label: m.label, accuracy: Math.max(0.1, 0.8 - 0.15 * i) })),
      },
    },
    outputs: {
      prunedModel: 'simple-convnet.bise.onnx',
      masks: 'masks.json',
      figures: ['figures/accuracy.svg', 'figures/mask-heatmap.svg', 'figures/probe.svg', 'figures/training-curves.svg'],
    },
    timings: { totalSeconds: 123.4, msPerStep: 18.75 },
  };
}

/** A report with one mask group of `units` units (keep every other unit), for layout checks. */
export function singleGroupMasks(units: number, label = 'layer4.1/conv2'): MaskRecord[] {
  return [
    {
      group: 0,
      label,
      producers: ['/layer4/layer4.1/conv2/Conv'],
      sites: ['/layer4/layer4.1/relu_1/Relu_output_0'],
      logits: Array.from({ length: units }, (_, i) => (i % 2 === 0 ? 0.5 + i / units : -0.5 - i / units)),
      keep: Array.from({ length: units }, (_, i) => i % 2 === 0),
    },
  ];
}
