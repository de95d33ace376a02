/** The model zoo of test/fixtures/zoo (made by scripts/export-zoo.py): file names and float64 references. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, RefTensor } from './fixtures';

export const ZOO = path.join(FIXTURES, 'zoo');

/** One gate site of the reference: any float tensor of rank ≥ 2 of the ONNX graph with a PyTorch counterpart. */
export interface ZooSite {
  /** The tensor's ONNX name. */
  readonly tensor: string;
  readonly description: string;
  readonly channels: number;
  /** dL/dg for a per-channel gate g (all ones) on the tensor's axis 1. */
  readonly grad: number[];
  /** For tensors of rank ≥ 3 (in references made since channels-last gating): the same for a gate on the last axis. */
  readonly grad_last?: number[];
}

export interface ZooReference {
  readonly model: string;
  /** e.g. 'resnet' or, for hand-built graphs, 'tf2onnx-nhwc'. */
  readonly family: string;
  readonly opset: number;
  readonly producer: string;
  readonly input: RefTensor;
  readonly logits: RefTensor;
  /** The ONNX name of z (the classifier's input, by the engine's rule at generation time). */
  readonly z_tensor: string;
  /** False when the graph has no Gemm/MatMul classifier (z is then the last Conv's input). */
  readonly classifier_found: boolean;
  readonly z: RefTensor;
  readonly upstream_logits: RefTensor;
  readonly upstream_z: RefTensor;
  readonly sites: readonly ZooSite[];
}

/** Every zoo model, e.g. 'resnet-op13', sorted. */
export function zooModels(): string[] {
  return fs
    .readdirSync(ZOO)
    .filter((f) => f.endsWith('.onnx'))
    .map((f) => f.slice(0, -'.onnx'.length))
    .sort();
}

export function zooModelPath(name: string): string {
  return path.join(ZOO, `${name}.onnx`);
}

export function loadZooReference(name: string): ZooReference {
  return JSON.parse(fs.readFileSync(path.join(ZOO, `${name}.ref.json`), 'utf8')) as ZooReference;
}
