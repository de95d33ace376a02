/**
 * What the fuzzer feeds and to what: each target makes input `i` from a seed (reproducible one by one) and runs
 * the real reader on it, then the checks that follow the reader in a job (model analysis, label columns, image
 * shapes). A target returns normally when the input was accepted and throws when it was refused.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/core/data/random';
import { parseModel } from '../../src/core/onnx/reader';
import { OnnxModelError } from '../../src/core/onnx/errors';
import { serializeModel } from '../../src/core/onnx/writer';
import { buildSmallCnn } from '../../src/core/models/small-cnn';
import { discoverModelUnits, modelIo } from '../../src/core/jobs/model-analysis';
import { buildGateGradientGraphs } from '../../src/core/graphs/gate-gradient-graphs';
import { pruneModel } from '../../src/core/prune/prune';
import { parseNpy } from '../../src/core/data/npy';
import { labelColumn, labelTableShape } from '../../src/core/data/npy-labels';
import { imageShape } from '../../src/core/data/image-layout';
import { readImageCsv } from '../../src/core/data/image-csv';
import { npyBytes } from '../support/npy-writer';
import { pngBytes, jpegBytes, rgbaImage } from '../support/images';
import { mutateBytes, pick } from './mutate-bytes';
import { mutateOnnxFields } from './mutate-onnx';
import { mutateNpyFields } from './mutate-npy';
import { mutateCsv } from './mutate-csv';

export interface FuzzInput {
  readonly what: string;
  run(): void;
}

export interface FuzzTarget {
  /** Builds input `i` from `rng` (a stream of its own). */
  input(rng: Rng): FuzzInput;
}

const FIXTURES = path.join(__dirname, '..', 'fixtures');

function onnxTarget(): FuzzTarget {
  const tiny = serializeModel(
    buildSmallCnn({ inputChannels: 3, height: 8, width: 8, blocks: [{ channels: 4, kernel: 3, stride: 1 }, { channels: 6, kernel: 3, stride: 2 }], classes: 3, seed: 1 }),
  );
  const seeds = [
    { name: 'tiny-cnn', bytes: tiny, weight: 6 },
    { name: 'mlp.onnx', bytes: new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'mlp.onnx'))), weight: 1 },
    { name: 'simple-convnet.onnx', bytes: new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'simple-convnet.onnx'))), weight: 1 },
  ];
  const weighted = seeds.flatMap((s) => Array.from({ length: s.weight }, () => s));
  // External-data locations resolve here: one real file, and nothing else.
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-fuzz-onnx-'));
  fs.writeFileSync(path.join(baseDir, 'weights.bin'), new Uint8Array(64));
  return {
    input(rng) {
      const seed = pick(weighted, rng);
      // Byte mutations of a large model mostly land in weight data; its fields are fuzzed instead.
      const m = seed.bytes.length < 10_000 && rng.nextInt(2) === 0 ? mutateBytes(seed.bytes, rng) : mutateOnnxFields(seed.bytes, rng);
      return {
        what: `${seed.name}: ${m.what}`,
        run() {
          const label = path.join(baseDir, 'model.onnx');
          const model = parseModel(m.bytes, label, baseDir);
          const io = modelIo(model, label);
          const discovery = discoverModelUnits(model, label, io);
          // An accepted small model goes on through what extract does next without onnxruntime: the gated
          // forward and backward graphs, and physical pruning of every other unit.
          if (seed.bytes.length < 10_000) {
            buildGateGradientGraphs(model, { batchSize: 2 });
            pruneModel(model, discovery, discovery.groups.map((g) => Array.from({ length: g.channels }, (_, k) => k % 2 === 0)));
          }
        },
      };
    },
  };
}

