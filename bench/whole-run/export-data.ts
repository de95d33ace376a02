/**
 * The exact inputs `bise extract` trains on, written for the PyTorch loop (bench/torch-bise-loop.py): the dataset
 * as the job builds it (built-in spec, the model's normalisation, fitted to the model's input) in .npy files, its
 * data hash (the one report.json records, so the bench can check that both sides read the same arrays), and the
 * tensors the engine gates with its bottleneck z, so both sides gate the same tensors of the same model.
 *
 *   node --import tsx bench/whole-run/export-data.ts OUT_DIR [--model M.onnx] [--rho 0.97] [--train-size 3000] …
 *
 * (the bench's flags, bench/whole-run/options.ts: --model, --rho, --data-seed, --train-size, --val-size, --test-size).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseModel } from '../../src/core/onnx/reader';
import { BuiltinDatasetSpec, datasetSha256, loadBuiltinDataset, withModelNormalisation } from '../../src/core/jobs/builtin-datasets';
import { discoverModelUnits, modelIo } from '../../src/core/jobs/model-analysis';
import { fitDataToModel } from '../../src/core/jobs/data-fits-model';
import { readBatch } from '../../src/core/data/streaming/read-batches';
import { Dataset } from '../../src/core/data/dataset';
import { writeNpy } from './npy-writer';
import { biasedMnistSpec, parseWholeRunArgs } from './options';

export interface GatesFile {
  readonly input: string;
  readonly logits: string;
  readonly bottleneck: string;
  readonly bottleneckPooling: string | null;
  readonly groups: readonly { readonly label: string; readonly units: number; readonly sites: readonly { tensor: string; axis: number; repeat: number }[] }[];
}

export interface ExportedData {
  readonly dir: string;
  readonly gatesFile: string;
  /** datasetSha256 of the three splits: equal to report.json's data.sha256 when the job read the same arrays. */
  readonly sha256: string;
  readonly sizes: { readonly train: number; readonly val: number; readonly test: number };
  readonly totalUnits: number;
  /** Width of z as the auxiliary head sees it (channels when the engine pools a feature map). */
  readonly zDim: number;
  readonly numClasses: number;
  readonly biasClasses: readonly number[];
  /** Values of one sample (C·H·W). */
  readonly sampleValues: number;
}

export async function exportBenchData(modelPath: string, spec: BuiltinDatasetSpec, dir: string): Promise<ExportedData> {
  const model = parseModel(fs.readFileSync(modelPath), modelPath, path.dirname(path.resolve(modelPath)));
  const io = modelIo(model, modelPath);
  const discovery = discoverModelUnits(model, modelPath, io);
  const data = fitDataToModel(io, loadBuiltinDataset(withModelNormalisation(spec, model.metadata, modelPath)), modelPath);
  fs.mkdirSync(dir, { recursive: true });
  for (const [split, ds] of [['train', data.train], ['val', data.val], ['test', data.test]] as const) await writeSplit(dir, split, ds);
  const gates: GatesFile = {
    input: io.input,
    logits: discovery.logits,
    bottleneck: discovery.bottleneck,
    bottleneckPooling: discovery.bottleneckPooling ?? null,
    groups: discovery.groups.map((g) => ({ label: g.label, units: g.channels, sites: g.sites.map((s) => ({ tensor: s.tensor, axis: s.axis, repeat: s.repeat })) })),
  };
  const gatesFile = path.join(dir, 'gates.json');
  fs.writeFileSync(gatesFile, JSON.stringify(gates, null, 1) + '\n');
  const zShape = io.shapes.get(discovery.bottleneck) ?? [];
  const zDim = discovery.bottleneckPooling ? zShape[1] : zShape.slice(1).reduce((a, b) => a * b, 1);
  const sha256 = await datasetSha256(data);
  const rho = 'rho' in spec ? spec.rho : null;
  const meta = { sha256, rho, numClasses: io.classes, biasClasses: data.train.biasClasses, dims: data.train.dims, name: data.name };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 1) + '\n');
  return {
    dir,
    gatesFile,
    sha256,
    sizes: { train: data.train.y.length, val: data.val.y.length, test: data.test.y.length },
    totalUnits: gates.groups.reduce((s, g) => s + g.units, 0),
    zDim,
    numClasses: io.classes,
    biasClasses: data.train.biasClasses,
    sampleValues: data.train.dims.reduce((a, b) => a * b, 1),
  };
}

async function writeSplit(dir: string, split: string, ds: Dataset): Promise<void> {
  const n = ds.y.length;
  const batch = await readBatch(ds, Int32Array.from({ length: n }, (_, i) => i));
  writeNpy(path.join(dir, `x_${split}.npy`), { descr: '<f4', data: batch.x }, [n, ...ds.dims]);
  writeNpy(path.join(dir, `y_${split}.npy`), { descr: '<i8', data: ds.y }, [n]);
  if (ds.biases.length === 1) writeNpy(path.join(dir, `b_${split}.npy`), { descr: '<i8', data: ds.biases[0] }, [n]);
  else {
    const b = new Int32Array(n * ds.biases.length);
    for (let i = 0; i < n; i++) ds.biases.forEach((bk, k) => (b[i * ds.biases.length + k] = bk[i]));
    writeNpy(path.join(dir, `b_${split}.npy`), { descr: '<i8', data: b }, [n, ds.biases.length]);
  }
}

if (require.main === module) {
  const [out, ...flags] = process.argv.slice(2);
  if (!out || out.startsWith('--')) {
    console.error('usage: export-data.ts OUT_DIR [--model M.onnx] [--rho R] [--data-seed N] [--train-size N] [--val-size N] [--test-size N]');
    process.exit(2);
  }
  const o = parseWholeRunArgs(flags);
  exportBenchData(path.resolve(o.model), biasedMnistSpec(o), path.resolve(out)).then(
    (r) => console.log(JSON.stringify(r)),
    (e) => {
      console.error((e as Error).message);
      process.exitCode = 1;
    },
  );
}
