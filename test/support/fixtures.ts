/** Loads the PyTorch-made fixtures of test/fixtures (see scripts/export-fixtures.py). */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export interface RefTensor {
  readonly dims: number[];
  readonly data: number[];
}

export interface TorchReference {
  readonly model: string;
  readonly input: RefTensor;
  readonly logits: RefTensor;
  readonly z: RefTensor;
  readonly upstream_logits: RefTensor;
  readonly upstream_z: RefTensor;
  readonly sites: { description: string; channels: number; grad: number[] }[];
}

export const FIXTURE_MODELS = ['simple-convnet', 'resnet18', 'mlp'] as const;

export function fixturePath(name: string): string {
  return path.join(FIXTURES, name.endsWith('.onnx') ? name : `${name}.onnx`);
}

export function loadReference(name: string): TorchReference {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.ref.json`), 'utf8')) as TorchReference;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** ‖a − b‖ / ‖b‖ */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num) / Math.sqrt(den);
}
