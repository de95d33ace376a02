/**
 * Image folders with an attribute file (CelebA's layout, and one folder per class): joined by file name into the
 * image-CSV reader's rows, split by the partition file or by seed, streamed bit for bit as read into memory, and
 * every malformed input refused with the file and line to fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { planImageAttributes } from '../../../src/core/data/attributes/attribute-dataset';
import { isAttributeData } from '../../../src/core/data/attributes/attribute-files';
import { parseAttributeList } from '../../../src/core/data/attributes/attribute-list';
import { StreamedDataset } from '../../../src/core/data/dataset';
import { Splits } from '../../../src/core/data/digit-splits';
import { DatasetError } from '../../../src/core/data/errors';
import { imageCsvInMemory } from '../../../src/core/data/image-csv';
import { datasetsSha256 } from '../../../src/core/data/streaming/dataset-hash';
import { openImageAttributes } from '../../../src/core/data/streaming/open-image-attributes';
import { pngBytes, rgbaImage } from '../../support/images';

const FIXTURES = resolve(__dirname, '../../fixtures');
const CELEBA = join(FIXTURES, 'celeba-attributes');
const CLASSES = join(FIXTURES, 'celeba-classes');
const paperRoles = { columns: { target: 'Blond_Hair', bias: ['Male'] } };

const base = mkdtempSync(join(tmpdir(), 'bise-attributes-'));
const opened: Splits<StreamedDataset>[] = [];
test.after(async () => {
  await Promise.all(opened.map((s) => s.train.samples.close()));
  rmSync(base, { recursive: true, force: true });
});
let cases = 0;

/** A fresh folder holding `files` (path → text, or null for a 2×2 PNG). */
function folder(files: Record<string, string | null>): string {
  const dir = join(base, `case-${cases++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text ?? pngBytes(2, 2, rgbaImage(2, 2, () => [10, 20, 30])));
  }
  return dir;
}

/** CelebA's layout with images 1…n (attribute lines as given, default: alternating Blond_Hair and Male). */
function celeba(n: number, options: { lines?: string[]; partition?: string[] | null; extraImages?: string[] } = {}): string {
  const names = Array.from({ length: n }, (_, i) => `${String(i + 1).padStart(6, '0')}.png`);
  const lines = options.lines ?? names.map((f, i) => `${f} ${i % 2 ? ' 1' : '-1'} ${i % 4 < 2 ? ' 1' : '-1'}`);
  const files: Record<string, string | null> = { 'list_attr_celeba.txt': [String(lines.length), 'Blond_Hair Male', ...lines].join('\n') + '\n' };
  for (const f of [...names, ...(options.extraImages ?? [])]) files[`img_align_celeba/${f}`] = null;
  const partition = options.partition === undefined ? names.map((f, i) => `${f} ${i < n - 4 ? 0 : i < n - 2 ? 1 : 2}`) : options.partition;
  if (partition !== null) files['list_eval_partition.txt'] = partition.join('\n') + '\n';
  return folder(files);
}

/** The DatasetError `run` throws, checked against `message` (and the row, when given). */
function refuses(run: () => unknown, message: RegExp, row?: number): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof DatasetError, `expected a DatasetError, got ${String(e)}`);
    assert.match(e.message, message);
    if (row !== undefined) assert.equal(e.row, row, e.message);
    return true;
  });
}

test('CelebA as distributed: the partition file splits, -1/1 become 0/1, the named attributes are target and bias', () => {
  const { train, val, test: testSet } = openImageAttributes(CELEBA, { ...paperRoles, stream: false });
  // The fixture's groups (scripts/make-celeba-fixture.mjs): train blond mostly female, val and test one per group.
  assert.deepEqual(Array.from(train.y), [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(train.biases[0]), [0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(val.y), [1, 1, 0, 0]);
  assert.deepEqual(Array.from(testSet.biases[0]), [0, 1, 0, 1]);
  assert.deepEqual(train.dims, [3, 8, 8]);
  assert.equal(train.name, 'celeba-attributes/train');
  assert.equal(train.numClasses, 2);
  assert.deepEqual(train.biasClasses, [2]);
  assert.deepEqual(train.meta.classNames, ['not Blond_Hair', 'Blond_Hair']);
  assert.deepEqual(train.meta.biasNames, ['Male']);
  assert.deepEqual(train.meta.ignoredColumns, ['Smiling', 'Young']);
  assert.equal(train.meta.format, 'image-attributes');
  assert.equal(train.meta.splitBy, 'column');
  assert.equal(train.meta.images, 'img_align_celeba/');
  // The attribute file itself, and names in any case, give the same dataset.
  const byFile = planImageAttributes(join(CELEBA, 'list_attr_celeba.txt'), { columns: { target: 'blond_hair', bias: ['MALE'] } });
  assert.deepEqual(Array.from(byFile.labels('train').y), Array.from(train.y));
  assert.equal(byFile.imageAt(byFile.rows.test[0]).entry, 'img_align_celeba/000021.png');
});

test('one folder per class: the class is the target (folders in sorted order), the CSV attribute file gives the bias, split by seed', () => {
  const plan = planImageAttributes(CLASSES, { columns: { bias: ['Male'] }, seed: 2 });
  assert.deepEqual(plan.labels('train').meta.classNames, ['blond', 'dark']);
  assert.equal(plan.labels('train').meta.splitBy, 'seed');
  assert.equal(plan.rowCount, 16);
  for (const split of ['train', 'val', 'test'] as const) {
    const { y } = plan.labels(split);
    plan.rows[split].forEach((row, i) => assert.equal(y[i], plan.imageAt(row).entry.startsWith('blond/') ? 0 : 1, plan.imageAt(row).entry));
  }
  assert.equal(plan.rows.train.length + plan.rows.val.length + plan.rows.test.length, 16);
  // An attribute may be the target instead, with the class folder as a bias.
  const swapped = planImageAttributes(CLASSES, { columns: { target: 'Male', bias: ['class'] } });
  assert.deepEqual(swapped.labels('train').meta.biasValueNames, [['blond', 'dark']]);
});

test('streamed, both layouts give the in-memory data bit for bit', async () => {
  for (const [location, options] of [[CELEBA, paperRoles], [CLASSES, { columns: { bias: ['Male'] }, size: 4 }]] as const) {
    const memory = imageCsvInMemory(planImageAttributes(location, options));
    const streamed = openImageAttributes(location, { ...options, stream: true, workers: 1 }) as Splits<StreamedDataset>;
    opened.push(streamed);
    assert.ok('samples' in streamed.train);
    assert.equal(await datasetsSha256([streamed.train, streamed.val, streamed.test]), await datasetsSha256([memory.train, memory.val, memory.test]));
  }
});

test('the attribute file: a count that disagrees, short and long lines, values other than -1/0/1, a file listed twice', () => {
  const parse = (text: string) => parseAttributeList(text, 'attrs.txt', 'text');
  refuses(() => parse('3\nA B\na.png 1 -1\nb.png -1 1\n'), /the first line says 3 images, but 2 image lines follow/, 1);
  refuses(() => parse('2\nA B\na.png 1 -1\nb.png -1\n'), /a short line: expected 3 fields \(the file name and one value for each of the 2 attributes\), got 2/, 4);
  refuses(() => parse('A B\na.png 1 -1\nb.png -1 1 1\n'), /a long line: expected 3 fields/, 3);
  refuses(() => parse('A B\na.png 1 -1\nb.png 2 1\n'), /image "b\.png", attribute "A": expected -1, 0 or 1, got "2"/, 3);
  refuses(() => parse('A B\na.png 1 -1\nb.png 1 1\n\na.png 0 0\n'), /image "a\.png" is listed twice, on lines 2 and 5/, 5);
  refuses(() => parse('A a\nx.png 1 1\n'), /attribute "a" is named twice/, 1);
  refuses(() => parse(''), /the file is empty/);
  // The CSV form names its file column; 0/1 and -1/1 both read.
  const csv = parseAttributeList('image_id,Male\r\nx.png,0\r\ny.png,-1\r\nz.png,1\r\n', 'a.csv', 'csv');
  assert.equal(csv.fileColumn, 'image_id');
  assert.deepEqual(Array.from(csv.values), [0, 0, 1]);
});

test('images listed but missing, and images not listed: one names its line, many give a count and the first few', () => {
  const one = celeba(8);
  rmSync(join(one, 'img_align_celeba', '000003.png'));
  refuses(() => planImageAttributes(one, paperRoles), /image "000003\.png" is not in img_align_celeba\/: expected every listed image to exist/, 5);
  const many = celeba(12);
  for (let i = 2; i <= 9; i++) rmSync(join(many, 'img_align_celeba', `00000${i}.png`));
  refuses(() => planImageAttributes(many, paperRoles), /8 of the 12 images listed are not in img_align_celeba\/: "000002\.png" \(line 4\), "000003\.png" \(line 5\), .* and 3 more/);
  refuses(() => planImageAttributes(celeba(8, { extraImages: ['stray.png', 'z.jpg'] }), paperRoles), /2 images in img_align_celeba\/ are not in the attribute file: "img_align_celeba\/stray\.png", "img_align_celeba\/z\.jpg"/);
  // The same image named by file name and by path is a duplicate too.
  const lines = ['000001.png -1 1', '000002.png 1 1', 'img_align_celeba/000001.png 1 -1'];
  refuses(() => planImageAttributes(celeba(2, { lines, partition: null }), paperRoles), /image "img_align_celeba\/000001\.png" is listed twice, on lines 3 and 5/, 5);
});

test('class folders that repeat a file name need the folder in the attribute file', () => {
  const dir = folder({ 'a/1.png': null, 'b/1.png': null, 'b/2.png': null, 'attributes.txt': 'Male\n1.png 1\nb/1.png -1\nb/2.png 1\n' });
  refuses(() => planImageAttributes(dir, {}), /image "1\.png" is in several class folders \(a\/1\.png, b\/1\.png\): name it with its folder/, 2);
  writeFileSync(join(dir, 'attributes.txt'), 'Male\na/1.png 1\nb/1.png -1\nb/2.png 1\n');
  assert.deepEqual(Array.from(imageCsvInMemory(planImageAttributes(dir, { valFraction: 0, testFraction: 0 })).train.biases[0]).sort(), [0, 1, 1]);
});

test('the partition file: every image needs a split, 0/1/2 only, each once, with train and test images', () => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `${String(i + 1).padStart(6, '0')}.png`);
  refuses(() => planImageAttributes(celeba(8, { partition: names(6).map((f) => `${f} 0`) }), paperRoles), /2 images of the attribute file have no split here: "000007\.png" \(line 9 of list_attr_celeba\.txt\)/);
  refuses(() => planImageAttributes(celeba(4, { partition: ['000001.png 0', '000002.png 3'] }), paperRoles), /image "000002\.png": expected the split 0 \(train\), 1 \(val\) or 2 \(test\), got "3"/, 2);
  refuses(() => planImageAttributes(celeba(4, { partition: ['000001.png 0', '000001.png 2'] }), paperRoles), /listed twice, on lines 1 and 2/, 2);
  refuses(() => planImageAttributes(celeba(4, { partition: names(4).map((f) => `${f} 0`) }), paperRoles), /no image of the attribute file is in the test split \(2\)/);
  // Lines for images the attribute file leaves out are not used (a subset of CelebA keeps the full file); a header is skipped.
  const subset = planImageAttributes(celeba(8, { partition: ['image_id partition', ...names(8).map((f, i) => `${f} ${i < 4 ? 0 : i < 6 ? 1 : 2}`), '999999.png 0'] }), paperRoles);
  assert.deepEqual([subset.rows.train.length, subset.rows.val.length, subset.rows.test.length], [4, 2, 2]);
  // Without a partition file: the seeded, stratified split of an image CSV.
  const seeded = planImageAttributes(celeba(20, { partition: null }), { ...paperRoles, seed: 1 });
  assert.equal(seeded.labels('train').meta.splitBy, 'seed');
  assert.deepEqual([seeded.rows.train.length, seeded.rows.val.length, seeded.rows.test.length], [14, 2, 4]);
});

test('choosing attributes: the target and bias must be named, exist, differ, and the file column stays the image column', () => {
  const dir = celeba(8);
  refuses(() => planImageAttributes(dir, {}), /choose the target attribute \(--target-column, or the form's target column\): one of Blond_Hair, Male/, 2);
  refuses(() => planImageAttributes(dir, { columns: { target: 'Male' } }), /choose the bias attribute\(s\)/, 2);
  refuses(() => planImageAttributes(dir, { columns: { target: 'Blond', bias: ['Male'] } }), /no attribute "Blond" for the target: expected one of Blond_Hair, Male/, 2);
  refuses(() => planImageAttributes(dir, { columns: { target: 'Male', bias: ['male'] } }), /"Male" is chosen as both the target and a bias/, 2);
  refuses(() => planImageAttributes(dir, { columns: { ...paperRoles.columns, path: 'Male' } }), /the image path column cannot be "Male"/, 2);
  assert.equal(planImageAttributes(dir, { columns: { ...paperRoles.columns, path: 'FILE' } }).rowCount, 8);
  // A bias that never varies in train cannot be learned against.
  const lines = Array.from({ length: 8 }, (_, i) => `${String(i + 1).padStart(6, '0')}.png ${i % 2 ? ' 1' : '-1'}  1`);
  refuses(() => planImageAttributes(celeba(8, { lines }), paperRoles), /bias column "male": every training sample has the same value 1/);
});

test('where the files are: no attribute file, no images, a corrupt image named with its line', () => {
  refuses(() => planImageAttributes(folder({ 'img/1.png': null, 'notes.txt': 'hello\n' }), paperRoles), /no attribute file found: expected a file like list_attr_celeba\.txt/);
  refuses(() => planImageAttributes(folder({ 'list_attr_celeba.txt': 'Blond_Hair Male\n1.png 1 1\n' }), paperRoles), /no PNG or JPEG images in this folder or its sub-folders/);
  const dir = celeba(8);
  writeFileSync(join(dir, 'img_align_celeba', '000002.png'), 'not a png');
  refuses(() => imageCsvInMemory(planImageAttributes(dir, paperRoles)), /list_attr_celeba\.txt: row 4: image "img_align_celeba\/000002\.png": could not decode/);
});

test('what --data takes for attributes: the attribute file, its folder, a CSV named like one; not an image list or a .npy folder', () => {
  assert.ok(isAttributeData(CELEBA));
  assert.ok(isAttributeData(join(CELEBA, 'list_attr_celeba.txt')));
  assert.ok(isAttributeData(join(CLASSES, 'attributes.csv')));
  assert.ok(!isAttributeData(join(CELEBA, 'img_align_celeba')));
  assert.ok(!isAttributeData(folder({ 'attributes.csv': 'path,label,bias\na.png,0,1\n' })));
  assert.ok(!isAttributeData(folder({ 'x_train.npy': '', 'list_attr.txt': 'A\na.png 1\n' })));
  assert.ok(!isAttributeData(join(base, 'nothing-here')));
});
