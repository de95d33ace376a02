import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { availableProviders, createSession, defaultThreads } from '../../../src/core/runtime/session';
import { serializeModel } from '../../../src/core/onnx/writer';
import { graphOf, modelOf, node, valueInfo } from '../../support/build-model';

const relu = serializeModel(
  modelOf(graphOf({ nodes: [node('Relu', ['a'], ['o'])], inputs: [valueInfo('a', [4])], outputs: [valueInfo('o', [4])] }), 17),
);

test('cpu is always available and is the default, with one thread per core', async () => {
  assert.ok(availableProviders().includes('cpu'));
  assert.ok(defaultThreads() >= 1);
  const s = await createSession(relu);
  assert.equal(s.provider, 'cpu');
  const out = await s.session.run({ a: new ort.Tensor('float32', Float32Array.from([1, -2, 3, -4]), [4]) });
  assert.deepEqual([...(out.o.data as Float32Array)], [1, 0, 3, 0]);
});

for (const provider of ['cuda', 'webgpu'] as const) {
  test(`asking for ${provider} either gets it or falls back to cpu with a message saying why`, async () => {
    const notes: string[] = [];
    const s = await createSession(relu, { provider, onNote: (m) => notes.push(m) });
    if (s.provider === provider) {
      assert.equal(notes.length, 0);
    } else {
      assert.equal(s.provider, 'cpu');
      assert.equal(notes.length, 1);
      assert.match(notes[0], new RegExp(`execution provider '${provider}' .*; using cpu`));
    }
    const out = await s.session.run({ a: new ort.Tensor('float32', Float32Array.from([-1, 2, -3, 4]), [4]) });
    assert.deepEqual([...(out.o.data as Float32Array)], [0, 2, 0, 4]);
  });
}
