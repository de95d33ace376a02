/** The BERT-style fixtures of test/fixtures/transformers (made by scripts/export-transformers.py) and their references. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, RefTensor } from '../../support/fixtures';
import { InputValues } from '../../../src/core/graphs/model-inputs';

export const TRANSFORMERS = path.join(FIXTURES, 'transformers');

export const BERT_MODELS = ['bert-tiny-op14', 'bert-tiny-op17'] as const;

export interface BertSite {
  readonly tensor: string;
  readonly description: string;
  readonly channels: number;
  /** dL/dg for a gate on axis 1 (rank-2 tensors: the pooled z). */
  readonly grad?: number[];
  /** dL/dg for a gate on the last axis (the intermediate activations [batch, sequence, 64]). */
  readonly grad_last?: number[];
}

export interface BertReference {
  readonly model: string;
  readonly opset: number;
  readonly inputs: Readonly<Record<string, RefTensor & { readonly dtype: 'int64' }>>;
  readonly logits: RefTensor;
  readonly z_tensor: string;
  readonly z: RefTensor;
  readonly upstream_logits: RefTensor;
  readonly upstream_z: RefTensor;
  readonly sites: readonly BertSite[];
}

export function bertPath(name: string): string {
  return path.join(TRANSFORMERS, `${name}.onnx`);
}

export function loadBertReference(name: string): BertReference {
  return JSON.parse(fs.readFileSync(path.join(TRANSFORMERS, `${name}.ref.json`), 'utf8')) as BertReference;
}

/**
 * The reference inputs as int64 feeds, each row padded with `extra` more tokens (id 0, mask 0, type 0): the
 * padding is masked out, so the logits and gate gradients stay the reference's.
 */
export function referenceInputs(ref: BertReference, extra = 0): InputValues[] {
  return Object.entries(ref.inputs).map(([name, t]) => {
    const [rows, length] = t.dims;
    const data = new BigInt64Array(rows * (length + extra));
    for (let r = 0; r < rows; r++) for (let i = 0; i < length; i++) data[r * (length + extra) + i] = BigInt(t.data[r * length + i]);
    return { name, dtype: 'int64', dims: [rows, length + extra], data };
  });
}
