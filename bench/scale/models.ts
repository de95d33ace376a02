/**
 * The models of the scale bench, named by a key that survives a command line (the step is timed in a child
 * process per model): the three committed fixtures, and SimpleConvNet at a channel-width factor, built here in
 * TypeScript with random weights (never written to disk), or any ONNX file as `file:<path>` (the `families`
 * section's exports). The first two kinds also name their PyTorch twin for bench/torch-scale-step.py.
 */
import * as path from 'node:path';
import { Model } from '../../src/core/onnx/ir';
import { readModelFile } from '../../src/core/onnx/reader';
import { SIMPLE_CONVNET, SmallCnnSpec, buildSmallCnn } from '../../src/core/models/small-cnn';

export const FIXTURE_MODELS = ['simple-convnet', 'mlp', 'resnet18'] as const;
export type FixtureModel = (typeof FIXTURE_MODELS)[number];

/** 'simple-convnet' | 'mlp' | 'resnet18' (committed fixtures), 'simple-convnet-w<factor>' (built here) or 'file:<path>'. */
export type BenchModelKey = string;

const FIXTURE_DIR = path.join(__dirname, '..', '..', 'test', 'fixtures');
const WIDTH_PREFIX = 'simple-convnet-w';
const FILE_PREFIX = 'file:';

export function fileModelKey(onnxPath: string): BenchModelKey {
  return `${FILE_PREFIX}${onnxPath}`;
}

export const MODEL_LABELS: Readonly<Record<FixtureModel, string>> = {
  'simple-convnet': 'SimpleConvNet',
  mlp: 'MLP 3×100',
  resnet18: 'ResNet-18',
};

export function widthModelKey(factor: number): BenchModelKey {
  return `${WIDTH_PREFIX}${factor}`;
}

export function modelLabel(key: BenchModelKey): string {
  const factor = widthFactorOf(key);
  if (factor !== undefined) return `SimpleConvNet ×${factor} (${widthChannels(factor).join('/')})`;
  if (key.startsWith(FILE_PREFIX)) return path.basename(key.slice(FILE_PREFIX.length));
  return MODEL_LABELS[key as FixtureModel] ?? key;
}

function widthFactorOf(key: BenchModelKey): number | undefined {
  if (!key.startsWith(WIDTH_PREFIX)) return undefined;
  const factor = Number(key.slice(WIDTH_PREFIX.length));
  if (!(factor > 0)) throw new Error(`bad width factor in model key '${key}'`);
  return factor;
}

/** SimpleConvNet (4 × conv 7×7 + ReLU, 16/32/64/128, GAP, linear) with every block's channels × factor. */
export function scaledSimpleConvNet(factor: number, seed = 0): SmallCnnSpec {
  return {
    ...SIMPLE_CONVNET,
    seed,
    blocks: SIMPLE_CONVNET.blocks.map((b) => ({ ...b, channels: Math.max(1, Math.round(b.channels * factor)) })),
  };
}

/** The conv blocks' channels of SimpleConvNet at a width factor. */
export function widthChannels(factor: number): number[] {
  return scaledSimpleConvNet(factor).blocks.map((b) => b.channels);
}

export function loadBenchModel(key: BenchModelKey): Model {
  const factor = widthFactorOf(key);
  if (factor !== undefined) return buildSmallCnn(scaledSimpleConvNet(factor));
  if (key.startsWith(FILE_PREFIX)) return readModelFile(key.slice(FILE_PREFIX.length));
  if (!(FIXTURE_MODELS as readonly string[]).includes(key)) {
    throw new Error(`unknown bench model '${key}' (known: ${FIXTURE_MODELS.join(', ')}, ${WIDTH_PREFIX}<factor>, ${FILE_PREFIX}<path>)`);
  }
  return readModelFile(path.join(FIXTURE_DIR, `${key}.onnx`));
}

/** Arguments naming the same architecture for bench/torch-scale-step.py: architecture and channel widths. */
export function torchArchitectureArgs(key: BenchModelKey): string[] {
  const factor = widthFactorOf(key);
  if (factor !== undefined) return ['--model', 'simple-convnet', '--channels', widthChannels(factor).join(',')];
  if (key.startsWith(FILE_PREFIX)) throw new Error(`${key} has no bench/torch-scale-step.py twin (the families section runs bench/torch-family-step.py)`);
  return ['--model', key];
}
