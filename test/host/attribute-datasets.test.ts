/**
 * The workspace scan finds image folders with an attribute file (CelebA as torchvision and Kaggle lay it out, and
 * class folders), offers their attributes as the form's target and bias columns, never walks their image folders,
 * and the form's choice reaches the worker as the core's attribute dataset spec.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUILTIN_DATASETS, DetectedDataset, detectWorkspaceDatasets } from '../../src/host/datasets';
import { buildExtractJob, defaultForm } from '../../src/host/form';
import { extractJobOptions } from '../../src/worker/job-options';
import { pngBytes, rgbaImage } from '../support/images';

const FIXTURES = path.resolve(__dirname, '../fixtures');
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-attribute-scan-'));
test.after(() => fs.rmSync(ws, { recursive: true, force: true }));

function write(rel: string, content: string | Buffer = pngBytes(1, 1, rgbaImage(1, 1, () => [0, 0, 0]))): void {
  fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
  fs.writeFileSync(path.join(ws, rel), content);
}

fs.cpSync(path.join(FIXTURES, 'celeba-attributes'), path.join(ws, 'celeba'), { recursive: true });
fs.cpSync(path.join(FIXTURES, 'celeba-classes'), path.join(ws, 'faces'), { recursive: true });
// Kaggle's CelebA: CSV attribute and partition files, the images one folder deeper.
write('kaggle/list_attr_celeba.csv', 'image_id,Blond_Hair,Male\n000001.jpg,-1,1\n000002.jpg,1,-1\n');
write('kaggle/list_eval_partition.csv', 'image_id,partition\n000001.jpg,0\n000002.jpg,2\n');
write('kaggle/img_align_celeba/img_align_celeba/000001.jpg');
write('kaggle/img_align_celeba/img_align_celeba/000002.jpg');
// An image list inside an image folder is not looked for: the scan does not walk 200,000 images.
write('celeba/img_align_celeba/list.csv', 'path,label,bias\n000001.png,0,1\n');
// An attribute file with no images beside it.
write('lonely/list_attr_celeba.txt', '1\nBlond_Hair Male\n000001.jpg  1 -1\n');

const found = detectWorkspaceDatasets(ws);
const byId = (id: string): DetectedDataset => {
  const d = found.find((f) => f.option.id === id);
  assert.ok(d, `${id} not found among ${found.map((f) => f.option.id).join(', ')}`);
  return d;
};

test('CelebA (torchvision and Kaggle layouts) and class folders are found by their attribute files, with their attributes as columns', () => {
  const celeba = byId('attributes:celeba/list_attr_celeba.txt');
  assert.equal(celeba.option.kind, 'image-attributes');
  assert.equal(celeba.location, path.join(ws, 'celeba', 'list_attr_celeba.txt'));
  assert.equal(celeba.option.detail, 'celeba/list_attr_celeba.txt: 4 attributes; images in img_align_celeba/; splits from list_eval_partition.txt');
  assert.deepEqual(celeba.option.csv, { columns: ['file', 'Blond_Hair', 'Male', 'Smiling', 'Young'], suggested: { path: 'file', target: 'Blond_Hair', bias: ['Male'] } });
  assert.ok(celeba.option.supported);

  const kaggle = byId('attributes:kaggle/list_attr_celeba.csv');
  assert.match(kaggle.option.detail, /images in img_align_celeba\/img_align_celeba\/; splits from list_eval_partition\.csv$/);
  assert.deepEqual(kaggle.option.csv?.suggested, { path: 'image_id', target: 'Blond_Hair', bias: ['Male'] });

  const faces = byId('attributes:faces/attributes.csv');
  assert.deepEqual(faces.option.csv, { columns: ['image_id', 'class', 'Male', 'Smiling'], suggested: { path: 'image_id', target: 'class', bias: ['Male'] } });
  assert.match(faces.option.detail, /images in the class folders blond\/, dark\/; split by seed$/);

  const lonely = byId('attributes:lonely/list_attr_celeba.txt');
  assert.equal(lonely.option.supported, false);
  assert.match(lonely.option.reason ?? '', /no PNG or JPEG images next to list_attr_celeba\.txt/);
});

test('attribute and partition files are not offered again as image lists or texts, and image folders are not walked', () => {
  const ids = found.map((f) => f.option.id);
  assert.deepEqual(ids.filter((id) => /list_attr|partition|attributes\.csv|list\.csv/.test(id)).sort(), [
    'attributes:celeba/list_attr_celeba.txt',
    'attributes:faces/attributes.csv',
    'attributes:kaggle/list_attr_celeba.csv',
    'attributes:lonely/list_attr_celeba.txt',
  ]);
});

test("the form's target and bias reach the worker as the core's attribute dataset", () => {
  const celeba = byId('attributes:celeba/list_attr_celeba.txt');
  const ctx = { modelPath: path.join(ws, 'm.onnx'), datasets: [...BUILTIN_DATASETS, celeba], providers: ['cpu' as const], outDir: path.join(ws, 'runs') };
  const chosen = buildExtractJob({ ...defaultForm(), dataset: celeba.option.id, csvColumns: { path: 'file', target: 'Smiling', bias: ['Male', 'Young'] } }, ctx);
  assert.ok(chosen.ok);
  if (!chosen.ok) return;
  const columns = { path: 'file', target: 'Smiling', bias: ['Male', 'Young'] };
  assert.deepEqual(chosen.job.data, { kind: 'image-attributes', attributes: celeba.location, columns });
  assert.deepEqual(extractJobOptions(chosen.job).data, { kind: 'image-attributes', location: celeba.location, seed: 0, columns });
  const unknown = buildExtractJob({ ...defaultForm(), dataset: celeba.option.id, csvColumns: { path: 'file', target: 'Bald', bias: ['Male'] } }, ctx);
  assert.ok(!unknown.ok && unknown.errors.some((e) => e.field === 'csvColumns' && /celeba\/list_attr_celeba\.txt has no column "Bald"/.test(e.message)));
});