function npyTarget(): FuzzTarget {
  const seeds = [
    npyBytes({ descr: '|u1', shape: [4, 3, 8, 8], data: Array.from({ length: 4 * 192 }, (_, i) => i % 256) }),
    npyBytes({ descr: '<f4', shape: [4, 1, 5, 5], data: Array.from({ length: 100 }, (_, i) => i / 100) }),
    npyBytes({ descr: '>f8', shape: [2, 5, 5, 3], data: Array.from({ length: 150 }, (_, i) => i) }),
    npyBytes({ descr: '<i8', shape: [6], data: [0, 1, 2, 0, 1, 2] }),
    npyBytes({ descr: '|b1', shape: [6], data: [0, 1, 1, 0, 1, 0] }),
    npyBytes({ descr: '<i4', shape: [6, 2], data: [0, 1, 1, 0, 2, 1, 0, 0, 1, 1, 2, 0] }),
    npyBytes({ descr: '>i2', shape: [3], data: [5, 6, 7], version: 2 }),
    npyBytes({ descr: '<f4', shape: [2, 3], data: [1, 2, 3, 4, 5, 6], version: 3 }),
  ];
  return {
    input(rng) {
      const seed = pick(seeds, rng);
      const m = rng.nextInt(2) === 0 && seed[6] === 1 ? mutateNpyFields(seed, rng) : mutateBytes(seed, rng);
      return {
        what: m.what,
        run() {
          const file = 'fuzz.npy';
          const a = parseNpy(m.bytes, file);
          if (['u1', 'f4', 'f8'].includes(a.dtype) && a.shape.length === 4) imageShape(a.shape, file);
          else {
            const table = labelTableShape(a, file, 'y', true);
            for (let k = 0; k < table.columns; k++) labelColumn(a, table.rows, table.columns, k, file, 'y');
          }
        },
      };
    },
  };
}

function csvTarget(): FuzzTarget {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-fuzz-csv-'));
  fs.mkdirSync(path.join(dir, 'images'));
  const images = Array.from({ length: 8 }, (_, i) => {
    const rgba = rgbaImage(6, 6, (r, c) => [(i * 31 + r * 7) % 256, (c * 40) % 256, (r * c) % 256]);
    return { name: `images/${i}.${i === 7 ? 'jpg' : 'png'}`, bytes: new Uint8Array(i === 7 ? jpegBytes(6, 6, rgba) : pngBytes(6, 6, rgba)) };
  });
  for (const im of images) fs.writeFileSync(path.join(dir, im.name), im.bytes);
  const rows = (f: (i: number) => string): string => images.map((im, i) => `${im.name},${f(i)}`).join('\n');
  const seeds = [
    `path,label,bias\n${rows((i) => `${i % 2},${Math.floor(i / 2) % 2}`)}\n`,
    `path,label,bias,split\n${rows((i) => `${i % 2},${Math.floor(i / 2) % 2},${['train', 'train', 'val', 'test'][i % 4]}`)}\n`,
    `"path","label","bias","bias2"\r\n${rows((i) => `${['cat', 'dog'][i % 2]},"${['red', 'green'][Math.floor(i / 2) % 2]}",${i % 3}`).replaceAll('\n', '\r\n')}\r\n`,
  ];
  const csv = path.join(dir, 'data.csv');
  return {
    input(rng) {
      const m = mutateCsv(pick(seeds, rng), rng);
      // Now and then one image is corrupt too.
      const image = rng.nextInt(8) === 0 ? pick(images, rng) : undefined;
      const imageBytes = image ? mutateBytes(image.bytes, rng) : undefined;
      return {
        what: `${m.what}${image ? `; ${image.name}: ${imageBytes?.what}` : ''}`,
        run() {
          fs.writeFileSync(csv, m.bytes);
          if (image && imageBytes) fs.writeFileSync(path.join(dir, image.name), imageBytes.bytes);
          try {
            readImageCsv(csv, { seed: 0 });
          } finally {
            if (image) fs.writeFileSync(path.join(dir, image.name), image.bytes);
          }
        },
      };
    },
  };
}

/** Targets that misbehave on purpose, to show the harness catches what it is there to catch. */
function misbehaving(kind: 'hang' | 'type-error' | 'wrapped-range-error'): () => FuzzTarget {
  return () => ({
    input: (rng) => ({
      what: `${kind} #${rng.nextInt(1000)}`,
      run() {
        if (kind === 'hang') for (;;);
        if (kind === 'type-error') (undefined as unknown as { x: number }).x;
        throw new OnnxModelError('m.onnx', 'declared size', undefined, new RangeError('Invalid typed array length: 4294967296'));
      },
    }),
  });
}

export const TARGETS: Readonly<Record<string, () => FuzzTarget>> = {
  onnx: onnxTarget,
  npy: npyTarget,
  csv: csvTarget,
  'selftest-hang': misbehaving('hang'),
  'selftest-type-error': misbehaving('type-error'),
  'selftest-wrapped-range-error': misbehaving('wrapped-range-error'),
};
