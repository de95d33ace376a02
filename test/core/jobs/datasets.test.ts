import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NORMALIZE_METADATA_KEY, withModelNormalisation } from '../../../src/core/jobs/builtin-datasets';

test("user data takes the model's normalisation from its metadata unless given explicitly", () => {
  const npy = { kind: 'npy-folder', dir: 'd', seed: 0 } as const;
  const meta = { [NORMALIZE_METADATA_KEY]: JSON.stringify({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }) };
  assert.deepEqual(withModelNormalisation(npy, meta, 'm.onnx'), { ...npy, normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } });
  const explicit = { ...npy, normalize: { mean: [0.1], std: [0.2] } };
  assert.equal(withModelNormalisation(explicit, meta, 'm.onnx'), explicit);
  const builtin = { kind: 'biased-mnist', rho: 0.99, seed: 0 } as const;
  assert.equal(withModelNormalisation(builtin, meta, 'm.onnx'), builtin);
  assert.equal(withModelNormalisation(npy, {}, 'm.onnx'), npy);
  assert.throws(() => withModelNormalisation(npy, { [NORMALIZE_METADATA_KEY]: '{oops' }, 'm.onnx'), /m\.onnx: metadata 'bise\.normalize' is not JSON/);
  assert.throws(() => withModelNormalisation(npy, { [NORMALIZE_METADATA_KEY]: '{"mean": [0.5]}' }, 'm.onnx'), /should be \{"mean": \[numbers\], "std": \[numbers\]\}/);
});
