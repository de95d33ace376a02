/** Dataset detection in a workspace folder: .npy folders, CSV image lists, the built-ins; bounded and skipping noise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUILTIN_DATASETS, detectDatasets, detectWorkspaceDatasets, fashionMnistOption, isImageListHeader, userDatasetChoice } from '../../src/host/datasets';

function workspace(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-ws-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

const NPY = ['x_train', 'y_train', 'b_train', 'x_test', 'y_test', 'b_test'].map((n) => `${n}.npy`);

test('finds .npy folders (complete or not, saying what is missing) and CSV image lists', () => {
  const root = workspace({
    ...Object.fromEntries(NPY.map((n) => [`data/cmnist/${n}`, ''])),
    'data/cmnist/x_val.npy': '',
    'data/partial/x_train.npy': '',
    'data/partial/y_train.npy': '',
    'images/celeba.csv': 'path,label,bias_male,split\na.png,1,0,train\n',
    'images/quoted.csv': '\uFEFF"Path","Label","Bias"\r\nb.png,0,1\r\n',
    'images/plain.csv': 'path,label\na.png,1\n',
    'notes.csv': 'a,b,c\n',
  });
  const found = detectWorkspaceDatasets(root);
  assert.deepEqual(found.map((d) => d.option.id), ['csv:images/celeba.csv', 'csv:images/quoted.csv', 'npy:data/cmnist', 'npy:data/partial']);
  const cmnist = found.find((d) => d.option.id === 'npy:data/cmnist')!;
  assert.equal(cmnist.location, path.join(root, 'data/cmnist'));
  assert.match(cmnist.option.detail, /train, val and test/);
  const partial = found.find((d) => d.option.id === 'npy:data/partial')!;
  assert.equal(partial.option.supported, false);
  assert.match(partial.option.reason!, /missing b_train\.npy, x_test\.npy, y_test\.npy, b_test\.npy/);
  const celeba = found.find((d) => d.option.id === 'csv:images/celeba.csv')!;
  assert.match(celeba.option.detail, /columns path, label, bias_male, split; split column/);
  assert.deepEqual(celeba.option.csv, { columns: ['path', 'label', 'bias_male', 'split'], suggested: { path: 'path', target: 'label', bias: ['bias_male'] } });
  assert.deepEqual(userDatasetChoice(celeba), { kind: 'image-csv', csv: path.join(root, 'images/celeba.csv') });
  assert.deepEqual(userDatasetChoice(cmnist), { kind: 'npy-folder', folder: path.join(root, 'data/cmnist') });
  // Complete datasets can run; an incomplete one says what is missing.
  assert.deepEqual(found.map((d) => d.option.supported), [true, true, true, false]);
  assert.ok(found.filter((d) => d.option.supported).every((d) => d.option.reason === null));
});

test('skips node_modules, hidden, output and report folders, and stops at the depth limit', () => {
  const root = workspace({
    ...Object.fromEntries(NPY.map((n) => [`node_modules/pkg/${n}`, ''])),
    '.git/x_train.npy': '',
    'bise-reports/m/x_train.npy': '',
    'model.bise/x_train.npy': '',
    'a/b/c/d/e/f/x_train.npy': '',
    'a/b/x_train.npy': '',
  });
  assert.deepEqual(detectWorkspaceDatasets(root).map((d) => d.option.id), ['npy:a/b']);
  assert.deepEqual(detectWorkspaceDatasets(root, { maxDepth: 6 }).map((d) => d.option.id), ['npy:a/b', 'npy:a/b/c/d/e/f']);
  assert.deepEqual(detectWorkspaceDatasets(root, { maxFolders: 2 }).map((d) => d.option.id), []);
});

test('the built-in datasets come first and are runnable; a missing folder finds nothing', () => {
  const all = detectDatasets([path.join(os.tmpdir(), 'no-such-folder-bise')]);
  assert.deepEqual(all, BUILTIN_DATASETS);
  // Corrupted Fashion-MNIST runs where Debian's dataset-fashion-mnist is installed, and says what is missing elsewhere.
  const fashionInstalled = fs.existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz') && fs.existsSync('/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz');
  assert.deepEqual(all.map((d) => [d.option.kind, d.option.supported]), [['biased-mnist', true], ['multi-color-mnist', true], ['corrupted-fashion-mnist', fashionInstalled]]);
  assert.equal(all[2].option.reason === null, fashionInstalled);
  const absent = fashionMnistOption({ images: '/no/such/train-images-idx3-ubyte.gz', labels: '/no/such/train-labels-idx1-ubyte.gz' }).option;
  assert.equal(absent.supported, false);
  assert.equal(absent.reason, "needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist): /no/such/train-images-idx3-ubyte.gz, /no/such/train-labels-idx1-ubyte.gz not found");
  assert.equal(userDatasetChoice(all[0]), null);
});

test('CSV header rule: path, label and a bias column', () => {
  assert.ok(isImageListHeader(['path', 'label', 'bias']));
  assert.ok(isImageListHeader(['split', 'bias2', 'label', 'path']));
  assert.ok(!isImageListHeader(['path', 'label']));
  assert.ok(!isImageListHeader(['file', 'label', 'bias']));
});
