// Runs an ONNX model once in onnxruntime (the engine's runtime) and dumps every graph output as raw float32.
// scripts/export-zoo.py uses it to read the exported graph's intermediate tensors (it adds them as graph
// outputs first), so that each ONNX tensor can be paired with the PyTorch tensor holding the same values.
// Dev only (Debian's python has no onnxruntime); CI never runs it.
//
//     node scripts/onnx-intermediates.mjs <model.onnx> <input.f32> <dims, e.g. 2,3,32,32> <out folder>
//
// Writes <out folder>/index.json ([{name, dims, offset}] with offsets in float32 elements) and
// <out folder>/values.f32 (every output, concatenated, little-endian float32).
import * as fs from 'node:fs';
import * as path from 'node:path';
import ort from 'onnxruntime-node';

const [modelPath, inputPath, dimsText, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node scripts/onnx-intermediates.mjs <model.onnx> <input.f32> <dims> <out folder>');
  process.exit(2);
}
const dims = dimsText.split(',').map(Number);
const raw = fs.readFileSync(inputPath);
const input = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const session = await ort.InferenceSession.create(fs.readFileSync(modelPath), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
const outputs = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(input), dims) });
const index = [];
const chunks = [];
let offset = 0;
for (const name of session.outputNames) {
  const t = outputs[name];
  if (t.type !== 'float32') continue;
  index.push({ name, dims: t.dims, offset });
  chunks.push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  offset += t.data.length;
}
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'values.f32'), Buffer.concat(chunks));
fs.writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(index));
